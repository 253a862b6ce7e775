<?php

/**
 * Removes everything the plugin stored: its options (settings and id key), transients, scheduled actions in every
 * state (Action Scheduler keeps finished ones with their logs) and WP-Cron events, and its order meta (`_skylt_*`,
 * in the HPOS order tables and in post meta). It runs without WooCommerce too, so it works on the tables directly.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;
defined('WP_UNINSTALL_PLUGIN') || exit;

global $wpdb;

delete_option('skylt_settings');
delete_option('skylt_id_key');
delete_transient('skylt_test_' . get_current_user_id());
$wpdb->query(
    $wpdb->prepare(
        "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s",
        $wpdb->esc_like('skylt_') . '%',
        $wpdb->esc_like('_transient_skylt_') . '%',
        $wpdb->esc_like('_transient_timeout_skylt_') . '%'
    )
);
wp_unschedule_hook('skylt_send');

// Whether a table exists (WooCommerce's tables are there only where it was ever active). A closure: uninstall.php
// may run more than once in one process (the test suite does).
$skylt_table_exists = function (string $table) use ($wpdb): bool {
    return $table === $wpdb->get_var($wpdb->prepare('SHOW TABLES LIKE %s', $wpdb->esc_like($table)));
};

$skylt_actions = $wpdb->prefix . 'actionscheduler_actions';
if ($skylt_table_exists($skylt_actions)) {
    $skylt_groups = $wpdb->prefix . 'actionscheduler_groups';
    $skylt_where = "hook = 'skylt_send'";
    if ($skylt_table_exists($skylt_groups)) {
        $skylt_where .= " OR group_id IN (SELECT group_id FROM {$skylt_groups} WHERE slug = 'skylt')";
    }
    $skylt_logs = $wpdb->prefix . 'actionscheduler_logs';
    if ($skylt_table_exists($skylt_logs)) {
        $skylt_ids = "SELECT action_id FROM {$skylt_actions} WHERE {$skylt_where}";
        $wpdb->query("DELETE FROM {$skylt_logs} WHERE action_id IN ({$skylt_ids})");
    }
    $wpdb->query("DELETE FROM {$skylt_actions} WHERE {$skylt_where}");
}

$skylt_meta = $wpdb->esc_like('_skylt_') . '%';
$wpdb->query($wpdb->prepare("DELETE FROM {$wpdb->postmeta} WHERE meta_key LIKE %s", $skylt_meta));
$skylt_orders_meta = $wpdb->prefix . 'wc_orders_meta';
if ($skylt_table_exists($skylt_orders_meta)) {
    $wpdb->query($wpdb->prepare("DELETE FROM {$skylt_orders_meta} WHERE meta_key LIKE %s", $skylt_meta));
}
wp_cache_flush();
