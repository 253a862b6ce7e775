"""What every demo-shop page shares: the cart cookie and the page frame with the storefront's config."""

from __future__ import annotations

from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import HTMLResponse

from edge.slots.served import Served
from edge.storefront import html
from edge.storefront.catalog import categories, known

CART_COOKIE = "skylt_demo_cart"
MAX_CART = 50


def cart_ids(request: Request) -> list[str]:
    raw = unquote(request.cookies.get(CART_COOKIE, ""))
    return [i for i in raw.split(",") if i][:MAX_CART]


def render(request: Request, snap: Served, title: str, body: str, status: int = 200) -> HTMLResponse:
    settings = request.app.state.settings
    config: dict[str, object] = {
        "api": str(request.base_url).rstrip("/"), "currency": "GBP", "locale": "en-GB",
        "itemUrl": html.PREFIX + "/p/{id}", "consent": True,
    }
    if settings.ingest_keys:
        config["key"] = settings.ingest_keys[0]  # a public key: it only allows appending events
    page = html.page(title, body, config, categories(snap), len(known(snap, cart_ids(request))))
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})
