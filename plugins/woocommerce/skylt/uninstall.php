<?php

/**
 * Removes everything the plugin stored: its options (settings and id key), transients and queued jobs.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;
defined('WP_UNINSTALL_PLUGIN') || exit;

delete_option('skylt_settings');
delete_option('skylt_id_key');
delete_transient('skylt_test_' . get_current_user_id());
if (function_exists('as_unschedule_all_actions')) {
    as_unschedule_all_actions('', [], 'skylt');
}
wp_unschedule_hook('skylt_send');
