<?php

/**
 * Slots on today's WooCommerce: inside the Cart and Checkout blocks, in the mini-cart, on the order-received page
 * and in block themes' templates.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * The Cart and Checkout blocks offer every block whose `parent` names one of their areas, so `skylt/cart-slot` can be
 * placed inside them; without it the slot is still appended after the block (Skylt_Slots::around_blocks). Block
 * themes get the product and order-received slots through block hooks (`skylt/placement`), because the template
 * compatibility layer fires the classic product hooks before the product details.
 */
class Skylt_Blocks
{
    public const CART_SLOT = 'skylt/cart-slot';
    public const PLACEMENT = 'skylt/placement';

    /** From this `product_priority` on (related products are 20), block themes place the row after related products. */
    public const RELATED_PRIORITY = 20;

    /** Store API cart extension data: the cart's Skylt item ids, read by skylt-woo.js after each cart change. */
    public const STORE_NAMESPACE = 'skylt-cart';

    /** Product-page anchors of the block hooks: below RELATED_PRIORITY, and from it on. */
    private const DETAILS = 'woocommerce/product-details';
    private const RELATED = ['woocommerce/product-collection', 'woocommerce/related-products'];
    private const ORDER_ANCHOR = 'woocommerce/order-confirmation-totals-wrapper';

    /** Registers the blocks (`init`). */
    public static function register(): void
    {
        register_block_type(SKYLT_DIR . 'blocks/cart-slot', ['render_callback' => [self::class, 'cart_slot']]);
        register_block_type(SKYLT_DIR . 'blocks/placement', ['render_callback' => [self::class, 'placement']]);
    }

    /** The WooCommerce-only hooks (called from Skylt_Plugin::woocommerce_hooks). */
    public static function hooks(): void
    {
        add_filter('hooked_block_types', [self::class, 'hooked_types'], 10, 3);
        add_filter('hooked_block_' . self::PLACEMENT, [self::class, 'hooked_block'], 10, 4);
        add_filter('render_block_woocommerce/mini-cart-items-block', [self::class, 'after_mini_cart_items']);
        add_action('woocommerce_after_mini_cart', [self::class, 'mini_cart_widget']);
        add_action('woocommerce_thankyou', [self::class, 'thankyou'], 20);
        add_action('wp_footer', [Skylt_Prices::class, 'enqueue'], 5);
        if (function_exists('woocommerce_store_api_register_endpoint_data')) {
            woocommerce_store_api_register_endpoint_data([
                'endpoint' => 'cart',
                'namespace' => self::STORE_NAMESPACE,
                'data_callback' => [self::class, 'store_cart'],
                'schema_callback' => [self::class, 'store_cart_schema'],
                'schema_type' => ARRAY_A,
            ]);
        }
    }

    /**
     * Whether the page renders from a block template that does not wrap the classic one: there the compatibility
     * layer fires `woocommerce_after_single_product_summary` out of place, and block hooks place the row instead.
     */
    public static function block_template(): bool
    {
        global $_wp_current_template_content;
        return function_exists('wp_is_block_theme') && wp_is_block_theme() && is_string($_wp_current_template_content)
            && false === strpos($_wp_current_template_content, 'woocommerce/legacy-template');
    }

    /**
     * Block hooks: `skylt/placement` after the product details or the related products (by the position setting),
     * and after the order totals of the Order Confirmation template.
     *
     * @param string[] $hooked   Block types hooked to the anchor.
     * @param string   $position before, after, first_child or last_child.
     * @param string   $anchor   The anchor block type.
     * @return string[]
     */
    public static function hooked_types($hooked, $position, $anchor): array
    {
        $hooked = (array) $hooked;
        if ('after' !== $position) {
            return $hooked;
        }
        $related = (int) Skylt_Settings::get('product_priority') >= self::RELATED_PRIORITY;
        $product = Skylt_Settings::get('product_enabled')
            && ($related ? in_array($anchor, self::RELATED, true) : self::DETAILS === $anchor);
        $order = self::ORDER_ANCHOR === $anchor && Skylt_Settings::get('order_received_enabled');
        if ($product || $order) {
            $hooked[] = self::PLACEMENT;
        }
        return $hooked;
    }

    /**
     * The hooked block's attributes; none after a Product Collection that is not the related-products one.
     *
     * @param array<string, mixed>|null $block    The parsed hooked block, or null when suppressed.
     * @param string                    $type     The hooked block type.
     * @param string                    $position The relative position.
     * @param array<string, mixed>|null $anchor   The parsed anchor block.
     * @return array<string, mixed>|null
     */
    public static function hooked_block($block, $type, $position, $anchor)
    {
        if (null === $block || ! is_array($anchor)) {
            return $block;
        }
        $name = (string) ($anchor['blockName'] ?? '');
        $collection = (string) ($anchor['attrs']['collection'] ?? '');
        if ('woocommerce/product-collection' === $name && 'woocommerce/product-collection/related' !== $collection) {
            return null;
        }
        $block['attrs']['place'] = self::ORDER_ANCHOR === $name ? 'order' : 'product';
        return $block;
    }

    /**
     * Render callback of `skylt/placement`.
     *
     * @param array<string, mixed> $attributes Block attributes.
     */
    public static function placement($attributes): string
    {
        if ('order' === ($attributes['place'] ?? '')) {
            return self::order_received(self::viewed_order());
        }
        return function_exists('is_product') && is_product() ? Skylt_Slots::configured('product') : '';
    }

