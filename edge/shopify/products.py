"""Product webhook payloads (``products/create``, ``products/update``) -> a catalog overlay update.

Skylt's item id for a Shopify product is its numeric product id as text ("7982301234"): the id the theme's
Liquid ``product.id``, the web pixel and order line items all carry. Variants are not items of their own
(sibling variants would crowd a slot); a product is in stock when any variant can be sold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edge.overlay.schemas import ItemUpdate
from edge.shopify.state import Variant


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


def numeric_id(value: Any, field: str) -> str:
    """A Shopify id as Skylt text: 123 and "gid://shopify/Product/123" are both "123"."""
    if isinstance(value, bool) or value is None:
        raise PayloadError(f"{field} is missing", field)
    text = str(value).rsplit("/", 1)[-1].strip()
    if not text.isdigit():
        raise PayloadError(f"{field} is not a Shopify id: {str(value)[:60]!r}", field)
    return text


def _money(value: Any) -> float | None:
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return None
    return amount if 0 <= amount < 1e9 else None


def _image(product: dict[str, Any]) -> str | None:
    image = product.get("image")
    if isinstance(image, dict) and isinstance(image.get("src"), str):
        return str(image["src"])
    images = product.get("images")
    if isinstance(images, list) and images and isinstance(images[0], dict) and isinstance(images[0].get("src"), str):
        return str(images[0]["src"])
    return None


def variant_of(raw: dict[str, Any]) -> Variant | None:
    if raw.get("inventory_item_id") is None:
        return None
    quantity = raw.get("inventory_quantity")
    return Variant(
        inventory_item_id=numeric_id(raw["inventory_item_id"], "variants.inventory_item_id"),
        variant_id=str(raw.get("id") or ""),
        # inventory_management is "shopify" when Shopify counts stock, null when it does not; a payload
        # without the field is taken as tracked (Shopify's default for new products).
        tracked=raw.get("inventory_management", "shopify") not in (None, ""),
        sells_unstocked=raw.get("inventory_policy") == "continue",
        quantity=int(quantity) if isinstance(quantity, int | float) else 0)


def sellable(v: Variant) -> bool:
    return not v.tracked or v.sells_unstocked or v.quantity > 0


def product_change(product: dict[str, Any], shop: str) -> ProductChange:
    product_id = numeric_id(product.get("id"), "id")
    raw_variants = [v for v in product.get("variants") or [] if isinstance(v, dict)]
    variants = [v for v in map(variant_of, raw_variants) if v is not None]
    prices = [p for p in (_money(v.get("price")) for v in raw_variants) if p is not None]
    in_stock = any(sellable(v) for v in variants) if variants else bool(raw_variants)
    handle = product.get("handle")
    title = product.get("title")
    update = ItemUpdate(
        id=product_id,
        in_stock=in_stock,
        price=min(prices) if prices else None,  # "from" price: the cheapest variant
        title=str(title)[:1000] if title else None,
        # The myshopify.com address redirects to the shop's primary domain.
        url=f"https://{shop}/products/{handle}" if handle and shop else None,
        image=_image(product))
    active = str(product.get("status") or "active").lower() == "active"
    return ProductChange(product_id, active, update, variants)
