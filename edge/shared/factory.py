"""The one place that chooses where profiles, the catalog overlay and the Shopify webhook and install state (tokens,
install states, the token refresh lock) live: on this machine (LMDB under ``profile_dir`` and ``catalog_overlay``,
files under ``shopify_state``) or, with ``state_url``, in the shared
state store every replica reads. The rest of the code sees only the interfaces below."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from edge.config import Settings
from edge.overlay.schemas import ItemUpdate, Override
from edge.profiles.store import Profile

if TYPE_CHECKING:
    from edge.notify.state import NotifyStore
    from edge.shopify.state import WebhookState
    from edge.shopify.tokens import Tokens


class Profiles(Protocol):
    def key(self, user: str) -> str: ...
    def raw(self, user_hash: str) -> bytes | None: ...
    def get(self, user_hash: str) -> Profile | None: ...
    def count(self) -> int: ...
    def check_room(self) -> None: ...
    def update(self, changes: Iterable[tuple[str, str, str]]) -> int: ...
    def erase(self, user_hash: str) -> int: ...
    async def keep_swept(self, seconds: float = ...) -> None: ...
    def close(self) -> None: ...


class Overrides(Protocol):
    def generation(self) -> int: ...
    def load(self) -> tuple[int, dict[str, Override]]: ...
    def upsert(self, updates: list[ItemUpdate]) -> int: ...
    def delete(self, item_id: str) -> int: ...
    def clear(self) -> int: ...
    def rules(self) -> tuple[int, bytes]: ...
    def put_rules(self, encoded: bytes) -> int: ...
    def close(self) -> None: ...


class TokenVault(Protocol):
    """Installed shops' sealed Admin API tokens, and the lock one token's refresh holds."""

    secret_key: str

    def save(self, shop: str, tokens: Tokens) -> None: ...
    def load(self, shop: str) -> Tokens: ...
    def delete(self, shop: str) -> bool: ...
    def locked(self, shop: str) -> contextlib.AbstractContextManager[None]: ...


class InstallStateStore(Protocol):
    def issue(self, shop: str, now: float | None = None) -> str: ...
    def take(self, state: str, shop: str, now: float | None = None) -> bool: ...


def check_state_settings(settings: Settings) -> None:
    """Stop start-up with one line on a ``state_url`` that cannot name a Redis server (nothing connects yet)."""
    if settings.state_url:
        from edge.shared.client import SharedState

        SharedState(settings.state_url, settings.state_timeout).close()


def open_profiles(settings: Settings, on_error: Callable[[str], None] | None = None) -> Profiles:
    if settings.state_url:
        from edge.shared.client import SharedState
        from edge.shared.profiles import SharedProfileStore

        return SharedProfileStore(SharedState(settings.state_url, settings.state_timeout, on_error),
                                  ttl_days=settings.profile_ttl_days, max_profiles=settings.max_profiles,
                                  seed=_local_salt(settings.profiles_path()))
    from edge.profiles.store import ProfileStore

    return ProfileStore(settings.profiles_path(), ttl_days=settings.profile_ttl_days,
                        max_profiles=settings.max_profiles)


def open_webhook_state(settings: Settings) -> WebhookState:
    """The Shopify webhook state."""
    from edge.shopify.state import WebhookState

    if settings.state_url:
        from edge.shared.client import SharedState
        from edge.shared.shopify import SharedWebhookState

        # The same public methods (tests/shared/test_shopify.py runs the SQLite store's tests on it).
        return cast(WebhookState, SharedWebhookState(SharedState(settings.state_url, settings.state_timeout)))
    return WebhookState(settings.shopify_state)


def open_token_store(settings: Settings, secret_key: str = "") -> TokenVault:
    """The Shopify tokens, sealed with ``secret_key`` (deleting needs none)."""
    if settings.state_url:
        from edge.shared.client import SharedState
        from edge.shared.install import SharedTokenStore

        return SharedTokenStore(SharedState(settings.state_url, settings.state_timeout), secret_key)
    from edge.shopify.tokens import TokenStore

    return TokenStore.under(settings.shopify_state, secret_key)


def open_install_states(settings: Settings) -> InstallStateStore:
    """The install flow's single-use states (a file is made here without ``state_url``)."""
    if settings.state_url:
        from edge.shared.client import SharedState
        from edge.shared.install import SharedInstallStates

        return SharedInstallStates(SharedState(settings.state_url, settings.state_timeout))
    from edge.shopify.nonces import InstallStates

    return InstallStates(settings.shopify_state)


def existing_webhook_state(settings: Settings) -> WebhookState | None:
    """The Shopify webhook state, or None where none was made (and none is made here)."""
    from edge.shopify.state import FILE

    if settings.state_url or (Path(settings.shopify_state) / FILE).is_file():
        return open_webhook_state(settings)
    return None


def open_notify_state(settings: Settings) -> NotifyStore:
    """The trigger state of `skylt notify` (edge/notify/state.py)."""
    if settings.state_url:
        from edge.shared.client import SharedState
        from edge.shared.notify import SharedNotifyState

        return SharedNotifyState(SharedState(settings.state_url, settings.state_timeout))
    from edge.notify.state import NotifyState

    return NotifyState(settings.notify_state)


def existing_notify_state(settings: Settings) -> NotifyStore | None:
    """The trigger state, or None where none was made (and none is made here): erasure and withdrawal."""
    from edge.notify.state import FILE

    if settings.state_url or (Path(settings.notify_state) / FILE).is_file():
        return open_notify_state(settings)
    return None


def overlay_opener(settings: Settings, on_error: Callable[[str], None] | None = None
                   ) -> Callable[[Path, bool], Overrides | None]:
    """How a worker opens the overlay (see ``OverlayWatcher.open``)."""
    if settings.state_url:
        def shared(path: Path, create: bool) -> Overrides | None:
            from edge.shared.client import SharedState
            from edge.shared.overlay import SharedOverlayStore

            return SharedOverlayStore(SharedState(settings.state_url, settings.state_timeout, on_error))
        return shared
    return open_local_overlay


def open_local_overlay(path: Path, create: bool) -> Overrides | None:
    """Without ``create`` only one that already exists (nothing is made in the working directory
    of a server that takes no catalog updates)."""
    from edge.overlay.store import OverlayStore

    return OverlayStore(path, create=create) if create or (path / "data.mdb").exists() else None


def _local_salt(directory: Path) -> bytes | None:
    """The salt this machine hashed ids with before ``state_url`` was set, if any: offered to the
    shared store (taken only if it has none yet) so that the event log's ids keep their hashes."""
    from edge.profiles.salt import SALT_BYTES, SALT_FILE

    try:
        salt = (directory / SALT_FILE).read_bytes()
    except OSError:
        return None
    return salt if len(salt) == SALT_BYTES else None
