<?php

/**
 * WordPress's privacy tools: the exporter and the eraser, through WordPress's own registries.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Requests to Skylt are answered by a stub on `pre_http_request`, which records them.
 */
class Test_Privacy extends Skylt_Test_Case
{
    private const ADMIN_KEY = 'sk-privacy-admin-key-0001';

    /** @var array<int, array{method: string, url: string, auth: string}> */
    private $requests = [];

    /** @var callable(string): mixed The stub's answer for a URL. */
    private $answer;

    protected function setUp(): void
    {
        parent::setUp();
        $this->save(['api_url' => 'http://skylt.test', 'admin_key' => self::ADMIN_KEY]);
        $this->requests = [];
        $this->answer = static function (): array {
            return self::response(200, '{"profiles":1,"events":3,"impressions":2,"segments":1}');
        };
        add_filter('pre_http_request', [$this, 'stub'], 10, 3);
    }

    protected function tearDown(): void
    {
        remove_filter('pre_http_request', [$this, 'stub'], 10);
        parent::tearDown();
    }

    /**
     * The stub (`pre_http_request`).
     *
     * @param mixed                $pre  False to let the request through.
     * @param array<string, mixed> $args Request arguments.
     * @param string               $url  The URL.
     * @return mixed
     */
    public function stub($pre, $args, $url)
    {
        unset($pre);
        $this->requests[] = [
            'method' => (string) $args['method'],
            'url' => (string) $url,
            'auth' => (string) ($args['headers']['Authorization'] ?? ''),
        ];
        return ($this->answer)((string) $url);
    }

    /**
     * A response as wp_remote_request() returns it.
     *
     * @param int    $code Status.
     * @param string $body Body.
     * @return array<string, mixed>
     */
    private static function response(int $code, string $body): array
    {
        return ['headers' => [], 'body' => $body, 'response' => ['code' => $code, 'message' => ''], 'cookies' => []];
    }

    /**
     * Runs an eraser page by page as WordPress's eraser screen does, and merges the pages' answers as it does.
     *
     * @param callable $eraser The eraser's callback.
     * @param string   $email  The address.
     * @return array<string, mixed>
     */
    private function erase_all(callable $eraser, string $email): array
    {
        $all = ['items_removed' => false, 'items_retained' => false, 'messages' => [], 'pages' => 0];
        do {
            $all['pages']++;
            $page = $eraser($email, $all['pages']);
            $this->assertSame(['items_removed', 'items_retained', 'messages', 'done'], array_keys($page));
            $all['items_removed'] = $all['items_removed'] || $page['items_removed'];
            $all['items_retained'] = $all['items_retained'] || $page['items_retained'];
            $all['messages'] = array_merge($all['messages'], $page['messages']);
        } while (! $page['done'] && $all['pages'] < 20);
        $this->assertTrue($page['done']);
        return $all;
    }

    /** A customer with an account. */
    private function customer(): WP_User
    {
        $id = $this->user('subscriber');
        return get_user_by('id', $id);
    }

    /**
     * Every id the plugin ever derived for this customer: user ID and e-mail, today's key and the auth salt.
     *
     * @param WP_User $user The customer.
     * @return string[]
     */
    private function expected_ids(WP_User $user): array
    {
        $ids = [];
        foreach ([Skylt_Ids::key(), wp_salt('auth')] as $key) {
            $ids[] = substr(hash_hmac('sha256', 'user:' . $user->ID, $key), 0, 32);
            $ids[] = substr(hash_hmac('sha256', 'email:' . strtolower($user->user_email), $key), 0, 32);
        }
        sort($ids);
        return $ids;
    }

    public function test_the_exporter_and_eraser_are_registered_with_wordpress(): void
    {
        $exporters = apply_filters('wp_privacy_personal_data_exporters', []);
        $erasers = apply_filters('wp_privacy_personal_data_erasers', []);
        $this->assertSame([Skylt_Privacy::class, 'export'], $exporters['skylt']['callback']);
        $this->assertSame([Skylt_Privacy::class, 'erase'], $erasers['skylt']['callback']);
        $this->assertSame('Skylt recommendations', $erasers['skylt']['eraser_friendly_name']);
    }

