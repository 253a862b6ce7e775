<?php

/**
 * The queue without Action Scheduler: WP-Cron carries the jobs and their retries.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Runs only where Action Scheduler is absent (WooCommerce inactive).
 */
class Test_Queue extends Skylt_Test_Case
{
    protected function setUp(): void
    {
        parent::setUp();
        if (function_exists('as_enqueue_async_action')) {
            $this->markTestSkipped('Action Scheduler is present; Test_WooCommerce covers the queue');
        }
        wp_unschedule_hook(Skylt_Queue::HOOK);
    }

    public function test_a_job_is_queued_once_in_wp_cron(): void
    {
        Skylt_Queue::push('purchase', 42);
        Skylt_Queue::push('purchase', 42);
        $when = wp_next_scheduled(Skylt_Queue::HOOK, ['purchase', 42, 0]);
        $this->assertIsInt($when);
        $this->assertLessThanOrEqual(time(), $when);
        $jobs = array_filter(_get_cron_array(), static function ($hooks) {
            return isset($hooks[Skylt_Queue::HOOK]);
        });
        $this->assertCount(1, $jobs);
    }

    public function test_a_job_that_cannot_run_is_rescheduled_with_backoff(): void
    {
        $before = time();
        Skylt_Queue::run('purchase', 42, 3);
        $when = wp_next_scheduled(Skylt_Queue::HOOK, ['purchase', 42, 4]);
        $this->assertIsInt($when);
        $this->assertGreaterThanOrEqual($before + 240, $when);
        $this->assertLessThanOrEqual(time() + 240, $when);
    }
}
