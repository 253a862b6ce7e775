"""Routes of the demo shop: pages, the cart (kept in a cookie) and the static files, the snippet among them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from edge.serve.routes.body import FORM_TYPES, read_body
from edge.storefront import html
from edge.storefront.catalog import categories, category_products, known, product
from edge.storefront.order import order_button, place_order, thanks
from edge.storefront.respond import CART_COOKIE, MAX_CART, cart_ids, render

STATIC = Path(str(resources.files("edge.storefront") / "static"))
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


async def home(request: Request) -> Response:
    with request.app.state.holder.lease_served() as snap:
        tiles = "".join(f'<li><a href="{html.esc(html.href("c", c))}">{html.esc(c)}</a></li>'
                        for c in categories(snap))
        body = ('<h1>Welcome</h1><p class="lead">Browse a little: the rows below follow what you look at.</p>'
                + html.slot("home") + f'<h2>Categories</h2><ul class="tiles">{tiles}</ul>')
        return render(request, snap, "Home", body)


async def category(request: Request) -> Response:
    name = request.path_params["name"]
    with request.app.state.holder.lease_served() as snap:
        products = category_products(snap, name, 24)
        if not products:
            return render(request, snap, "Not found", "<h1>No such category</h1>", 404)
        body = (f"<h1>{html.esc(name)}</h1>" + html.grid(products)
                + html.slot("home", slot="for_you", category=name, heading=f"For you in {name}"))
        return render(request, snap, name, body)


async def product_page(request: Request) -> Response:
    item_id = request.path_params["item_id"]
    with request.app.state.holder.lease_served() as snap:
        p = product(snap, item_id)
        if p is None:
            return render(request, snap, "Not found", "<h1>No such product</h1>", 404)
        crumb = (f'<p class="crumb"><a href="{html.esc(html.href("c", p.category))}">{html.esc(p.category)}</a></p>'
                 if p.category else "")
        body = (f'{crumb}<article class="product"><span class="thumb big" aria-hidden="true">{html.esc(p.title[:1])}'
                f'</span><div><h1>{html.esc(p.title)}</h1><p class="price">{html.esc(html.money(p))}</p>'
                f'<p class="sku">Item {html.esc(p.id)}</p>{html.cart_form("add", p.id, "Add to cart")}</div></article>'
                + html.slot("product", item=p.id))
        return render(request, snap, p.title, body)


async def cart_page(request: Request) -> Response:
    ids = cart_ids(request)
    with request.app.state.holder.lease_served() as snap:
        items = known(snap, ids)
        if items:
            rows = "".join(f'<li><a href="{html.esc(html.href("p", p.id))}">{html.esc(p.title)}</a> '
                           f'<span class="price">{html.esc(html.money(p))}</span>'
                           f'{html.cart_form("remove", p.id, "Remove")}</li>' for p in items)
            listing = f'<ul class="cart">{rows}</ul>'
        else:
            listing = '<p class="empty">Your cart is empty.</p>'
        # The cart attribute tells the snippet what the shop's cart holds (the shop is the source of truth).
        body = ("<h1>Your cart</h1>" + listing + (order_button() if items else "")
                + html.slot("cart", cart=",".join(p.id for p in items)))
        return render(request, snap, "Cart", body)


async def cart_change(request: Request) -> Response:
    form = parse_qs((await read_body(request, 4096, FORM_TYPES)).decode(errors="replace"))
    action, item = form.get("action", [""])[0], form.get("item", [""])[0]
    ids = [i for i in cart_ids(request) if i != item]
    if action == "add" and item:
        with request.app.state.holder.lease_served() as snap:
            if product(snap, item) is not None:
                ids = [*ids, item][-MAX_CART:]
    response = RedirectResponse(html.PREFIX + "/cart", status_code=303)
    response.set_cookie(CART_COOKIE, quote(",".join(ids), safe=""), max_age=30 * 86400, httponly=True,
                        samesite="lax", path=html.PREFIX)
    return response


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    suffix = Path(name).suffix
    if name not in ("skylt.js", "shop.js", "shop.css"):
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(STATIC / name, media_type=_TYPES[suffix], headers={"Cache-Control": "no-cache"})


def routes() -> list[BaseRoute]:
    return [Mount(html.PREFIX, routes=[
        Route("/", home, methods=["GET"]),
        Route("/c/{name:path}", category, methods=["GET"]),
        Route("/p/{item_id:path}", product_page, methods=["GET"]),
        Route("/cart", cart_page, methods=["GET"]),
        Route("/cart", cart_change, methods=["POST"]),
        Route("/order", place_order, methods=["POST"]),
        Route("/thanks", thanks, methods=["GET"]),
        Route("/{name}", static, methods=["GET"]),
    ])]
