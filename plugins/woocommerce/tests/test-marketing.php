<?php

/**
 * With WooCommerce active: the customer's marketing consent rides on the forwarded purchase events.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Skipped unless WooCommerce is active.
 */
class Test_Marketing extends Skylt_Test_Case
{
    protected function setUp(): void
    {
        parent::setUp();
        $this->in_a_shop(['forward_orders' => '1', 'marketing_meta' => '_skylt_test_newsletter']);
        as_unschedule_all_actions('', [], Skylt_Queue::GROUP);
    }

    protected function tearDown(): void
    {
        remove_all_filters('skylt_marketing_consent');
        delete_user_meta(1, '_skylt_test_newsletter');
        parent::tearDown();
    }

    /**
     * A paid order of one mug.
     *
     * @param int    $customer_id The WordPress user ID, 0 for a guest.
     * @param string $meta        The newsletter field's value on the order ('' for none).
     */
    private function order(int $customer_id, string $meta = ''): WC_Order
    {
        $product = new WC_Product_Simple();
        $product->set_name('Mug');
        $product->set_regular_price('4.50');
        $product->set_status('publish');
        $product->save();
        $order = wc_create_order(['customer_id' => $customer_id]);
        $order->add_product($product, 1);
        $order->set_billing_email('guest-' . wp_generate_password(6, false) . '@example.com');
        if ('' !== $meta) {
            $order->update_meta_data('_skylt_test_newsletter', $meta);
        }
        $order->calculate_totals();
        $order->save();
        return wc_get_order($order->get_id());
    }

    /**
     * The `marketing` of each purchase event, null where none is sent.
     *
     * @param WC_Order $order The order.
     * @return array<int, bool|null>
     */
    private function marketing(WC_Order $order): array
    {
        return array_map(static function ($event) {
            return $event['marketing'] ?? null;
        }, Skylt_Forwarder::purchase_events($order));
    }

    public function test_the_order_field_the_merchant_names_says_yes_or_no(): void
    {
        $this->assertSame([true], $this->marketing($this->order(1, 'yes')));
        $this->assertSame([true], $this->marketing($this->order(1, '1')));
        $this->assertSame([false], $this->marketing($this->order(1, 'no')));
        $this->assertSame([false], $this->marketing($this->order(0, 'unsubscribed'))); // A guest, by e-mail id.
    }

    public function test_without_a_clear_answer_nothing_is_sent(): void
    {
        $this->assertSame([null], $this->marketing($this->order(1)));
        $this->assertSame([null], $this->marketing($this->order(1, 'maybe')));
        $this->save(array_merge(Skylt_Settings::all(), ['marketing_meta' => '']));
        $this->assertSame([null], $this->marketing($this->order(1, 'yes'))); // No field named: not read.
    }

    public function test_the_customers_own_meta_answers_when_the_order_has_none(): void
    {
        update_user_meta(1, '_skylt_test_newsletter', 'subscribed');
        $this->assertSame([true], $this->marketing($this->order(1)));
        $this->assertSame([false], $this->marketing($this->order(1, 'no'))); // The order's own answer first.
    }

    public function test_the_filter_has_the_last_word_and_gets_the_order_and_the_customer(): void
    {
        $seen = [];
        add_filter('skylt_marketing_consent', static function ($consent, $order, $customer_id) use (&$seen) {
            $seen[] = [$consent, $order instanceof WC_Order, $customer_id];
            return 1 === $customer_id ? 'subscribed' : $consent;
        }, 10, 3);
        $this->assertSame([true], $this->marketing($this->order(1, 'no')));
        $this->assertSame([false, true, 1], $seen[0]);
        $this->assertSame([null], $this->marketing($this->order(0)));
        $this->assertSame([null, true, 0], $seen[1]);
    }

    public function test_consent_is_sent_with_the_server_key(): void
    {
        $sent = [];
        $stub = static function ($pre, $args, $url) use (&$sent) {
            $sent[] = [$args['headers']['X-Skylt-Key'] ?? null, json_decode((string) $args['body'], true)];
            return ['headers' => [], 'body' => '{}', 'response' => ['code' => 200, 'message' => ''], 'cookies' => []];
        };
        $order = $this->order(1, 'yes');
        add_filter('pre_http_request', $stub, 10, 3);
        try {
            $this->assertTrue(Skylt_Forwarder::send('purchase', $order->get_id()));
        } finally {
            remove_filter('pre_http_request', $stub, 10);
        }
        $this->assertCount(1, $sent);
        $this->assertSame('srv', $sent[0][0]);
        $event = $sent[0][1]['events'][0];
        $this->assertSame([Skylt_Ids::customer('user', '1'), true], [$event['user'], $event['marketing']]);
    }

    public function test_the_setting_takes_a_meta_key_only(): void
    {
        $this->save(array_merge(Skylt_Settings::all(), ['marketing_meta' => ' _wc_other/my-shop/newsletter ']));
        $this->assertSame('_wc_other/my-shop/newsletter', Skylt_Settings::get('marketing_meta'));
        $this->save(array_merge(Skylt_Settings::all(), ['marketing_meta' => "x' OR 1=1 --"]));
        $this->assertSame('', Skylt_Settings::get('marketing_meta'));
    }
}
