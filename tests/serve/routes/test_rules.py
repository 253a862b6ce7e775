"""PUT/GET /v1/rules in-process: auth, validation, every rule kind and collision on served pages, both
A/B buckets, ETags and the response cache."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import msgspec
import pytest

from edge.rules.schemas import MAX_RULES, MAX_RULES_BYTES
from edge.schemas import RecommendResponse
from tests.conftest import assert_problem
from tests.serve.routes.conftest import overlay_client

ADMIN = {"Authorization": "Bearer admin-secret-key-0001"}
PINNED, FEATURED = "Picked by the shop", "Featured by the shop"
decode = msgspec.json.Decoder(RecommendResponse).decode


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo shop with brands and creation times: brand "Acme" on every third item, "Globex" on
    the rest; every fifth item created yesterday, the others in 2020."""
    from edge.build.demo import demo_files
    from edge.build.pipeline import build

    events, catalog = demo_files()
    out = tmp_path_factory.mktemp("brands")
    with open(catalog, newline="") as src, open(out / "catalog.csv", "w", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, [*(reader.fieldnames or []), "brand", "created_at"])
        writer.writeheader()
        yesterday = int(time.time()) - 86400
        for i, row in enumerate(reader):
            writer.writerow({**row, "brand": "Acme" if i % 3 == 0 else "Globex",
                             "created_at": yesterday if i % 5 == 0 else 1577836800})
    build(events, out / "tables", catalog_path=out / "catalog.csv")
    return out / "tables"


@pytest.fixture(scope="module")
def facts(shop: Path) -> dict[str, dict[str, object]]:
    """External id -> category, brand, price, new."""
    from edge.store import open_snapshot

    with open_snapshot(shop) as snap:
        a = snap.arrays
        now = time.time()
        return {snap.external_id(i): {"category": snap.manifest.categories[a["category"][i]]
                                      if a["category"][i] >= 0 else None,
                                      "brand": snap.manifest.brands[a["brand"][i]] if a["brand"][i] >= 0 else None,
                                      "price": float(a["price"][i]), "new": a["created_at"][i] > now - 3 * 86400}
                for i in range(snap.n_items)}


@pytest.fixture
def client(shop, tmp_path):
    with overlay_client(shop, tmp_path) as c:
        yield c


def put(client, *rules, headers=ADMIN):
    return client.put("/v1/rules", json={"rules": list(rules)}, headers=headers)


def accepted(client, *rules) -> int:
    r = put(client, *rules)
    assert r.status_code == 200, r.text
    assert r.json()["rules"] == len(rules)
    return int(r.json()["generation"])


def slots(client, n=8, **request) -> dict[str, list[tuple[str, str]]]:
    r = client.post("/v1/recommend", json={"n": n, **request})
    assert r.status_code == 200, r.text
    return {s.slot: [(i.id, i.reason) for i in s.items] for s in decode(r.content).slots}


def ids_of(page: dict[str, list[tuple[str, str]]]) -> dict[str, list[str]]:
    return {slot: [i for i, _ in items] for slot, items in page.items()}


@pytest.fixture
def product(client) -> dict[str, object]:
    """A product request whose page fills every slot."""
    r = client.get("/v1/recommend", params={"page": "home", "n": 20})
    best = [i["id"] for s in r.json()["slots"] if s["slot"] == "bestsellers" for i in s["items"]]
    return {"page": "product", "item": best[0]}


def category_on(page, facts, slot):
    """The most common category among a slot's items."""
    cats = [facts[i]["category"] for i, _ in page[slot]]
    return max(set(cats), key=cats.count)


# -- auth and the stored set ---------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer admin-secret-key-000X"},
                                     {"Authorization": "Bearer ingest-key-00000001"}])
def test_rules_need_an_admin_key(client, headers):
    assert_problem(put(client, headers=headers), 401, "authorization")
    assert_problem(client.get("/v1/rules", headers=headers), 401, "authorization")


def test_rules_are_off_until_admin_keys_are_configured(shop, tmp_path):
    with overlay_client(shop, tmp_path, admin_keys="") as c:
        assert "admin_keys" in assert_problem(put(c), 503)["detail"]
        assert_problem(c.get("/v1/rules"), 503)


