<?php

/**
 * Prices as the shop shows and charges them: catalog prices under the shop's tax display, cards in the shop's
 * currency format, order lines with and without tax.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * A shop that enters net prices but displays them with tax must not show lower prices on Skylt's cards, so the
 * catalog price sent to Skylt is the one a shopper at the shop's base location sees, rounded to the shop's decimals;
 * skylt-woo.js then writes it in the shop's own currency format.
 */
class Skylt_Prices
{
    public const SCRIPT = 'skylt-woo';

    /**
     * The price a shopper at the shop's base location sees, or null for a product without one.
     *
     * @param WC_Product $product The product.
     */
    public static function display($product): ?float
    {
        if ('' === (string) $product->get_price()) {
            return null;
        }
        $price = (float) $product->get_price();
        $entered_with_tax = wc_prices_include_tax();
        $shown_with_tax = 'incl' === get_option('woocommerce_tax_display_shop');
        if (wc_tax_enabled() && $product->is_taxable() && $entered_with_tax !== $shown_with_tax) {
            $rates = WC_Tax::get_base_tax_rates($product->get_tax_class('unfiltered'));
            $taxes = WC_Tax::calc_tax($price, $rates, $entered_with_tax);
            if (! $entered_with_tax && 'yes' !== get_option('woocommerce_tax_round_at_subtotal')) {
                $taxes = array_map('wc_round_tax_total', $taxes); // As wc_get_price_including_tax() does.
            }
            $price += ($entered_with_tax ? -1 : 1) * array_sum($taxes);
        }
        return round(max(0.0, $price), wc_get_price_decimals());
    }

    /**
     * The catalog item's price as displayed (`skylt_catalog_item`).
     *
     * @param array<string, mixed> $item    The catalog item.
     * @param WC_Product           $product The product.
     * @return array<string, mixed>
     */
    public static function catalog_item($item, $product): array
    {
        $item = (array) $item;
        $price = is_object($product) ? self::display($product) : null;
        if (null !== $price) {
            $item['price'] = $price;
        }
        return $item;
    }

    /**
     * What one order line paid per unit: `price` without tax, `tax` on top, and the order's `currency`.
     *
     * @param WC_Order_Item_Product $line  The order line.
     * @param WC_Order              $order The order.
     * @return array<string, mixed>
     */
    public static function paid($line, $order): array
    {
        $quantity = max(1.0, (float) $line->get_quantity());
        $paid = [
            'price' => round(max(0.0, (float) $line->get_total() / $quantity), 4),
            'tax' => round(max(0.0, (float) $line->get_total_tax() / $quantity), 4),
        ];
        $currency = strtoupper((string) $order->get_currency());
        if (preg_match('/^[A-Z]{3}$/', $currency)) {
            $paid['currency'] = $currency;
        }
        return $paid;
    }

    /**
     * The shop's money format for the cards.
     *
     * @return array<string, mixed>
     */
    public static function format(): array
    {
        return [
            'currency' => get_woocommerce_currency(),
            'symbol' => html_entity_decode(get_woocommerce_currency_symbol(), ENT_QUOTES, 'UTF-8'),
            'position' => (string) get_option('woocommerce_currency_pos', 'left'),
            'decimals' => wc_get_price_decimals(),
            'decimal' => wc_get_price_decimal_separator(),
            'thousand' => wc_get_price_thousand_separator(),
        ];
    }

    /**
     * On pages that show a slot: skylt-woo.js (cards in the shop's money format; the cart kept current after Store
     * API and classic cart changes), after the snippet (`wp_footer`, before footer scripts print).
     */
    public static function enqueue(): void
    {
        if (! wp_script_is(Skylt_Assets::HANDLE, 'enqueued') || wp_script_is(self::SCRIPT, 'enqueued')) {
            return;
        }
        $deps = [Skylt_Assets::HANDLE];
        if (wp_script_is('wc-blocks-data-store', 'enqueued')) {
            $deps[] = 'wc-blocks-data-store';
        }
        wp_register_script(
            self::SCRIPT,
            plugins_url('assets/skylt-woo.js', SKYLT_FILE),
            $deps,
            SKYLT_VERSION,
            ['in_footer' => true, 'strategy' => 'defer']
        );
        $config = [
            'price' => self::format(),
            'cart' => (array) Skylt_Ids::cart(),
            'cartUrl' => rest_url('wc/store/v1/cart'),
            'ns' => Skylt_Blocks::STORE_NAMESPACE,
        ];
        wp_add_inline_script(self::SCRIPT, 'window.SkyltWoo = ' . wp_json_encode($config) . ';', 'before');
        wp_enqueue_script(self::SCRIPT);
    }
}
