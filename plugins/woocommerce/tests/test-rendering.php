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

    public function test_the_inline_configuration_holds_the_public_key_and_never_the_secret(): void
    {
        wp_set_current_user($this->user('customer'));
        do_shortcode('[skylt_slot page="home"]');
        $footer = $this->footer();
        $this->assertStringContainsString('assets/skylt.min.js', $footer);
        $this->assertSame(1, preg_match('/window\.SkyltConfig = Object\.assign\((\{.*?\}), window/', $footer, $m));
        $config = json_decode($m[1], true);
        $this->assertSame('http://127.0.0.1:8000', $config['api']);
        $this->assertSame('pk-public', $config['key']);
        $this->assertTrue($config['consent']);
        $this->assertSame(Skylt_Ids::customer('user', (string) get_current_user_id()), $config['user']);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $config['user']);
        $this->assertStringNotContainsString('sk-SECRET-42', $footer);
        $this->assertStringNotContainsString('admin_key', $footer);
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
        $this->assertSame(2, substr_count($footer, '</script>'));
        $this->assertSame(1, preg_match('/Object\.assign\((\{.*?\}), window/', $footer, $m));
        $this->assertSame('</script><script>alert(1)</script>', json_decode($m[1], true)['key']);
    }

    public function test_consent_choices_reach_the_snippet(): void
    {
        $this->save(array_merge(Skylt_Settings::all(), ['consent' => 'required']));
        $this->assertSame('required', Skylt_Assets::config()['consent']);
        $this->save(array_merge(Skylt_Settings::all(), ['consent' => 'false']));
        $this->assertFalse(Skylt_Assets::config()['consent']);
    }
}
