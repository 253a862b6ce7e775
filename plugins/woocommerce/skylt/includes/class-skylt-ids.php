<?php

/**
 * How WooCommerce products and customers are named to Skylt.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * A product's Skylt item id is its SKU when it has one, else its post ID; a variation counts as its parent product,
 * so recommendations and events stay at the product level. Filter `skylt_item_id` changes the mapping.
 */
class Skylt_Ids
{
    /**
     * The item id of a product (or a product ID).
     *
     * @param WC_Product|int $product A product or its ID.
     */
    public static function item($product): string
    {
        if (! is_object($product)) {
            $product = function_exists('wc_get_product') ? wc_get_product((int) $product) : null;
        }
        if (! $product) {
            return '';
        }
        if ($product->is_type('variation') && $product->get_parent_id()) {
            $parent = wc_get_product($product->get_parent_id());
            $product = $parent ? $parent : $product;
        }
        $sku = trim((string) $product->get_sku());
        $id = '' !== $sku ? $sku : (string) $product->get_id();
        return (string) apply_filters('skylt_item_id', $id, $product);
    }

    /**
     * The ids of what is in the current cart, sorted so equal carts give equal requests; null without a cart
     * (WooCommerce missing, or a request that loads none).
     *
     * @return string[]|null
     */
    public static function cart(): ?array
    {
        if (! function_exists('WC') || ! WC()->cart) {
            return null;
        }
        $ids = [];
        foreach (WC()->cart->get_cart() as $line) {
            if (isset($line['data']) && is_object($line['data'])) {
                $ids[] = self::item($line['data']);
            }
        }
        $ids = array_values(array_unique(array_filter($ids, 'strlen')));
        sort($ids, SORT_STRING);
        return array_slice($ids, 0, 50);
    }

    /** The option holding the plugin's own id key (not autoloaded: only pages that name a customer read it). */
    public const KEY_OPTION = 'skylt_id_key';

    /**
     * An opaque customer id: a keyed hash, so the API never sees a WordPress user ID or an e-mail address, while the
     * same customer gets the same id in the browser and in forwarded orders. Keyed with the plugin's own random key,
     * so rotating WordPress's salts (which logs everyone out) does not change every customer's id, and the key is
     * not shared with WordPress's cookies.
     *
     * @param string $kind  'user' for a WordPress user ID, 'email' for a guest's billing address.
     * @param string $value The ID or address.
     */
    public static function customer(string $kind, string $value): string
    {
        return self::hashed($kind, $value, self::key());
    }

    /**
     * Every id the plugin ever derived for a value: today's, and the one its earlier versions keyed with
     * `wp_salt('auth')`. Erasure deletes them all.
     *
     * @param string $kind  'user' or 'email'.
     * @param string $value The ID or address.
     * @return string[]
     */
    public static function all_customer_ids(string $kind, string $value): array
    {
        $ids = [self::customer($kind, $value), self::hashed($kind, $value, wp_salt('auth'))];
        return array_values(array_unique(array_filter($ids, 'strlen')));
    }

    /**
     * The id of the logged-in shopper, or '' for a visitor.
     */
    public static function current_customer(): string
    {
        $user = get_current_user_id();
        return $user ? self::customer('user', (string) $user) : '';
    }

    /**
     * The plugin's id key: 32 random bytes, made once and stored hex-encoded in its own option (autoload off).
     */
    public static function key(): string
    {
        $key = (string) get_option(self::KEY_OPTION, '');
        if (64 === strlen($key)) {
            return $key;
        }
        // Two first requests at once: add_option() lets only one of them store its key; both then read it.
        add_option(self::KEY_OPTION, bin2hex(random_bytes(32)), '', 'no');
        $key = (string) get_option(self::KEY_OPTION, '');
        if (64 !== strlen($key)) { // Damaged by hand: a new key (the old ids are lost either way).
            $key = bin2hex(random_bytes(32));
            update_option(self::KEY_OPTION, $key, 'no');
        }
        return $key;
    }

    /**
     * The keyed hash behind customer ids, cut to 32 hex digits.
     *
     * @param string $kind  'user' or 'email'.
     * @param string $value The ID or address.
     * @param string $key   The HMAC key.
     */
    private static function hashed(string $kind, string $value, string $key): string
    {
        $value = 'email' === $kind ? strtolower(trim($value)) : $value;
        if ('' === $value || '0' === $value || '' === $key) {
            return '';
        }
        return substr(hash_hmac('sha256', $kind . ':' . $value, $key), 0, 32);
    }
}
