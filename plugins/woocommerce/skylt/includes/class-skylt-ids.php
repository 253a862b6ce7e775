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

    /**
     * An opaque customer id: a keyed hash, so the API never sees a WordPress user ID or an e-mail address, while the
     * same customer gets the same id in the browser and in forwarded orders.
     *
     * @param string $kind  'user' for a WordPress user ID, 'email' for a guest's billing address.
     * @param string $value The ID or address.
     */
    public static function customer(string $kind, string $value): string
    {
        $value = 'email' === $kind ? strtolower(trim($value)) : $value;
        if ('' === $value || '0' === $value) {
            return '';
        }
        return substr(hash_hmac('sha256', $kind . ':' . $value, wp_salt('auth')), 0, 32);
    }

    /**
     * The id of the logged-in shopper, or '' for a visitor.
     */
    public static function current_customer(): string
    {
        $user = get_current_user_id();
        return $user ? self::customer('user', (string) $user) : '';
    }
}
