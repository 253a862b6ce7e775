<?php

/**
 * Signed identity and customer ids: the published test vector, the token in the page, the plugin's own id key.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Skylt_Identity and Skylt_Ids.
 */
class Test_Identity extends Skylt_Test_Case
{
    private const SECRET = 'skylt-identity-secret-for-phpunit';

    public function test_the_published_test_vector(): void
    {
        // docs/api.md#signed-identity; edge/identity.py and the other languages check the same vector.
        $this->assertSame(
            'v1.1893456000.NQjgjxqJ832xUCrKrXdHiHlCX4WXrrsKa5vPwIyUHdg',
            Skylt_Identity::token('skylt-test-vector-secret', '4711', 1893456000)
        );
        $this->assertSame(
            '3508e08f1a89f37db1502acaad77478879425f8597aebb0a6b9bcfc08c941dd8',
            hash_hmac('sha256', 'v1.1893456000.4711', 'skylt-test-vector-secret')
        );
    }

    public function test_a_token_never_expiring_and_one_for_another_user_differ(): void
    {
        $token = Skylt_Identity::token(self::SECRET, 'abc', 0);
        $this->assertMatchesRegularExpression('/^v1\.0\.[A-Za-z0-9_-]{43}$/', $token);
        $this->assertNotSame($token, Skylt_Identity::token(self::SECRET, 'abd', 0));
        $this->assertNotSame($token, Skylt_Identity::token(self::SECRET . 'x', 'abc', 0));
    }

    public function test_the_logged_in_customer_gets_an_id_and_a_token_valid_for_a_day(): void
    {
        $this->save(['identity_secret' => self::SECRET]);
        wp_set_current_user($this->user('subscriber'));
        $before = time();
        $identity = Skylt_Identity::current();
        $user = Skylt_Ids::customer('user', (string) get_current_user_id());
        $this->assertSame($user, $identity['user']);
        $this->assertSame(1, preg_match('/^v1\.(\d+)\.([A-Za-z0-9_-]{43})$/', $identity['userToken'], $m));
        $this->assertGreaterThanOrEqual($before + DAY_IN_SECONDS, (int) $m[1]);
        $this->assertLessThanOrEqual(time() + DAY_IN_SECONDS, (int) $m[1]);
        $this->assertSame(Skylt_Identity::token(self::SECRET, $user, (int) $m[1]), $identity['userToken']);
    }

    public function test_no_identity_for_a_visitor_or_without_a_secret(): void
    {
        $this->save(['identity_secret' => self::SECRET]);
        wp_set_current_user(0);
        $this->assertSame([], Skylt_Identity::current());
        wp_set_current_user($this->user('subscriber'));
        $this->save(['identity_secret' => '', 'identity_secret_clear' => '1']);
        $this->assertSame([], Skylt_Identity::current());
    }

    public function test_customer_ids_use_the_plugins_own_key_not_the_auth_salt(): void
    {
        $key = Skylt_Ids::key();
        $this->assertMatchesRegularExpression('/^[0-9a-f]{64}$/', $key);
        $this->assertSame($key, Skylt_Ids::key());
        global $wpdb;
        $autoload = $wpdb->get_var(
            $wpdb->prepare("SELECT autoload FROM {$wpdb->options} WHERE option_name = %s", Skylt_Ids::KEY_OPTION)
        );
        $this->assertContains($autoload, ['no', 'off']);

        $id = Skylt_Ids::customer('user', '7');
        $this->assertSame(substr(hash_hmac('sha256', 'user:7', $key), 0, 32), $id);
        $this->assertNotSame(substr(hash_hmac('sha256', 'user:7', wp_salt('auth')), 0, 32), $id);
        $email = Skylt_Ids::customer('email', 'a@example.com');
        $this->assertSame($email, Skylt_Ids::customer('email', ' A@Example.com'));
        $this->assertSame('', Skylt_Ids::customer('user', '0'));
    }

    public function test_a_missing_key_is_made_once_and_then_kept(): void
    {
        $old = Skylt_Ids::key();
        delete_option(Skylt_Ids::KEY_OPTION);
        $new = Skylt_Ids::key();
        $this->assertNotSame($old, $new);
        $this->assertSame($new, get_option(Skylt_Ids::KEY_OPTION));
        $this->assertSame($new, Skylt_Ids::key());
    }
}
