<?php

/**
 * Uninstall removes everything the plugin stored.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * WordPress's own uninstall path runs uninstall.php.
 */
class Test_Uninstall extends Skylt_Test_Case
{
    public function test_uninstall_removes_the_option_and_every_queued_job(): void
    {
        $this->save(['api_url' => 'https://recs.example.com', 'admin_key' => 'sk']);
        wp_schedule_single_event(time() + 60, Skylt_Queue::HOOK, ['catalog', 7, 2]);
        if (function_exists('as_schedule_single_action')) {
            as_schedule_single_action(time() + 60, Skylt_Queue::HOOK, ['purchase', 9, 1], Skylt_Queue::GROUP);
        }
        $this->assertIsArray(get_option(Skylt_Settings::OPTION, 'missing'));
        Skylt_Ids::key();

        $this->assertTrue(uninstall_plugin('skylt/skylt.php'));

        $this->assertSame('missing', get_option(Skylt_Settings::OPTION, 'missing'));
        $this->assertSame('missing', get_option(Skylt_Ids::KEY_OPTION, 'missing'));
        $this->assertFalse(wp_next_scheduled(Skylt_Queue::HOOK, ['catalog', 7, 2]));
        if (function_exists('as_has_scheduled_action')) {
            $this->assertFalse(as_has_scheduled_action(Skylt_Queue::HOOK, null, Skylt_Queue::GROUP));
        }
    }
}
