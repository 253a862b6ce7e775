"""The Shopify webhook state in the shared state store: the same public methods as
``edge.shopify.state.WebhookState``, so that Shopify's deliveries may reach any replica.

Keys (under ``skylt:shopify:``): ``deliveries`` (webhook id -> "done|at|shop") with ``delivery_times``
(id by time, to forget them after ``DELIVERY_DAYS``); per shop ``shop:<shop>:products`` (product id ->
active), ``:variants`` (inventory item id -> [product, variant, tracked, sells unstocked, quantity]),
``:items:<product>`` (its inventory items), ``:levels:<inventory item>`` (location -> available) and
``:orders`` (order id -> [hashed customer, logged]); ``customer:<hash>`` (the customer's [shop, order]
pairs, for erasure); ``uninstalled`` (shop -> when). A delivery claim is one Lua script; every other
change reads what it needs under WATCH and writes in one MULTI, retried on a concurrent change.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

import msgspec

from edge.shared.client import PREFIX, SharedState
from edge.shopify.state import CLAIM_TIMEOUT, DELIVERY_DAYS, Claim, Variant

K = PREFIX + "shopify:"
DELIVERIES = K + "deliveries"
DELIVERY_TIMES = K + "delivery_times"
UNINSTALLED = K + "uninstalled"
PRUNE_BATCH = 1000
T = TypeVar("T")

_json = msgspec.json.Encoder().encode
_variant = msgspec.json.Decoder(tuple[str, str, bool, bool, int]).decode
_order = msgspec.json.Decoder(tuple[str | None, bool]).decode
_pair = msgspec.json.Decoder(tuple[str, str]).decode

# KEYS: deliveries, delivery_times; ARGV: id, now, forget before, take over before, shop
_CLAIM = f"""
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[3], 'LIMIT', 0, {PRUNE_BATCH})
if #old > 0 then redis.call('HDEL', KEYS[1], unpack(old)); redis.call('ZREM', KEYS[2], unpack(old)) end
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  local done, at = string.match(v, '^(%d)|([^|]*)|')
  if done == '1' then return 'done' end
  if tonumber(at) >= tonumber(ARGV[4]) then return 'busy' end
