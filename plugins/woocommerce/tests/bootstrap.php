<?php

/**
 * PHPUnit bootstrap: loads the installed WordPress named by SKYLT_WP_DIR (the plugin already active there).
 *
 * @package Skylt
 */

// WordPress expects these as globals; PHPUnit includes this file inside a method.
global $table_prefix, $wpdb, $wp, $wp_query, $wp_the_query, $wp_rewrite, $wp_scripts, $wp_styles, $wp_filter;
global $shortcode_tags;
global $wp_settings_sections, $wp_settings_fields, $wp_registered_settings, $current_user, $wp_roles;

$skylt_wp_dir = getenv('SKYLT_WP_DIR');
if (! $skylt_wp_dir || ! is_file($skylt_wp_dir . '/wp-load.php')) {
    fwrite(STDERR, "SKYLT_WP_DIR must name an installed WordPress (see tests/woocommerce_plugin/wordpress.py)\n");
    exit(1);
}
require $skylt_wp_dir . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
require_once __DIR__ . '/class-skylt-died.php';
require_once __DIR__ . '/class-skylt-test-case.php';
