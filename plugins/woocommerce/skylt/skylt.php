<?php

/**
 * Plugin Name:          Skylt Recommendations
 * Plugin URI:           https://github.com/skylt/skylt
 * Description:          Personalized product recommendations from a Skylt server: slots on product, cart, checkout and
 *                       home pages, a shortcode and a block; orders and stock changes forwarded to Skylt.
 * Version:              0.1.0
 * Requires at least:    6.1
 * Requires PHP:         7.4
 * WC requires at least: 8.5
 * WC tested up to:      10.0
 * Requires Plugins:     woocommerce
 * Author:               Skylt
 * License:              Apache-2.0
 * License URI:          https://www.apache.org/licenses/LICENSE-2.0
 * Text Domain:          skylt
 * Domain Path:          /languages
 */

defined('ABSPATH') || exit;

define('SKYLT_VERSION', '0.1.0');
define('SKYLT_FILE', __FILE__);
define('SKYLT_DIR', plugin_dir_path(__FILE__));
define('SKYLT_MIN_WC', '8.5');

require_once SKYLT_DIR . 'includes/class-skylt-settings.php';
require_once SKYLT_DIR . 'includes/class-skylt-ids.php';
require_once SKYLT_DIR . 'includes/class-skylt-identity.php';
require_once SKYLT_DIR . 'includes/class-skylt-consent.php';
require_once SKYLT_DIR . 'includes/class-skylt-assets.php';
require_once SKYLT_DIR . 'includes/class-skylt-slots.php';
require_once SKYLT_DIR . 'includes/class-skylt-blocks.php';
require_once SKYLT_DIR . 'includes/class-skylt-prices.php';
require_once SKYLT_DIR . 'includes/class-skylt-client.php';
require_once SKYLT_DIR . 'includes/class-skylt-queue.php';
require_once SKYLT_DIR . 'includes/class-skylt-marketing.php';
require_once SKYLT_DIR . 'includes/class-skylt-forwarder.php';
require_once SKYLT_DIR . 'includes/class-skylt-attribution.php';
require_once SKYLT_DIR . 'includes/class-skylt-privacy.php';
require_once SKYLT_DIR . 'includes/class-skylt-settings-form.php';
require_once SKYLT_DIR . 'includes/class-skylt-admin.php';
require_once SKYLT_DIR . 'includes/class-skylt-plugin.php';

Skylt_Plugin::register();