    public function test_the_export_lists_every_derived_id_and_what_the_server_holds(): void
    {
        $user = $this->customer();
        $exporters = apply_filters('wp_privacy_personal_data_exporters', []);
        $export = call_user_func($exporters['skylt']['callback'], $user->user_email, 1);
        $this->assertTrue($export['done']);
        $ids = [];
        foreach ($export['data'] as $item) {
            $this->assertSame('skylt', $item['group_id']);
            $fields = array_column($item['data'], 'value', 'name');
            if (isset($fields['Skylt user id'])) {
                $ids[] = $fields['Skylt user id'];
            }
        }
        sort($ids);
        $this->assertSame($this->expected_ids($user), $ids);
        $server = end($export['data']);
        $this->assertSame('skylt-server', $server['item_id']);
        $this->assertStringContainsString('profile', $server['data'][1]['value']);
        $this->assertSame([], $this->requests);
        $this->assertStringNotContainsString(self::ADMIN_KEY, wp_json_encode($export));
    }

    public function test_the_eraser_deletes_every_derived_id_on_the_server_with_the_admin_key(): void
    {
        $user = $this->customer();
        $erasers = apply_filters('wp_privacy_personal_data_erasers', []);
        $result = $this->erase_all($erasers['skylt']['callback'], strtoupper($user->user_email));
        $this->assertSame(
            ['items_removed' => true, 'items_retained' => false, 'messages' => [], 'pages' => 4],
            $result
        );
        $urls = [];
        foreach ($this->requests as $request) {
            $this->assertSame('DELETE', $request['method']);
            $this->assertSame('Bearer ' . self::ADMIN_KEY, $request['auth']);
            $this->assertStringStartsWith('http://skylt.test/v1/users/', $request['url']);
            $urls[] = substr($request['url'], strlen('http://skylt.test/v1/users/'));
        }
        sort($urls);
        $this->assertSame($this->expected_ids($user), $urls);
    }

    public function test_nothing_to_erase_is_neither_removed_nor_retained(): void
    {
        $this->answer = static function (): array {
            return self::response(200, '{"profiles":0,"events":0,"impressions":0,"segments":0}');
        };
        $result = $this->erase_all([Skylt_Privacy::class, 'erase'], 'guest@example.com');
        $this->assertFalse($result['items_removed']);
        $this->assertFalse($result['items_retained']);
        $this->assertCount(2, $this->requests); // a guest: the address under both keys
    }

    public function test_failures_reach_the_eraser_ui_as_messages_and_retained_items(): void
    {
        $user = $this->customer();
        $failing = Skylt_Ids::customer('user', (string) $user->ID);
        $this->answer = static function (string $url) use ($failing) {
            if (false !== strpos($url, $failing)) {
                return new WP_Error('http_request_failed', 'cURL error 7: Connection refused');
            }
            if (false !== strpos($url, '/v1/users/')) {
                return self::response(401, '{"title":"Unauthorized"}');
            }
            return false;
        };
        $result = $this->erase_all([Skylt_Privacy::class, 'erase'], $user->user_email);
        $this->assertFalse($result['items_removed']);
        $this->assertTrue($result['items_retained']);
        $this->assertCount(4, $result['messages']);
        $this->assertContains(
            'Skylt could not erase the data of id ' . $failing . ': cURL error 7: Connection refused',
            $result['messages']
        );
        $this->assertSame(3, count(preg_grep('/: 401 \{"title":"Unauthorized"\}$/', $result['messages'])));
    }