def test_a_put_replaces_the_whole_set_and_answers_its_generation(client, product):
    assert client.get("/v1/rules", headers=ADMIN).json() == {"generation": 0, "rules": []}
    first = accepted(client, {"kind": "pin", "id": "a", "page": "product", "item": product["item"], "position": 1},
                     {"kind": "bury", "id": "b", "page": "home", "slot": "trending", "price_min": 10, "factor": 0.5})
    listed = client.get("/v1/rules", headers=ADMIN)
    assert listed.headers["cache-control"] == "no-store"
    assert listed.json() == {"generation": first, "rules": [
        {"kind": "pin", "id": "a", "page": "product", "item": product["item"], "position": 1},
        {"kind": "bury", "id": "b", "page": "home", "slot": "trending", "price_min": 10.0, "factor": 0.5}]}
    second = accepted(client, {"kind": "exclude", "id": "c", "page": "cart", "brand": "Acme"})
    assert second > first
    assert [r["id"] for r in client.get("/v1/rules", headers=ADMIN).json()["rules"]] == ["c"]
    assert accepted(client) > second
    assert client.get("/v1/rules", headers=ADMIN).json()["rules"] == []


# -- validation: nothing of a bad set is stored -------------------------------------------

PIN = {"kind": "pin", "id": "p", "page": "product", "item": "x", "position": 1}
BOOST = {"kind": "boost", "id": "b", "page": "product", "category": "Kitchen", "factor": 2}


@pytest.mark.parametrize(("rules", "status", "field", "words"), [
    ([{**PIN, "page": "blog"}], 422, "rules[0].page", "blog"),
    ([{**PIN, "slot": "upsell_x"}], 422, "rules[0].slot", "upsell_x"),
    ([{**PIN, "page": "home", "slot": "similar"}], 422, "rules[0].slot", "not on the home page"),
    ([PIN, {**BOOST, "id": "p"}], 422, "rules[1].id", "rules[0] has the same id"),
    ([{**BOOST, "factor": 0.5}], 422, "rules[0].factor", "above 1"),
    ([{**BOOST, "factor": 101}], 422, "rules[0].factor", "at most 100"),
    ([{**BOOST, "kind": "bury", "factor": 1}], 422, "rules[0].factor", "below 1"),
    ([{**BOOST, "kind": "bury", "factor": 0}], 422, "rules[0].factor", "at least 0.01"),
    ([{**PIN, "position": 0}], 422, "rules[0].position", ">= 1"),
    ([{**PIN, "position": 51}], 422, "rules[0].position", "<= 50"),
    ([{**PIN, "kind": "promote"}], 422, "rules[0].kind", "promote"),
    ([{**PIN, "shop": 1}], 422, "rules[0].shop", "shop"),
    ([{**BOOST, "brand": "Acme"}], 422, "rules[0]", "exactly one"),
    ([{k: v for k, v in BOOST.items() if k != "category"}], 422, "rules[0]", "exactly one"),
    ([{**BOOST, "category": None, "price_min": 9, "price_max": 3}], 422, "rules[0].price_min", "above price_max"),
    ([{"kind": "exclude", "id": "e", "page": "cart"}], 422, "rules[0]", "exactly one of category and brand"),
    ([PIN, {**PIN, "id": "q", "slot": "similar", "item": "y"}], 422, "rules[1].position", "already pinned by"),
    ([PIN, {**PIN, "id": "q", "position": 2}], 422, "rules[1].position", "item 'x'"),
    ([{**PIN, "id": "bad id"}], 422, "rules[0].id", "regex"),
    ([{**PIN, "id": "x" * 65}], 422, "rules[0].id", "length"),
    ([{**PIN, "id": f"r{i}", "position": 1 + i % 50, "page": "home", "item": f"i{i}"} for i in range(MAX_RULES + 1)],
     413, "rules", "at most"),
])
def test_a_bad_rule_set_is_a_problem_naming_the_rule_and_the_old_set_stays(client, rules, status, field, words):
    kept = accepted(client, {**PIN, "id": "kept"})
    body = assert_problem(put(client, *rules), status, field)
    assert words in body["detail"]
    assert field.split(".")[0] in body["detail"]  # the rule's index (and its id, once it was read) and field
    assert client.get("/v1/rules", headers=ADMIN).json() == {"generation": kept, "rules": [
        {**PIN, "id": "kept"}]}


