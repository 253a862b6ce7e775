<?php

/**
 * Admin screens: the WooCommerce notice, the settings page's checks and the connection test.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Capability and nonce checks on every admin action; escaped output.
 */
class Test_Admin extends Skylt_Test_Case
{
    public function test_the_woocommerce_notice_shows_to_admins_only_while_woocommerce_is_missing(): void
    {
        $notice = $this->output([Skylt_Admin::class, 'woocommerce_notice']);
        if (Skylt_Plugin::woocommerce_ok()) {
            $this->assertSame('', $notice);
            return;
        }
        $this->assertStringContainsString('notice-warning', $notice);
        $this->assertStringContainsString('Skylt needs WooCommerce ' . SKYLT_MIN_WC . ' or newer', $notice);
        wp_set_current_user($this->user('editor'));
        $this->assertSame('', $this->output([Skylt_Admin::class, 'woocommerce_notice']));
    }

    public function test_without_woocommerce_nothing_woocommerce_specific_is_hooked(): void
    {
        $hooked = has_action('woocommerce_order_status_processing', [Skylt_Forwarder::class, 'order_paid']);
        $this->assertSame(Skylt_Plugin::woocommerce_ok(), false !== $hooked);
    }

    public function test_the_settings_page_refuses_users_without_the_capability(): void
    {
        wp_set_current_user($this->user('editor'));
        try {
            $this->output([Skylt_Admin::class, 'page']);
            $this->fail('an editor saw the settings page');
        } catch (Skylt_Died $e) {
            $this->assertSame(403, $e->getCode());
        }
    }

    public function test_the_settings_page_escapes_stored_values(): void
    {
        $payload = '"><script>alert(1)</script>';
        remove_all_filters('sanitize_option_' . Skylt_Settings::OPTION);
        update_option(Skylt_Settings::OPTION, ['ingest_key' => $payload, 'cart_heading' => $payload]);
        $html = $this->output([Skylt_Admin::class, 'page']);
        $this->assertStringNotContainsString('<script>alert(1)', $html);
        $this->assertSame(2, substr_count($html, 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'));
    }

    public function test_the_connection_test_needs_the_capability(): void
    {
        wp_set_current_user($this->user('editor'));
        $_REQUEST['_wpnonce'] = wp_create_nonce(Skylt_Admin::TEST_ACTION);
        $this->expectException(Skylt_Died::class);
        $this->expectExceptionCode(403);
        Skylt_Admin::test_connection();
    }

    public function test_the_connection_test_needs_a_valid_nonce(): void
    {
        $_REQUEST['_wpnonce'] = 'forged';
        $this->expectException(Skylt_Died::class);
        $this->expectExceptionCode(403);
        Skylt_Admin::test_connection();
    }

    public function test_the_connection_test_reports_a_live_server_as_ready(): void
    {
        $api = (string) getenv('SKYLT_TEST_API');
        if ('' === $api) {
            $this->markTestSkipped('SKYLT_TEST_API names no running Skylt server');
        }
        $this->save(['api_url' => $api]);
        $this->assertSame('Connected: the Skylt server is ready.', $this->connection_test());
        // test_phpunit.py starts that server with SKYLT_INGEST_KEYS=pk-phpunit-ingest-key.
        $this->save(['api_url' => $api, 'ingest_key' => 'pk-phpunit-ingest-key']);
        $this->assertStringEndsWith('It accepts events with the public ingest key.', $this->connection_test());
        $this->save(['api_url' => $api, 'ingest_key' => 'pk-wrong']);
        $this->assertStringContainsString(
            'It refuses events with the public ingest key (401)',
            $this->connection_test()
        );
        // A server key the server does not know: the shop would send orders that are never taken.
        $this->save(
            ['api_url' => $api, 'ingest_key' => 'pk-phpunit-ingest-key', 'server_key' => 'srv-phpunit-unknown-key']
        );
        $verdict = $this->connection_test();
        $this->assertStringContainsString('It accepts events with the public ingest key.', $verdict);
        $this->assertStringEndsWith(
            'It refuses orders with the secret server key (401): check the key and server_keys.',
            $verdict
        );
    }

    public function test_the_connection_test_reports_an_unreachable_server(): void
    {
        $this->save(['api_url' => 'http://127.0.0.1:9']);
        $this->assertStringStartsWith('The Skylt server is not ready: ', $this->connection_test());
        $this->save(['api_url' => '']);
        $this->assertSame('Enter and save the API URL first.', $this->connection_test());
    }

    /** Presses "Test connection" and returns the message the settings page then shows. */
    private function connection_test(): string
    {
        $_REQUEST['_wpnonce'] = wp_create_nonce(Skylt_Admin::TEST_ACTION);
        Skylt_Admin::test_connection();
        $html = $this->output([Skylt_Admin::class, 'page']);
        $this->assertSame(1, preg_match('/<div class="notice notice-\w+"><p>(.*?)<\/p><\/div>/', $html, $m), $html);
        $this->assertStringNotContainsString('notice notice-', $this->output([Skylt_Admin::class, 'page']));
        return html_entity_decode($m[1]);
    }
}
