"""The Shopify install's state in the shared state store, so that an install's callback may reach any replica and a
token stored by one is used by all: the same public methods as ``edge.shopify.tokens.TokenStore`` and
``edge.shopify.nonces.InstallStates``.

Keys (under ``skylt:shopify:``): ``token:<shop>`` (the Fernet-sealed token pair, the same ciphertext a token file
holds: Redis never sees a token), ``install-state:<state>`` ("<shop>|<issued at>", expiring after
``STATE_SECONDS``, taken by one Lua script that checks the shop) and ``refresh-lock:<shop>`` (a random owner
token, ``SET NX PX``, released only by its owner).
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Iterator

from edge.errors import StateUnavailableError
from edge.shared.client import PREFIX, SharedState
from edge.shopify.nonces import STATE_SECONDS
from edge.shopify.tokens import SHOP_DOMAIN, TokenError, Tokens, seal, unseal

K = PREFIX + "shopify:"
LOCK_MS = 60_000          # longer than a refresh's HTTP timeout (30 s): a lock outlives a refresh
LOCK_WAIT_SECONDS = 45.0  # a refresh by another replica ends (or its lock expires) well within this
LOCK_POLL_SECONDS = 0.05

# KEYS: the state's key; ARGV: shop, issued no earlier than
_TAKE = """
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local shop, at = string.match(v, '^(.*)|([^|]*)$')
if shop ~= ARGV[1] or tonumber(at) < tonumber(ARGV[2]) then return 0 end
redis.call('DEL', KEYS[1])
return 1
"""
# KEYS: the lock; ARGV: its owner's token
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _checked(shop: str) -> str:
    if not SHOP_DOMAIN.fullmatch(shop):
        raise TokenError(f"{shop!r} is not a myshopify.com domain")
    return shop


class SharedTokenStore:
    def __init__(self, state: SharedState, secret_key: str = "") -> None:
        self.state = state
        self.secret_key = secret_key

    def __repr__(self) -> str:
        return f"SharedTokenStore({self.state.where})"

    def save(self, shop: str, tokens: Tokens) -> None:
        sealed = seal(self.secret_key, tokens)
        with self.state.call("shopify") as r:
            r.set(f"{K}token:{_checked(shop)}", sealed)

    def load(self, shop: str) -> Tokens:
        with self.state.call("shopify") as r:
            sealed = r.get(f"{K}token:{_checked(shop)}")
        return unseal(self.secret_key, sealed, shop, f"the shared store's token of {shop}")

    def delete(self, shop: str) -> bool:
        if not SHOP_DOMAIN.fullmatch(shop):
            return False
        with self.state.call("shopify") as r:
            return bool(r.delete(f"{K}token:{shop}"))

    @contextlib.contextmanager
    def locked(self, shop: str) -> Iterator[None]:
        """Held by one replica's refresh of ``shop``'s token at a time."""
        key, owner = f"{K}refresh-lock:{_checked(shop)}", secrets.token_hex(16)
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            with self.state.call("shopify") as r:
                if r.set(key, owner, nx=True, px=LOCK_MS):
                    break
            if time.monotonic() >= deadline:
                raise StateUnavailableError(f"{shop}: another replica has been refreshing its token for "
                                            f"{LOCK_WAIT_SECONDS:.0f} s; retry later")
            time.sleep(LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            with self.state.call("shopify") as r:  # one that expired and was taken by another stays theirs
                r.eval(_RELEASE, 1, key, owner)


class SharedInstallStates:
    def __init__(self, state: SharedState) -> None:
        self.state = state

    def issue(self, shop: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        state = secrets.token_urlsafe(32)
        with self.state.call("shopify") as r:
            r.set(f"{K}install-state:{state}", f"{shop}|{now!r}", px=int(STATE_SECONDS * 1000))
        return state

    def take(self, state: str, shop: str, now: float | None = None) -> bool:
        """True once for a state issued for ``shop`` less than ``STATE_SECONDS`` ago, on whichever replica."""
        now = time.time() if now is None else now
        with self.state.call("shopify") as r:
            return bool(r.eval(_TAKE, 1, f"{K}install-state:{state}", shop, repr(now - STATE_SECONDS)))
