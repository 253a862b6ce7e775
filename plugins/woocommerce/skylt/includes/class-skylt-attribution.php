<?php

/**
 * Attribution that survives to the order: add-to-cart events and the shopper's slot clicks on the order.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * The browser (assets/skylt-attribution.js), only with the shopper's consent, keeps the cookie `skylt_attr`: the
 * snippet's session and its last clicked slot items ([item, request_id, slot]). At checkout (classic and block) they
 * are stored on the order and forwarded with its purchase events (`session`, `touches`), so the server's order is
 * attributed to the slot it came from. Every classic add to cart (form or AJAX) made with that cookie present is
 * handed back to the browser in the cookie `skylt_added` as Skylt item ids, and the script sends each as a `cart`
 * event, which the snippet gives the touch (Store API adds it reads from the API's answer). Without consent there
 * is no `skylt_attr`, so nothing here stores or sends anything.
 */
class Skylt_Attribution
{
    public const HANDLE = 'skylt-attribution';
    public const COOKIE = 'skylt_attr';
    public const ADDED = 'skylt_added';
    public const META_SESSION = '_skylt_session';
    public const META_TOUCHES = '_skylt_touches';
    public const MAX_TOUCHES = 20;

    /** Hooks (WooCommerce present). */
    public static function register(): void
    {
        add_action('woocommerce_checkout_create_order', [self::class, 'capture']);
        add_action('woocommerce_store_api_checkout_update_order_meta', [self::class, 'capture']);
        add_action('woocommerce_add_to_cart', [self::class, 'added'], 10, 4);
        add_filter('skylt_purchase_events', [self::class, 'purchase_events'], 5, 2);
    }

    /** The browser half, after the snippet on every page that loads it. */
    public static function enqueue(): void
    {
        wp_enqueue_script(
            self::HANDLE,
            plugins_url('assets/skylt-attribution.js', SKYLT_FILE),
            [Skylt_Assets::HANDLE],
            SKYLT_VERSION,
            ['in_footer' => true, 'strategy' => 'defer']
        );
    }

    /**
     * The cookie's session and touches, checked; null without the cookie (no consent) or when it is malformed.
     *
     * @return array{session: string, touches: array<int, array{item: string, request_id: string, slot: string}>}|null
     */
    public static function from_cookie(): ?array
    {
        if (! isset($_COOKIE[self::COOKIE]) || ! is_string($_COOKIE[self::COOKIE])) {
            return null;
        }
        $data = json_decode(wp_unslash($_COOKIE[self::COOKIE]), true);
        if (! is_array($data)) {
            return null;
        }
        $session = isset($data['session']) && is_string($data['session']) ? $data['session'] : '';
        $touches = [];
        $listed = isset($data['touches']) && is_array($data['touches']) ? $data['touches'] : [];
        foreach (array_slice($listed, -self::MAX_TOUCHES) as $t) {
            if (
                is_array($t) && 3 === count($t) && self::text($t[0], 256) && self::text($t[1], 64)
                && is_string($t[2]) && preg_match('/^[a-z_]{1,32}$/', $t[2])
            ) {
                $touches[] = ['item' => $t[0], 'request_id' => $t[1], 'slot' => $t[2]];
            }
        }
        return [
            'session' => preg_match('/^[A-Za-z0-9_-]{1,64}$/', $session) ? $session : '',
            'touches' => $touches,
        ];
    }

    /**
     * Whether a value is printable text of at most $max bytes.
     *
     * @param mixed $value The value.
     * @param int   $max   Longest length.
     */
    private static function text($value, int $max): bool
    {
        return is_string($value) && '' !== trim($value) && strlen($value) <= $max
            && 1 === preg_match('/^[^\x00-\x1f\x7f]+$/u', $value);
    }

    /**
     * Checkout (classic `woocommerce_checkout_create_order`, block `woocommerce_store_api_checkout_update_order_meta`):
     * keeps the session and touches on the order.
     *
     * @param WC_Order $order The order being placed.
     */
    public static function capture($order): void
    {
        $found = self::from_cookie();
        if (! $found || ! is_object($order)) {
            return;
        }
        if ('' !== $found['session']) {
            $order->update_meta_data(self::META_SESSION, $found['session']);
        }
        if ($found['touches']) {
            $order->update_meta_data(self::META_TOUCHES, wp_json_encode($found['touches']));
        }
        if ($order->get_id()) {
            $order->save_meta_data();
        }
    }

    /**
     * The order's session, touches and currency on each of its purchase events (`skylt_purchase_events`).
     *
     * @param array<int, array<string, mixed>> $events The events.
     * @param WC_Order                         $order  The order.
     * @return array<int, array<string, mixed>>
     */
    public static function purchase_events($events, $order): array
    {
        $session = (string) $order->get_meta(self::META_SESSION);
        $touches = json_decode((string) $order->get_meta(self::META_TOUCHES), true);
        $currency = (string) $order->get_currency();
        foreach ($events as $i => $event) {
            if ('' !== $session) {
                $event['session'] = $session;
            }
            if (is_array($touches) && $touches) {
                $event['touches'] = array_values($touches);
            }
            if (preg_match('/^[A-Z]{3}$/', $currency)) {
                $event['currency'] = $currency;
            }
            $events[$i] = $event;
        }
        return (array) $events;
    }

    /**
     * An add to cart by a consenting shopper: its Skylt item id, quantity and unit price for the browser to send.
     *
     * @param string $key          Cart item key.
     * @param int    $product_id   Product ID.
     * @param int    $quantity     Quantity added.
     * @param int    $variation_id Variation ID, or 0.
     */
    public static function added($key, $product_id, $quantity, $variation_id): void
    {
        if (null === self::from_cookie() || headers_sent() || (defined('REST_REQUEST') && REST_REQUEST)) {
            return; // Store API adds: the script reads them from the API's answer
        }
        $product = wc_get_product((int) ($variation_id ? $variation_id : $product_id));
        $item = $product ? Skylt_Ids::item($product) : '';
        if ('' === $item) {
            return;
        }
        $added = isset($_COOKIE[self::ADDED]) && is_string($_COOKIE[self::ADDED])
            ? json_decode(wp_unslash($_COOKIE[self::ADDED]), true) : [];
        $added = is_array($added) ? array_slice($added, -19) : [];
        $added[] = [$item, (float) $quantity, round((float) $product->get_price(), 4)];
        $value = (string) wp_json_encode($added);
        $_COOKIE[self::ADDED] = $value; // a second add in the same request (a batch) keeps the first
        setcookie(self::ADDED, $value, [
            'expires' => time() + 3600, 'path' => '/', 'secure' => is_ssl(), 'httponly' => false, 'samesite' => 'Lax',
        ]);
    }
}
