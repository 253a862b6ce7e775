<?php

/**
 * Every hook the plugin uses, registered in one place.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Wires the plugin. The shortcode, the block and the home slot work on any WordPress; product, cart and checkout
 * slots and forwarding need WooCommerce SKYLT_MIN_WC or newer, and without it the admin sees a notice.
 */
class Skylt_Plugin
{
    /** Registers the hooks that do not depend on WooCommerce and defers the rest until plugins are loaded. */
    public static function register(): void
    {
        register_activation_hook(SKYLT_FILE, [self::class, 'activate']);
        add_action('init', [self::class, 'init']);
        add_action('plugins_loaded', [self::class, 'woocommerce_hooks'], 20);
        add_action('before_woocommerce_init', [self::class, 'declare_compatibility']);
        add_action(Skylt_Queue::HOOK, [Skylt_Queue::class, 'run'], 10, 3);

        add_action('admin_menu', [Skylt_Admin::class, 'menu'], 60);
        add_action('admin_init', [Skylt_Settings_Form::class, 'register']);
        add_action('admin_notices', [Skylt_Admin::class, 'woocommerce_notice']);
        add_action('admin_post_' . Skylt_Admin::TEST_ACTION, [Skylt_Admin::class, 'test_connection']);
        add_filter('option_page_capability_' . Skylt_Settings::GROUP, [Skylt_Admin::class, 'option_capability']);
        add_filter('plugin_action_links_' . plugin_basename(SKYLT_FILE), [self::class, 'action_links']);

        add_filter('the_content', [Skylt_Slots::class, 'home_content'], 20);
        add_shortcode('skylt_slot', [Skylt_Slots::class, 'shortcode']);

        add_filter('wp_privacy_personal_data_exporters', [Skylt_Privacy::class, 'exporters']);
        add_filter('wp_privacy_personal_data_erasers', [Skylt_Privacy::class, 'erasers']);
        add_filter('wp_consent_api_registered_' . plugin_basename(SKYLT_FILE), [Skylt_Consent::class, 'registered']);
    }

    /** Stores the defaults and the id key on first activation; a reactivation keeps the shop's settings and key. */
    public static function activate(): void
    {
        add_option(Skylt_Settings::OPTION, Skylt_Settings::defaults());
        Skylt_Ids::key();
    }

    /** Text domain and block (`init`). */
    public static function init(): void
    {
        load_plugin_textdomain('skylt', false, dirname(plugin_basename(SKYLT_FILE)) . '/languages');
        register_block_type(SKYLT_DIR . 'blocks/slot', ['render_callback' => [Skylt_Slots::class, 'block']]);
        Skylt_Blocks::register();
    }

    /** Whether WooCommerce is active and recent enough. */
    public static function woocommerce_ok(): bool
    {
        return defined('WC_VERSION') && version_compare(WC_VERSION, SKYLT_MIN_WC, '>=');
    }

    /** Product, cart and checkout slots, list replacement and forwarding (`plugins_loaded`). */
    public static function woocommerce_hooks(): void
    {
        if (! self::woocommerce_ok()) {
            return;
        }
        $priority = (int) Skylt_Settings::get('product_priority');
        add_action('woocommerce_after_single_product_summary', [Skylt_Slots::class, 'product_page'], $priority);
        add_action('woocommerce_cart_collaterals', [Skylt_Slots::class, 'cart_page'], 20);
        add_action('woocommerce_after_checkout_form', [Skylt_Slots::class, 'checkout_page']);
        add_filter('render_block', [Skylt_Slots::class, 'around_blocks'], 10, 2);
        add_filter('skylt_catalog_item', [Skylt_Prices::class, 'catalog_item'], 5, 2);
        Skylt_Blocks::hooks();

        add_action('woocommerce_order_status_processing', [Skylt_Forwarder::class, 'order_paid']);
        add_action('woocommerce_order_status_completed', [Skylt_Forwarder::class, 'order_paid']);
        add_action('woocommerce_new_product', [Skylt_Forwarder::class, 'product_changed']);
        add_action('woocommerce_update_product', [Skylt_Forwarder::class, 'product_changed']);
        add_action('woocommerce_product_set_stock', [Skylt_Forwarder::class, 'product_changed']);
        add_action('woocommerce_variation_set_stock', [Skylt_Forwarder::class, 'product_changed']);
        add_action('trashed_post', [Skylt_Forwarder::class, 'post_trashed']);
        add_action('untrashed_post', [Skylt_Forwarder::class, 'post_trashed']);
        Skylt_Attribution::register();
    }

    /** Declares support for WooCommerce's order tables (HPOS) and cart and checkout blocks. */
    public static function declare_compatibility(): void
    {
        $features = '\Automattic\WooCommerce\Utilities\FeaturesUtil';
        if (class_exists($features)) {
            $features::declare_compatibility('custom_order_tables', SKYLT_FILE, true);
            $features::declare_compatibility('cart_checkout_blocks', SKYLT_FILE, true);
        }
    }

    /**
     * A "Settings" link on the Plugins screen.
     *
     * @param string[] $links Existing links.
     * @return string[]
     */
    public static function action_links($links): array
    {
        $link = '<a href="' . esc_url(Skylt_Admin::url()) . '">' . esc_html__('Settings', 'skylt') . '</a>';
        array_unshift($links, $link);
        return (array) $links;
    }
}
