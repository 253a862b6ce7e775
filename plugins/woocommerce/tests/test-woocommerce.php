<?php

/**
 * With WooCommerce active: ids, hooks, HPOS, order and catalog payloads and the retrying queue.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Skipped unless WooCommerce is active and recent enough.
 */
class Test_WooCommerce extends Skylt_Test_Case
{
    protected function setUp(): void
    {
        parent::setUp();
        $this->in_a_shop([
            'forward_orders' => '1',
            'forward_catalog' => '1',
            'product_enabled' => '1',
            'product_slots' => ['similar'],
        ]);
        as_unschedule_all_actions('', [], Skylt_Queue::GROUP);
    }

    /**
     * A simple product.
     *
     * @param string $sku   Its SKU ('' for none).
     * @param string $name  Its name.
     * @param string $price Its price.
     */
    private function product(string $sku, string $name = 'Mug', string $price = '4.50'): WC_Product_Simple
    {
        $product = new WC_Product_Simple();
        $product->set_name($name);
        $product->set_regular_price($price);
        $product->set_status('publish');
        if ('' !== $sku) {
            $product->set_sku($sku . '-' . wp_generate_password(6, false));
        }
        $product->save();
        return $product;
    }

    /**
     * Whether a fresh job (attempt 0) is waiting.
     *
     * @param string $kind Job kind.
     * @param int    $id   Object ID.
     */
    private function queued(string $kind, int $id): bool
    {
        return as_has_scheduled_action(Skylt_Queue::HOOK, [$kind, $id, 0], Skylt_Queue::GROUP);
    }

    public function test_hpos_compatibility_is_declared(): void
    {
        $features = '\Automattic\WooCommerce\Utilities\FeaturesUtil';
        $plugins = $features::get_compatible_plugins_for_feature('custom_order_tables');
        $this->assertContains('skylt/skylt.php', $plugins['compatible']);
    }

    public function test_slots_hook_into_the_product_cart_and_checkout_pages(): void
    {
        $this->assertSame(
            15,
            has_action('woocommerce_after_single_product_summary', [Skylt_Slots::class, 'product_page'])
        );
        $this->assertSame(20, has_action('woocommerce_cart_collaterals', [Skylt_Slots::class, 'cart_page']));
        $this->assertSame(10, has_action('woocommerce_after_checkout_form', [Skylt_Slots::class, 'checkout_page']));
    }

    public function test_a_product_is_named_by_its_sku_else_its_id_and_a_variation_by_its_parent(): void
    {
        $with_sku = $this->product('MUG');
        $without = $this->product('');
        $this->assertSame($with_sku->get_sku(), Skylt_Ids::item($with_sku));
        $this->assertSame((string) $without->get_id(), Skylt_Ids::item($without->get_id()));

        $parent = new WC_Product_Variable();
        $parent->set_name('Shirt');
        $parent->set_sku('SHIRT-' . wp_generate_password(6, false));
        $parent->save();
        $variation = new WC_Product_Variation();
        $variation->set_parent_id($parent->get_id());
        $variation->set_regular_price('10');
        $variation->save();
        $this->assertSame($parent->get_sku(), Skylt_Ids::item($variation));
    }

    public function test_an_order_reaching_processing_queues_its_purchase_once(): void
    {
        $product = $this->product('MUG');
        $order = wc_create_order(['customer_id' => 1]);
        $order->add_product($product, 3);
        $order->set_billing_country('SE');
        $order->calculate_totals();
        $order->set_status('processing');
        $order->save();
        $order->set_status('completed');
        $order->save();

        $this->assertTrue($this->queued('purchase', $order->get_id()));
        $pending = ['hook' => Skylt_Queue::HOOK, 'group' => Skylt_Queue::GROUP, 'status' => 'pending'];
        $queued = as_get_scheduled_actions($pending);
        $purchases = array_filter($queued, static function ($action) {
            return 'purchase' === $action->get_args()[0];
        });
        $this->assertCount(1, $purchases);

        $events = Skylt_Forwarder::purchase_events(wc_get_order($order->get_id()));
        $this->assertCount(1, $events);
        $this->assertSame('purchase', $events[0]['type']);
        $this->assertSame($product->get_sku(), $events[0]['item']);
        $this->assertSame((string) $order->get_order_number(), $events[0]['order']);
        $this->assertSame(3.0, $events[0]['quantity']);
        $this->assertSame(4.5, $events[0]['price']);
        $this->assertSame('SE', $events[0]['region']);
        $this->assertSame(Skylt_Ids::customer('user', '1'), $events[0]['user']);
        $this->assertIsInt($events[0]['ts']);
    }

    public function test_catalog_items_carry_plain_text_and_stock(): void
    {
        $product = $this->product('MUG', '<b>Mug</b> &amp; <script>alert(1)</script>saucer', '12.75');
        $item = Skylt_Forwarder::catalog_item($product);
        $this->assertSame($product->get_sku(), $item['id']);
        $this->assertSame(12.75, $item['price']);
        $this->assertTrue($item['in_stock']);
        $this->assertStringNotContainsString('<', $item['title']);
        $this->assertStringStartsWith('Mug & ', $item['title']);

        wc_update_product_stock_status($product->get_id(), 'outofstock');
        $this->assertFalse(Skylt_Forwarder::catalog_item(wc_get_product($product->get_id()))['in_stock']);
    }