@pytest.mark.parametrize(("body", "status"), [(b"[]", 422), (b"{", 400), (b'{"rules": {}}', 422),
                                              (b'{"rules": [], "x": 1}', 422), (b"\xff", 400)])
def test_a_body_that_is_no_rule_set_is_a_problem(client, body, status):
    assert_problem(client.put("/v1/rules", content=body, headers=ADMIN), status)


def test_a_body_over_the_limit_is_413(client):
    body = b'{"rules": [' + b" " * MAX_RULES_BYTES + b"]}"
    assert_problem(client.put("/v1/rules", content=body, headers=ADMIN), 413)


# -- every kind on served pages ------------------------------------------------------------

def test_a_pin_takes_its_position_with_its_own_reason(client, product, facts):
    before = slots(client, **product)
    item = before["upsell"][3][0]  # on the page, so in stock and eligible
    accepted(client, {"kind": "pin", "id": "hero", "page": "product", "slot": "similar", "item": item,
                      "position": 2})
    after = slots(client, **product)
    assert after["similar"][1] == (item, PINNED)
    assert [i for i, _ in after["similar"]] == [before["similar"][0][0], item, *[i for i, _ in before["similar"][1:7]]]
    assert item not in ids_of(after)["upsell"]  # at most one slot of a response
    assert slots(client, n=1, **product)["similar"] == before["similar"][:1]  # position 2 of 1: not pinned


def test_a_page_wide_pin_shows_in_the_first_slot_only(client, product):
    item = slots(client, **product)["alternatives"][0][0]
    accepted(client, {"kind": "pin", "id": "hero", "page": "product", "item": item, "position": 1})
    after = ids_of(slots(client, **product))
    assert after["similar"][0] == item
    assert sum(i == item for items in after.values() for i in items) == 1


@pytest.mark.parametrize("case", ["unknown", "out_of_stock", "excluded_by_request", "over_price", "the_anchor"])
def test_a_pin_the_request_may_not_show_is_skipped_and_the_rule_stays(client, product, facts, case):
    before = slots(client, **product)
    item = before["upsell"][2][0]
    request = dict(product)
    if case == "unknown":
        item = "not-in-this-snapshot"
    elif case == "out_of_stock":
        assert client.put("/v1/catalog/items", json={"items": [{"id": item, "in_stock": False}]},
                          headers=ADMIN).status_code == 200
    elif case == "excluded_by_request":
        request["exclude"] = [item]
    elif case == "over_price":
        request["price_max"] = facts[item]["price"] - 0.01
    else:
        item = product["item"]
    accepted(client, {"kind": "pin", "id": "hero", "page": "product", "slot": "similar", "item": item,
                      "position": 1})
    after = slots(client, **request)
    assert item not in ids_of(after)["similar"]
    assert all(reason != PINNED for items in after.values() for _, reason in items)
    assert [r["id"] for r in client.get("/v1/rules", headers=ADMIN).json()["rules"]] == ["hero"]


def test_an_excluded_category_leaves_the_page_or_the_slot(client, product, facts):
    before = slots(client, n=12, **product)
    category = category_on(before, facts, "similar")
    accepted(client, {"kind": "exclude", "id": "no", "page": "product", "slot": "similar", "category": category})
    after = slots(client, n=12, **product)
    assert after["similar"] and all(facts[i]["category"] != category for i, _ in after["similar"])
    assert any(facts[i]["category"] == category for i, _ in after["upsell"])  # only that slot
    accepted(client, {"kind": "exclude", "id": "no", "page": "product", "category": category})
    everywhere = slots(client, n=12, **product)
    assert all(facts[i]["category"] != category for items in everywhere.values() for i, _ in items)
    assert slots(client, n=12, page="home") == slots(client, n=12, page="home")  # other pages untouched


def test_an_excluded_brand_leaves_the_slot(client, product, facts):
    accepted(client, {"kind": "exclude", "id": "no", "page": "product", "brand": "Acme"})
    after = slots(client, n=12, **product)
    assert all(items for items in after.values())
    assert all(facts[i]["brand"] != "Acme" for items in after.values() for i, _ in items)


