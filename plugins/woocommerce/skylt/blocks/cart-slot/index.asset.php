<?php

/**
 * Script dependencies of the cart-slot block's editor script (read by register_block_type).
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

return [
    'dependencies' => ['wp-blocks', 'wp-element', 'wp-block-editor', 'wp-components', 'wp-i18n'],
    'version' => '0.1.0',
];