    /**
     * Render callback of `skylt/cart-slot`: the cart or checkout page's configured slot, where the merchant put it.
     */
    public static function cart_slot(): string
    {
        $page = function_exists('is_checkout') && is_checkout() ? 'checkout' : 'cart';
        $s = Skylt_Settings::all();
        return Skylt_Slots::render([
            'page' => $page,
            'slot' => (array) $s[$page . '_slots'],
            'n' => $s[$page . '_n'],
            'heading' => $s[$page . '_heading'],
            'replaces' => Skylt_Slots::replaced($page),
        ]);
    }

    /**
     * Whether a parsed block holds a `skylt/cart-slot`: then the merchant placed it, and nothing is appended.
     *
     * @param array<string, mixed> $block The parsed block.
     */
    public static function has_cart_slot(array $block): bool
    {
        foreach ((array) ($block['innerBlocks'] ?? []) as $inner) {
            if (self::CART_SLOT === ($inner['blockName'] ?? '') || self::has_cart_slot((array) $inner)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The mini-cart's slot, as a placeholder that skylt-woo.js turns into the slot element once it is shown: a closed
     * drawer is on every page and must not ask Skylt anything. Without a `cart` attribute: the snippet asks with the
     * cart skylt-woo.js keeps current.
     */
    public static function mini_cart(): string
    {
        $s = Skylt_Settings::all();
        if (empty($s['mini_cart_enabled']) || '' === Skylt_Settings::api()) {
            return '';
        }
        $args = [
            'page' => 'cart',
            'slot' => implode(',', array_intersect(Skylt_Settings::SLOTS['cart'], (array) $s['cart_slots'])),
            'n' => (string) max(1, min(4, (int) $s['cart_n'])),
            'heading' => (string) $s['cart_heading'],
        ];
        $attrs = (array) apply_filters('skylt_slot_attributes', $args, $args);
        $attrs = array_filter(array_map('strval', $attrs), 'strlen');
        unset($attrs['cart']);
        Skylt_Assets::enqueue();
        $json = (string) wp_json_encode($attrs);
        return '<div class="skylt-wrap skylt-wrap-mini-cart" data-skylt-slot="' . esc_attr($json) . '"></div>';
    }

    /**
     * After the Mini-Cart block's items, inside its drawer.
     *
     * @param string $html The block's HTML.
     */
    public static function after_mini_cart_items($html)
    {
        return $html . self::mini_cart();
    }

    /**
     * The classic mini-cart widget, re-rendered by WooCommerce's cart fragments after each change. With an empty
     * cart it shows nothing, but loads the snippet, so the slot of the fragment an AJAX add-to-cart brings renders.
     */
    public static function mini_cart_widget(): void
    {
        if (WC()->cart && ! WC()->cart->is_empty()) {
            echo self::mini_cart(); // Escaped in Skylt_Slots::render().
        } elseif (Skylt_Settings::get('mini_cart_enabled') && '' !== Skylt_Settings::api()) {
            Skylt_Assets::enqueue();
        }
    }

    /**
     * Classic order-received page (`woocommerce_thankyou`); the block template fires it too, and shows one slot.
     *
     * @param int $order_id The order ID.
     */
    public static function thankyou($order_id): void
    {
        echo self::order_received(wc_get_order((int) $order_id)); // Escaped in Skylt_Slots::render().
    }

    /**
     * What goes with the order just placed: products bought together with its first line, its own products left out.
     * Once per order and page (the block template fires `woocommerce_thankyou` as well).
     *
     * @param WC_Order|false|null $order The order.
     */
    public static function order_received($order): string
    {
        static $done = [];
        if (! $order || isset($done[$order->get_id()]) || ! Skylt_Settings::get('order_received_enabled')) {
            return '';
        }
        $items = [];
        foreach ($order->get_items() as $line) {
            $product = is_callable([$line, 'get_product']) ? $line->get_product() : null;
            $items[] = $product ? Skylt_Ids::item($product) : '';
        }
        $items = array_values(array_unique(array_filter($items, 'strlen')));
        if (! $items) {
            return '';
        }
        $done[$order->get_id()] = true;
        return Skylt_Slots::render([
            'page' => 'product',
            'item' => $items[0],
            'slot' => ['bought_together', 'similar'],
            'n' => Skylt_Settings::get('product_n'),
            'heading' => __('You may also like', 'skylt'),
            'exclude' => implode(',', array_slice($items, 0, 50)),
            'noview' => '1',
        ]);
    }

    /**
     * The order of the order-received page, only with its order key (as WooCommerce checks it); else null.
     *
     * @return WC_Order|null
     */
    private static function viewed_order()
    {
        $id = absint(get_query_var('order-received'));
        // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the order key is the check.
        $key = isset($_GET['key']) ? sanitize_text_field(wp_unslash($_GET['key'])) : '';
        $order = $id ? wc_get_order($id) : null;
        if (! $order || '' === $key || ! hash_equals((string) $order->get_order_key(), $key)) {
            return null;
        }
        return $order;
    }

    /**
     * Store API cart extension data.
     *
     * @return array<string, string[]>
     */
    public static function store_cart(): array
    {
        return ['items' => (array) Skylt_Ids::cart()];
    }

    /**
     * Schema of the Store API cart extension data.
     *
     * @return array<string, mixed>
     */
    public static function store_cart_schema(): array
    {
        return [
            'items' => [
                'description' => __('Skylt item ids of the products in the cart.', 'skylt'),
                'type' => 'array',
                'items' => ['type' => 'string'],
                'context' => ['view', 'edit'],
                'readonly' => true,
            ],
        ];
    }
}
