<?php

/**
 * Settings: sanitizing, the secret key's handling, and who may save.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * The option and the Settings API registration.
 */
class Test_Settings extends Skylt_Test_Case
{
    public function test_sanitize_keeps_valid_values_and_clamps_or_drops_the_rest(): void
    {
        $out = Skylt_Settings::sanitize([
            'api_url' => ' https://recs.example.com/ ',
            'ingest_key' => " pk-1\n",
            'consent' => 'sometimes',
            'product_priority' => '5000',
            'product_enabled' => '1',
            'product_slots' => ['similar', 'bestsellers', '<b>upsell</b>', 'upsell'],
            'product_n' => '500',
            'home_n' => '-3',
            'home_heading' => '<script>alert(1)</script>Picked <b>for</b> you',
            'replace_related' => '1',
            'unknown' => 'dropped',
        ]);
        $this->assertSame('https://recs.example.com/', $out['api_url']);
        $this->assertSame('pk-1', $out['ingest_key']);
        $this->assertSame('required', $out['consent']);
        $this->assertSame(999, $out['product_priority']);
        $this->assertTrue($out['product_enabled']);
        $this->assertFalse($out['cart_enabled']);
        $this->assertSame(['similar', 'upsell'], $out['product_slots']);
        $this->assertSame(50, $out['product_n']);
        $this->assertSame(1, $out['home_n']);
        $this->assertSame('Picked for you', $out['home_heading']);
        $this->assertTrue($out['replace_related']);
        $this->assertFalse($out['replace_upsells']);
        $this->assertArrayNotHasKey('unknown', $out);
        $this->assertSame([], array_diff(array_keys($out), array_keys(Skylt_Settings::defaults())));
    }

    public function test_only_http_and_https_api_urls_are_accepted(): void
    {
        foreach (['javascript:alert(1)', 'ftp://recs.example.com', 'data:text/html,x'] as $bad) {
            $this->assertSame('', Skylt_Settings::sanitize(['api_url' => $bad])['api_url'], $bad);
        }
        $local = 'http://127.0.0.1:8000';
        $this->assertSame($local, Skylt_Settings::sanitize(['api_url' => $local])['api_url']);
        $this->save(['api_url' => 'https://recs.example.com/']);
        $this->assertSame('https://recs.example.com', Skylt_Settings::api());
    }

    public function test_an_empty_secret_field_keeps_the_stored_secret_and_remove_clears_it(): void
    {
        foreach (['admin_key', 'server_key', 'identity_secret'] as $key) {
            $this->save([$key => 'first-secret-value']);
            $this->assertSame('first-secret-value', Skylt_Settings::get($key));
            $this->save([$key => '']);
            $this->assertSame('first-secret-value', Skylt_Settings::get($key));
            $this->save([$key => 'second-secret-value']);
            $this->assertSame('second-secret-value', Skylt_Settings::get($key));
            $this->save([$key => '', $key . '_clear' => '1']);
            $this->assertSame('', Skylt_Settings::get($key), $key);
        }
    }

    public function test_consent_is_required_unless_the_shop_says_otherwise(): void
    {
        $this->assertSame('required', Skylt_Settings::defaults()['consent']);
        $this->assertSame('required', Skylt_Settings::sanitize([])['consent']);
        $this->assertSame('true', Skylt_Settings::sanitize(['consent' => 'true'])['consent']);
    }

    public function test_saving_through_options_php_needs_the_pages_capability(): void
    {
        $cap = apply_filters('option_page_capability_skylt', 'manage_options');
        $this->assertSame(Skylt_Plugin::woocommerce_ok() ? 'manage_woocommerce' : 'manage_options', $cap);
        $this->assertTrue(user_can(1, $cap));
        $this->assertFalse(user_can($this->user('subscriber'), $cap));
        $this->assertFalse(user_can($this->user('editor'), $cap));
        // The registered sanitize callback runs on every update, whoever writes the option.
        update_option(Skylt_Settings::OPTION, ['api_url' => 'javascript:alert(1)', 'home_n' => 99]);
        $this->assertSame('', Skylt_Settings::get('api_url'));
        $this->assertSame(50, Skylt_Settings::get('home_n'));
    }

    public function test_the_form_carries_a_nonce_for_its_option_group_and_never_the_secret(): void
    {
        $this->save([
            'api_url' => 'https://recs.example.com',
            'ingest_key' => 'pk-public',
            'admin_key' => 'sk-SECRET',
            'server_key' => 'srv-SECRET',
            'identity_secret' => 'id-SECRET',
        ]);
        $html = $this->output([Skylt_Admin::class, 'page']);
        $this->assertStringNotContainsString('srv-SECRET', $html);
        $this->assertStringNotContainsString('id-SECRET', $html);
        foreach (['identity_secret', 'server_key'] as $key) {
            $pattern = '/<input type="password" id="skylt_' . $key . '"[^>]* value=""/';
            $this->assertMatchesRegularExpression($pattern, $html);
        }
        $this->assertStringContainsString('name="skylt_settings[identity_secret_clear]"', $html);
        $this->assertMatchesRegularExpression('/name=.option_page. value=.skylt./', $html);
        $this->assertSame(1, preg_match('/name="_wpnonce" value="([0-9a-f]+)"/', $html, $nonce));
        $this->assertSame(1, wp_verify_nonce($nonce[1], 'skylt-options'));
        $this->assertStringContainsString('value="pk-public"', $html);
        $this->assertStringNotContainsString('sk-SECRET', $html);
        $this->assertStringContainsString('name="skylt_settings[admin_key_clear]"', $html);
    }
}
