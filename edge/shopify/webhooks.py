"""What each Shopify webhook topic does to Skylt's data (the HTTP side is edge/serve/routes/shopify.py).

| topic | effect |
|---|---|
| products/create, products/update | catalog overlay upsert (price, stock, title, url, image); draft/archived: hidden |
| products/delete | catalog overlay delete |
| inventory_levels/update | the product's stock, through the inventory item learned from product payloads |
| orders/create | purchase events appended to the event log (once per order); marketing consent where it has it |
| customers_email_marketing_consent/update | the customer's e-mail marketing consent (edge/shopify/consent.py) |
| customers_marketing_consent/update | the customer's SMS marketing consent |
| app/uninstalled | the uninstall is recorded; the shop's Admin API tokens are deleted |
| customers/data_request | counts and logs what is held about the customer |
| customers/redact | erases the customer's events (by customer id and the orders named) |
| shop/redact | erases the shop's logged orders and customers and everything remembered about the shop |

Other topics are acknowledged and ignored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from edge.disk import DiskFloor
from edge.events.erase import erase_user
from edge.events.log import EventLog
from edge.notify.consent import Notes
from edge.notify.state import NotifyStore
from edge.overlay.schemas import ItemUpdate
from edge.overlay.store import OverlayStore
from edge.profiles.store import ProfileStore
from edge.replicas.archive import Archive
from edge.shopify.consent import consent_time, webhook_marketing
from edge.shopify.erase import Person, count_events, erase_events
from edge.shopify.orders import customer_id, purchase_events
from edge.shopify.products import PayloadError, count, numeric_id, product_change
from edge.shopify.state import WebhookState

if TYPE_CHECKING:
    from edge.shared.factory import TokenVault

log = logging.getLogger("skylt.shopify")
_line = msgspec.json.Encoder()

CATALOG_TOPICS = ("products/create", "products/update", "products/delete", "inventory_levels/update")


class Outcome(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The answer body: what the delivery changed."""

    topic: str
    duplicate: bool = False
    ignored: str | None = None
    upserted: list[str] = msgspec.field(default_factory=list)
    deleted: list[str] = msgspec.field(default_factory=list)
    events: int = 0
    events_held: int | None = None
    erased: int | None = None
    marketing: bool | None = None  # the consent recorded for the customer


def erase_person(directory: Path, person: Person) -> int:
    """Lines erased from one log directory: the customers' own (and their sessions', edge/events/erase.py),
    then what is left of the orders (guest checkouts)."""
    erased = 0
    for user in person.user_ids:
        done = erase_user(directory, user)
        erased += done.events + done.impressions
    return erased + erase_events(directory, person)


