<?php

/**
 * Slot markup and the snippet's configuration: escaped, and never carrying the secret key.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * The shortcode, the block and the configured slots.
 */
class Test_Rendering extends Skylt_Test_Case
{
    private const PAYLOAD = '"><img src=x onerror=alert(1)><script>alert(2)</script>';

    protected function setUp(): void
    {
        parent::setUp();
        $this->save([
            'api_url' => 'http://127.0.0.1:8000',
            'ingest_key' => 'pk-public',
            'admin_key' => 'sk-SECRET-42',
            'server_key' => 'srv-SECRET-43',
            'identity_secret' => 'id-SECRET-44',
            'home_enabled' => '1',
            'home_slots' => ['bestsellers', 'trending'],
            'home_n' => '6',
        ]);
    }

    /**
     * The markup without an empty cart attribute, which WooCommerce's (empty) cart adds.
     *
     * @param string $html Slot markup.
     */
    private function no_cart(string $html): string
    {
        return str_replace(' cart=""', '', $html);
    }

    public function test_nothing_renders_and_no_script_loads_until_an_api_url_is_set(): void
    {
        delete_option(Skylt_Settings::OPTION);
        $this->assertSame('', do_shortcode('[skylt_slot page="home"]'));
        $this->assertFalse(wp_script_is('skylt', 'enqueued'));
        $this->assertSame('', $this->footer());
    }

    public function test_the_shortcode_renders_the_element_the_snippet_fills(): void
    {
        $shortcode = '[skylt_slot page="product" slot="similar, upsell, nonsense" n="6" item="85123A"]';
        $html = $this->no_cart(do_shortcode($shortcode));
        $this->assertSame(
            '<div class="skylt-wrap skylt-wrap-product">'
            . '<skylt-slot page="product" slot="similar,upsell" n="6" item="85123A"></skylt-slot></div>',
            $html
        );
        $this->assertTrue(wp_script_is('skylt', 'enqueued'));
    }

    public function test_an_unknown_page_renders_nothing_and_counts_are_clamped(): void
    {
        $this->assertSame('', do_shortcode('[skylt_slot page="blog"]'));
        $this->assertStringContainsString(' n="50"', do_shortcode('[skylt_slot page="home" n="900"]'));
        $this->assertStringContainsString(' n="1"', do_shortcode('[skylt_slot page="home" n="-2"]'));
    }

    public function test_html_in_attributes_and_headings_is_escaped(): void
    {
        $html = Skylt_Slots::render(['page' => 'product', 'item' => self::PAYLOAD, 'heading' => self::PAYLOAD]);
        $this->assertStringNotContainsString('<img', $html);
        $this->assertStringNotContainsString('<script', $html);
        $this->assertStringContainsString('item="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;', $html);

        // A heading stored without the sanitize callback (another plugin, a database import) is escaped on output.
        remove_all_filters('sanitize_option_' . Skylt_Settings::OPTION);
        update_option(Skylt_Settings::OPTION, array_merge(Skylt_Settings::all(), ['home_heading' => self::PAYLOAD]));
        $html = Skylt_Slots::configured('home');
        $this->assertStringNotContainsString('<img', $html);
        $this->assertStringContainsString('heading="&quot;&gt;&lt;img', $html);
    }

    public function test_the_block_renders_server_side_with_its_attributes(): void
    {
        $html = $this->no_cart(do_blocks('<!-- wp:skylt/slot {"page":"cart","slot":"addons","n":3} /-->'));
        $this->assertStringContainsString('<skylt-slot page="cart" slot="addons" n="3"></skylt-slot>', $html);
    }

    public function test_the_configured_home_slot_and_a_switched_off_page(): void
    {
        $this->assertStringContainsString(
            '<skylt-slot page="home" slot="bestsellers,trending" n="6">',
            $this->no_cart(Skylt_Slots::configured('home'))
        );
        $this->assertSame('', Skylt_Slots::configured('checkout'));
    }

    /**
     * The configuration and the consent gate's data printed before the scripts, as decoded JSON.
     *
     * @param string $footer The printed scripts.
     * @return array{0: array<string, mixed>, 1: array<string, mixed>|null}
     */
    private function printed(string $footer): array
    {
        $this->assertSame(1, preg_match('/window\.SkyltConfig = Object\.assign\((\{.*?\}), window/', $footer, $m));
        $gate = preg_match('/window\.SkyltConsentGate = (\{.*?\});\n/', $footer, $g) ? json_decode($g[1], true) : null;
        return [json_decode($m[1], true), $gate];
    }

