<?php

/**
 * Durable delivery to the API: Action Scheduler when WooCommerce bundles it, WP-Cron otherwise.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * A job is (kind, object ID, attempt). Its body is built when it runs, so a product sends its latest state. A failed
 * attempt reschedules the job with exponential backoff (filter `skylt_retry_delay`) until `MAX_ATTEMPTS`.
 */
class Skylt_Queue
{
    public const HOOK = 'skylt_send';
    public const GROUP = 'skylt';
    public const MAX_ATTEMPTS = 20;

    /**
     * Queue a job unless the same job is already waiting.
     *
     * @param string $kind 'purchase' (an order ID) or 'catalog' (a product ID).
     * @param int    $id   The object ID.
     */
    public static function push(string $kind, int $id): void
    {
        $args = [$kind, $id, 0];
        if (function_exists('as_enqueue_async_action')) {
            if (! as_has_scheduled_action(self::HOOK, $args, self::GROUP)) {
                as_enqueue_async_action(self::HOOK, $args, self::GROUP);
            }
            return;
        }
        if (! wp_next_scheduled(self::HOOK, $args)) {
            wp_schedule_single_event(time(), self::HOOK, $args);
        }
    }

    /**
     * Runs a job (the `skylt_send` action); reschedules it when the API could not take it.
     *
     * @param string $kind    Job kind.
     * @param int    $id      Object ID.
     * @param int    $attempt Attempts made before this one.
     */
    public static function run($kind, $id, $attempt = 0): void
    {
        $attempt = (int) $attempt;
        $result = Skylt_Forwarder::send((string) $kind, (int) $id);
        if (false !== $result) {
            return;
        }
        if ($attempt + 1 >= self::MAX_ATTEMPTS) {
            Skylt_Client::log('error', sprintf('giving up on %s %d after %d attempts', $kind, $id, $attempt + 1));
            return;
        }
        $delay = (int) apply_filters('skylt_retry_delay', min(6 * HOUR_IN_SECONDS, 30 * (2 ** $attempt)), $attempt);
        $args = [(string) $kind, (int) $id, $attempt + 1];
        if (function_exists('as_schedule_single_action')) {
            as_schedule_single_action(time() + max(1, $delay), self::HOOK, $args, self::GROUP);
        } else {
            wp_schedule_single_event(time() + max(1, $delay), self::HOOK, $args);
        }
    }

    /**
     * Removes every queued job (uninstall).
     */
    public static function clear(): void
    {
        if (function_exists('as_unschedule_all_actions')) {
            as_unschedule_all_actions('', [], self::GROUP);
        }
        wp_unschedule_hook(self::HOOK);
    }
}