@pytest.mark.parametrize("criterion", [{"brand": "Acme"}, {"new_within_days": 3}, {"price_min": 5},
                                       "category"])
def test_a_boost_moves_matching_items_up_and_says_featured(client, product, facts, criterion):
    before = slots(client, n=10, page="home")
    if criterion == "category":
        criterion = {"category": category_on(before, facts, "bestsellers")}
    name, value = next(iter(criterion.items()))
    key = {"new_within_days": "new", "price_min": "price"}.get(name, name)

    def matches(i):
        return facts[i]["price"] >= 5 if key == "price" else facts[i][key] == (True if key == "new" else value)

    accepted(client, {"kind": "boost", "id": "up", "page": "home", "slot": "bestsellers", "factor": 100,
                      **criterion})
    after = slots(client, n=10, page="home")["bestsellers"]
    flags = [matches(i) for i, _ in after]
    assert any(flags) and flags == sorted(flags, reverse=True)  # every match before every other item
    assert sum(flags) >= sum(matches(i) for i, _ in before["bestsellers"])
    assert all((reason == FEATURED) == match for (_, reason), match in zip(after, flags, strict=True))
    assert slots(client, n=10, page="home")["trending"] == before["trending"]  # only that slot


def test_a_bury_moves_matching_items_down_and_keeps_their_reason(client, facts):
    before = slots(client, n=10, page="home")["bestsellers"]
    category = facts[before[0][0]]["category"]
    accepted(client, {"kind": "bury", "id": "down", "page": "home", "category": category, "factor": 0.01})
    after = slots(client, n=10, page="home")["bestsellers"]
    flags = [facts[i]["category"] == category for i, _ in after]
    assert flags == sorted(flags) and not flags[0]
    assert all(reason not in (FEATURED, PINNED) for _, reason in after)


# -- collisions: exclusion beats pinning, pinning beats boosting ------------------------------

def test_exclusion_beats_pinning(client, product, facts):
    item = slots(client, **product)["upsell"][0][0]
    accepted(client, {"kind": "pin", "id": "hero", "page": "product", "slot": "similar", "item": item, "position": 1},
             {"kind": "exclude", "id": "no", "page": "product", "category": facts[item]["category"]})
    assert item not in [i for items in ids_of(slots(client, **product)).values() for i in items]
    accepted(client, {"kind": "pin", "id": "hero", "page": "product", "slot": "similar", "item": item, "position": 1},
             {"kind": "exclude", "id": "no", "page": "product", "brand": facts[item]["brand"]})
    assert item not in [i for items in ids_of(slots(client, **product)).values() for i in items]


def test_exclusion_beats_boosting(client, facts):
    category = category_on(slots(client, n=10, page="home"), facts, "bestsellers")
    accepted(client, {"kind": "boost", "id": "up", "page": "home", "category": category, "factor": 50},
             {"kind": "exclude", "id": "no", "page": "home", "category": category})
    page = slots(client, n=10, page="home")
    assert all(facts[i]["category"] != category for items in page.values() for i, _ in items)


def test_pinning_beats_boosting(client, facts):
    before = slots(client, n=10, page="home")["bestsellers"]
    item = next(i for i, _ in before[5:] if facts[i]["brand"] == "Globex")
    accepted(client, {"kind": "boost", "id": "up", "page": "home", "brand": "Acme", "factor": 100},
             {"kind": "pin", "id": "hero", "page": "home", "slot": "bestsellers", "item": item, "position": 1})
    after = slots(client, n=10, page="home")["bestsellers"]
    assert after[0] == (item, PINNED)
    assert [facts[i]["brand"] for i, _ in after[1:3]] == ["Acme", "Acme"]


# -- both buckets, ETags and the response cache ---------------------------------------------

