"""``skylt shopify import``: the command over edge.shopify.csv_import (imported when run, to keep start-up fast)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("import")
@click.option("--products", "products_path", required=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Product CSV export (products_export.csv).")
@click.option("--orders", "orders_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Order CSV export (orders_export.csv); without it only the catalog is written.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for catalog.csv and events.csv.gz.")
@click.option("--shop-url", help="The storefront's address, e.g. https://shop.example; items link to "
              "<shop-url>/products/<handle>.")
@click.option("--currency", help="Catalog currency; default: the orders' most frequent currency.")
@click.option("--customer-key", envvar="SHOPIFY_CUSTOMER_HASH_KEY", show_envvar=True, default="",
              help="Secret key for hashing customer e-mail addresses into ids.")
@click.option("--ids-from", "ids_catalog", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A Skylt catalog with product-page URLs (.../products/<handle>) whose item ids to use "
                   "instead of handles, e.g. the catalog.jsonl of `skylt shopify sync` (Shopify product ids).")
def import_command(products_path: Path, orders_path: Path | None, out: Path, shop_url: str | None,
                   currency: str | None, customer_key: str, ids_catalog: Path | None) -> None:
    """Shopify product and order CSV exports -> catalog.csv + events.csv.gz for `skylt build`."""
    from edge.console import clean_errors
    from edge.shopify.csv_import import import_csv

    with clean_errors():
        summary = import_csv(products_path, orders_path, out, shop_url=shop_url, currency=currency,
                             customer_key=customer_key, ids_catalog=ids_catalog)
    click.echo(f"{summary.items} products ({summary.for_sale} for sale), {summary.orders} orders, "
               f"{summary.events} purchase events")
    for reason, count in sorted(summary.skipped.items()):
        click.echo(f"skipped {count} {reason}", err=True)
    for path in summary.paths:
        click.echo(str(path))
