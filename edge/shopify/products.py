"""Product webhook payloads (``products/create``, ``products/update``) -> a catalog overlay update.

Skylt's item id for a Shopify product is its numeric product id as text ("7982301234"): the id the theme's
Liquid ``product.id``, the web pixel and order line items all carry. Variants are not items of their own
(sibling variants would crowd a slot); a product is in stock when any variant can be sold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edge.overlay.schemas import MAX_LINK, ItemUpdate
from edge.shopify.state import Variant
from edge.urls import served_url


class PayloadError(ValueError):
    """A signed payload without a field Skylt needs; ``field`` names it."""

    def __init__(self, detail: str, field: str) -> None:
        super().__init__(detail)
        self.field = field


@dataclass(frozen=True)
class ProductChange:
    product_id: str
    active: bool                # status "active": shown; draft and archived products are hidden
    update: ItemUpdate
    variants: list[Variant]


# Shopify ids are 64-bit integers.
MAX_ID_DIGITS = 20


def numeric_id(value: Any, field: str) -> str:
    """A Shopify id as Skylt text: 123 and "gid://shopify/Product/123" are both "123"."""
    if isinstance(value, bool) or value is None:
        raise PayloadError(f"{field} is missing", field)
    text = value.rsplit("/", 1)[-1].strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS):
        raise PayloadError(f"{field} is not a Shopify id: {text[:60]!r}" if text else
                           f"{field} is not a Shopify id (a {type(value).__name__})", field)
    return text


def records(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON list (variants, line items, images); anything else holds none."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def text_of(value: Any, limit: int = 1000) -> str | None:
    """A JSON string cut to ``limit`` characters; anything else is no text."""
    return value[:limit] if isinstance(value, str) and value else None


def count(value: Any) -> int | None:
    """A JSON number as a whole count, None when it is not a number a shop could hold."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not -(1 << 53) < value < 1 << 53:
        return None  # NaN compares false too
    return int(value)


def _money(value: Any) -> float | None:
    try:
        amount = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return amount if 0 <= amount < 1e9 else None


def _image(product: dict[str, Any]) -> str | None:
    image = product.get("image")
    images = records(product.get("images"))
    src = image.get("src") if isinstance(image, dict) else images[0].get("src") if images else None
    return served_url(text_of(src, MAX_LINK))


def variant_of(raw: dict[str, Any]) -> Variant | None:
    if raw.get("inventory_item_id") is None:
        return None
    return Variant(
        inventory_item_id=numeric_id(raw["inventory_item_id"], "variants.inventory_item_id"),
        variant_id=numeric_id(raw["id"], "variants.id") if raw.get("id") is not None else "",
        # inventory_management is "shopify" when Shopify counts stock, null when it does not; a payload
        # without the field is taken as tracked (Shopify's default for new products).
        tracked=raw.get("inventory_management", "shopify") not in (None, ""),
        sells_unstocked=raw.get("inventory_policy") == "continue",
        quantity=count(raw.get("inventory_quantity")) or 0)


def sellable(v: Variant) -> bool:
    return not v.tracked or v.sells_unstocked or v.quantity > 0


def product_change(product: dict[str, Any], shop: str) -> ProductChange:
    product_id = numeric_id(product.get("id"), "id")
    raw_variants = records(product.get("variants"))
    variants = [v for v in map(variant_of, raw_variants) if v is not None]
    prices = [p for p in (_money(v.get("price")) for v in raw_variants) if p is not None]
    in_stock = any(sellable(v) for v in variants) if variants else bool(raw_variants)
    handle = text_of(product.get("handle"))
    title = text_of(product.get("title"))
    update = ItemUpdate(
        id=product_id,
        in_stock=in_stock,
        price=min(prices) if prices else None,  # "from" price: the cheapest variant
        title=title,
        # The myshopify.com address redirects to the shop's primary domain.
        url=served_url(f"https://{shop}/products/{handle}") if handle and shop else None,
        image=_image(product))
    active = str(product.get("status") or "active").lower() == "active"
    return ProductChange(product_id, active, update, variants)
