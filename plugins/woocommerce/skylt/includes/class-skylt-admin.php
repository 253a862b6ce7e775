<?php

/**
 * The settings page (WooCommerce > Skylt), the connection test and the admin notices.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Admin screens. Saving goes through the Settings API (options.php checks the nonce and the capability below);
 * the connection test is an admin-post action with its own nonce and capability check.
 */
class Skylt_Admin
{
    public const PAGE = 'skylt';
    public const TEST_ACTION = 'skylt_test_connection';

    /**
     * Who may change the settings: shop managers with WooCommerce, administrators without it.
     */
    public static function capability(): string
    {
        return Skylt_Plugin::woocommerce_ok() ? 'manage_woocommerce' : 'manage_options';
    }

    /** Adds the page under WooCommerce (or Settings while WooCommerce is missing). */
    public static function menu(): void
    {
        $parent = Skylt_Plugin::woocommerce_ok() ? 'woocommerce' : 'options-general.php';
        add_submenu_page(
            $parent,
            __('Skylt recommendations', 'skylt'),
            __('Skylt', 'skylt'),
            self::capability(),
            self::PAGE,
            [self::class, 'page']
        );
    }

    /** Prints the settings page. */
    public static function page(): void
    {
        if (! current_user_can(self::capability())) {
            wp_die(esc_html__('You are not allowed to change these settings.', 'skylt'), 403);
        }
        echo '<style>.skylt-slot-choice{display:inline-block;margin:0 1em .25em 0}</style>';
        echo '<div class="wrap"><h1>' . esc_html__('Skylt recommendations', 'skylt') . '</h1>';
        if (Skylt_Plugin::woocommerce_ok()) {
            settings_errors(); // Pages under Settings show these already; pages under WooCommerce do not.
        }
        self::test_result();
        echo '<form method="post" action="' . esc_url(admin_url('options.php')) . '">';
        settings_fields(Skylt_Settings::GROUP);
        do_settings_sections(self::PAGE);
        submit_button();
        echo '</form>';
        echo '<form method="post" action="' . esc_url(admin_url('admin-post.php')) . '">';
        echo '<input type="hidden" name="action" value="' . esc_attr(self::TEST_ACTION) . '" />';
        wp_nonce_field(self::TEST_ACTION);
        submit_button(__('Test connection', 'skylt'), 'secondary', 'skylt-test', false);
        echo '</form></div>';
    }

    /** Lets users with the page's capability save through options.php (`option_page_capability_skylt`). */
    public static function option_capability(): string
    {
        return self::capability();
    }

    /** The "Test connection" button (`admin_post_skylt_test_connection`): GET {api}/readyz, then back to the page. */
    public static function test_connection(): void
    {
        if (! current_user_can(self::capability())) {
            wp_die(esc_html__('You are not allowed to change these settings.', 'skylt'), 403);
        }
        check_admin_referer(self::TEST_ACTION);
        if ('' === Skylt_Settings::api()) {
            $result = ['error', __('Enter and save the API URL first.', 'skylt')];
        } else {
            $result = self::check();
        }
        set_transient('skylt_test_' . get_current_user_id(), $result, MINUTE_IN_SECONDS);
        wp_safe_redirect(self::url());
        self::finish();
    }

    /**
     * The connection test's verdict: the server's readiness, then whether it takes events with the public key and
     * orders with the server key.
     *
     * @return string[] [notice type, message]
     */
    private static function check(): array
    {
        $status = Skylt_Client::ready();
        if (200 !== $status) {
            /* translators: %s: an HTTP status code or a connection error. */
            return ['error', sprintf(__('The Skylt server is not ready: %s', 'skylt'), (string) $status)];
        }
        $type = 'success';
        $message = __('Connected: the Skylt server is ready.', 'skylt');
        $ingest = (string) Skylt_Settings::get('ingest_key');
        if ('' !== $ingest) {
            $code = Skylt_Client::events_status($ingest);
            if (200 === $code) {
                $message .= ' ' . __('It accepts events with the public ingest key.', 'skylt');
            } else {
                $type = 'warning';
                /* translators: %s: an HTTP status code or a connection error. */
                $refused = __(
                    'It refuses events with the public ingest key (%s): check the key and ingest_keys.',
                    'skylt'
                );
                $message .= ' ' . sprintf($refused, (string) $code);
            }
        }
        $server = (string) Skylt_Settings::get('server_key');
        if ('' !== $server) {
            $code = Skylt_Client::events_status($server);
            if (200 === $code) {
                $message .= ' ' . __('It accepts orders with the secret server key.', 'skylt');
            } else {
                $type = 'warning';
                /* translators: %s: an HTTP status code or a connection error. */
                $refused = __(
                    'It refuses orders with the secret server key (%s): check the key and server_keys.',
                    'skylt'
                );
                $message .= ' ' . sprintf($refused, (string) $code);
            }
        }
        return [$type, $message];
    }

    /** Ends a request after a redirect; tests replace it through the `skylt_finish` filter. */
    private static function finish(): void
    {
        if (apply_filters('skylt_finish', true)) {
            exit;
        }
    }

    /** The settings page's address. */
    public static function url(): string
    {
        $base = Skylt_Plugin::woocommerce_ok() ? 'admin.php' : 'options-general.php';
        return add_query_arg('page', self::PAGE, admin_url($base));
    }

    /** Prints and forgets the last connection test's result. */
    private static function test_result(): void
    {
        $key = 'skylt_test_' . get_current_user_id();
        $result = get_transient($key);
        if (is_array($result)) {
            delete_transient($key);
            printf('<div class="notice notice-%s"><p>%s</p></div>', esc_attr($result[0]), esc_html($result[1]));
        }
    }

    /** The notice shown when WooCommerce is missing or too old (`admin_notices`). */
    public static function woocommerce_notice(): void
    {
        if (Skylt_Plugin::woocommerce_ok() || ! current_user_can('activate_plugins')) {
            return;
        }
        if (defined('WC_VERSION')) {
            /* translators: 1: the WooCommerce version required, 2: the version installed. */
            $message = __('Skylt needs WooCommerce %1$s or newer; this site has %2$s.', 'skylt');
            $message = sprintf($message, SKYLT_MIN_WC, WC_VERSION);
        } else {
            /* translators: %s: the WooCommerce version required. */
            $message = sprintf(__('Skylt needs WooCommerce %s or newer, installed and active.', 'skylt'), SKYLT_MIN_WC);
        }
        $message .= ' ' . __('Until then only the shortcode and the block show recommendations.', 'skylt');
        printf('<div class="notice notice-warning"><p>%s</p></div>', esc_html($message));
    }
}
