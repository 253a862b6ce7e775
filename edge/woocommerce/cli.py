"""``skylt woocommerce ...``: commands for WooCommerce shops."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("woocommerce")
def woocommerce() -> None:
    """WooCommerce shops: import products and order history through the REST API."""


@woocommerce.command("import")
@click.option("--url", required=True, help="The shop's address, e.g. https://shop.example.")
@click.option("--key", required=True, envvar="WC_CONSUMER_KEY", show_envvar=True,
              help="REST API consumer key (ck_...).")
@click.option("--secret", required=True, envvar="WC_CONSUMER_SECRET", show_envvar=True,
              help="REST API consumer secret (cs_...).")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for catalog.csv and events.csv.gz.")
@click.option("--auth", type=click.Choice(["basic", "query"]), default="basic", show_default=True,
              help="Send the key as HTTP Basic auth, or in the query string for servers that drop the header.")
@click.option("--customer-key", envvar="WC_CUSTOMER_HASH_KEY", show_envvar=True,
              help="Key for hashing customer ids; the site's wp_salt('auth') gives the plugin's ids. "
                   "Default: the shop URL.")
@click.option("--currency", help="Catalog currency; default: the orders' most frequent currency.")
@click.option("--after", help="Only orders created after this ISO-8601 time.")
def import_(url: str, key: str, secret: str, out: Path, auth: str, customer_key: str | None, currency: str | None,
            after: str | None) -> None:
    """Products and processing/completed orders -> catalog.csv + events.csv.gz for `skylt build`."""
    from edge.console import clean_errors
    from edge.woocommerce.client import WooClient
    from edge.woocommerce.import_ import fetch_and_write

    with clean_errors(), WooClient(url, key, secret, auth="query" if auth == "query" else "basic") as client:
        summary = fetch_and_write(client, out, customer_key=customer_key or url.strip().rstrip("/"),
                                  currency=currency, after=after)
    click.echo(f"{summary.products} products, {summary.orders} orders, {summary.events} purchase events")
    for reason, count in sorted(summary.skipped_lines.items()):
        click.echo(f"skipped {count} order lines: {reason}", err=True)
    for path in summary.paths:
        click.echo(str(path))
