<?php

/**
 * Base class: a clean option, a known user, wp_die() turned into an exception, a fresh script queue.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

use PHPUnit\Framework\TestCase;

/**
 * Every Skylt test starts from the defaults with the administrator logged in.
 */
abstract class Skylt_Test_Case extends TestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        delete_option(Skylt_Settings::OPTION);
        wp_set_current_user(1);
        $_POST = [];
        $_REQUEST = [];
        $GLOBALS['wp_scripts'] = new WP_Scripts();
        add_filter('wp_die_handler', [$this, 'die_handler']);
        add_filter('skylt_finish', '__return_false');
        add_filter('wp_redirect', '__return_false');
        delete_transient('skylt_test_' . get_current_user_id());
        Skylt_Settings_Form::register();
    }

    protected function tearDown(): void
    {
        remove_filter('wp_die_handler', [$this, 'die_handler']);
        remove_filter('skylt_finish', '__return_false');
        remove_filter('wp_redirect', '__return_false');
        delete_option(Skylt_Settings::OPTION);
        parent::tearDown();
    }

    /** The handler wp_die() uses in tests. */
    public function die_handler(): callable
    {
        return static function ($message, $title = '', $args = []) {
            $code = is_array($args) && isset($args['response']) ? (int) $args['response'] : 500;
            $text = is_wp_error($message) ? $message->get_error_message() : (string) $message;
            throw new Skylt_Died($text, $code);
        };
    }

    /**
     * Saves settings as options.php does: update_option() runs the registered sanitize callback.
     *
     * @param array<string, mixed> $values Submitted values.
     */
    protected function save(array $values): void
    {
        update_option(Skylt_Settings::OPTION, $values);
    }

    /**
     * Skips the test without WooCommerce; else saves a shop's settings: an unreachable API, every key, and
     * ``$values`` on top.
     *
     * @param array<string, mixed> $values Settings of the test class.
     */
    protected function in_a_shop(array $values): void
    {
        if (! Skylt_Plugin::woocommerce_ok()) {
            $this->markTestSkipped('WooCommerce is not active');
        }
        $this->save(array_merge(
            ['api_url' => 'http://127.0.0.1:9', 'ingest_key' => 'pk', 'admin_key' => 'sk', 'server_key' => 'srv'],
            $values
        ));
    }

    /**
     * What a callback prints.
     *
     * @param callable $print The callback.
     */
    protected function output(callable $print): string
    {
        ob_start();
        try {
            $print();
        } finally {
            $out = (string) ob_get_clean();
        }
        return $out;
    }

    /** The scripts WordPress prints in the footer (the snippet and its inline configuration). */
    protected function footer(): string
    {
        return $this->output(static function () {
            wp_scripts()->do_items(false);
        });
    }

    /**
     * A user with the given role.
     *
     * @param string $role Role name.
     */
    protected function user(string $role): int
    {
        $login = 'skylt_' . $role;
        $user = get_user_by('login', $login);
        if ($user) {
            return (int) $user->ID;
        }
        return (int) wp_insert_user([
            'user_login' => $login,
            'user_pass' => wp_generate_password(),
            'user_email' => $login . '@example.com',
            'role' => $role,
        ]);
    }
}
