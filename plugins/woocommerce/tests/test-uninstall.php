<?php

/**
 * Uninstall removes everything the plugin stored.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * WordPress's own uninstall path runs uninstall.php (once per process: it defines WP_UNINSTALL_PLUGIN).
 */
class Test_Uninstall extends Skylt_Test_Case
{
    public function test_uninstall_leaves_no_option_scheduled_action_or_order_meta(): void
    {
        $this->save(['api_url' => 'https://recs.example.com', 'admin_key' => 'sk']);
        set_transient('skylt_test_1', 'x', 60);
        wp_schedule_single_event(time() + 60, Skylt_Queue::HOOK, ['catalog', 7, 2]);
        $order = null;
        if (function_exists('wc_create_order')) {
            as_schedule_single_action(time() + 60, Skylt_Queue::HOOK, ['purchase', 9, 1], Skylt_Queue::GROUP);
            // Action Scheduler keeps finished actions (and their logs) until it cleans up weeks later.
            $done = as_schedule_single_action(time() - 60, Skylt_Queue::HOOK, ['catalog', 2, 0], Skylt_Queue::GROUP);
            ActionScheduler::store()->mark_complete($done);
            $order = wc_create_order(['customer_id' => 1]);
            $order->update_meta_data(Skylt_Forwarder::SENT_META, '1');
            $order->update_meta_data('_skylt_touches', '[]');
            $order->save();
        }
        $this->assertIsArray(get_option(Skylt_Settings::OPTION, 'missing'));
        Skylt_Ids::key();

        $this->assertTrue(uninstall_plugin('skylt/skylt.php'));

        $this->assertSame('missing', get_option(Skylt_Settings::OPTION, 'missing'));
        $this->assertSame('missing', get_option(Skylt_Ids::KEY_OPTION, 'missing'));
        $this->assertFalse(wp_next_scheduled(Skylt_Queue::HOOK, ['catalog', 7, 2]));
        global $wpdb;
        $ours = "LIKE '\\_skylt\\_%'";
        $options = $wpdb->get_col("SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE '%skylt%'");
        $this->assertSame([], $options);
        $this->assertSame('0', $wpdb->get_var("SELECT COUNT(*) FROM {$wpdb->postmeta} WHERE meta_key {$ours}"));
        if ($order) {
            $this->assertFalse(as_has_scheduled_action(Skylt_Queue::HOOK, null, Skylt_Queue::GROUP));
            $table = $wpdb->prefix . 'actionscheduler_actions';
            $hook = Skylt_Queue::HOOK;
            $this->assertSame('0', $wpdb->get_var("SELECT COUNT(*) FROM {$table} WHERE hook = '{$hook}'"));
            $hpos = $wpdb->prefix . 'wc_orders_meta';
            if ($hpos === $wpdb->get_var("SHOW TABLES LIKE '{$hpos}'")) {
                $this->assertSame('0', $wpdb->get_var("SELECT COUNT(*) FROM {$hpos} WHERE meta_key {$ours}"));
            }
            $this->assertSame([], wc_get_order($order->get_id())->get_meta(Skylt_Forwarder::SENT_META, false));
        }
    }
}
