"""`skylt shopify sync` against a local Admin GraphQL server answering in Shopify's documented shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edge.cli import main
from edge.errors import SkyltError
from edge.profiles.salt import hash_id, load_salt
from edge.shopify.checkpoint import STATE_FILE
from edge.shopify.graphql import AdminClient, ShopifyError, throttle_wait
from edge.shopify.sync import sync
from tests.shopify.fake_admin import TOKEN, FakeShop, make_order, make_product

SHOP = "skylt-test.myshopify.com"


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def shop_data() -> FakeShop:
    products = [make_product(n, updated=f"2026-11-0{n + 1}T10:00:00Z") for n in range(5)]
    products[4] = make_product(4, updated="2026-11-05T10:00:00Z", quantity=0)
    orders = [make_order(1, [0, 1]), make_order(2, [2], customer=None), make_order(3, [0], cancelled=True),
              make_order(4, [3, 4, 1])]
    return FakeShop(products, orders)


@pytest.fixture
def shop():
    with shop_data() as fake:
        yield fake


def canonical(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run(shop: FakeShop, out: Path, sleeps: Sleeps | None = None, **kwargs: Any):
    with AdminClient(shop.url, TOKEN, sleep=sleeps if sleeps is not None else Sleeps()) as client:
        return sync(client, SHOP, out, page_size=2, poll_seconds=0.5, **kwargs)


def test_pages_are_followed_and_written_in_skylts_formats(shop, tmp_path):
    summary = run(shop, tmp_path)
    assert summary.counts == {"products": 5, "orders": 4} and summary.rows == {"products": 5, "orders": 6}
    # Each page asked for the one before's endCursor, until hasNextPage was false.
    afters = [v["after"] for v in shop.page_requests("Products")]
    assert afters[0] is None and len(afters) == 3 and len(set(afters)) == 3
    catalog = rows(tmp_path / "catalog.jsonl")
    assert catalog[0] == {"item_id": "7000000000", "title": "Product 0", "url": "https://shop.example/products/product-0",
                          "image": "https://cdn.example/0.jpg", "price": 10.5, "currency": "SEK",
                          "category": "Kitchen", "brand": "Acme", "in_stock": True, "created_at": 1767225600}
    assert [r["in_stock"] for r in catalog] == [True, True, True, True, False]
    events = rows(tmp_path / "events.jsonl")
    user = hash_id(load_salt(tmp_path), "555")  # hashed as the server hashes user ids, never raw
    assert {(e["order_id"], e["item_id"], e.get("user_id")) for e in events} == {
        ("450000001", "7000000000", user), ("450000001", "7000000001", user), ("450000002", "7000000002", None),
        ("450000004", "7000000003", user), ("450000004", "7000000004", user), ("450000004", "7000000001", user)}
    assert all(e["type"] == "purchase" and e["price"] == 19.9 and e["region"] == "SE" for e in events)


def test_the_output_builds(shop, tmp_path):
    from edge.build.pipeline import build

    run(shop, tmp_path)
    result = build([tmp_path / "events.jsonl"], tmp_path / "tables", catalog_path=tmp_path / "catalog.jsonl")
    assert result is not None
    assert (tmp_path / "tables" / "current").exists()


def test_http_429_and_throttled_answers_are_waited_out(shop, tmp_path):
    shop.too_many, shop.throttle = 1, 1
    sleeps = Sleeps()
    summary = run(shop, tmp_path, sleeps)
    assert summary.counts == {"products": 5, "orders": 4}
    # Retry-After: 2.0; then (requested 752 - available 552) / restore 100 per second = 2 s.
    assert sleeps == [2.0, pytest.approx(2.05)]
    assert len(shop.page_requests("Products")) == 3 + 2  # the two refused attempts were repeated


def test_server_errors_are_retried_with_backoff_and_then_given_up(shop, tmp_path):
    shop.server_errors = 2
    sleeps = Sleeps()
    assert run(shop, tmp_path, sleeps).counts == {"products": 5, "orders": 4}
    assert sleeps == [1.0, 2.0]
    shop.server_errors = 100
    with pytest.raises(ShopifyError, match="after 8 attempts"):
        run(shop, tmp_path / "again")


def test_throttle_wait_reads_the_cost_extension():
    body = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
            "extensions": {"cost": {"requestedQueryCost": 1000, "throttleStatus": {
                "maximumAvailable": 1000.0, "currentlyAvailable": 0, "restoreRate": 50.0}}}}
    assert throttle_wait(body) == pytest.approx(20.05)
    assert throttle_wait({"errors": [{"message": "Field 'x' doesn't exist"}]}) is None


def test_an_interrupted_sync_continues_after_its_last_page(shop, tmp_path):
    shop.fail_at_page = 2
    with pytest.raises(ShopifyError, match="401"):
        run(shop, tmp_path)
    assert [r["item_id"] for r in rows(tmp_path / "catalog.jsonl")] == ["7000000000", "7000000001"]
    # A crash after writing rows but before the checkpoint leaves rows the state does not count.
    with open(tmp_path / "catalog.jsonl", "a") as f:
        f.write('{"item_id": "7000000002", "title": "half-saved"}\n')
    shop.fail_at_page = None
    first_cursor = shop.page_requests("Products")[1]["after"]
    run(shop, tmp_path)
    assert shop.page_requests("Products")[2]["after"] == first_cursor  # not from the start
    catalog = rows(tmp_path / "catalog.jsonl")
    assert [r["item_id"] for r in catalog] == [f"700000000{n}" for n in range(5)]
    assert len(rows(tmp_path / "events.jsonl")) == 6


def test_a_rerun_after_a_finished_sync_fetches_only_what_changed(shop, tmp_path):
    run(shop, tmp_path)
    shop.products[1] = make_product(1, updated="2026-11-20T10:00:00Z", quantity=0)
    shop.orders.append(make_order(5, [2], created="2026-11-21T09:00:00Z"))
    summary = run(shop, tmp_path)
    assert summary.incremental == ["products", "orders"]
    assert shop.page_requests("Products")[-1]["query"] == "updated_at:>='2026-11-05T10:00:00Z'"
    catalog = rows(tmp_path / "catalog.jsonl")
    # The changed product is appended (the builder keeps the last row of an id); nothing else repeats.
    assert [r["item_id"] for r in catalog] == [f"700000000{n}" for n in range(5)] + ["7000000001"]
    assert catalog[-1]["in_stock"] is False
    events = rows(tmp_path / "events.jsonl")
    assert len(events) == 7 and events[-1]["order_id"] == "450000005"


def test_a_bulk_sync_writes_the_same_rows(shop, tmp_path):
    run(shop, tmp_path / "paged", profile_dir=tmp_path)
    sleeps = Sleeps()
    summary = run(shop, tmp_path / "bulk", sleeps, bulk=True, profile_dir=tmp_path)  # one salt: same user ids
    assert summary.counts == {"products": 5, "orders": 4}
    assert len(shop.bulk_ops) == 2 and sleeps == [0.5, 0.5]  # one RUNNING poll per operation
    assert "variants { edges { node" in next(iter(shop.bulk_ops.values()))["query"]
    for name in ("catalog.jsonl", "events.jsonl"):
        bulk, paged = (sorted(map(canonical, rows(tmp_path / d / name))) for d in ("bulk", "paged"))
        assert bulk == paged
    assert not (tmp_path / "bulk" / "bulk" / "products.jsonl").exists()


def test_an_interrupted_bulk_sync_polls_the_same_operation(shop, tmp_path):
    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    with AdminClient(shop.url, TOKEN, sleep=interrupted) as client, pytest.raises(KeyboardInterrupt):
        sync(client, SHOP, tmp_path, bulk=True)
    state = json.loads((tmp_path / STATE_FILE).read_text())
    assert state["streams"]["products"]["bulk_id"] == "gid://shopify/BulkOperation/1"
    run(shop, tmp_path)  # even without --bulk, the started operation is finished
    assert len(shop.bulk_ops) == 1  # products: the same operation; orders: paged
    assert len(rows(tmp_path / "catalog.jsonl")) == 5 and len(rows(tmp_path / "events.jsonl")) == 6


def test_the_command_line(shop, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["shopify", "sync", "--shop", shop.url, "--out", str(tmp_path), "--page-size", "2"],
                           env={"SHOPIFY_ADMIN_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert "5 products, 4 orders, 6 purchase events (5 pages" in result.output
    bad = runner.invoke(main, ["shopify", "sync", "--shop", shop.url, "--token", "wrong", "--out",
                               str(tmp_path / "x"), "--full"])
    assert bad.exit_code == 1
    assert bad.output.strip().count("\n") == 0 and "HTTP 401" in bad.output


def test_a_full_products_only_sync_keeps_the_order_history(shop, tmp_path):
    run(shop, tmp_path)
    events = (tmp_path / "events.jsonl").read_bytes()
    del shop.products[2]
    summary = run(shop, tmp_path, full=True, orders=False)
    assert summary.counts == {"products": 4} and not summary.incremental
    assert [r["item_id"] for r in rows(tmp_path / "catalog.jsonl")] == ["7000000000", "7000000001", "7000000003",
                                                                         "7000000004"]
    assert (tmp_path / "events.jsonl").read_bytes() == events
    assert shop.page_requests("Orders")[-1]["query"] is None  # the orders were not asked for again
    assert len(shop.page_requests("Orders")) == 2


def test_an_output_changed_behind_the_syncs_back_is_refused(shop, tmp_path):
    run(shop, tmp_path)
    (tmp_path / "catalog.jsonl").write_text("")
    with pytest.raises(SkyltError, match="shorter than the sync state"):
        run(shop, tmp_path)


def test_orders_since_must_be_a_time(shop, tmp_path):
    result = CliRunner().invoke(main, ["shopify", "sync", "--shop", shop.url, "--token", TOKEN, "--out",
                                       str(tmp_path), "--orders-since", "2025-01-01T00:00:00+02:00"])
    assert result.exit_code == 0, result.output
    assert shop.page_requests("Orders")[0]["query"] == "created_at:>='2024-12-31T22:00:00Z'"
    bad = CliRunner().invoke(main, ["shopify", "sync", "--shop", shop.url, "--token", TOKEN, "--out",
                                    str(tmp_path), "--orders-since", "yesterday' OR '1"])
    assert bad.exit_code == 2 and "--orders-since" in bad.output


def test_the_servers_salt_names_customers_as_the_server_does(shop, tmp_path):
    from edge.profiles.store import ProfileStore

    profiles = ProfileStore(tmp_path / "profiles")
    run(shop, tmp_path / "out", profile_dir=tmp_path / "profiles")
    assert profiles.key("555") in {e.get("user_id") for e in rows(tmp_path / "out" / "events.jsonl")}
    profiles.close()


def test_links_that_may_not_be_served_are_dropped_at_sync():
    from edge.shopify.rows import catalog_row

    product = {"id": "gid://shopify/Product/7", "title": "Apron", "handle": "apron", "status": "ACTIVE",
               "onlineStoreUrl": "javascript:alert(1)",
               "featuredMedia": {"preview": {"image": {"url": "data:image/png;base64,AA"}}}}
    row = catalog_row(product, [], "skylt-test.myshopify.com")
    assert "url" not in row and "image" not in row
    product["onlineStoreUrl"] = None  # no storefront address: the shop's own product path
    assert catalog_row(product, [], "skylt-test.myshopify.com")["url"] == \
        "https://skylt-test.myshopify.com/products/apron"
