"""Shopify's product CSV export -> one catalog item per product.

The export has one row per variant and per extra image, all sharing the product's handle. Only the product's first
row carries its title, vendor, category and status; later rows carry variant columns (SKU, price, options, stock) or
just an image. An item is a **product**, not a variant, with the handle as its id: recommendations link to product
pages and a slot should not fill up with one shirt's sizes; the handle is the product's own stable id (every row has
it, the storefront's ``product.handle`` is the same string), while SKUs are per variant and often missing. Orders
name variants by SKU (or, lacking one, by "Title - Option / Option"); ``Products.item_for`` maps either back to the
product.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from edge.shopify.csv_sheet import Fields, Sheet

FIELDS: Fields = {
    "handle": ("Handle", "URL handle"),
    "title": ("Title",),
    "vendor": ("Vendor",),
    "category": ("Product Category", "Product category"),
    "type": ("Type",),
    "published": ("Published", "Published on online store"),
    "status": ("Status",),
    "gift_card": ("Gift Card", "Gift card"),
    "option1": ("Option1 Value", "Option1 value"),
    "option2": ("Option2 Value", "Option2 value"),
    "option3": ("Option3 Value", "Option3 value"),
    "sku": ("Variant SKU", "SKU"),
    "price": ("Variant Price", "Price"),
    "tracker": ("Variant Inventory Tracker", "Inventory tracker"),
    "quantity": ("Variant Inventory Qty", "Inventory quantity"),
    "policy": ("Variant Inventory Policy", "Continue selling when out of stock"),
    "image": ("Image Src", "Product image URL"),
    "image_position": ("Image Position", "Image position"),
    "variant_image": ("Variant Image", "Variant image URL"),
}
DEFAULT_OPTION = "Default Title"  # the option value Shopify gives a product without variants
_SELLING_STATUSES = frozenset({"active", "unlisted"})  # unlisted: sold by link, just hidden from search


@dataclass
class Variant:
    row: int
    sku: str | None
    price: float | None
    options: list[str]
    available: bool


@dataclass
class Product:
    handle: str
    row: int                       # first row, where a product-level problem is reported
    title: str | None = None
    vendor: str | None = None
    category: str | None = None
    status: str | None = None
    published: bool | None = None
    gift_card: bool = False
    variants: list[Variant] = field(default_factory=list)
    images: list[tuple[float, int, str]] = field(default_factory=list)  # (position, row, url)

    @property
    def for_sale(self) -> bool:
        """Active (or unlisted), published and not a gift card, with a variant that can be bought; a product
        without variant rows counts as available."""
        listed = (self.status or "active") in _SELLING_STATUSES and self.published is not False and not self.gift_card
        return listed and (not self.variants or any(v.available for v in self.variants))

    @property
    def price(self) -> float | None:
        """The "from" price a storefront shows: the cheapest variant that can be bought, else the cheapest."""
        for pool in ([v for v in self.variants if v.available], self.variants):
            prices = [v.price for v in pool if v.price is not None]
            if prices:
                return min(prices)
        return None

    @property
    def image(self) -> str | None:
        return min(self.images)[2] if self.images else None


@dataclass
class Products:
    path: str
    items: dict[str, Product]          # handle -> product, in file order
    by_sku: dict[str, str]             # variant SKU -> handle
    by_name: dict[str, str]            # "Title" and "Title - Option / Option" -> handle

    def item_for(self, sku: str | None, name: str | None) -> str | None:
        if sku and sku in self.by_sku:
            return self.by_sku[sku]
        return self.by_name.get(name) if name else None


def _available(tracker: str | None, quantity: float | None, policy: str | None) -> bool:
    """Untracked stock, "continue selling when out of stock", or a positive count."""
    if not tracker or (policy or "").lower() in ("continue", "true", "yes"):
        return True
    return quantity is None or quantity > 0


def read_products(path: str | Path) -> Products:
    sheet = Sheet(path, FIELDS, required=("handle", "title"))
    handle, title = sheet.text("handle"), sheet.text("title")
    vendor, category, kind = sheet.text("vendor"), sheet.text("category"), sheet.text("type")
    status, published, gift = sheet.text("status"), sheet.boolean("published"), sheet.boolean("gift_card")
    options = [sheet.text(f"option{i}") for i in (1, 2, 3)]
    sku, price = sheet.text("sku"), sheet.number("price", minimum=0)
    tracker, quantity, policy = sheet.text("tracker"), sheet.number("quantity"), sheet.text("policy")
    image, position, variant_image = sheet.text("image"), sheet.number("image_position"), sheet.text("variant_image")
    sheet.check()

    items: dict[str, Product] = {}
    for row in range(sheet.rows):
        key = handle[row]
        if key is None:
            raise sheet.error(row, "handle", "empty value; every row names its product's handle")
        product = items.setdefault(key, Product(key, row))
        if title[row] is not None and product.title is None:
            # The product's own row: product-level columns are read from here only.
            product.title, product.vendor = title[row], vendor[row]
            product.category = category[row] or kind[row]
            product.status = (status[row] or "").lower() or None
            product.published, product.gift_card = published[row], bool(gift[row])
        values = [value for o in options if (value := o[row]) is not None]
        if sku[row] is not None or price[row] is not None or values:
            product.variants.append(Variant(row, sku[row], price[row], values,
                                            _available(tracker[row], quantity[row], policy[row])))
        src, pos = image[row] or variant_image[row], position[row]
        if src is not None:
            # Variant images rank after the product's own, whose positions are set.
            rank = pos if image[row] is not None and pos is not None else float("inf")
            product.images.append((rank, row, src))

    by_sku: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for product in items.values():
        if product.title is None:
            raise sheet.error(product.row, "title", f"no row of product {product.handle!r} has a title")
        by_name.setdefault(product.title, product.handle)
        for v in product.variants:
            if v.sku is not None:
                by_sku.setdefault(v.sku, product.handle)
            if v.options and v.options != [DEFAULT_OPTION]:
                by_name.setdefault(f"{product.title} - {' / '.join(v.options)}", product.handle)
    return Products(sheet.path, items, by_sku, by_name)
