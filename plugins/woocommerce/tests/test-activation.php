<?php

/**
 * Activation: the plugin is active, stores its defaults once and registers its shortcode and block.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Activation and registration.
 */
class Test_Activation extends Skylt_Test_Case
{
    public function test_the_plugin_is_active_and_registers_its_shortcode_and_block(): void
    {
        $this->assertTrue(is_plugin_active('skylt/skylt.php'));
        $this->assertTrue(shortcode_exists('skylt_slot'));
        $block = WP_Block_Type_Registry::get_instance()->get_registered('skylt/slot');
        $this->assertNotNull($block);
        $this->assertTrue($block->is_dynamic());
        $this->assertSame(10, has_action('skylt_send', [Skylt_Queue::class, 'run']));
    }

    public function test_activation_stores_the_defaults_and_a_reactivation_keeps_the_shops_settings(): void
    {
        deactivate_plugins('skylt/skylt.php', true);
        $this->assertNull(activate_plugin('skylt/skylt.php'));
        $this->assertSame(Skylt_Settings::defaults(), get_option(Skylt_Settings::OPTION, 'missing'));
        $key = get_option(Skylt_Ids::KEY_OPTION);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{64}$/', $key);

        $this->save(['api_url' => 'https://recs.example.com', 'ingest_key' => 'pk']);
        deactivate_plugins('skylt/skylt.php', true);
        $this->assertNull(activate_plugin('skylt/skylt.php'));
        $this->assertSame('https://recs.example.com', Skylt_Settings::get('api_url'));
        $this->assertSame($key, get_option(Skylt_Ids::KEY_OPTION));
    }
}
