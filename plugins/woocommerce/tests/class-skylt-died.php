<?php

/**
 * The exception wp_die() throws in tests.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Thrown instead of ending the request when the plugin calls wp_die(); the code is the HTTP status.
 */
class Skylt_Died extends RuntimeException
{
}
