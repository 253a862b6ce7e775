<?php

/**
 * With WooCommerce active: the inner block, block hooks, mini-cart and order-received slots, shop prices, uninstall.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Skipped unless WooCommerce is active and recent enough.
 */
class Test_Blocks extends Skylt_Test_Case
{
    protected function setUp(): void
    {
        parent::setUp();
        $this->in_a_shop([
            'product_enabled' => '1',
            'product_slots' => ['similar'],
            'cart_enabled' => '1',
            'cart_slots' => ['bought_together'],
            'mini_cart_enabled' => '1',
            'order_received_enabled' => '1',
            'product_priority' => '15',
        ]);
    }

    protected function tearDown(): void
    {
        update_option('woocommerce_calc_taxes', 'no');
        update_option('woocommerce_prices_include_tax', 'no');
        update_option('woocommerce_tax_display_shop', 'excl');
        parent::tearDown();
    }

    /**
     * A simple product.
     *
     * @param string $price Its regular price.
     */
    private function product(string $price = '10.00'): WC_Product_Simple
    {
        $product = new WC_Product_Simple();
        $product->set_name('Lamp');
        $product->set_regular_price($price);
        $product->set_sku('LAMP-' . wp_generate_password(6, false));
        $product->set_status('publish');
        $product->save();
        return $product;
    }

    public function test_the_inner_block_is_offered_inside_the_cart_and_checkout_blocks_areas(): void
    {
        $type = WP_Block_Type_Registry::get_instance()->get_registered(Skylt_Blocks::CART_SLOT);
        $this->assertNotNull($type);
        // The Cart and Checkout blocks allow in an area exactly the block types whose parent names it.
        foreach (['cart-items-block', 'cart-totals-block', 'checkout-fields-block', 'checkout-totals-block'] as $area) {
            $this->assertContains('woocommerce/' . $area, $type->parent);
        }
        $this->assertNotEmpty($type->editor_script_handles);
        $this->assertSame('skylt-cart-slot-editor-script', $type->editor_script_handles[0]);
        $placement = WP_Block_Type_Registry::get_instance()->get_registered(Skylt_Blocks::PLACEMENT);
        $this->assertFalse($placement->supports['inserter']);
        $this->assertSame(['skylt-placement-editor-script'], $placement->editor_script_handles);
    }

    public function test_the_plain_append_stays_unless_the_merchant_placed_the_inner_block(): void
    {
        $plain = ['blockName' => 'woocommerce/cart', 'innerBlocks' => []];
        $this->assertStringContainsString('<skylt-slot page="cart"', Skylt_Slots::around_blocks('<div></div>', $plain));
        $placed = ['blockName' => 'woocommerce/cart', 'innerBlocks' => [[
            'blockName' => 'woocommerce/filled-cart-block',
            'innerBlocks' => [['blockName' => 'woocommerce/cart-items-block', 'innerBlocks' => [
                ['blockName' => Skylt_Blocks::CART_SLOT, 'innerBlocks' => []],
            ]]],
        ]]];
        $this->assertSame('<div></div>', Skylt_Slots::around_blocks('<div></div>', $placed));
        $html = do_blocks('<!-- wp:skylt/cart-slot /-->');
        $this->assertStringContainsString('<skylt-slot page="cart" slot="bought_together"', $html);
    }

    /**
     * Block hooks applied to a template the way WordPress applies them to the Single Product template.
     *
     * @param string $content Template content.
     */
    private function hooked(string $content): string
    {
        $template = new WP_Block_Template();
        $template->slug = 'single-product';
        $template->type = 'wp_template';
        $template->theme = get_stylesheet();
        $template->content = $content;
        return apply_block_hooks_to_content($content, $template, 'insert_hooked_blocks');
    }

    public function test_the_position_setting_moves_the_block_themes_product_row(): void
    {
        $template = '<!-- wp:woocommerce/product-details /-->'
            . '<!-- wp:woocommerce/product-collection {"collection":"woocommerce/product-collection/upsells"} /-->'
            . '<!-- wp:woocommerce/product-collection {"collection":"woocommerce/product-collection/related"} /-->';
        $hooked = $this->hooked($template);
        $this->assertSame(1, substr_count($hooked, 'wp:skylt/placement'));
        $this->assertMatchesRegularExpression('#product-details /--><!-- wp:skylt/placement#', $hooked);

        $this->save(array_merge(Skylt_Settings::all(), ['product_priority' => '25']));
        $hooked = $this->hooked($template);
        $this->assertSame(1, substr_count($hooked, 'wp:skylt/placement'));
        $this->assertMatchesRegularExpression('#related"} /--><!-- wp:skylt/placement#', $hooked);

        $this->save(array_merge(Skylt_Settings::all(), ['product_enabled' => '']));
        $this->assertStringNotContainsString('skylt/placement', $this->hooked($template));
    }

    public function test_classic_product_hooks_stay_for_classic_templates_only(): void
    {
        global $_wp_current_template_content, $product;
        $product = $this->product();
        $was = $_wp_current_template_content;
        try {
            $_wp_current_template_content = '<!-- wp:woocommerce/legacy-template {"template":"single-product"} /-->';
            $classic = $this->output([Skylt_Slots::class, 'product_page']);
            $this->assertStringContainsString('<skylt-slot page="product"', $classic);
            $_wp_current_template_content = '<!-- wp:woocommerce/product-details /-->';
            $expected = wp_is_block_theme() ? '' : Skylt_Slots::configured('product');
            $this->assertSame($expected, $this->output([Skylt_Slots::class, 'product_page']));
        } finally {
            $_wp_current_template_content = $was;
            $product = null;
        }
    }

