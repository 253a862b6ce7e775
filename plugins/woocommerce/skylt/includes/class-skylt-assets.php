<?php

/**
 * The storefront snippet and its configuration.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Enqueues assets/skylt.min.js (a byte-identical copy of the project's snippet) only on pages that show a slot, with
 * `window.SkyltConfig` set before it. The secret admin key never enters this configuration.
 */
class Skylt_Assets
{
    public const HANDLE = 'skylt';

    /**
     * Enqueue the snippet once per page.
     */
    public static function enqueue(): void
    {
        if (wp_script_is(self::HANDLE, 'enqueued')) {
            return;
        }
        wp_register_script(
            self::HANDLE,
            plugins_url('assets/skylt.min.js', SKYLT_FILE),
            [],
            SKYLT_VERSION,
            ['in_footer' => true, 'strategy' => 'defer']
        );
        wp_add_inline_script(self::HANDLE, 'window.SkyltConfig = Object.assign(' . wp_json_encode(self::config())
            . ', window.SkyltConfig || {});', 'before');
        wp_enqueue_script(self::HANDLE);
    }

    /**
     * What the snippet reads from `window.SkyltConfig` (docs/snippet.md). Filter: `skylt_snippet_config`.
     *
     * @return array<string, mixed>
     */
    public static function config(): array
    {
        $consent = (string) Skylt_Settings::get('consent');
        $config = [
            'api' => Skylt_Settings::api(),
            'key' => (string) Skylt_Settings::get('ingest_key'),
            'consent' => 'required' === $consent ? 'required' : 'false' !== $consent,
            'locale' => str_replace('_', '-', determine_locale()),
        ];
        if (function_exists('get_woocommerce_currency')) {
            $config['currency'] = get_woocommerce_currency();
        }
        $user = Skylt_Ids::current_customer();
        if ('' !== $user) {
            $config['user'] = $user;
        }
        $config = (array) apply_filters('skylt_snippet_config', $config);
        unset($config['admin_key']);
        return $config;
    }
}
