"""What a trigger sends: the served planner's picks for the trigger's context, as items with links that attribute.

Each kind asks the planner what the shop would show on the matching page: a left cart gets the cart page's
``bought_together`` and ``addons``, viewed products the product page's ``similar`` and ``alternatives`` (of the
latest viewed item, the rest as history), an order the ``bought_together`` of its lines (as a cart, so nothing
bought is offered again). Links carry ``?skylt=<item>&skylt=<request id>&skylt=<slot>``: the storefront snippet
turns a landing into a click on that render, and ``skylt notify`` logs the render as an impression on the page
``email:<kind>``, so ``skylt report`` shows the message's slots beside the shop's.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import msgspec

from edge.config import Settings
from edge.schemas import RecommendRequest
from edge.slots.compiled import plan_slots
from edge.slots.context import build_context
from edge.slots.served import Served
from edge.urls import web_url

Kind = Literal["cart", "viewed", "order"]
METRICS: dict[str, str] = {"cart": "Skylt Cart Recommendations", "viewed": "Skylt Browse Recommendations",
                           "order": "Skylt Order Recommendations"}
# kind -> (page, slots) the planner is asked for
CONTEXTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "cart": ("cart", ("bought_together", "addons")),
    "viewed": ("product", ("similar", "alternatives")),
    "order": ("cart", ("bought_together",)),
}
PAGE_PREFIX = "email:"
LINK_PARAM = "skylt"  # repeated: item, request id, slot (three short values keep the snippet's reader tiny)
_fragment = msgspec.json.Decoder(dict[str, object]).decode
_reason = msgspec.json.Decoder(str).decode


class Item(msgspec.Struct, kw_only=True):
    id: str
    title: str | None
    url: str | None       # absolute, with the attribution parameters; None: the catalog has no link
    image: str | None
    price: float | None
    currency: str | None
    reason: str
    slot: str


class Message(msgspec.Struct, kw_only=True):
    """One trigger's content, the same for every destination."""

    id: str               # the idempotency key: Klaviyo's unique_id, the webhook's id
    kind: str
    metric: str
    customer_id: str      # the shop's own customer id (Klaviyo's external_id)
    request_id: str
    time: str             # ISO-8601 UTC: when the trigger fell due
    items: list[Item]


def request_id(key: str) -> str:
    """A stable id per trigger: the render its links and impressions name (16 hex digits, as the API's)."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def planned(served: Served, settings: Settings, page: str, slots: tuple[str, ...], item: str | None,
            cart: list[str], history: list[str], purchased: list[str]) -> list[tuple[str, list[tuple[int, str]]]]:
    """The served planner for one context: per slot, its (dense id, reason) picks.

    The only call into the planner from edge/notify: a change to the planner's interface changes this function."""
    asked: dict[str, Any] = {"page": page, "item": item, "cart": cart[-50:], "history": history[-50:],
                             "purchased": purchased[-50:], "slots": list(slots), "n": settings.notify_items}
    req = RecommendRequest(**asked)
    ctx = build_context(served.snapshot, req)
    picked, _, _ = plan_slots(served, ctx, slots)
    return [(slot, list(zip(p.ids.tolist(), (_reason(r) for r in p.reasons), strict=True)))
            for slot, p in zip(slots, picked, strict=True)]


def link(url: object, settings: Settings, rid: str, slot: str, item: str) -> str | None:
    """The item's link made absolute and carrying the attribution parameters; None without a usable link."""
    base = settings.notify_link_base
    if url is None and settings.notify_item_url:
        url = settings.notify_item_url.replace("{id}", quote(item, safe=""))
    if not isinstance(url, str) or not web_url(url):
        return None
    if url.startswith("/"):
        if not base:
            return None
        url = base.rstrip("/") + url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != LINK_PARAM]
    query += [(LINK_PARAM, item), (LINK_PARAM, rid), (LINK_PARAM, slot)]  # in the order the snippet reads them
    return urlunsplit(parts._replace(query=urlencode(query)))


def items_for(served: Served, settings: Settings, kind: str, context: list[str], purchased: list[str],
              rid: str) -> list[Item]:
    page, slots = CONTEXTS[kind]
    if kind == "viewed":
        picks = planned(served, settings, page, slots, context[-1] if context else None, [], context, purchased)
    else:
        picks = planned(served, settings, page, slots, None, context, [], purchased)
    items = []
    for slot, chosen in picks:
        for dense, reason in chosen:
            fragment = served.fragments.get(dense)
            data = _fragment(b"{" + (fragment or served.snapshot.render(dense)) + b"}")
            item_id = str(data["id"])
            price = data.get("price")
            items.append(Item(id=item_id, title=_text(data.get("title")),
                              url=link(data.get("url"), settings, rid, slot, item_id),
                              image=_image(data.get("image"), settings.notify_link_base),
                              price=float(price) if isinstance(price, int | float) else None,
                              currency=_text(data.get("currency")), reason=reason, slot=slot))
    return items


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _image(value: object, base: str) -> str | None:
    """Mail clients load images from absolute addresses only."""
    if not isinstance(value, str) or not web_url(value):
        return None
    if value.startswith("/"):
        return base.rstrip("/") + value if base else None
    return value
