"""Slot titles as shoppers read them."""

from __future__ import annotations

from edge.store import Snapshot

TITLES = {
    "bestsellers": "Bestsellers", "trending": "Trending now", "for_you": "Picked for you",
    "recently_viewed": "Recently viewed", "category_picks": "Popular in {category}", "similar": "Similar items",
    "upsell": "Step up", "alternatives": "Cheaper alternatives", "bought_together": "Frequently bought together",
    "addons": "Add a little extra", "reminders": "Still interested?",
}


# "Popular in ..." by category path: a page asks for it on every request, and paths are few.
_category_titles: dict[str | None, str] = {}


def title(snap: Snapshot, slot: str, category: int) -> str:
    text = TITLES[slot]
    if slot == "category_picks":
        path = snap.manifest.categories[category] if category >= 0 else None
        found = _category_titles.get(path)
        if found is None:
            if len(_category_titles) > 10_000:
                _category_titles.clear()
            name = path.rsplit(" > ", 1)[-1] if path is not None else "the shop"
            found = _category_titles[path] = text.format(category=name)
        return found
    return text
