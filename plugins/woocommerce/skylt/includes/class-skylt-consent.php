<?php

/**
 * Shopper consent: the setting, the WP Consent API, and what the page may do before consent.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Consent is required by default: the snippet starts with `consent: false` and without the customer's identity, so
 * it sends no event, no `user` and writes no storage. assets/skylt-consent.js gives consent (and the identity) when
 * the WP Consent API allows the category (filter `skylt_consent_category`, default `statistics`), or, without that
 * API, when the shop's banner calls `Skylt.consent(true)`; it takes both back on withdrawal.
 */
class Skylt_Consent
{
    public const HANDLE = 'skylt-consent';

    /** The setting: 'required' (the default), 'true' (the shop needs none) or 'false' (never). */
    public static function mode(): string
    {
        $mode = (string) Skylt_Settings::get('consent');
        return in_array($mode, Skylt_Settings::CONSENT, true) ? $mode : 'required';
    }

    /** The WP Consent API category Skylt's storage and events belong to. */
    public static function category(): string
    {
        return sanitize_key((string) apply_filters('skylt_consent_category', 'statistics'));
    }

    /** Whether the WP Consent API is active. */
    public static function wp_api(): bool
    {
        return function_exists('wp_has_consent');
    }

    /**
     * Whether consent is known to be given while the page is built: never needed, or allowed by the WP Consent
     * API's cookie. The browser checks again (a cached page may have been built for someone else).
     */
    public static function given(): bool
    {
        $mode = self::mode();
        if ('required' !== $mode) {
            return 'true' === $mode;
        }
        return self::wp_api() && (bool) wp_has_consent(self::category());
    }

    /**
     * Declares that the plugin asks the WP Consent API before storing or sending anything
     * (`wp_consent_api_registered_skylt/skylt.php`).
     */
    public static function registered(): bool
    {
        return true;
    }

    /** Registers assets/skylt-consent.js: deferred, it runs after a consent plugin's scripts, before the snippet. */
    public static function register_script(): void
    {
        wp_register_script(
            self::HANDLE,
            plugins_url('assets/skylt-consent.js', SKYLT_FILE),
            [],
            SKYLT_VERSION,
            ['in_footer' => true, 'strategy' => 'defer']
        );
    }

    /**
     * What skylt-consent.js reads from `window.SkyltConsentGate`: the identity to add with consent, the category,
     * whether the WP Consent API decides, and its answer here (used only if its script is missing in the browser).
     *
     * @param array<string, string> $identity `user` and `userToken`, or empty.
     * @return array<string, mixed>
     */
    public static function gate(array $identity): array
    {
        return [
            'identity' => (object) $identity,
            'category' => self::category(),
            'wpConsentApi' => self::wp_api(),
            'given' => self::given(),
        ];
    }
}