    public function test_the_eraser_against_a_live_skylt_server(): void
    {
        $api = (string) getenv('SKYLT_TEST_API');
        if ('' === $api) {
            $this->markTestSkipped('SKYLT_TEST_API names no running Skylt server');
        }
        remove_filter('pre_http_request', [$this, 'stub'], 10);
        // test_phpunit.py starts that server with SKYLT_ADMIN_KEYS=sk-phpunit-admin-key.
        $this->save(['api_url' => $api, 'admin_key' => 'sk-phpunit-admin-key']);
        $user = $this->customer();
        $this->assertSame(
            ['items_removed' => false, 'items_retained' => false, 'messages' => [], 'pages' => 4],
            $this->erase_all([Skylt_Privacy::class, 'erase'], $user->user_email)
        );
        $this->save(['api_url' => $api, 'admin_key' => 'sk-phpunit-wrong-admin-key']);
        $result = $this->erase_all([Skylt_Privacy::class, 'erase'], $user->user_email);
        $this->assertTrue($result['items_retained']);
        $this->assertCount(4, $result['messages']);
        $this->assertStringContainsString(': 401 ', $result['messages'][0]);
    }

    public function test_wordpress_erasure_screen_runs_the_eraser_and_shows_its_failures(): void
    {
        $user = $this->customer();
        $failing = Skylt_Ids::customer('email', $user->user_email);
        $this->answer = static function (string $url) use ($failing) {
            if (false !== strpos($url, $failing)) {
                return self::response(503, '{"title":"Service Unavailable"}');
            }
            return self::response(200, '{"profiles":1,"events":3,"impressions":2,"segments":1}');
        };
        $earlier = get_posts(['post_type' => 'user_request', 'post_status' => 'any', 'numberposts' => -1,
            'title' => $user->user_email, 'fields' => 'ids']);
        foreach ($earlier as $old) {
            wp_delete_post($old, true);
        }
        $request_id = wp_create_user_request($user->user_email, 'remove_personal_data', [], 'confirmed');
        $this->assertIsInt($request_id);
        $erasers = array_keys(apply_filters('wp_privacy_personal_data_erasers', []));
        $index = 1 + (int) array_search('skylt', $erasers, true);

        // The screen's AJAX action, page by page, as its JavaScript calls it.
        require_once ABSPATH . 'wp-admin/includes/ajax-actions.php';
        add_filter('wp_doing_ajax', '__return_true');
        add_filter('wp_die_ajax_handler', [$this, 'die_handler']);
        $pages = [];
        $page = 0;
        try {
            do {
                $page++;
                $_POST = [
                    'id' => $request_id,
                    'eraser' => $index,
                    'page' => $page,
                    'security' => wp_create_nonce('wp-privacy-erase-personal-data-' . $request_id),
                ];
                $_REQUEST = $_POST;
                $out = $this->output(static function () {
                    try {
                        wp_ajax_wp_privacy_erase_personal_data();
                    } catch (Skylt_Died $e) {
                        unset($e); // wp_send_json() ends with wp_die().
                    }
                });
                $pages[] = json_decode($out, true);
                $this->assertTrue(end($pages)['success'], $out);
            } while (! end($pages)['data']['done'] && $page < 20);
        } finally {
            remove_filter('wp_doing_ajax', '__return_true');
            remove_filter('wp_die_ajax_handler', [$this, 'die_handler']);
        }
        $this->assertCount(4, $pages);
        $this->assertCount(4, $this->requests);
        $messages = array_merge(...array_map(static function ($page) {
            return $page['data']['messages'];
        }, $pages));
        $expected = 'Skylt could not erase the data of id ' . $failing . ': 503 {"title":"Service Unavailable"}';
        $this->assertSame([$expected], $messages);
        $this->assertContains(true, array_column(array_column($pages, 'data'), 'items_retained'));
        $this->assertContains(true, array_column(array_column($pages, 'data'), 'items_removed'));
    }

    public function test_without_the_admin_key_the_eraser_says_so_and_sends_nothing(): void
    {
        $this->save(['api_url' => 'http://skylt.test', 'admin_key_clear' => '1']);
        $result = $this->erase_all([Skylt_Privacy::class, 'erase'], $this->customer()->user_email);
        $this->assertTrue($result['items_retained']);
        $this->assertStringEndsWith('the API URL or the secret admin key is not set', $result['messages'][0]);
        $this->assertSame([], $this->requests);
    }
}
