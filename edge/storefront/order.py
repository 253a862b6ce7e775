"""The demo shop's checkout: **Place order** turns the cart into an order and a "Thank you" page.

The purchase is reported the way a real shop's server reports it: one purchase event per line,
with the shopper's session and the slot each item was clicked in (which the page's script read
from the snippet's storage and put into the form), POSTed to /v1/events with the demo's server
key, so the order counts in the builder and is attributed in the report. Without a server key
configured the order is placed and nothing is reported.
"""

from __future__ import annotations

import json
import logging
import secrets
from urllib.parse import parse_qs

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from edge.events.schemas import MAX_TOUCHES
from edge.serve.routes.body import FORM_TYPES, read_body
from edge.storefront import html
from edge.storefront.catalog import Product, known
from edge.storefront.respond import CART_COOKIE, cart_ids, render

log = logging.getLogger("skylt.storefront")
MAX_FORM = 16384


def order_button() -> str:
    # shop.js fills session and touches from the snippet's storage when the shopper consented.
    return (f'<form method="post" action="{html.PREFIX}/order" data-skylt-order>'
            '<input type="hidden" name="session" value=""><input type="hidden" name="touches" value="">'
            '<button type="submit" class="primary">Place order</button></form>')


def _touches(text: str) -> list[dict[str, str]]:
    """``[[item, request_id, slot], ...]`` from the form; anything malformed is no touch (the ingest checks
    the rest)."""
    try:
        rows = json.loads(text) if text else []
    except ValueError:
        return []
    return [{"item": r[0], "request_id": r[1], "slot": r[2]} for r in (rows if isinstance(rows, list) else [])
            if isinstance(r, list) and len(r) == 3 and all(isinstance(x, str) and x for x in r)][-MAX_TOUCHES:]


def purchase_events(order: str, items: list[Product], session: str,
                    touches: list[dict[str, str]]) -> list[dict[str, object]]:
    events = []
    for p in items:
        event: dict[str, object] = {"type": "purchase", "item": p.id, "order": order, "quantity": 1}
        if p.price is not None:
            event["price"] = p.price
        if p.currency:
            event["currency"] = p.currency
        if session:
            event["session"] = session
        if touches:
            event["touches"] = touches
        events.append(event)
    return events


async def report(request: Request, events: list[dict[str, object]]) -> None:
    """Through the ingest itself, in-process, with the server key: exactly what a shop's server would send."""
    keys = request.app.state.settings.server_keys
    if not keys or not events:
        return
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        answer = await client.post("/v1/events", json={"events": events}, headers={"X-Skylt-Key": keys[0]})
    body = answer.json() if answer.headers.get("content-type", "").endswith("json") else {}
    if answer.status_code != 200 or body.get("rejected"):
        log.warning("demo order: the ingest answered %s %s", answer.status_code, body)


async def place_order(request: Request) -> Response:
    form = parse_qs((await read_body(request, MAX_FORM, FORM_TYPES)).decode(errors="replace"))
    session = form.get("session", [""])[0].strip()[:128]
    touches = _touches(form.get("touches", [""])[0])
    with request.app.state.holder.lease_served() as snap:
        items = known(snap, cart_ids(request))
    if not items:
        return RedirectResponse(html.PREFIX + "/cart", status_code=303)
    order = "demo-" + secrets.token_hex(6)
    await report(request, purchase_events(order, items, session, touches))
    response = RedirectResponse(f"{html.PREFIX}/thanks?order={order}", status_code=303)
    response.delete_cookie(CART_COOKIE, path=html.PREFIX)
    return response


async def thanks(request: Request) -> Response:
    order = request.query_params.get("order", "")[:32]
    with request.app.state.holder.lease_served() as snap:
        body = (f'<h1>Thank you</h1><p class="lead">Your order <strong class="order">{html.esc(order)}</strong> '
                'is placed. Nothing will ship: this is the Skylt demo shop.</p>' + html.slot("home", slot="for_you"))
        return render(request, snap, "Thank you", body)
