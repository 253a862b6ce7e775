"""An installed shop's Admin API access: its stored token, refreshed when it is about to expire, and what the
install needs from the settings.

A refresh returns a new token pair and ends the old one, so two processes must not refresh at once: the
refresh holds the store's lock for the shop (a ``flock`` on a lock file, or with ``state_url`` a Redis lock every
replica sees) and reads the token again once it holds it (the other process may have refreshed meanwhile).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from edge.config import Settings
from edge.shopify import oauth
from edge.shopify.tokens import MIN_KEY_CHARS

if TYPE_CHECKING:
    from edge.shared.factory import TokenVault


@dataclass(frozen=True)
class AppAccess:
    client_id: str
    client_secret: str = field(repr=False)
    admin_url: str            # the setting shopify_admin_url
    store: TokenVault

    @classmethod
    def from_settings(cls, settings: Settings) -> AppAccess:
        secret = settings.shopify_client_secret or next(iter(settings.shopify_webhook_secrets), "")
        from edge.shared.factory import open_token_store

        return cls(settings.shopify_client_id, secret, settings.shopify_admin_url,
                   open_token_store(settings, settings.secret_key))

    def missing(self) -> list[str]:
        """The settings an install needs that are not set (besides public_url)."""
        gaps = [name for name, value in (("shopify_client_id", self.client_id),
                                         ("shopify_client_secret", self.client_secret)) if not value]
        if len(self.store.secret_key) < MIN_KEY_CHARS:
            gaps.append(f"secret_key (at least {MIN_KEY_CHARS} characters)")
        return gaps

    def base(self, shop: str) -> str:
        return oauth.base_url(self.admin_url, shop)

    def token(self, shop: str, now: float | None = None) -> str:
        """A current access token of ``shop``, refreshed (and stored again) when it expires within 5 minutes."""
        tokens = self.store.load(shop)
        if not tokens.expiring(now):
            return tokens.access_token
        with self.store.locked(shop):
            tokens = self.store.load(shop)
            if tokens.expiring(now if now is not None else time.time()):
                tokens = oauth.refresh(self.base(shop), self.client_id, self.client_secret, tokens)
                self.store.save(shop, tokens)
            return tokens.access_token
