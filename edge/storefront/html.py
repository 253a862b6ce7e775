"""HTML of the demo shop. Every piece of catalog text passes through `esc`; links are built with `href`."""

from __future__ import annotations

import html
import json
from string import Template
from urllib.parse import quote

from edge.storefront.catalog import Product

PREFIX = "/storefront"

_PAGE = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title · Skylt demo shop</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="$prefix/shop.css">
<script>window.SkyltConfig = $config;</script>
<script src="$prefix/skylt.js" defer></script>
<script src="$prefix/shop.js" defer></script>
</head>
<body>
<header class="bar">
  <a class="brand" href="$prefix/">Skylt demo shop</a>
  <nav aria-label="Categories">$nav</nav>
  <a class="cart-link" href="$prefix/cart">Cart ($cart_count)</a>
</header>
<main id="main">
$body
</main>
<footer>Demo data: a sample of UCI Online Retail (CC BY 4.0). Recommendations by Skylt.</footer>
</body>
</html>
""")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def href(*parts: str) -> str:
    return PREFIX + "/" + "/".join(quote(p, safe="") for p in parts)


def money(p: Product) -> str:
    if p.price is None:
        return ""
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(p.currency or "", (p.currency or "") + " ")
    return f"{symbol}{p.price:,.2f}"


def config_script(config: dict[str, object]) -> str:
    # JSON inside <script>: "<" escaped so no value can close the element.
    return json.dumps(config).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page(title: str, body: str, config: dict[str, object], categories: list[str], cart_count: int) -> str:
    nav = "".join(f'<a href="{esc(href("c", c))}">{esc(c)}</a>' for c in categories)
    return _PAGE.substitute(title=esc(title), prefix=PREFIX, config=config_script(config), nav=nav,
                            body=body, cart_count=cart_count)


def slot(page_name: str, **attrs: str) -> str:
    """A <skylt-slot> element; attribute values escaped."""
    rest = "".join(f' {name.replace("_", "-")}="{esc(value)}"' for name, value in attrs.items())
    return f'<skylt-slot page="{esc(page_name)}"{rest}></skylt-slot>'


def product_card(p: Product) -> str:
    return (f'<li class="card"><a href="{esc(href("p", p.id))}"><span class="thumb" aria-hidden="true">'
            f'{esc(p.title[:1])}</span><span class="name">{esc(p.title)}</span></a>'
            f'<span class="price">{esc(money(p))}</span></li>')


def grid(products: list[Product]) -> str:
    return '<ul class="grid">' + "".join(product_card(p) for p in products) + "</ul>"


def cart_form(action: str, item_id: str, label: str) -> str:
    return (f'<form method="post" action="{PREFIX}/cart" data-skylt-cart="{esc(action)}">'
            f'<input type="hidden" name="action" value="{esc(action)}">'
            f'<input type="hidden" name="item" value="{esc(item_id)}">'
            f'<button type="submit">{esc(label)}</button></form>')
