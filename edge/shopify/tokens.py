"""Installed shops' Admin API tokens, encrypted at rest: one file per shop, 0600 in a 0700 directory.

A file holds the expiring offline access token, its refresh token and their expiry times, encrypted with
Fernet (AES-128-CBC and HMAC-SHA256 from the ``cryptography`` package, authenticated: a file changed on disk
fails to decrypt instead of yielding a forged token) under a key derived from the setting ``secret_key``
with HKDF-SHA256. Files are written to a temporary file and renamed, so a reader never sees half a token.
Deleting needs no key (``app/uninstalled``). Tokens are never logged; ``repr`` hides them.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from edge.errors import SkyltError
from edge.private import FILE_MODE, private_dir

SHOP_DOMAIN = re.compile(r"[a-z0-9][a-z0-9-]*\.myshopify\.com")
MIN_KEY_CHARS = 32
FOLDER = "tokens"


class TokenError(SkyltError):
    """No usable token is stored for a shop, or the key cannot decrypt it."""


class Tokens(msgspec.Struct, kw_only=True):
    """What Shopify's token endpoint answered, with the lifetimes turned into Unix times."""

    access_token: str
    expires_at: float
    refresh_token: str
    refresh_expires_at: float
    scope: str = ""

    def __repr__(self) -> str:  # never print a token, whatever logs a Tokens
        return f"Tokens(expires_at={self.expires_at}, refresh_expires_at={self.refresh_expires_at})"

    def expiring(self, now: float | None = None, margin: float = 300.0) -> bool:
        return (time.time() if now is None else now) + margin >= self.expires_at


def fernet_for(secret_key: str, purpose: bytes = b"skylt shopify tokens v1") -> Fernet:
    """The cipher for one ``purpose``: each purpose gets its own key derived from ``secret_key`` (edge/notify
    seals customer ids with another), so one kind of sealed value never opens as another."""
    if len(secret_key) < MIN_KEY_CHARS:
        raise TokenError(f"the setting secret_key must have at least {MIN_KEY_CHARS} characters")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(secret_key: str, tokens: Tokens) -> bytes:
    """The tokens as stored: encrypted and authenticated with ``secret_key``, wherever they are kept."""
    return fernet_for(secret_key).encrypt(msgspec.json.encode(tokens))


def unseal(secret_key: str, sealed: bytes | None, shop: str, where: str) -> Tokens:
    """``seal`` undone; ``sealed`` None: nothing stored for ``shop``. ``where`` names the copy in errors."""
    if sealed is None:
        raise TokenError(f"no Admin API token is stored for {shop}: install the app on the shop "
                         "(GET /v1/shopify/install) or pass --token")
    try:
        return msgspec.json.decode(fernet_for(secret_key).decrypt(sealed), type=Tokens)
    except (InvalidToken, msgspec.ValidationError) as exc:
        raise TokenError(f"{where}: cannot decrypt the stored token: secret_key differs from the one "
                         "that stored it, or it was changed") from exc


@dataclass
class TokenStore:
    directory: Path
    secret_key: str = field(default="", repr=False)

    @classmethod
    def under(cls, state_dir: str | Path, secret_key: str = "") -> TokenStore:
        return cls(Path(state_dir) / FOLDER, secret_key)

    def path(self, shop: str) -> Path:
        if not SHOP_DOMAIN.fullmatch(shop):  # the name becomes a file name: only checked domains
            raise TokenError(f"{shop!r} is not a myshopify.com domain")
        return self.directory / f"{shop}.token"

    def save(self, shop: str, tokens: Tokens) -> None:
        sealed = seal(self.secret_key, tokens)
        path = self.path(shop)
        private_dir(self.directory)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)  # a leftover temporary file of another mode is narrowed too
            os.write(fd, sealed)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)

    def load(self, shop: str) -> Tokens:
        path = self.path(shop)
        try:
            sealed: bytes | None = path.read_bytes()
        except FileNotFoundError:
            sealed = None
        return unseal(self.secret_key, sealed, shop, str(path))

    def delete(self, shop: str) -> bool:
        try:
            self.path(shop).unlink()
        except (FileNotFoundError, TokenError):
            return False
        return True

    @contextlib.contextmanager
    def locked(self, shop: str) -> Iterator[None]:
        """Held by one process's refresh of ``shop``'s token at a time (``flock`` on the shop's lock file)."""
        path = self.path(shop)
        private_dir(self.directory)
        fd = os.open(path.with_name(f".{shop}.lock"), os.O_WRONLY | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock
