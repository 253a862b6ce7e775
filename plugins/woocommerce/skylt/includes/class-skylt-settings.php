<?php

/**
 * The plugin's one option, `skylt_settings`: defaults, reading and sanitizing.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Settings stored as one array option, merged over defaults on every read.
 */
class Skylt_Settings
{
    public const OPTION = 'skylt_settings';
    public const GROUP = 'skylt';

    /** The pages the API knows and the slots each offers, in the API's order (docs/api.md). */
    public const SLOTS = [
        'product' => ['similar', 'upsell', 'alternatives', 'bought_together'],
        'cart' => ['bought_together', 'addons', 'reminders'],
        'checkout' => ['bought_together', 'addons', 'reminders'],
        'home' => ['bestsellers', 'trending', 'for_you', 'recently_viewed', 'category_picks'],
    ];

    public const CONSENT = ['true', 'required', 'false'];

    /** Settings that never leave this server and are never printed back into a form. */
    public const SECRETS = ['admin_key', 'server_key', 'identity_secret'];

    /**
     * Every setting with its default.
     *
     * @return array<string, mixed>
     */
    public static function defaults(): array
    {
        $defaults = [
            'api_url' => '',
            'ingest_key' => '',
            'admin_key' => '',
            'server_key' => '',
            'identity_secret' => '',
            'consent' => 'required',
            'product_priority' => 15,
            'replace_related' => false,
            'replace_upsells' => false,
            'replace_cross_sells' => false,
            'forward_orders' => true,
            'forward_catalog' => true,
            'mini_cart_enabled' => true,
            'order_received_enabled' => true,
            'marketing_meta' => '',
        ];
        foreach (self::SLOTS as $page => $slots) {
            $defaults[$page . '_enabled'] = 'checkout' !== $page;
            $defaults[$page . '_slots'] = [$slots[0]];
            $defaults[$page . '_n'] = 4;
            $defaults[$page . '_heading'] = '';
        }
        return $defaults;
    }

    /**
     * The stored settings over the defaults.
     *
     * @return array<string, mixed>
     */
    public static function all(): array
    {
        $stored = get_option(self::OPTION, []);
        return array_merge(self::defaults(), is_array($stored) ? $stored : []);
    }

    /**
     * One setting.
     *
     * @param string $key Setting name.
     * @return mixed
     */
    public static function get(string $key)
    {
        $all = self::all();
        return $all[$key] ?? null;
    }

    /**
     * The API base URL without a trailing slash, or '' when unset.
     */
    public static function api(): string
    {
        return untrailingslashit((string) self::get('api_url'));
    }

    /**
     * Sanitize callback of the Settings API: every field checked, anything unknown dropped.
     *
     * An empty secret field keeps the stored secret: the form never shows a secret back. The input arrives
     * unslashed (options.php unslashes it).
     *
     * @param mixed $input The submitted values.
     * @return array<string, mixed>
     */
    public static function sanitize($input): array
    {
        $input = is_array($input) ? $input : [];
        $old = self::all();
        $out = [];

        $url = trim((string) ($input['api_url'] ?? ''));
        $out['api_url'] = '' === $url ? '' : esc_url_raw($url, ['http', 'https']);
        if ('' !== $url && '' === $out['api_url']) {
            add_settings_error(
                self::OPTION,
                'skylt_api_url',
                __('The API URL must start with http:// or https://.', 'skylt')
            );
        }
        $out['ingest_key'] = sanitize_text_field((string) ($input['ingest_key'] ?? ''));
        foreach (self::SECRETS as $key) {
            $secret = sanitize_text_field((string) ($input[$key] ?? ''));
            if (! empty($input[$key . '_clear'])) {
                $out[$key] = '';
            } else {
                $out[$key] = '' === $secret ? (string) $old[$key] : $secret;
            }
        }
        $consent = (string) ($input['consent'] ?? 'required');
        $out['consent'] = in_array($consent, self::CONSENT, true) ? $consent : 'required';
        $out['product_priority'] = max(0, min(999, (int) ($input['product_priority'] ?? 15)));
        $flags = ['replace_related', 'replace_upsells', 'replace_cross_sells', 'forward_orders', 'forward_catalog',
            'mini_cart_enabled', 'order_received_enabled'];
        foreach ($flags as $flag) {
            $out[$flag] = ! empty($input[$flag]);
        }
        $meta = (string) ($input['marketing_meta'] ?? '');
        $out['marketing_meta'] = Skylt_Marketing::sanitize_key($meta);
        if ('' !== trim($meta) && '' === $out['marketing_meta']) {
            add_settings_error(
                self::OPTION,
                'skylt_marketing_meta',
                __('The marketing consent field must be a meta key: letters, digits and _ - / : . only.', 'skylt')
            );
        }
        foreach (self::SLOTS as $page => $known) {
            $out[$page . '_enabled'] = ! empty($input[$page . '_enabled']);
            $chosen = isset($input[$page . '_slots']) ? (array) $input[$page . '_slots'] : [];
            $out[$page . '_slots'] = array_values(array_intersect($known, array_map('strval', $chosen)));
            $out[$page . '_n'] = max(1, min(50, (int) ($input[$page . '_n'] ?? 4)));
            $out[$page . '_heading'] = sanitize_text_field((string) ($input[$page . '_heading'] ?? ''));
        }
        return $out;
    }
}
