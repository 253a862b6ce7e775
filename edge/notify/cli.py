"""``skylt notify``: send the due triggers (docs/email.md). Same settings as `skylt serve`; run it by cron or a
systemd timer beside the rebuild."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
import httpx
import msgspec

from edge.config import Settings
from edge.errors import SkyltError
from edge.notify.lock import one_run
from edge.notify.run import Destination, Impressions, Summary, run
from edge.notify.state import NotifyStore
from edge.notify.triggers import QuietHours
from edge.schemas import MAX_IDS
from edge.shopify.tokens import MIN_KEY_CHARS
from edge.slots.served import Served, serve
from edge.store import SnapshotDir

MIN_SECRET_CHARS = 16


def destinations(settings: Settings, client: httpx.Client) -> list[Destination]:
    from edge.notify.klaviyo import Klaviyo
    from edge.notify.webhook import Webhook

    found: list[Destination] = []
    if settings.klaviyo_private_key:
        found.append(Klaviyo(client, settings.klaviyo_api_url, settings.klaviyo_private_key))
    if settings.esp_webhook_url:
        if len(settings.esp_webhook_secret) < MIN_SECRET_CHARS:
            raise SkyltError(f"setting esp_webhook_secret: at least {MIN_SECRET_CHARS} characters are needed with "
                             "esp_webhook_url")
        found.append(Webhook(client, settings.esp_webhook_url, settings.esp_webhook_secret))
    return found


def check(settings: Settings) -> None:
    if len(settings.secret_key) < MIN_KEY_CHARS:
        raise SkyltError(f"setting secret_key: at least {MIN_KEY_CHARS} characters are needed: it seals the "
                         "customer ids notify sends")
    QuietHours.of(settings)  # a bad quiet-hours or time-zone setting stops the run before anything is sent
    if not 1 <= settings.notify_items <= MAX_IDS:
        raise SkyltError(f"setting notify_items: 1 to {MAX_IDS} items per slot")
    if settings.notify_cap < 0 or min(settings.notify_cap_hours, settings.notify_expire_hours,
                                      settings.notify_cart_hours, settings.notify_view_hours,
                                      settings.notify_order_days) < 0:
        raise SkyltError("settings notify_*: counts and durations are not negative")


@contextlib.contextmanager
def served(settings: Settings) -> Iterator[Served]:
    """The current snapshot with the catalog overlay applied, as the servers see it (sold-out items hidden)."""
    from edge.overlay.watch import OverlayWatcher
    from edge.shared.factory import overlay_opener

    snap = SnapshotDir(settings.tables).open_current()
    overlay = OverlayWatcher(settings.catalog_overlay, None, overlay_opener(settings))
    try:
        overlay.open(create=False)
        yield overlay.serve_new(serve(snap, settings))
    finally:
        overlay.close()
        snap.close()


def notify_once(settings: Settings, now: float, dry_run: bool) -> Summary:
    from edge.shared.factory import existing_notify_state

    check(settings)
    store = existing_notify_state(settings)
    if store is None:  # nobody consented yet
        return Summary(dry_run=dry_run)
    try:
        if dry_run:  # reads only: may run beside a real run
            return _run(settings, store, now, dry_run)
        with one_run(settings):
            return _run(settings, store, now, dry_run)
    finally:
        store.close()


def _run(settings: Settings, store: NotifyStore, now: float, dry_run: bool) -> Summary:
    from edge.shared.factory import open_profiles

    profiles = open_profiles(settings)
    impressions = None if dry_run else Impressions(Path(settings.event_log), now)
    try:
        with served(settings) as current, httpx.Client() as client:
            dests = destinations(settings, client)
            if not dests and not dry_run:
                raise SkyltError("nothing to send to: set klaviyo_private_key or esp_webhook_url")
            return run(settings, store, profiles.get, current, dests, now, dry_run=dry_run, impressions=impressions)
    finally:
        if impressions is not None:
            impressions.close()
        profiles.close()


@click.command()
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON (with --dry-run: every message).")
@click.option("--now", type=float, hidden=True, help="Unix seconds to run at (for checks).")
def notify(dry_run: bool, as_json: bool, now: float | None) -> None:
    """Send the due cart, browse and order messages to Klaviyo and the ESP webhook (docs/email.md)."""
    try:
        summary = notify_once(Settings.load(), time.time() if now is None else now, dry_run)
    except SkyltError as exc:
        click.echo(f"skylt: error: {exc}", err=True)
        sys.exit(1)
    if as_json:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(summary)) + b"\n")
    else:
        click.echo(f"{summary.due} due, {summary.sent} sent, {summary.retry} to retry, {summary.failed} failed, "
                   f"{summary.capped} over the cap, {summary.empty} without items"
                   + (" (quiet hours: nothing new sent)" if summary.quiet else "")
                   + (" (dry run: nothing sent)" if dry_run else ""))
        for result in summary.results:
            if not dry_run:
                for name, outcome in result.destinations.items():
                    if outcome != "sent":
                        click.echo(f"{result.trigger} {result.message.id} {name}: {outcome}", err=True)
    if summary.failed:
        sys.exit(1)
