"""Slot titles as shoppers read them."""

from __future__ import annotations

from edge.store import Snapshot

TITLES = {
    "bestsellers": "Bestsellers", "trending": "Trending now", "for_you": "Picked for you",
    "recently_viewed": "Recently viewed", "category_picks": "Popular in {category}", "similar": "Similar items",
    "upsell": "Step up", "alternatives": "Cheaper alternatives", "bought_together": "Frequently bought together",
    "addons": "Add a little extra", "reminders": "Still interested?",
}


def title(snap: Snapshot, slot: str, category: int) -> str:
    text = TITLES[slot]
    if slot == "category_picks":
        name = snap.manifest.categories[category].rsplit(" > ", 1)[-1] if category >= 0 else "the shop"
        return text.format(category=name)
    return text
