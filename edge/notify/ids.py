"""The shop's customer id of a consenting customer, sealed with ``secret_key`` as the Shopify tokens are
(edge/shopify/tokens.py: Fernet under an HKDF-derived key), with a key of its own purpose."""

from __future__ import annotations

from cryptography.fernet import InvalidToken

from edge.config import Settings
from edge.errors import SkyltError
from edge.shopify.tokens import MIN_KEY_CHARS, fernet_for

PURPOSE = b"skylt customer ids v1"


def sealing(settings: Settings) -> bool:
    """Whether signed ``marketing: true`` is kept: a key to seal with and somewhere to send to."""
    return len(settings.secret_key) >= MIN_KEY_CHARS and bool(settings.klaviyo_private_key or
                                                              settings.esp_webhook_url)


def seal_id(secret_key: str, customer: str) -> bytes:
    return fernet_for(secret_key, PURPOSE).encrypt(customer.encode())


def unseal_id(secret_key: str, sealed: bytes) -> str:
    try:
        return fernet_for(secret_key, PURPOSE).decrypt(sealed).decode()
    except InvalidToken as exc:
        raise SkyltError("notify: cannot decrypt a stored customer id: secret_key differs from the one that "
                         "stored it") from exc
