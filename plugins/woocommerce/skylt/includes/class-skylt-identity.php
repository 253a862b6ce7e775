<?php

/**
 * Signed shopper identity: the token that lets Skylt use a logged-in customer's id.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Skylt uses a `user` only with a `user_token` the shop signed (docs/api.md#signed-identity): `v1.<expiry>.<mac>`,
 * the mac an HMAC-SHA256 of `v1.<expiry>.<user>` under the shop's identity secret (one of the server's
 * `identity_secrets`), base64url without padding. The secret stays on this server; only tokens reach browsers.
 */
class Skylt_Identity
{
    public const VERSION = 'v1';

    /** How long a token printed into a page stays valid: a day, so a cached page or an open tab keeps working. */
    public const TTL = DAY_IN_SECONDS;

    /**
     * The token for a user id.
     *
     * @param string $secret The identity secret.
     * @param string $user   The Skylt user id exactly as sent in `user`.
     * @param int    $expiry Unix seconds after which the token is refused; 0 for never.
     */
    public static function token(string $secret, string $user, int $expiry): string
    {
        $expiry = max(0, $expiry);
        $mac = hash_hmac('sha256', self::VERSION . '.' . $expiry . '.' . $user, $secret, true);
        return self::VERSION . '.' . $expiry . '.' . rtrim(strtr(base64_encode($mac), '+/', '-_'), '=');
    }

    /**
     * The logged-in customer's Skylt id and its token, as the snippet's `user` and `userToken`; empty for a visitor
     * or while no identity secret is set (a `user` without a token would be ignored, so none is sent).
     *
     * @return array<string, string>
     */
    public static function current(): array
    {
        $secret = (string) Skylt_Settings::get('identity_secret');
        $user = Skylt_Ids::current_customer();
        if ('' === $secret || '' === $user) {
            return [];
        }
        return ['user' => $user, 'userToken' => self::token($secret, $user, time() + self::TTL)];
    }
}