    public function test_by_default_the_snippet_starts_without_consent_and_without_identity(): void
    {
        $customer = $this->user('customer');
        wp_set_current_user($customer);
        do_shortcode('[skylt_slot page="home"]');
        $footer = $this->footer();
        // The gate comes first and the snippet depends on it.
        $gate_at = strpos($footer, 'assets/skylt-consent.js');
        $snippet_at = strpos($footer, 'assets/skylt.min.js');
        $this->assertIsInt($gate_at);
        $this->assertGreaterThan($gate_at, $snippet_at);
        [$config, $gate] = $this->printed($footer);
        $this->assertSame('http://127.0.0.1:8000', $config['api']);
        $this->assertSame('pk-public', $config['key']);
        $this->assertFalse($config['consent']);
        $this->assertArrayNotHasKey('user', $config);
        $this->assertArrayNotHasKey('userToken', $config);
        // The gate holds the signed identity apart, for when the shopper consents.
        $user = Skylt_Ids::customer('user', (string) $customer);
        $this->assertSame($user, $gate['identity']['user']);
        $this->assertSame(1, preg_match('/^v1\.(\d+)\.[A-Za-z0-9_-]{43}$/', $gate['identity']['userToken'], $t));
        $this->assertSame(Skylt_Identity::token('id-SECRET-44', $user, (int) $t[1]), $gate['identity']['userToken']);
        $this->assertSame('statistics', $gate['category']);
        $this->assertFalse($gate['wpConsentApi']);
        $never = ['sk-SECRET-42', 'srv-SECRET-43', 'id-SECRET-44', 'admin_key', 'server_key', 'identity_secret'];
        foreach ($never as $secret) {
            $this->assertStringNotContainsString($secret, $footer);
        }
    }

    public function test_without_consent_needed_the_identity_is_in_the_configuration(): void
    {
        $this->save(array_merge(Skylt_Settings::all(), ['consent' => 'true']));
        wp_set_current_user($this->user('customer'));
        do_shortcode('[skylt_slot page="home"]');
        $footer = $this->footer();
        $this->assertStringNotContainsString('skylt-consent.js', $footer);
        [$config, $gate] = $this->printed($footer);
        $this->assertNull($gate);
        $this->assertTrue($config['consent']);
        $this->assertSame(Skylt_Ids::customer('user', (string) get_current_user_id()), $config['user']);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $config['user']);
        $this->assertStringStartsWith('v1.', $config['userToken']);
        $this->assertStringNotContainsString('id-SECRET-44', $footer);
    }

    public function test_no_user_is_sent_without_its_token(): void
    {
        $this->save(array_merge(Skylt_Settings::all(), ['consent' => 'true', 'identity_secret_clear' => '1']));
        wp_set_current_user($this->user('customer'));
        $this->assertArrayNotHasKey('user', Skylt_Assets::config());
        // Not even one added by another plugin through the filter.
        $add = static function ($config) {
            return array_merge($config, ['user' => 'someone', 'identity_secret' => 'leak', 'server_key' => 'leak']);
        };
        add_filter('skylt_snippet_config', $add);
        $config = Skylt_Assets::config();
        remove_filter('skylt_snippet_config', $add);
        $this->assertArrayNotHasKey('user', $config);
        $this->assertArrayNotHasKey('identity_secret', $config);
        $this->assertArrayNotHasKey('server_key', $config);
        $this->save(array_merge(Skylt_Settings::all(), ['consent' => 'false', 'identity_secret' => 'id-SECRET-45']));
        $this->assertSame([], Skylt_Assets::identity());
    }

    public function test_a_key_with_markup_cannot_close_the_inline_script(): void
    {
        remove_all_filters('sanitize_option_' . Skylt_Settings::OPTION);
        update_option(
            Skylt_Settings::OPTION,
            array_merge(Skylt_Settings::all(), ['ingest_key' => '</script><script>alert(1)</script>'])
        );
        do_shortcode('[skylt_slot page="home"]');
        $footer = $this->footer();
        $this->assertStringNotContainsString('</script><script>alert(1)', $footer);
        // the inline script, the gate, the snippet, and with WooCommerce the attribution script
        $this->assertSame(Skylt_Plugin::woocommerce_ok() ? 4 : 3, substr_count($footer, '</script>'));
        $this->assertSame('</script><script>alert(1)</script>', $this->printed($footer)[0]['key']);
    }

    public function test_consent_choices_reach_the_snippet(): void
    {
        $this->assertFalse(Skylt_Assets::config()['consent']);
        $this->save(array_merge(Skylt_Settings::all(), ['consent' => 'true']));
        $this->assertTrue(Skylt_Assets::config()['consent']);
        $this->save(array_merge(Skylt_Settings::all(), ['consent' => 'false']));
        $this->assertFalse(Skylt_Assets::config()['consent']);
    }

    public function test_the_consent_category_and_the_wp_consent_api_registration(): void
    {
        $this->assertSame('statistics', Skylt_Consent::category());
        $other = static function () {
            return 'marketing';
        };
        add_filter('skylt_consent_category', $other);
        $this->assertSame('marketing', Skylt_Consent::category());
        remove_filter('skylt_consent_category', $other);
        $this->assertTrue(apply_filters('wp_consent_api_registered_skylt/skylt.php', false));
        $this->assertSame(function_exists('wp_has_consent'), Skylt_Consent::gate([])['wpConsentApi']);
    }
}
