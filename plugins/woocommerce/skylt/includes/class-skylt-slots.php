<?php

/**
 * Slot markup: the `<skylt-slot>` element the snippet fills, placed by WooCommerce hooks, the shortcode and the block.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Renders slots. Every attribute is escaped here; catalog text is only ever added by the snippet, as text.
 */
class Skylt_Slots
{
    /**
     * The markup of one slot element, or '' when the plugin is not configured or the page is unknown.
     *
     * @param array<string, mixed> $args page, slot (comma-separated names), n, item, heading.
     */
    public static function render(array $args): string
    {
        $page = sanitize_key((string) ($args['page'] ?? 'home'));
        if ('' === Skylt_Settings::api() || ! isset(Skylt_Settings::SLOTS[$page])) {
            return '';
        }
        $asked = is_array($args['slot'] ?? null) ? $args['slot'] : explode(',', (string) ($args['slot'] ?? ''));
        $slots = array_values(array_intersect(Skylt_Settings::SLOTS[$page], array_map('trim', $asked)));
        $attrs = [
            'page' => $page,
            'slot' => implode(',', $slots),
            'n' => (string) max(1, min(50, (int) ($args['n'] ?? 4))),
            'item' => (string) ($args['item'] ?? ''),
            'heading' => (string) ($args['heading'] ?? ''),
            'replaces' => (string) ($args['replaces'] ?? ''),
            'exclude' => (string) ($args['exclude'] ?? ''),
            'noview' => (string) ($args['noview'] ?? ''),
        ];
        if ('product' === $page && '' === $attrs['item']) {
            $attrs['item'] = self::current_item();
        }
        $attrs = array_filter($attrs, 'strlen');
        $cart = Skylt_Ids::cart();
        if (null !== $cart) {
            // Even when empty: the shop's cart replaces what the browser remembers (docs/snippet.md).
            $attrs['cart'] = implode(',', $cart);
        }
        $attrs = (array) apply_filters('skylt_slot_attributes', $attrs, $args);
        $html = '';
        foreach ($attrs as $name => $value) {
            $html .= ' ' . sanitize_key((string) $name) . '="' . esc_attr((string) $value) . '"';
        }
        Skylt_Assets::enqueue();
        $wrap = 'skylt-wrap skylt-wrap-' . $page;
        return '<div class="' . esc_attr($wrap) . '"><skylt-slot' . $html . '></skylt-slot></div>';
    }

    /**
     * A page's slot as configured on the settings page, or '' when that page's slot is switched off.
     *
     * @param string $page home, product, cart or checkout.
     */
    public static function configured(string $page): string
    {
        $s = Skylt_Settings::all();
        if (empty($s[$page . '_enabled'])) {
            return '';
        }
        return self::render([
            'page' => $page,
            'slot' => (array) $s[$page . '_slots'],
            'n' => $s[$page . '_n'],
            'heading' => $s[$page . '_heading'],
            'replaces' => self::replaced($page),
        ]);
    }

    /**
     * CSS selectors of the WooCommerce lists the settings replace on a page. They stay on the page and the snippet
     * hides them only once Skylt's rows render: when the API is down, or for a shopper in the control group of an
     * experiment, the shop keeps its own list.
     *
     * @param string $page home, product, cart or checkout.
     */
    public static function replaced(string $page): string
    {
        // Classic templates, the older list blocks, and the Product Collection blocks of block themes.
        $collection = '[data-collection="woocommerce/product-collection/%s"]';
        $lists = [
            'product' => [
                'replace_related' => '.related.products, .wp-block-woocommerce-related-products, '
                    . sprintf($collection, 'related'),
                'replace_upsells' => '.up-sells, ' . sprintf($collection, 'upsells'),
            ],
            'cart' => [
                'replace_cross_sells' => '.cross-sells, .wp-block-woocommerce-cart-cross-sells-block, '
                    . sprintf($collection, 'cross-sells'),
            ],
        ];
        $selectors = [];
        foreach ($lists[$page] ?? [] as $setting => $selector) {
            if (Skylt_Settings::get($setting)) {
                $selectors[] = $selector;
            }
        }
        return implode(', ', $selectors);
    }

    /**
     * The item id of the product being viewed.
     */
    private static function current_item(): string
    {
        global $product;
        if (is_object($product)) {
            return Skylt_Ids::item($product);
        }
        return function_exists('is_product') && is_product() ? Skylt_Ids::item((int) get_queried_object_id()) : '';
    }

    /** Echoes the product page slot (`woocommerce_after_single_product_summary`). */
    public static function product_page(): void
    {
        if (Skylt_Blocks::block_template()) {
            return; // Block hooks place it there (Skylt_Blocks).
        }
        echo self::configured('product'); // Escaped in render().
    }

    /** Echoes the classic cart's slot (`woocommerce_cart_collaterals`). */
    public static function cart_page(): void
    {
        echo self::configured('cart'); // Escaped in render().
    }

    /** Echoes the classic checkout's slot (`woocommerce_after_checkout_form`). */
    public static function checkout_page(): void
    {
        echo self::configured('checkout'); // Escaped in render().
    }

    /**
     * Appends the home slot to a static front page's content (`the_content`). A front page listing posts would get
     * it once per post, so there the shortcode or the block places it instead.
     *
     * @param string $content The post content.
     */
    public static function home_content($content)
    {
        static $done = false;
        // Block themes before WordPress 6.4 render the page outside the loop; the post ID still tells.
        $front = in_the_loop() || (int) get_the_ID() === (int) get_option('page_on_front');
        if (! $done && $front && is_front_page() && is_page() && is_main_query()) {
            $done = true;
            $content .= self::configured('home');
        }
        return $content;
    }

    /**
     * Block themes: a slot after the Cart and Checkout blocks, unless one was placed inside (`render_block`).
     *
     * @param string               $html  The block's HTML.
     * @param array<string, mixed> $block The parsed block.
     */
    public static function around_blocks($html, $block)
    {
        $name = $block['blockName'] ?? '';
        if (Skylt_Blocks::has_cart_slot((array) $block)) {
            return $html; // The merchant placed skylt/cart-slot inside.
        }
        if ('woocommerce/cart' === $name) {
            return $html . self::configured('cart');
        }
        if ('woocommerce/checkout' === $name) {
            return $html . self::configured('checkout');
        }
        return $html;
    }

    /**
     * `[skylt_slot page="product" slot="similar,upsell" n="4" item="SKU" heading="..."]`.
     *
     * @param array<string, string>|string $atts Shortcode attributes.
     */
    public static function shortcode($atts): string
    {
        $atts = shortcode_atts(
            ['page' => 'home', 'slot' => '', 'n' => '4', 'item' => '', 'heading' => ''],
            (array) $atts,
            'skylt_slot'
        );
        return self::render($atts);
    }

    /**
     * Render callback of the `skylt/slot` block.
     *
     * @param array<string, mixed> $attributes Block attributes.
     */
    public static function block($attributes): string
    {
        return self::render((array) $attributes);
    }
}
