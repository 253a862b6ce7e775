"""Server settings: declared once, each with a default and help text.

Values come from, in order of precedence: keyword overrides (the CLI), ``SKYLT_<NAME>``
environment variables, a TOML file named by ``SKYLT_CONFIG`` (keys as below), the defaults.
Every setting is listed in docs/configuration.md; a test keeps the two in step.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from edge.errors import SkyltError


def setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    tables: str = setting("./tables", "Tables directory written by `skylt build`; its `current` link is served.")
    poll_seconds: float = setting(2.0, "How often each worker checks whether `current` points to a new snapshot.")
    pull_url: str = setting("", "A snapshot store (`skylt publish --to`) whose newest version each server "
                                "downloads, verifies and serves, keeping `tables` as its local copy; empty: serve "
                                "local builds only.")
    pull_seconds: float = setting(10.0, "How often a server with `pull_url` asks the store for a new version.")
    server: str = setting("granian", "HTTP server of `skylt serve`: `granian` (the faster here, see "
                                     "benchmarks/README.md) or `uvicorn`; the API behaves the same on both.")
    cors_origins: tuple[str, ...] = setting((), "Shop origins allowed to call the API from a browser "
                                                "(comma-separated in the environment; `*` for any).")
    cache_control: str = setting("public, max-age=60, stale-while-revalidate=300",
                                 "Cache-Control header of GET /v1/recommend responses.")
    max_body_bytes: int = setting(65536, "Largest accepted request body.")
    response_cache_bytes: int = setting(32 << 20, "Bytes of anonymous GET /v1/recommend answers each worker keeps "
                                                  "in memory, by query string, until the snapshot or the catalog "
                                                  "overlay changes; 0: no response cache.")
    gc_freeze: bool = setting(True, "Keep the objects each worker holds once it is ready (modules, compiled kernels, "
                                    "the snapshot) out of the garbage collector's full passes, which would "
                                    "otherwise stop a worker for tens of milliseconds now and then.")
    upsell_band: tuple[float, float] = setting((1.1, 2.0), "Price band of `upsell` relative to the current item.")
    addon_cap: float = setting(15.0, "Absolute price cap of `addons` when no free-shipping gap is given.")
    addon_cart_share: float = setting(0.25, "`addons` cap as a share of the cart value (the lower cap wins).")
    history_half_life: float = setting(4.0, "Recency half-life of `history`, in positions.")
    similar_history_half_life: float = setting(1.0, "`similar` on a product page blends the earlier views of "
                                                     "`history` beside the item, fading by this half-life in "
                                                     "positions from the latest, down to 1/8 (0: the item alone).")
    max_per_category: int = setting(0, "Most items of one category per slot (0: no limit), for diversity.")
    ingest_keys: tuple[str, ...] = setting((), "Public ingest keys accepted in `X-Skylt-Key` by POST /v1/events "
                                               "(comma-separated); none: ingest answers 503.")
    server_keys: tuple[str, ...] = setting((), "Secret server-side keys accepted in `X-Skylt-Key` by POST /v1/events "
                                               "(comma-separated): events sent with one are trusted as they are "
                                               "(users without a token, purchases that count); never ship one to "
                                               "a browser.")
    identity_secrets: tuple[str, ...] = setting((), "Secrets that sign shopper identities (`user_token`, "
                                                    "docs/api.md#signed-identity; comma-separated, two while "
                                                    "rotating); none: every `user` from a browser is ignored.")
    metrics_keys: tuple[str, ...] = setting((), "Bearer keys that GET /metrics requires (comma-separated); none: "
                                                "/metrics is open, for a scraper on a private network.")
    event_log: str = setting("./events", "Directory of the append-only event log written by POST /v1/events.")
    event_segment_bytes: int = setting(64 << 20, "Event log segment size at which a new segment is started.")
    event_retention_days: float = setting(400.0, "Event log segments last written longer ago are deleted.")
    event_archive: str = setting("", "A store (a directory or fsspec URL, as for `pull_url`) that every replica "
                                     "ships its closed event-log segments to, for `skylt build --events-archive` "
                                     "and for erasure; empty: events stay on this machine.")
    archive_seconds: float = setting(60.0, "How often a server with `event_archive` ships its closed segments.")
    max_ingest_bytes: int = setting(1 << 20, "Largest accepted POST /v1/events body.")
    profile_dir: str = setting("", "Directory of the known-customer profiles (LMDB) and the id salt; empty: "
                                   "`profiles` inside `event_log`.")
    profile_ttl_days: float = setting(90.0, "Known-customer profiles not updated for this long are deleted.")
    max_profiles: int = setting(1_000_000, "Most known-customer profiles kept; the least recently updated are "
                                           "evicted to make room.")
    min_free_disk_bytes: int = setting(256 << 20, "Ingest answers 503, before acknowledging anything, while the "
                                                  "event log's or the profiles' disk has less free space.")
    control_share: float = setting(0.0, "Share of shoppers (by user, else session) in the A/B `control` bucket, "
                                        "which gets bestsellers in every slot; 0: no experiment.")
    experiment_salt: str = setting("skylt-ab-1", "Salt of the A/B bucketing; change it to start a new experiment "
                                                 "with fresh buckets.")
    admin_keys: tuple[str, ...] = setting((), "Secret admin keys accepted as `Authorization: Bearer <key>` by the "
                                              "catalog update endpoints (comma-separated); none: they answer 503.")
    catalog_overlay: str = setting("./overlay", "Directory of the catalog overlay (LMDB) that every worker reads "
                                                "and PUT/DELETE /v1/catalog/items write.")
    overlay_poll_seconds: float = setting(0.2, "How often each worker checks the catalog overlay for changes.")
    state_url: str = setting("", "A Redis (or Valkey) server every replica shares, `redis://host:6379/0` "
                                 "(`rediss://` for TLS): known-customer profiles, the id salt, the catalog "
                                 "overlay and the Shopify webhook and install state (sealed tokens) live there, "
                                 "so every replica sees them; "
                                 "empty: they stay in `profile_dir`, `catalog_overlay` and `shopify_state` on "
                                 "this machine.")
    state_timeout: float = setting(0.25, "Seconds a replica waits for the shared state store before it answers "
                                         "without it (reads) or with 503 (writes).")
    storefront: bool = setting(False, "Also serve the demo shop under /storefront/ (set by `skylt demo`).")
    shopify_webhook_secrets: tuple[str, ...] = setting((), "Shopify app client secrets that sign webhooks to "
                                                            "POST /v1/shopify/webhooks (comma-separated, two while "
                                                            "rotating); none: the endpoint answers 503.")
    shopify_shops: tuple[str, ...] = setting((), "Shop domains (`x.myshopify.com`) whose webhooks are applied; "
                                                 "others are acknowledged and ignored. None: every signed shop.")
    shopify_state: str = setting("./shopify", "Directory of the webhook state (SQLite): delivered webhook ids, "
                                              "inventory item to product mapping, installs, and the "
                                              "installed shops' Admin API tokens (encrypted with secret_key).")
    public_url: str = setting("", "The HTTPS address this server is reached at, e.g. https://reco.shop.example: "
                                  "the Shopify install's redirect and webhook addresses, and the API address "
                                  "handed to the web pixel and the app embed. Empty: no Shopify install.")
    secret_key: str = setting("", "A long random secret (at least 32 characters) that encrypts stored Shopify "
                                  "Admin API tokens and the customer ids kept for `skylt notify`; keep it out of "
                                  "the tables and the logs. Empty: the Shopify install answers 503 and no "
                                  "customer id is kept.")
    shopify_client_id: str = setting("", "The Shopify app's client id (Partner Dashboard); with public_url and "
                                         "secret_key it enables GET /v1/shopify/install and /v1/shopify/callback.")
    shopify_client_secret: str = setting("", "The Shopify app's client secret, which signs the install callback; "
                                             "empty: the first of shopify_webhook_secrets (the same secret).")
    shopify_data_dir: str = setting("", "Directory that each new install's first product and order import "
                                        "(catalog.jsonl, events.jsonl) is written to, in the background, for "
                                        "`skylt build`; empty: no import at install.")
    shopify_admin_url: str = setting("https://{shop}", "Where a shop's Admin API and OAuth endpoints are reached; "
                                                       "`{shop}` becomes the shop's myshopify.com domain. Change "
                                                       "only to point tests at a local stand-in.")

    klaviyo_private_key: str = setting("", "Klaviyo private API key (events:write scope) that `skylt notify` sends "
                                           "its events with; empty: nothing is sent to Klaviyo.")
    klaviyo_api_url: str = setting("https://a.klaviyo.com", "Where Klaviyo's API is reached. Change only to point "
                                                            "tests at a local stand-in.")
    esp_webhook_url: str = setting("", "An address `skylt notify` posts each trigger to as a signed webhook, for "
                                       "any other email or SMS service; empty: no webhook.")
    esp_webhook_secret: str = setting("", "The secret (at least 16 characters) that signs the webhook "
                                          "(HMAC-SHA256, docs/email.md#the-webhook); required with "
                                          "esp_webhook_url.")
    notify_state: str = setting("./notify", "Directory of the trigger state (SQLite): consenting customers' "
                                            "encrypted ids, their last cart, view and order, and what was sent; "
                                            "with `state_url` it lives in the shared store instead.")
    notify_cart_hours: float = setting(24.0, "A cart left this long without a purchase triggers the cart message.")
    notify_view_hours: float = setting(24.0, "Product views this long ago without a cart since trigger the "
                                             "browse message.")
    notify_order_days: float = setting(7.0, "Days after an order that its cross-sell message is sent.")
    notify_expire_hours: float = setting(72.0, "A trigger not sent within this long of falling due (quiet "
                                               "hours, a stopped timer) is dropped, never sent late.")
    notify_quiet_hours: str = setting("", "Hours nothing is sent, `HH:MM-HH:MM` in notify_timezone (e.g. "
                                          "`21:00-08:00`); due triggers wait for the next run after them. "
                                          "Empty: none.")
    notify_timezone: str = setting("UTC", "The time zone of notify_quiet_hours (an IANA name, e.g. "
                                          "`Europe/Stockholm`).")
    notify_cap: int = setting(2, "Most messages one customer gets within notify_cap_hours, over every trigger.")
    notify_cap_hours: float = setting(168.0, "The window of notify_cap.")
    notify_items: int = setting(4, "Items per slot in a message.")
    notify_link_base: str = setting("", "The shop's address (https://shop.example) that item links given as site "
                                        "paths (`/products/mug`) are made absolute with; empty: such items have "
                                        "no link.")
    notify_item_url: str = setting("", "The link of an item the catalog has none for, `{id}` replaced by the item "
                                       "id (URL-encoded), e.g. `https://shop.example/p/{id}`; empty: such items "
                                       "have no link.")

    def profiles_path(self) -> Path:
        return Path(self.profile_dir) if self.profile_dir else Path(self.event_log) / "profiles"

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        values: dict[str, Any] = {}
        config_file = os.environ.get("SKYLT_CONFIG")
        if config_file:
            try:
                values.update(tomllib.loads(Path(config_file).read_text()))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise SkyltError(f"{config_file}: cannot read settings: {exc}") from exc
        for f in fields(cls):
            env = os.environ.get(f"SKYLT_{f.name.upper()}")
            if env is not None:
                values[f.name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise SkyltError(f"unknown settings: {', '.join(sorted(unknown))}")
        settings = cls(**{name: _coerce(cls, name, value) for name, value in values.items()})
        object.__setattr__(settings, "_given", frozenset(values))  # frozen: set once, here
        return settings

    def given(self) -> frozenset[str]:
        """The settings given explicitly: by ``load``'s overrides, the environment or the TOML file;
        for Settings built directly, those that differ from their defaults. An explicit setting
        wins over a value the snapshot's manifest chose (``edge.slots.tunables``)."""
        given = self.__dict__.get("_given")
        if given is not None:
            return given
        return frozenset(f.name for f in fields(self) if getattr(self, f.name) != f.default)


def _coerce(cls: type[Settings], name: str, value: Any) -> Any:
    default = next(f.default for f in fields(cls) if f.name == name)
    try:
        if isinstance(default, bool):  # bool("false") is True: read the usual spellings instead
            return _boolean(value)
        if isinstance(default, tuple):
            items = value.split(",") if isinstance(value, str) else list(value)
            items = [i.strip() for i in items if str(i).strip()]
            if default and isinstance(default[0], float):
                return tuple(float(i) for i in items)
            return tuple(str(i) for i in items)
        return type(default)(value)  # type: ignore[misc]  # defaults are plain str/int/float
    except (TypeError, ValueError) as exc:
        raise SkyltError(f"setting {name}: cannot use {value!r}: {exc}") from exc


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false")
