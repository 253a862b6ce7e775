<?php

/**
 * The storefront snippet and its configuration.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Enqueues assets/skylt.min.js (a byte-identical copy of the project's snippet) only on pages that show a slot, with
 * `window.SkyltConfig` set before it. No secret setting ever enters this configuration, and `user` only with its
 * `userToken` and only with consent (Skylt_Consent).
 */
class Skylt_Assets
{
    public const HANDLE = 'skylt';

    /** Keys of the snippet's configuration that name the customer. */
    public const IDENTITY = ['user', 'userToken'];

    /**
     * Enqueue the snippet once per page.
     */
    public static function enqueue(): void
    {
        if (wp_script_is(self::HANDLE, 'enqueued')) {
            return;
        }
        $deps = [];
        $config = self::config();
        $head = 'window.SkyltConfig = Object.assign(' . wp_json_encode($config) . ', window.SkyltConfig || {});';
        if ('required' === Skylt_Consent::mode()) {
            Skylt_Consent::register_script();
            $gate = Skylt_Consent::gate(self::identity());
            $head .= "\nwindow.SkyltConsentGate = " . wp_json_encode($gate) . ';';
            wp_add_inline_script(Skylt_Consent::HANDLE, $head, 'before');
            $deps[] = Skylt_Consent::HANDLE;
        }
        wp_register_script(
            self::HANDLE,
            plugins_url('assets/skylt.min.js', SKYLT_FILE),
            $deps,
            SKYLT_VERSION,
            ['in_footer' => true, 'strategy' => 'defer']
        );
        if (! $deps) {
            wp_add_inline_script(self::HANDLE, $head, 'before');
        }
        wp_enqueue_script(self::HANDLE);
        if (class_exists('Skylt_Attribution') && Skylt_Plugin::woocommerce_ok()) {
            Skylt_Attribution::enqueue();
        }
    }

    /**
     * What the snippet reads from `window.SkyltConfig` (docs/snippet.md). Filter: `skylt_snippet_config`. The
     * customer's identity is in it only when consent is not needed; while it is required, skylt-consent.js adds it
     * with consent.
     *
     * @return array<string, mixed>
     */
    public static function config(): array
    {
        $mode = Skylt_Consent::mode();
        $config = [
            'api' => Skylt_Settings::api(),
            'key' => (string) Skylt_Settings::get('ingest_key'),
            // Required: false until the browser confirms consent (a cached page may have been built with another's).
            'consent' => 'true' === $mode,
            'locale' => str_replace('_', '-', determine_locale()),
        ];
        if (function_exists('get_woocommerce_currency')) {
            $config['currency'] = get_woocommerce_currency();
        }
        if ('true' === $mode) {
            $config += self::identity();
        }
        $config = (array) apply_filters('skylt_snippet_config', $config);
        foreach (array_merge(Skylt_Settings::SECRETS, ['admin_key_clear']) as $secret) {
            unset($config[$secret]);
        }
        if (empty($config['user']) || empty($config['userToken']) || 'true' !== $mode) {
            // A user without its token would be ignored by the server; with consent required, the gate adds both.
            foreach (self::IDENTITY as $key) {
                unset($config[$key]);
            }
        }
        return $config;
    }

    /**
     * The signed-in customer's `user` and `userToken`, or nothing (a visitor, no identity secret, or consent never).
     *
     * @return array<string, string>
     */
    public static function identity(): array
    {
        return 'false' === Skylt_Consent::mode() ? [] : Skylt_Identity::current();
    }
}