    public function test_the_mini_cart_slot_is_a_placeholder_that_survives_kses(): void
    {
        $html = Skylt_Blocks::after_mini_cart_items('<div class="items"></div>');
        $this->assertStringContainsString('<div class="skylt-wrap skylt-wrap-mini-cart" data-skylt-slot="', $html);
        $this->assertStringNotContainsString('<skylt-slot', $html); // made in the browser once the drawer shows
        preg_match('/data-skylt-slot="([^"]*)"/', $html, $m);
        $attrs = json_decode(html_entity_decode($m[1], ENT_QUOTES), true);
        $this->assertSame(['page' => 'cart', 'slot' => 'bought_together', 'n' => '4'], $attrs); // no cart: current
        $this->assertSame(wp_kses_post($html), $html); // the Mini-Cart block runs its drawer through kses
        $this->assertTrue(wp_script_is(Skylt_Assets::HANDLE, 'enqueued'));
        $this->save(array_merge(Skylt_Settings::all(), ['mini_cart_enabled' => '']));
        $this->assertSame('<div></div>', Skylt_Blocks::after_mini_cart_items('<div></div>'));
    }

    public function test_the_order_received_slot_shows_what_goes_with_the_order_once(): void
    {
        $product = $this->product();
        $order = wc_create_order();
        $order->add_product($product, 1);
        $order->save();
        $html = $this->output(static function () use ($order) {
            Skylt_Blocks::thankyou($order->get_id());
        });
        $item = esc_attr(Skylt_Ids::item($product));
        $this->assertStringContainsString('page="product" slot="similar,bought_together"', $html);
        $this->assertStringContainsString('item="' . $item . '"', $html);
        $this->assertStringContainsString('exclude="' . $item . '" noview="1"', $html);
        $this->assertSame('', Skylt_Blocks::order_received($order));
        // The block template's placement needs the order key, as WooCommerce's own order-received page does.
        set_query_var('order-received', (string) $order->get_id());
        $_GET['key'] = 'wc_order_wrong';
        $this->assertSame('', Skylt_Blocks::placement(['place' => 'order']));
        unset($_GET['key']);
    }

    public function test_catalog_prices_follow_the_shops_tax_display_at_its_base_location(): void
    {
        update_option('woocommerce_calc_taxes', 'yes');
        $base = WC()->countries->get_base_country();
        $rate = WC_Tax::_insert_tax_rate([
            'tax_rate_country' => $base,
            'tax_rate' => '25.0000',
            'tax_rate_name' => 'VAT',
            'tax_rate_priority' => 1,
            'tax_rate_order' => 1,
            'tax_rate_shipping' => 1,
            'tax_rate_class' => '',
        ]);
        WC_Cache_Helper::invalidate_cache_group('taxes');
        try {
            $product = $this->product('10.00');
            update_option('woocommerce_tax_display_shop', 'excl');
            $this->assertSame(10.0, Skylt_Forwarder::catalog_item($product)['price']);
            update_option('woocommerce_tax_display_shop', 'incl');
            $this->assertSame(12.5, Skylt_Forwarder::catalog_item($product)['price']);
            update_option('woocommerce_prices_include_tax', 'yes');
            $this->assertSame(10.0, Skylt_Forwarder::catalog_item($product)['price']);
            update_option('woocommerce_tax_display_shop', 'excl');
            $this->assertSame(8.0, Skylt_Forwarder::catalog_item($product)['price']);
            update_option('woocommerce_price_num_decimals', '0');
            $this->assertSame(8.0, Skylt_Forwarder::catalog_item($this->product('9.99'))['price']);
        } finally {
            update_option('woocommerce_price_num_decimals', '2');
            WC_Tax::_delete_tax_rate($rate);
        }
    }

    public function test_order_lines_carry_the_price_paid_without_tax_the_tax_and_the_currency(): void
    {
        $order = wc_create_order(['customer_id' => 1]);
        $order->add_product($this->product('10.00'), 2);
        $order->set_currency('EUR');
        foreach ($order->get_items() as $line) {
            $line->set_total('20.00');
            $line->set_total_tax('5.00');
            $line->save();
        }
        $order->save();
        [$event] = Skylt_Forwarder::purchase_events($order);
        $this->assertSame(10.0, $event['price']);
        $this->assertSame(2.5, $event['tax']);
        $this->assertSame('EUR', $event['currency']);
    }

    public function test_cards_get_the_shops_money_format_on_pages_with_a_slot(): void
    {
        update_option('woocommerce_currency', 'EUR');
        update_option('woocommerce_currency_pos', 'right_space');
        update_option('woocommerce_price_decimal_sep', ',');
        try {
            Skylt_Slots::render(['page' => 'home']);
            Skylt_Prices::enqueue();
            $footer = $this->footer();
            $this->assertStringContainsString('"symbol":"\u20ac","position":"right_space"', $footer);
            $this->assertStringContainsString('"decimal":","', $footer);
            $this->assertStringContainsString('assets/skylt-woo.js', $footer);
        } finally {
            update_option('woocommerce_currency', 'USD');
            update_option('woocommerce_currency_pos', 'left');
            update_option('woocommerce_price_decimal_sep', '.');
        }
    }
}
