<?php

/**
 * The Skylt HTTP API, server to server.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Calls the API with wp_remote_*; every call answers true (done), false (try again later) or null (refused for
 * good: retrying the same body cannot succeed).
 */
class Skylt_Client
{
    /**
     * POST /v1/events with the secret server key: the server trusts these events as they are (their `user` needs
     * no token, their purchases count in bestsellers). The public ingest key is for browsers only.
     *
     * @param array<int, array<string, mixed>> $events Events as docs/api.md describes them.
     * @return bool|null
     */
    public static function send_events(array $events)
    {
        return self::call(
            'POST',
            '/v1/events',
            ['X-Skylt-Key' => (string) Skylt_Settings::get('server_key')],
            ['events' => $events]
        );
    }

    /**
     * DELETE /v1/users/{id} with the secret admin key: erases the customer's profile and stored events.
     *
     * @param string $user A Skylt user id.
     * @return array<string, int>|string What was erased (profiles, events, impressions, segments), or why not:
     *                                   an HTTP status with the start of its body, or a transport error.
     */
    public static function delete_user(string $user)
    {
        if ('' === Skylt_Settings::api() || '' === (string) Skylt_Settings::get('admin_key')) {
            return __('the API URL or the secret admin key is not set', 'skylt');
        }
        $response = wp_remote_request(Skylt_Settings::api() . '/v1/users/' . rawurlencode($user), [
            'method' => 'DELETE',
            'timeout' => 30,
            'headers' => ['Authorization' => 'Bearer ' . (string) Skylt_Settings::get('admin_key')],
        ]);
        if (is_wp_error($response)) {
            return $response->get_error_message();
        }
        $code = (int) wp_remote_retrieve_response_code($response);
        $body = (string) wp_remote_retrieve_body($response);
        $answer = json_decode($body, true);
        if (200 === $code && is_array($answer)) {
            return array_map('intval', array_filter($answer, 'is_numeric'));
        }
        return trim($code . ' ' . substr(wp_strip_all_tags($body), 0, 200));
    }

    /**
     * PUT /v1/catalog/items with the secret admin key.
     *
     * @param array<int, array<string, mixed>> $items Catalog items.
     * @return bool|null
     */
    public static function put_items(array $items)
    {
        $auth = ['Authorization' => 'Bearer ' . (string) Skylt_Settings::get('admin_key')];
        return self::call('PUT', '/v1/catalog/items', $auth, ['items' => $items]);
    }

    /**
     * GET /readyz: the status code, or the transport error's message.
     *
     * @return int|string
     */
    public static function ready()
    {
        $response = wp_remote_get(Skylt_Settings::api() . '/readyz', ['timeout' => 5]);
        if (is_wp_error($response)) {
            return $response->get_error_message();
        }
        return (int) wp_remote_retrieve_response_code($response);
    }

    /**
     * An empty POST /v1/events: whether the server takes events with a key (200), or its status.
     *
     * @param string $key The ingest or the server key.
     * @return int|string The status code, or the transport error's message.
     */
    public static function events_status(string $key)
    {
        $response = wp_remote_post(Skylt_Settings::api() . '/v1/events', [
            'timeout' => 5,
            'headers' => [
                'X-Skylt-Key' => $key,
                'Content-Type' => 'application/json',
            ],
            'body' => '{"events":[]}',
        ]);
        if (is_wp_error($response)) {
            return $response->get_error_message();
        }
        return (int) wp_remote_retrieve_response_code($response);
    }

    /**
     * One request with a JSON body.
     *
     * @param string               $method  HTTP method.
     * @param string               $path    Path under the API URL.
     * @param array<string,string> $headers Extra headers.
     * @param array<string,mixed>  $body    The JSON body.
     * @return bool|null
     */
    private static function call(string $method, string $path, array $headers, array $body)
    {
        if ('' === Skylt_Settings::api()) {
            return false;
        }
        $response = wp_remote_request(Skylt_Settings::api() . $path, [
            'method' => $method,
            'timeout' => 10,
            'headers' => $headers + ['Content-Type' => 'application/json'],
            'body' => wp_json_encode($body),
        ]);
        if (is_wp_error($response)) {
            self::log('warning', sprintf('%s %s failed: %s', $method, $path, $response->get_error_message()));
            return false;
        }
        $code = (int) wp_remote_retrieve_response_code($response);
        if ($code >= 200 && $code < 300) {
            $answer = json_decode((string) wp_remote_retrieve_body($response), true);
            if (is_array($answer) && ! empty($answer['rejected'])) {
                self::log(
                    'warning',
                    sprintf('%s %s: events rejected: %s', $method, $path, wp_json_encode($answer['rejected']))
                );
            }
            return true;
        }
        self::log(
            'warning',
            sprintf('%s %s answered %d: %s', $method, $path, $code, wp_remote_retrieve_body($response))
        );
        // A wrong key (401) may be corrected in the settings; a server without a snapshot or key answers 503.
        return in_array($code, [401, 408, 425, 429], true) || $code >= 500 ? false : null;
    }

    /**
     * A line in WooCommerce's log (source "skylt"), or PHP's error log without WooCommerce.
     *
     * @param string $level   PSR-3 level.
     * @param string $message The message.
     */
    public static function log(string $level, string $message): void
    {
        if (function_exists('wc_get_logger')) {
            wc_get_logger()->log($level, $message, ['source' => 'skylt']);
            return;
        }
        error_log('Skylt: ' . $message); // The only log there is without WooCommerce.
    }
}
