"""``skylt shopify ...``: commands for Shopify shops."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from edge.shopify.csv_cli import import_command
from edge.shopify.graphql import API_VERSION


@click.group("shopify")
def shopify() -> None:
    """Shopify shops: sync products and orders through the Admin API, or import CSV exports."""


shopify.add_command(import_command)


def parse_since(value: str) -> str:
    """An ISO-8601 time as Shopify's search syntax takes it (UTC, no fractions)."""
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(f"cannot parse {value!r} as an ISO-8601 time", param_hint="--orders-since") from exc
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stored_token(shop: str) -> tuple[str, str]:
    """(the shop's Admin API address, its current token) from what the install stored; refreshed if need be."""
    from edge.config import Settings
    from edge.shopify.access import AppAccess

    access = AppAccess.from_settings(Settings.load())
    gaps = access.missing()
    if gaps:
        raise click.UsageError("without --token the stored token is used, which needs the settings "
                               + ", ".join(gaps))
    return access.base(shop), access.token(shop)


@shopify.command("sync")
@click.option("--shop", required=True, help="The shop's myshopify.com domain, e.g. acme.myshopify.com.")
@click.option("--token", envvar="SHOPIFY_ADMIN_TOKEN", show_envvar=True,
              help="Admin API access token (shpat_...) with read_products, read_inventory and read_orders. "
                   "Default: the token the install stored for --shop (settings shopify_state, secret_key), "
                   "refreshed when it is about to expire.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for catalog.jsonl, events.jsonl and the sync state.")
@click.option("--bulk", is_flag=True, help="Use bulk operations (large shops): one export per stream.")
@click.option("--full", is_flag=True,
              help="Start the synced streams over instead of continuing the last sync in --out.")
@click.option("--orders/--no-orders", default=True, show_default=True,
              help="Also pull orders (leave them out where the orders/create webhook logs purchases).")
@click.option("--orders-since", help="First sync only: orders created at or after this ISO-8601 time.")
@click.option("--profile-dir", type=click.Path(file_okay=False, path_type=Path),
              help="The server's profile directory (setting profile_dir): its salt hashes customer ids as the "
                   "server does. Default: a salt kept in --out.")
@click.option("--consent/--no-consent", default=None,
              help="Record the orders' customers' marketing consent for `skylt notify` (scope read_customers; "
                   "docs/email.md). Default: on where notify is set up (settings secret_key and klaviyo_private_key "
                   "or esp_webhook_url).")
@click.option("--api-version", default=API_VERSION, show_default=True, help="Admin API version.")
@click.option("--page-size", default=25, show_default=True, type=click.IntRange(1, 250),
              help="Products or orders per page (larger pages cost more query points).")
def sync_command(shop: str, token: str | None, out: Path, bulk: bool, full: bool, orders: bool,
                 orders_since: str | None, profile_dir: Path | None, consent: bool | None, api_version: str,
                 page_size: int) -> None:
    """Products (with variants and stock) and orders -> catalog.jsonl + events.jsonl for `skylt build`.

    Interrupted runs resume; a rerun after a finished one fetches only what changed since."""
    from edge.console import clean_errors
    from edge.shopify.graphql import AdminClient
    from edge.shopify.sync import sync

    if orders_since is not None:
        orders_since = parse_since(orders_since)
    domain = urlsplit(shop).netloc if "://" in shop else shop.strip().lower()  # a URL: a local test server
    with clean_errors():
        if token is None:
            shop, token = stored_token(domain)
        client = AdminClient(shop, token, api_version=api_version)
    with clean_errors(), client, consent_recorder(consent if orders else False) as record:
        summary = sync(client, domain, out, bulk=bulk, full=full, page_size=page_size, orders=orders,
                       orders_since=orders_since, profile_dir=profile_dir, consent=record)
    how = "incremental " if summary.incremental else ""
    click.echo(f"{how}sync of {shop}: {summary.counts.get('products', 0)} products, "
               f"{summary.counts.get('orders', 0)} orders, {summary.rows.get('orders', 0)} purchase events "
               f"({summary.pages} {'exports' if bulk else 'pages'}, {client.waited:.1f} s throttled)")
    if record is not None:
        click.echo(f"marketing consent of {summary.consents} customers recorded (given or withdrawn)")
    for path in summary.paths:
        click.echo(str(path))


@contextlib.contextmanager
def consent_recorder(wanted: bool | None) -> Iterator[Callable[[dict[str, bool]], None] | None]:
    """None (the default): on where notify is set up; True: on, which needs it set up."""
    from edge.config import Settings
    from edge.notify.ids import sealing
    from edge.shopify.consent import recorder

    if wanted is False:
        yield None
        return
    settings = Settings.load()
    if not sealing(settings):
        if wanted:
            raise click.UsageError("--consent records consent for `skylt notify`, which needs the settings "
                                   "secret_key and klaviyo_private_key or esp_webhook_url (docs/email.md)")
        yield None
        return
    with recorder(settings) as record:
        yield record
