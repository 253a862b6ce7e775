<?php

/**
 * The customer's marketing consent, from the shop's own records, sent with forwarded orders.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Skylt's `skylt notify` sends e-mail and SMS recommendations only to customers the shop says consented
 * (docs/email.md). The answer travels only server-side, on the purchase events sent with the secret server key: a
 * browser never sets it. Where it comes from:
 *
 * 1. the order meta key named in the settings ("Marketing consent field"), else the same key in the customer's
 *    user meta: the field a newsletter checkbox at checkout stores (yes/no, 1/0, true/false, subscribed/...);
 * 2. the filter `skylt_marketing_consent` (null, WC_Order, customer ID), which has the last word: true, false, or
 *    null for "not known" (nothing is sent and nothing changes in Skylt).
 */
class Skylt_Marketing
{
    /** Stored values meaning yes. */
    public const YES = ['1', 'yes', 'true', 'on', 'subscribed', 'opt-in', 'opted_in', 'granted'];

    /** Stored values meaning no: a withdrawal, which deletes what Skylt kept for the customer. */
    public const NO = ['0', 'no', 'false', 'off', 'unsubscribed', 'not_subscribed', 'opt-out', 'opted_out', 'denied'];

    /** Longest meta key the setting takes (WordPress's meta_key column is 255 characters). */
    public const MAX_KEY = 255;

    /**
     * The order's customer's consent: true, false, or null when not known.
     *
     * @param WC_Order $order The order.
     * @return bool|null
     */
    public static function of($order)
    {
        $customer_id = (int) $order->get_customer_id();
        $consent = self::from_meta($order, $customer_id);
        $consent = apply_filters('skylt_marketing_consent', $consent, $order, $customer_id);
        return is_bool($consent) ? $consent : self::flag($consent);
    }

    /**
     * What the meta key of the settings says, on the order first, then on the customer.
     *
     * @param WC_Order $order       The order.
     * @param int      $customer_id The WordPress user ID, 0 for a guest.
     * @return bool|null
     */
    private static function from_meta($order, int $customer_id)
    {
        $key = (string) Skylt_Settings::get('marketing_meta');
        if ('' === $key) {
            return null;
        }
        $consent = self::flag($order->get_meta($key, true));
        if (null === $consent && $customer_id > 0) {
            $consent = self::flag(get_user_meta($customer_id, $key, true));
        }
        return $consent;
    }

    /**
     * A stored value as consent; anything not clearly yes or no is not known.
     *
     * @param mixed $value The value.
     * @return bool|null
     */
    public static function flag($value)
    {
        if (is_bool($value)) {
            return $value;
        }
        if (! is_scalar($value)) {
            return null;
        }
        $value = strtolower(trim((string) $value));
        if (in_array($value, self::YES, true)) {
            return true;
        }
        return in_array($value, self::NO, true) ? false : null;
    }

    /**
     * The setting as saved: a meta key, or '' when it is empty or not one.
     *
     * @param mixed $value The submitted value.
     */
    public static function sanitize_key($value): string
    {
        $key = trim(sanitize_text_field((string) $value));
        if ('' === $key || strlen($key) > self::MAX_KEY || ! preg_match('#^[A-Za-z0-9_\-/:.]+$#', $key)) {
            return '';
        }
        return $key;
    }
}
