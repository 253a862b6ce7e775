<?php

/**
 * Orders and catalog changes, forwarded to the API.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * WooCommerce hooks queue jobs (Skylt_Queue); jobs build their bodies here when they run.
 */
class Skylt_Forwarder
{
    public const SENT_META = '_skylt_purchase_queued';

    /**
     * An order reached processing or completed: queue its purchase events once.
     *
     * @param int|string $order_id The order ID.
     */
    public static function order_paid($order_id): void
    {
        if (! Skylt_Settings::get('forward_orders') || ! self::configured('server_key')) {
            return;
        }
        $order = wc_get_order((int) $order_id);
        if (! $order || $order->get_meta(self::SENT_META)) {
            return;
        }
        $order->update_meta_data(self::SENT_META, (string) time());
        $order->save_meta_data();
        Skylt_Queue::push('purchase', (int) $order->get_id());
    }

    /**
     * A product was saved or trashed, or its stock changed: queue a catalog upsert.
     *
     * @param int|WC_Product $product The product, a variation (its parent is sent) or an ID.
     */
    public static function product_changed($product): void
    {
        if (! Skylt_Settings::get('forward_catalog') || ! self::configured('admin_key')) {
            return;
        }
        $product = is_object($product) ? $product : wc_get_product((int) $product);
        if (! $product) {
            return;
        }
        $id = $product->is_type('variation') ? $product->get_parent_id() : $product->get_id();
        Skylt_Queue::push('catalog', (int) $id);
    }

    /**
     * Whether the API URL and the given key are set: without them a job could never succeed.
     *
     * @param string $key 'server_key' or 'admin_key'.
     */
    private static function configured(string $key): bool
    {
        return '' !== Skylt_Settings::api() && '' !== (string) Skylt_Settings::get($key);
    }

    /**
     * A post moved to or from the trash: only products matter.
     *
     * @param int $post_id The post ID.
     */
    public static function post_trashed($post_id): void
    {
        if ('product' === get_post_type((int) $post_id)) {
            self::product_changed((int) $post_id);
        }
    }

    /**
     * Sends one job's body. Answers as Skylt_Client does: true done, false retry, null refused for good.
     *
     * @param string $kind 'purchase' or 'catalog'.
     * @param int    $id   Order or product ID.
     * @return bool|null
     */
    public static function send(string $kind, int $id)
    {
        if (! function_exists('wc_get_order')) {
            return false; // WooCommerce is off for now; the job waits for it.
        }
        if ('purchase' === $kind) {
            $order = wc_get_order($id);
            $events = $order ? self::purchase_events($order) : [];
            return $events ? Skylt_Client::send_events($events) : null;
        }
        if ('catalog' === $kind) {
            $product = wc_get_product($id);
            return $product ? Skylt_Client::put_items([self::catalog_item($product)]) : null;
        }
        return null;
    }

    /**
     * One purchase event per order line (docs/api.md, POST /v1/events): the unit price paid without tax, the tax on
     * it and the order's currency, and the customer's marketing consent where known (Skylt_Marketing). Filter:
     * `skylt_purchase_events`.
     *
     * @param WC_Order $order The order.
     * @return array<int, array<string, mixed>>
     */
    public static function purchase_events($order): array
    {
        $customer = $order->get_customer_id()
            ? Skylt_Ids::customer('user', (string) $order->get_customer_id())
            : Skylt_Ids::customer('email', (string) $order->get_billing_email());
        $paid = $order->get_date_paid() ? $order->get_date_paid() : $order->get_date_created();
        $marketing = '' !== $customer ? Skylt_Marketing::of($order) : null;
        $events = [];
        foreach ($order->get_items() as $line) {
            $product = is_callable([$line, 'get_product']) ? $line->get_product() : null;
            $quantity = (float) $line->get_quantity();
            if (! $product || $quantity <= 0) {
                continue;
            }
            $event = [
                'type' => 'purchase',
                'item' => Skylt_Ids::item($product),
                'order' => (string) $order->get_order_number(),
                'quantity' => $quantity,
            ] + Skylt_Prices::paid($line, $order);
            if ($paid) {
                $event['ts'] = $paid->getTimestamp();
            }
            if ('' !== $customer) {
                $event['user'] = $customer;
            }
            if (null !== $marketing) { // The shop's own record, sent with the server key only (docs/email.md).
                $event['marketing'] = $marketing;
            }
            if ('' !== (string) $order->get_billing_country()) {
                $event['region'] = (string) $order->get_billing_country();
            }
            $events[] = $event;
        }
        return (array) apply_filters('skylt_purchase_events', $events, $order);
    }

    /**
     * A product as a catalog overlay item (docs/api.md, PUT /v1/catalog/items). Filter: `skylt_catalog_item`.
     *
     * @param WC_Product $product The product.
     * @return array<string, mixed>
     */
    public static function catalog_item($product): array
    {
        $item = [
            'id' => Skylt_Ids::item($product),
            'in_stock' => 'publish' === $product->get_status() && $product->is_in_stock(),
            'title' => wp_strip_all_tags(html_entity_decode($product->get_name(), ENT_QUOTES, 'UTF-8')),
            'url' => (string) get_permalink($product->get_id()),
        ];
        if ('' !== (string) $product->get_price()) {
            $item['price'] = round((float) $product->get_price(), 4);
        }
        $image_id = $product->get_image_id();
        $image = $image_id ? wp_get_attachment_image_url($image_id, 'woocommerce_thumbnail') : '';
        if ($image) {
            $item['image'] = $image;
        }
        if ($product->get_review_count() > 0) {
            $item['rating'] = round((float) $product->get_average_rating(), 2);
        }
        return (array) apply_filters('skylt_catalog_item', $item, $product);
    }
}