@dataclass
class Receiver:
    state: WebhookState
    overlay: OverlayStore | None
    event_log: EventLog
    event_dir: Path
    profiles: ProfileStore | None
    shops: tuple[str, ...] = ()
    disk_floor: DiskFloor | None = None
    archive: Archive | None = None
    tokens: TokenVault | None = None
    clock: Callable[[], float] = field(default=time.time)
    notify: NotifyStore | None = None  # the trigger state (edge/notify): orders feed it, redacts erase from it
    secret_key: str | None = field(default=None, repr=False)  # seals consenting customers' ids; None: notify off

    async def handle(self, topic: str, shop: str, payload: dict[str, Any]) -> Outcome:
        """Apply one verified delivery. Raises ``PayloadError`` for a payload missing what Skylt needs."""
        if self.shops and shop not in self.shops:
            return Outcome(topic=topic, ignored=f"shop {shop} is not served (setting shopify_shops)")
        handler = _HANDLERS.get(topic)
        if handler is None:
            return Outcome(topic=topic, ignored="topic not used by Skylt")
        if topic != "app/uninstalled" and topic not in _PRIVACY_TOPICS:
            await asyncio.to_thread(self.state.installed, shop)
        return await handler(self, topic, shop, payload)

    def _need_overlay(self) -> OverlayStore:
        if self.overlay is None:
            raise RuntimeError("the catalog overlay is not open")
        return self.overlay

    async def _product(self, topic: str, shop: str, payload: dict[str, Any]) -> Outcome:
        change = product_change(payload, shop)
        store = self._need_overlay()
        await asyncio.to_thread(self.state.save_product, shop, change.product_id, change.active, change.variants)
        if change.active:
            await asyncio.to_thread(store.upsert, [change.update])
            return Outcome(topic=topic, upserted=[change.product_id])
        await asyncio.to_thread(store.delete, change.product_id)
        return Outcome(topic=topic, deleted=[change.product_id])

    async def _product_deleted(self, topic: str, shop: str, payload: dict[str, Any]) -> Outcome:
        product_id = numeric_id(payload.get("id"), "id")
        store = self._need_overlay()
        await asyncio.to_thread(self.state.forget_product, shop, product_id)
        await asyncio.to_thread(store.delete, product_id)
        return Outcome(topic=topic, deleted=[product_id])

    async def _inventory(self, topic: str, shop: str, payload: dict[str, Any]) -> Outcome:
        item = numeric_id(payload.get("inventory_item_id"), "inventory_item_id")
        location = numeric_id(payload.get("location_id"), "location_id")
        if payload.get("available") is None:  # the item stopped being tracked at this location: nothing to count
            return Outcome(topic=topic, ignored="no available quantity")
        available = count(payload["available"])
        if available is None:
            raise PayloadError("available is not a number", "available")
        found = await asyncio.to_thread(self.state.set_level, shop, item, location, available)
        if found is None:
            return Outcome(topic=topic, ignored=f"inventory item {item} belongs to no product seen yet")
        product_id, active, in_stock = found
        if not active:
            return Outcome(topic=topic, ignored=f"product {product_id} is not active")
        await asyncio.to_thread(self._need_overlay().upsert, [ItemUpdate(id=product_id, in_stock=in_stock)])
        return Outcome(topic=topic, upserted=[product_id])

    def _user_hash(self, customer: str | None) -> str | None:
        """Customer ids are stored as the ingest stores user ids: hashed with the install's salt
        (edge/profiles/salt.py), so the storefront's events and the orders name a customer alike."""
        if customer is None:
            return None
        if self.profiles is None:
            raise RuntimeError("the profile store (the id salt) is not open")
        return self.profiles.key(customer)

    def _consent(self, customer: str | None, user: str | None, payload: Any, as_of: Any) -> Notes:
        """The payload's marketing consent, recorded as the ingest records a signed ``marketing``
        (edge/notify/consent.py): the HMAC-verified delivery is the shop's own record."""
        notes = Notes(self.secret_key)
        flag = webhook_marketing(payload, as_of, self.clock())
        if flag is not None and customer is not None and user is not None and self.notify is not None:
            notes.marketing(user, customer, flag, self.clock())
        return notes

    async def _apply(self, notes: Notes) -> bool | None:
        """Into the trigger state; the consent recorded, if any."""
        if notes and self.notify is not None:
            await asyncio.to_thread(notes.apply_to, self.notify)
        return notes.consents[-1].sealed is not None if notes.consents else None

    async def _order(self, topic: str, shop: str, payload: dict[str, Any]) -> Outcome:
        customer = customer_id(payload)
        user = self._user_hash(customer)
        events = purchase_events(payload, self.clock(), user)
        order_id = numeric_id(payload.get("id"), "id")
        notes = self._consent(customer, user, payload.get("customer"), payload.get("created_at"))
        if not events:
            return Outcome(topic=topic, ignored="no product lines", marketing=await self._apply(notes))
        profiles = self.profiles if user is not None else None
        # Full stores answer 503 (Shopify retries) before anything is stored, as POST /v1/events does.
        if self.disk_floor is not None:
            self.disk_floor.check()
        if profiles is not None:
            profiles.check_room()
        if not await asyncio.to_thread(self.state.remember_order, shop, order_id, user):
            return Outcome(topic=topic, ignored=f"order {order_id} was logged before")
        try:
            if profiles is not None and user is not None:  # before the append, as the ingest does
                await asyncio.to_thread(profiles.update, [(user, "purchase", e.item_id) for e in events])
                for event in events:  # a consenting customer's order starts its cross-sell trigger
                    notes.stored(event)
            marketing = await self._apply(notes)  # consent first: this order counts for a customer it makes known
            await self.event_log.append(b"".join(_line.encode(e) + b"\n" for e in events))
        except BaseException:
            await asyncio.to_thread(self.state.forget_orders, shop, [order_id])  # so a retry logs it
            raise
        # Only now: a worker that stops before this line leaves the order unlogged, and the retry logs it.
        await asyncio.to_thread(self.state.order_logged, shop, order_id)
        return Outcome(topic=topic, events=len(events), marketing=marketing)

    async def _consent_update(self, topic: str, shop: str, payload: dict[str, Any]) -> Outcome:
        key = "customer_id" if "customer_id" in payload else "id"  # the e-mail topic's name, the SMS topic's
        customer = numeric_id(payload.get(key), key)
        notes = self._consent(customer, self._user_hash(customer), payload, consent_time(payload))
        if not notes.consents:
            return Outcome(topic=topic, ignored="no marketing consent to record")
        return Outcome(topic=topic, marketing=await self._apply(notes))

    async def _uninstalled(self, topic: str, shop: str, payload: dict[str, Any]) -> Outcome:
        await asyncio.to_thread(self.state.uninstalled, shop, self.clock())
        if self.tokens is not None:  # Shopify has revoked them already; nothing of the shop's access is kept
            await asyncio.to_thread(self.tokens.delete, shop)
        log.info("shopify: %s uninstalled the app", shop)
        return Outcome(topic=topic)

    async def _person(self, shop: str, payload: dict[str, Any], orders_key: str) -> Person:
        raw = payload.get("customer")
        customer: dict[str, Any] = raw if isinstance(raw, dict) else {}
        user = self._user_hash(numeric_id(customer["id"], "customer.id")) if customer.get("id") is not None else None
        listed = payload.get(orders_key)
        orders = {numeric_id(o, orders_key) for o in (listed if isinstance(listed, list) else [])}
        if user is not None:
            orders.update(await asyncio.to_thread(self.state.customer_orders, shop, user))
        return Person(user_ids={user} if user else set(), order_ids=orders)

    async def _data_request(self, topic: str, shop: str, payload: dict[str, Any]) -> Outcome:
        person = await self._person(shop, payload, "orders_requested")
        held = await asyncio.to_thread(count_events, self.event_dir, person)
        request = payload.get("data_request")
        request_id = numeric_id(request.get("id"), "data_request.id") if isinstance(request, dict) else None
        # Skylt holds only pseudonymous events (ids, items, quantities, prices, country): the log line is
        # what the merchant needs to answer the request.
        log.warning("shopify: %s data request %s: user id %s: %d events in the event log (orders %s)",
                    shop, request_id, ",".join(sorted(person.user_ids)) or "-", held,
                    ",".join(sorted(person.order_ids)) or "-")
        return Outcome(topic=topic, events_held=held)

    async def _erase(self, person: Person) -> int:
        """The customers' lines (and their sessions', edge/events/erase.py), their profiles, then what is
        left of the orders (guest checkouts)."""
        erased = await asyncio.to_thread(erase_person, self.event_dir, person)
        for user in person.user_ids:
            if self.profiles is not None:
                await asyncio.to_thread(self.profiles.erase, user)
            if self.notify is not None:
                await asyncio.to_thread(self.notify.forget, user)
        if self.archive is not None:  # every replica's shipped copies too
            await asyncio.to_thread(self.archive.erase, lambda folder: erase_person(folder, person), self.event_dir)
        return erased

    async def _redact_customer(self, topic: str, shop: str, payload: dict[str, Any]) -> Outcome:
        person = await self._person(shop, payload, "orders_to_redact")
        erased = await self._erase(person)
        await asyncio.to_thread(self.state.forget_orders, shop, person.order_ids)
        log.warning("shopify: %s customer redact: erased %d events", shop, erased)
        return Outcome(topic=topic, erased=erased)

    async def _redact_shop(self, topic: str, shop: str, payload: dict[str, Any]) -> Outcome:
        orders, customers = await asyncio.to_thread(self.state.shop_people, shop)
        erased = await self._erase(Person(customers, orders))
        await asyncio.to_thread(self.state.forget_shop, shop)
        log.warning("shopify: %s shop redact: erased %d events of %d orders", shop, erased, len(orders))
        return Outcome(topic=topic, erased=erased)


_PRIVACY_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")
_HANDLERS = {
    "products/create": Receiver._product,
    "products/update": Receiver._product,
    "products/delete": Receiver._product_deleted,
    "inventory_levels/update": Receiver._inventory,
    "orders/create": Receiver._order,
    "customers_email_marketing_consent/update": Receiver._consent_update,
    "customers_marketing_consent/update": Receiver._consent_update,
    "app/uninstalled": Receiver._uninstalled,
    "customers/data_request": Receiver._data_request,
    "customers/redact": Receiver._redact_customer,
    "shop/redact": Receiver._redact_shop,
}
