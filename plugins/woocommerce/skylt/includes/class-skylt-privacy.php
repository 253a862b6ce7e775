<?php

/**
 * WordPress's privacy tools (Tools > Export / Erase Personal Data): what the plugin and Skylt hold about a customer.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * The exporter lists every Skylt id the plugin derives for an e-mail address (the account's user ID and the address
 * as a guest's billing e-mail, each under today's key and the one used before) and says what Skylt's server keeps
 * under them. The eraser asks the server to erase each id (`DELETE /v1/users/{id}`, secret admin key), one id per
 * page of WordPress's eraser loop so no single request runs long, and reports every failure to WordPress as a message
 * with `items_retained`, so the request is not marked complete by mistake.
 */
class Skylt_Privacy
{
    public const SLUG = 'skylt';

    /**
     * Adds the exporter (`wp_privacy_personal_data_exporters`).
     *
     * @param array<string, array<string, mixed>> $exporters Registered exporters.
     * @return array<string, array<string, mixed>>
     */
    public static function exporters($exporters): array
    {
        $exporters = (array) $exporters;
        $exporters[self::SLUG] = [
            'exporter_friendly_name' => __('Skylt recommendations', 'skylt'),
            'callback' => [self::class, 'export'],
        ];
        return $exporters;
    }

    /**
     * Adds the eraser (`wp_privacy_personal_data_erasers`).
     *
     * @param array<string, array<string, mixed>> $erasers Registered erasers.
     * @return array<string, array<string, mixed>>
     */
    public static function erasers($erasers): array
    {
        $erasers = (array) $erasers;
        $erasers[self::SLUG] = [
            'eraser_friendly_name' => __('Skylt recommendations', 'skylt'),
            'callback' => [self::class, 'erase'],
        ];
        return $erasers;
    }

    /**
     * Every Skylt id of the person with this address, each with what it was derived from.
     *
     * @param string $email The address the privacy request names.
     * @return array<string, string> Id => description.
     */
    public static function ids(string $email): array
    {
        $email = strtolower(trim($email));
        $sources = [];
        $user = '' === $email ? false : get_user_by('email', $email);
        if ($user) {
            /* translators: %d: a WordPress user ID. */
            $sources[] = ['user', (string) $user->ID, sprintf(__('WordPress user ID %d', 'skylt'), $user->ID)];
        }
        if ('' !== $email) {
            $sources[] = ['email', $email, __('the e-mail address of guest orders', 'skylt')];
        }
        $ids = [];
        foreach ($sources as [$kind, $value, $label]) {
            foreach (Skylt_Ids::all_customer_ids($kind, $value) as $id) {
                $ids[$id] = $label;
            }
        }
        return $ids;
    }

    /**
     * The exporter's callback: one item per id, and one saying what Skylt's server holds.
     *
     * @param string $email The address.
     * @param int    $page  Page number (everything fits on the first).
     * @return array<string, mixed>
     */
    public static function export($email, $page = 1): array
    {
        unset($page);
        $ids = self::ids((string) $email);
        $group = __('Skylt recommendations', 'skylt');
        $data = [];
        foreach ($ids as $id => $source) {
            $data[] = [
                'group_id' => self::SLUG,
                'group_label' => $group,
                'item_id' => 'skylt-id-' . $id,
                'data' => [
                    ['name' => __('Skylt user id', 'skylt'), 'value' => $id],
                    ['name' => __('Derived from', 'skylt'), 'value' => $source],
                ],
            ];
        }
        if ($ids) {
            $held = __(
                'Under these ids the Skylt server may keep a profile (the last 50 items viewed or clicked, the cart '
                . 'and the last 50 purchases) and the shopper events it stored (views, cart changes, clicks, '
                . 'impressions and purchases, with their times). Erasing this person\'s data deletes them there.',
                'skylt'
            );
            $data[] = [
                'group_id' => self::SLUG,
                'group_label' => $group,
                'item_id' => 'skylt-server',
                'data' => [
                    ['name' => __('Skylt server', 'skylt'), 'value' => Skylt_Settings::api()],
                    ['name' => __('What it holds', 'skylt'), 'value' => $held],
                ],
            ];
        }
        return ['data' => $data, 'done' => true];
    }

    /**
     * The eraser's callback: erases the page's id on the Skylt server (page 1 the first id, and so on).
     *
     * @param string $email The address.
     * @param int    $page  Page number, from 1.
     * @return array<string, mixed>
     */
    public static function erase($email, $page = 1): array
    {
        $ids = array_keys(self::ids((string) $email));
        $index = max(1, (int) $page) - 1;
        $out = ['items_removed' => false, 'items_retained' => false, 'messages' => [], 'done' => true];
        if (! isset($ids[$index])) {
            return $out;
        }
        $id = (string) $ids[$index];
        $out['done'] = $index + 1 >= count($ids);
        $result = Skylt_Client::delete_user($id);
        if (is_array($result)) {
            $out['items_removed'] = array_sum(array_diff_key($result, ['segments' => 0])) > 0;
            return $out;
        }
        /* translators: 1: a Skylt user id, 2: the reason (an HTTP status or a connection error). */
        $message = sprintf(__('Skylt could not erase the data of id %1$s: %2$s', 'skylt'), $id, $result);
        Skylt_Client::log('error', $message);
        $out['items_retained'] = true;
        $out['messages'][] = $message;
        return $out;
    }
}
