"""What the demo shop reads from the snapshot: item cards, categories and each category's bestsellers."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from edge.slots.served import Served

_members = msgspec.json.Decoder(dict[str, object])


@dataclass(frozen=True)
class Product:
    id: str
    title: str
    price: float | None
    currency: str | None
    category: str | None


def product(served: Served, item_id: str) -> Product | None:
    snap = served.snapshot
    index = snap.index_of(item_id)
    if index < 0:
        return None
    # The same members the API answers with, catalog overlay included, so the shop shows what the slots show.
    overlay = served.overlay
    fragment = None
    if overlay is not None:
        if index in overlay.blocked:
            return None
        fragment = overlay.fragments.get(index)
    fields = _members.decode(b"{" + (fragment or snap.render(index)) + b"}")
    category = int(snap.arrays["category"][index])
    price = fields.get("price")
    currency = fields.get("currency")
    return Product(id=item_id, title=str(fields.get("title") or item_id),
                   price=float(price) if isinstance(price, int | float) else None,
                   currency=currency if isinstance(currency, str) else None,
                   category=snap.manifest.categories[category] if category >= 0 else None)


def categories(served: Served) -> list[str]:
    return list(served.snapshot.manifest.categories)


def category_products(served: Served, name: str, n: int) -> list[Product]:
    """The category's bestsellers, best first; empty for an unknown category."""
    snap = served.snapshot
    category = snap.category_id(name)
    if category < 0:
        return []
    items, _ = snap.ranking("bestsellers_category", category)
    found = (product(served, snap.external_id(int(i))) for i in items[:n].tolist())
    return [p for p in found if p is not None]


def known(served: Served, item_ids: list[str]) -> list[Product]:
    found = (product(served, i) for i in item_ids)
    return [p for p in found if p is not None]
