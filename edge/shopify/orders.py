"""An ``orders/create`` payload -> purchase events in the event log's line format.

One event per product line: item = product id, order = order id, user = the customer's id hashed as the
ingest hashes user ids (when the order has a customer), quantity, unit price and currency in the shop's
currency, region = the shipping (else billing) country; the session and the slot each item came from when
the storefront wrote them into cart attributes (edge/shopify/touches.py). Lines without a product (custom
items, tips, gift cards) are left out. Nothing else about the customer (name, e-mail, address) is stored.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Any

from edge.events.schemas import StoredEvent
from edge.shopify.products import PayloadError, count, numeric_id, records, text_of
from edge.shopify.touches import session_of, touches_of

MAX_QUANTITY = 1_000_000  # as POST /v1/events caps a quantity (edge/events/schemas.py)


def _seconds(value: Any, now: float) -> int:
    if not isinstance(value, str) or not value.strip():
        return int(now)
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise PayloadError(f"created_at is not an ISO-8601 time: {value[:40]!r}", "created_at") from exc
    return math.floor((dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp())


def _currency(line: dict[str, Any], order: dict[str, Any]) -> str | None:
    """The currency of the unit price: the shop's, as ``price_set.shop_money`` states it."""
    price_set = line.get("price_set")
    code = (price_set.get("shop_money") or {}).get("currency_code") if isinstance(price_set, dict) else None
    for value in (code, order.get("currency")):
        if isinstance(value, str) and len(value) == 3 and value.isascii() and value.isupper():
            return value
    return None


def _unit_price(line: dict[str, Any]) -> float | None:
    price_set = line.get("price_set")
    amount = (price_set.get("shop_money") or {}).get("amount") if isinstance(price_set, dict) else None
    for value in (amount, line.get("price")):
        try:
            price = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            continue
        if math.isfinite(price) and 0 <= price <= 1e9:
            return price
    return None


def _country(order: dict[str, Any]) -> str | None:
    for key in ("shipping_address", "billing_address"):
        address = order.get(key)
        if isinstance(address, dict) and (country := text_of(address.get("country_code"), 8)):
            return country
    return None


def customer_id(order: dict[str, Any]) -> str | None:
    customer = order.get("customer")
    if isinstance(customer, dict) and customer.get("id") is not None:
        return numeric_id(customer["id"], "customer.id")
    return None


def purchase_events(order: dict[str, Any], now: float | None = None, user: str | None = None) -> list[StoredEvent]:
    """``user``: what to store as the user id (the hashed customer id; see edge/shopify/webhooks.py)."""
    now = time.time() if now is None else now
    order_id = numeric_id(order.get("id"), "id")
    ts = _seconds(order.get("created_at"), now)
    region = _country(order)
    session, touches = session_of(order), touches_of(order)
    events = []
    for line in records(order.get("line_items")):
        if line.get("product_id") is None or line.get("gift_card"):
            continue
        quantity = count(line.get("quantity"))
        item = numeric_id(line["product_id"], "line_items.product_id")
        request_id, slot = touches.get(item, (None, None))
        events.append(StoredEvent(
            ts=ts, type="purchase", item_id=item, session_id=session, user_id=user, order_id=order_id,
            quantity=float(quantity) if quantity is not None and 0 <= quantity <= MAX_QUANTITY else None,
            price=_unit_price(line), region=region, request_id=request_id, slot=slot,
            currency=_currency(line, order)))
    return events