def test_rules_apply_in_the_control_bucket_too(shop, tmp_path, facts):
    with overlay_client(shop, tmp_path, control_share=1.0) as c:
        before = slots(c, n=10, page="home", session="s1")
        assert r_bucket(c) == "control"
        category = category_on(before, facts, "bestsellers")
        item = next(i for i, _ in reversed(before["trending"]) if facts[i]["category"] != category)
        accepted(c, {"kind": "pin", "id": "hero", "page": "home", "slot": "bestsellers", "item": item,
                     "position": 2},
                 {"kind": "exclude", "id": "no", "page": "home", "category": category},
                 {"kind": "boost", "id": "up", "page": "home", "slot": "trending", "brand": "Acme", "factor": 100})
        after = slots(c, n=10, page="home", session="s1")
        assert after["bestsellers"][1] == (item, PINNED)
        assert all(facts[i]["category"] != category for items in after.values() for i, _ in items)
        brands = [facts[i]["brand"] == "Acme" for i, _ in after["trending"]]
        assert brands == sorted(brands, reverse=True) and brands[0]
        assert all((r == FEATURED) == b for (_, r), b in zip(after["trending"], brands, strict=True))


def r_bucket(client) -> str:
    return client.post("/v1/recommend", json={"page": "home", "session": "s1"}).json()["bucket"]


def test_a_rules_change_changes_the_etag_and_the_cached_answer(client, product):
    params = {**product, "n": 5}
    first = client.get("/v1/recommend", params=params)
    etag = first.headers["etag"]
    assert client.get("/v1/recommend", params=params, headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/v1/recommend", params=params).content == first.content  # from the cache
    item = slots(client, **product)["upsell"][0][0]
    accepted(client, {"kind": "pin", "id": "hero", "page": "product", "slot": "similar", "item": item, "position": 1})
    second = client.get("/v1/recommend", params=params)
    assert second.headers["etag"] != etag
    assert second.json()["slots"][0]["items"][0]["id"] == item
    assert client.get("/v1/recommend", params=params, headers={"If-None-Match": etag}).status_code == 200
    accepted(client)  # an empty set is a change too
    third = client.get("/v1/recommend", params=params)
    assert third.headers["etag"] not in (etag, second.headers["etag"])
    assert third.json()["slots"] == first.json()["slots"]


def test_a_price_rule_follows_price_overrides_and_a_stock_update_compiles_nothing(client, facts, monkeypatch):
    import edge.overlay.watch as watch

    compiled = []
    real = watch.compile_rules
    monkeypatch.setattr(watch, "compile_rules", lambda *a, **kw: compiled.append(1) or real(*a, **kw))
    before = slots(client, n=10, page="home")["bestsellers"]
    cheap = next(i for i, _ in before[3:] if facts[i]["price"] < 100)
    accepted(client, {"kind": "boost", "id": "dear", "page": "home", "slot": "bestsellers", "price_min": 500,
                      "factor": 100})
    assert not any(reason == FEATURED for _, reason in slots(client, n=10, page="home")["bestsellers"])
    assert client.put("/v1/catalog/items", json={"items": [{"id": cheap, "price": 900}]},
                      headers=ADMIN).status_code == 200
    assert slots(client, n=10, page="home")["bestsellers"][0] == (cheap, FEATURED)
    runs = len(compiled)
    other = next(i for i, _ in before if i != cheap)
    assert client.put("/v1/catalog/items", json={"items": [{"id": other, "in_stock": False}]},
                      headers=ADMIN).status_code == 200
    assert other not in ids_of(slots(client, n=10, page="home"))["bestsellers"]
    assert len(compiled) == runs + 1  # with a price rule every overlay change may move prices: compiled again
    accepted(client, {"kind": "exclude", "id": "no", "page": "cart", "brand": "Acme"})
    assert client.put("/v1/catalog/items", json={"items": [{"id": other, "in_stock": True}]},
                      headers=ADMIN).status_code == 200
    assert len(compiled) == runs + 2  # the new set once; the stock update none (no price rule in it)


def test_a_stored_set_this_server_cannot_read_is_served_without_and_listed_as_a_problem(client, product):
    before = slots(client, **product)
    store = client.app.state.overlay.store
    store.put_rules(b'[{"kind": "spotlight", "id": "x", "page": "product"}]')  # as a newer server might
    client.portal.call(client.app.state.overlay.refresh, client.app.state.holder)
    assert slots(client, **product) == before
    assert "cannot be read" in assert_problem(client.get("/v1/rules", headers=ADMIN), 503)["detail"]
    accepted(client)  # a PUT replaces it
    assert client.get("/v1/rules", headers=ADMIN).json()["rules"] == []