    public function test_product_saves_and_stock_changes_queue_catalog_upserts(): void
    {
        $product = $this->product('MUG');
        $this->assertTrue($this->queued('catalog', $product->get_id()));
        as_unschedule_all_actions('', [], Skylt_Queue::GROUP);
        $product->set_manage_stock(true);
        $product->save();
        as_unschedule_all_actions('', [], Skylt_Queue::GROUP);
        wc_update_product_stock($product, 0);
        $this->assertTrue($this->queued('catalog', $product->get_id()));
    }

    public function test_a_failed_send_is_rescheduled_with_backoff(): void
    {
        $product = $this->product('MUG');
        as_unschedule_all_actions('', [], Skylt_Queue::GROUP);
        $before = time();
        Skylt_Queue::run('catalog', $product->get_id(), 2);
        $next = as_next_scheduled_action(Skylt_Queue::HOOK, ['catalog', $product->get_id(), 3], Skylt_Queue::GROUP);
        $this->assertIsInt($next);
        $this->assertGreaterThanOrEqual($before + 120, $next);
        $this->assertLessThanOrEqual(time() + 120, $next);
    }

    public function test_the_last_attempt_gives_up_instead_of_rescheduling(): void
    {
        $product = $this->product('MUG');
        as_unschedule_all_actions('', [], Skylt_Queue::GROUP);
        Skylt_Queue::run('catalog', $product->get_id(), Skylt_Queue::MAX_ATTEMPTS - 1);
        $this->assertFalse(as_has_scheduled_action(Skylt_Queue::HOOK, null, Skylt_Queue::GROUP));
    }

    public function test_purchases_are_sent_with_the_server_key_never_the_public_one(): void
    {
        $sent = [];
        $stub = static function ($pre, $args, $url) use (&$sent) {
            $sent[] = [$url, $args['headers']['X-Skylt-Key'] ?? null];
            return ['headers' => [], 'body' => '{}', 'response' => ['code' => 200, 'message' => ''], 'cookies' => []];
        };
        add_filter('pre_http_request', $stub, 10, 3);
        try {
            $this->assertTrue(Skylt_Client::send_events([['type' => 'purchase', 'item' => 'x', 'order' => '1']]));
        } finally {
            remove_filter('pre_http_request', $stub, 10);
        }
        $this->assertSame([['http://127.0.0.1:9/v1/events', 'srv']], $sent);

        // Without the server key no order is queued: the public key would not make its purchases count.
        $this->save(array_merge(Skylt_Settings::all(), ['server_key' => '', 'server_key_clear' => '1']));
        $order = wc_create_order(['customer_id' => 1]);
        $order->add_product($this->product('MUG'), 1);
        $order->calculate_totals();
        $order->set_status('processing');
        $order->save();
        $this->assertFalse($this->queued('purchase', $order->get_id()));
    }

    public function test_nothing_is_queued_without_the_key_the_job_needs(): void
    {
        $this->save(array_merge(Skylt_Settings::all(), ['admin_key' => '', 'admin_key_clear' => '1']));
        $this->assertSame('', Skylt_Settings::get('admin_key'));
        $product = $this->product('MUG');
        $this->assertFalse($this->queued('catalog', $product->get_id()));
    }

    public function test_replaced_lists_stay_on_the_page_for_the_snippet_to_hide(): void
    {
        $this->save(array_merge(Skylt_Settings::all(), ['replace_related' => '1', 'replace_cross_sells' => '1']));
        // WooCommerce keeps rendering its lists: if Skylt cannot answer, or the shopper is in the control group,
        // the page still has them.
        $summary = 'woocommerce_after_single_product_summary';
        $this->assertSame(20, has_action($summary, 'woocommerce_output_related_products'));
        $related = '.related.products, .wp-block-woocommerce-related-products, '
            . '[data-collection="woocommerce/product-collection/related"]';
        $this->assertSame($related, Skylt_Slots::replaced('product'));
        $this->assertStringStartsWith('.cross-sells, ', Skylt_Slots::replaced('cart'));
        $this->assertSame('', Skylt_Slots::replaced('checkout'));
        $html = Skylt_Slots::configured('product');
        $this->assertStringContainsString(
            'replaces="' . esc_attr($related) . '"',
            $html
        );
        $this->save(array_merge(Skylt_Settings::all(), ['replace_related' => '', 'replace_upsells' => '1']));
        $upsells = '.up-sells, [data-collection="woocommerce/product-collection/upsells"]';
        $this->assertStringContainsString('replaces="' . esc_attr($upsells) . '"', Skylt_Slots::configured('product'));
    }

    public function test_the_slot_carries_the_cart_and_the_product_page_slot_the_current_item(): void
    {
        $product = $this->product('MUG');
        if (null === WC()->cart) {
            wc_load_cart();
        }
        WC()->cart->empty_cart();
        WC()->cart->add_to_cart($product->get_id(), 2);
        $GLOBALS['product'] = $product;
        $html = Skylt_Slots::configured('product');
        WC()->cart->empty_cart();
        $emptied = Skylt_Slots::configured('product');
        unset($GLOBALS['product']);
        $sku = esc_attr($product->get_sku());
        $expected = '<skylt-slot page="product" slot="similar" n="4" item="' . $sku . '" cart="' . $sku . '">';
        $this->assertStringContainsString($expected, $html);
        // An empty cart is sent too, so the browser forgets items bought or removed elsewhere.
        $this->assertStringContainsString(' cart="">', $emptied);
    }
}