end
redis.call('HSET', KEYS[1], ARGV[1], '0|' .. ARGV[2] .. '|' .. ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 'claimed'
"""
# KEYS: deliveries, delivery_times; ARGV: id, now
_DONE = """
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local shop = string.match(v, '^%d|[^|]*|(.*)$')
redis.call('HSET', KEYS[1], ARGV[1], '1|' .. ARGV[2] .. '|' .. shop)
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
"""
# KEYS: deliveries, delivery_times; ARGV: id
_RELEASE = """
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and string.sub(v, 1, 1) == '0' then redis.call('HDEL', KEYS[1], ARGV[1]); redis.call('ZREM', KEYS[2], ARGV[1]) end
return 0
"""


def _shop(shop: str, what: str) -> str:
    return f"{K}shop:{shop}:{what}"


def _customer(customer_id: str) -> str:
    return f"{K}customer:{customer_id}"


def _glob(text: str) -> str:
    """``text`` matched literally by a SCAN pattern."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


class SharedWebhookState:
    def __init__(self, state: SharedState) -> None:
        self.state = state

    def _transaction(self, what: str, watch: list[str], body: Callable[[Any], T]) -> T:
        """``body(pipe)`` reads the watched keys, calls ``pipe.multi()`` and queues its writes; it runs
        again if another writer changed a watched key meanwhile."""
        with self.state.call(what) as r:
            return cast(T, r.transaction(body, *watch, value_from_callable=True))

    # -- deliveries ---------------------------------------------------------------------------

    def claim(self, webhook_id: str, topic: str, shop: str, now: float | None = None) -> Claim:
        now = time.time() if now is None else now
        with self.state.call("shopify") as r:
            answer = r.eval(_CLAIM, 2, DELIVERIES, DELIVERY_TIMES, webhook_id, repr(now),
                            repr(now - DELIVERY_DAYS * 86400), repr(now - CLAIM_TIMEOUT), shop)
        return cast(Claim, answer.decode())

    def done(self, webhook_id: str, now: float | None = None) -> None:
        with self.state.call("shopify") as r:
            r.eval(_DONE, 2, DELIVERIES, DELIVERY_TIMES, webhook_id, repr(time.time() if now is None else now))

    def release(self, webhook_id: str) -> None:
        with self.state.call("shopify") as r:
            r.eval(_RELEASE, 2, DELIVERIES, DELIVERY_TIMES, webhook_id)

    # -- catalog ------------------------------------------------------------------------------

    def _drop_items(self, pipe: Any, shop: str, product_id: str, items: Iterable[bytes], owners: list[Any]) -> None:
        """Queue the deletion of a product's variants (those it still owns) and their levels."""
        mine = [i for i, raw in zip(items, owners, strict=True) if raw is not None and _variant(raw)[0] == product_id]
        if mine:
            pipe.hdel(_shop(shop, "variants"), *mine)
            pipe.delete(*(_shop(shop, f"levels:{i.decode()}") for i in mine))
        pipe.delete(_shop(shop, f"items:{product_id}"))

    def save_product(self, shop: str, product_id: str, active: bool, variants: Iterable[Variant]) -> None:
        """A product payload's variants replace the ones known; its totals replace per-location levels."""
        variants = list(variants)
        items_key = _shop(shop, f"items:{product_id}")

        def body(pipe: Any) -> None:
            old = sorted(pipe.smembers(items_key))
            owners = pipe.hmget(_shop(shop, "variants"), old) if old else []
            pipe.multi()
            pipe.hset(_shop(shop, "products"), product_id, "1" if active else "0")
            self._drop_items(pipe, shop, product_id, old, owners)
            for v in variants:  # an inventory item moved here from another product leaves that one
                pipe.hset(_shop(shop, "variants"), v.inventory_item_id,
                          _json((product_id, v.variant_id, v.tracked, v.sells_unstocked, v.quantity)))
                pipe.delete(_shop(shop, f"levels:{v.inventory_item_id}"))
            if variants:
                pipe.sadd(items_key, *(v.inventory_item_id for v in variants))

        self._transaction("shopify", [items_key, _shop(shop, "variants")], body)

    def forget_product(self, shop: str, product_id: str) -> None:
        items_key = _shop(shop, f"items:{product_id}")

        def body(pipe: Any) -> None:
            old = sorted(pipe.smembers(items_key))
            owners = pipe.hmget(_shop(shop, "variants"), old) if old else []
            pipe.multi()
            self._drop_items(pipe, shop, product_id, old, owners)
            pipe.hdel(_shop(shop, "products"), product_id)

        self._transaction("shopify", [items_key, _shop(shop, "variants")], body)

    def set_level(self, shop: str, inventory_item_id: str, location_id: str,
                  available: int) -> tuple[str, bool, bool] | None:
        """Record one location's stock: (product id, product active, product in stock), or None for an
        inventory item no product payload has named yet."""
        levels_key = _shop(shop, f"levels:{inventory_item_id}")
        variants_key = _shop(shop, "variants")

        def body(pipe: Any) -> tuple[str, bool, bool] | None:
            raw = pipe.hget(variants_key, inventory_item_id)
            if raw is None:
                return None
            product_id, variant_id, tracked, unstocked, _ = _variant(raw)
            levels = {k.decode(): int(v) for k, v in pipe.hgetall(levels_key).items()}
            levels[location_id] = available
            quantity = sum(levels.values())
            active = pipe.hget(_shop(shop, "products"), product_id) == b"1"
            siblings = [i for i in pipe.smembers(_shop(shop, f"items:{product_id}")) if i.decode() != inventory_item_id]
            sellable = not tracked or unstocked or quantity > 0
            for other in (pipe.hmget(variants_key, siblings) if siblings else []):
                if other is not None and not sellable:
                    owner, _, o_tracked, o_unstocked, o_quantity = _variant(other)
                    sellable = owner == product_id and (not o_tracked or o_unstocked or o_quantity > 0)
            pipe.multi()
            pipe.hset(levels_key, location_id, available)
            pipe.hset(variants_key, inventory_item_id, _json((product_id, variant_id, tracked, unstocked, quantity)))
            return product_id, active, sellable

        return self._transaction("shopify", [levels_key, variants_key], body)

    # -- orders and customers -----------------------------------------------------------------

    def remember_order(self, shop: str, order_id: str, customer_id: str | None) -> bool:
        """False when the order was logged before; True for a new one, or one whose logging never finished."""
        orders = _shop(shop, "orders")

        def body(pipe: Any) -> bool:
            raw = pipe.hget(orders, order_id)
            before = _order(raw) if raw is not None else None
            if before is not None and before[1]:
                return False
            pipe.multi()
            if before is not None and before[0] and before[0] != customer_id:
                pipe.srem(_customer(before[0]), _json((shop, order_id)))
            pipe.hset(orders, order_id, _json((customer_id, False)))
            if customer_id:
                pipe.sadd(_customer(customer_id), _json((shop, order_id)))
            return True

        return self._transaction("shopify", [orders], body)

    def order_logged(self, shop: str, order_id: str) -> None:
        orders = _shop(shop, "orders")

        def body(pipe: Any) -> None:
            raw = pipe.hget(orders, order_id)
            if raw is not None:
                pipe.multi()
                pipe.hset(orders, order_id, _json((_order(raw)[0], True)))

        self._transaction("shopify", [orders], body)

    def customer_orders(self, shop: str, customer_id: str) -> list[str]:
        with self.state.call("shopify") as r:
            pairs = [_pair(m) for m in r.smembers(_customer(customer_id))]
        return sorted(order for s, order in pairs if s == shop)

    def shop_people(self, shop: str) -> tuple[set[str], set[str]]:
        """(order ids, customer ids) logged for ``shop``."""
        with self.state.call("shopify") as r:
            rows = {k.decode(): _order(v) for k, v in r.hgetall(_shop(shop, "orders")).items()}
        return set(rows), {c for c, _ in rows.values() if c}

    def forget_customer(self, customer_id: str) -> int:
        """Every shop's order rows of one (hashed) customer id; rows deleted."""
        key = _customer(customer_id)

        def body(pipe: Any) -> int:
            pairs = [_pair(m) for m in pipe.smembers(key)]
            pipe.multi()
            for shop, order_id in pairs:
                pipe.hdel(_shop(shop, "orders"), order_id)
            pipe.delete(key)
            return len(pairs)

        return self._transaction("shopify", [key], body)

    def forget_orders(self, shop: str, order_ids: Iterable[str]) -> None:
        order_ids = list(order_ids)
        if not order_ids:
            return
        orders = _shop(shop, "orders")

        def body(pipe: Any) -> None:
            rows = pipe.hmget(orders, order_ids)
            pipe.multi()
            for order_id, raw in zip(order_ids, rows, strict=True):
                if raw is not None and (customer := _order(raw)[0]):
                    pipe.srem(_customer(customer), _json((shop, order_id)))
            pipe.hdel(orders, *order_ids)

        self._transaction("shopify", [orders], body)

    # -- installs -----------------------------------------------------------------------------

    def uninstalled(self, shop: str, when: float) -> None:
        with self.state.call("shopify") as r:
            r.hset(UNINSTALLED, shop, repr(when))

    def uninstalled_at(self, shop: str) -> float | None:
        with self.state.call("shopify") as r:
            raw = r.hget(UNINSTALLED, shop)
        return None if raw is None else float(raw)

    def installed(self, shop: str) -> None:
        with self.state.call("shopify") as r:
            r.hdel(UNINSTALLED, shop)

    def forget_shop(self, shop: str) -> None:
        """``shop/redact``: everything held about the shop."""
        orders, _ = self.shop_people(shop)
        self.forget_orders(shop, orders)
        with self.state.call("shopify") as r:
            for key in r.scan_iter(match=_glob(_shop(shop, "")) + "*", count=1000):
                r.delete(key)
            gone = [k for k, v in r.hscan_iter(DELIVERIES) if v.split(b"|", 2)[2].decode() == shop]
            for start in range(0, len(gone), PRUNE_BATCH):
                r.hdel(DELIVERIES, *gone[start:start + PRUNE_BATCH])
                r.zrem(DELIVERY_TIMES, *gone[start:start + PRUNE_BATCH])
            r.hdel(UNINSTALLED, shop)

    def close(self) -> None:
        self.state.close()
