"""The shopper's Skylt session and slot clicks, as the app embed writes them into cart attributes.

The embed (plugins/shopify/extensions/skylt-embed/assets/skylt-shopify.js) writes, only with
consent, two cart attributes that Shopify copies onto the order as ``note_attributes``:

- ``_skylt_session``: the snippet's session id;
- ``_skylt_touches``: JSON ``[[item, request_id, slot], ...]``, the last clicked items (at most 20).

The leading underscore hides them from the shopper at checkout. Whatever arrives is untrusted
text: anything malformed is left out, never an error (the order itself still counts).
"""

from __future__ import annotations

from typing import Any, get_args

import msgspec

from edge.events.schemas import MAX_TOUCHES
from edge.schemas import MAX_ID_LENGTH, SlotName

SESSION = "_skylt_session"
TOUCHES = "_skylt_touches"
MAX_TEXT = 8192
_SLOTS = frozenset(get_args(SlotName))
_decode = msgspec.json.Decoder(list[list[str]]).decode


def _attributes(order: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    listed = order.get("note_attributes")
    for entry in listed if isinstance(listed, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("value"), str):
            found.setdefault(entry["name"], entry["value"][:MAX_TEXT])
    return found


def _id(value: str, limit: int = MAX_ID_LENGTH) -> str | None:
    text = value.strip()
    return text if 0 < len(text) <= limit and text.isprintable() else None


def session_of(order: dict[str, Any]) -> str | None:
    value = _attributes(order).get(SESSION)
    return _id(value) if value is not None else None


def touches_of(order: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """item -> (request_id, slot) of the latest click on it."""
    value = _attributes(order).get(TOUCHES)
    if value is None:
        return {}
    try:
        rows = _decode(value)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return {}
    found: dict[str, tuple[str, str]] = {}
    for row in rows[-MAX_TOUCHES:]:
        if len(row) != 3 or row[2] not in _SLOTS:
            continue
        item, request_id = _id(row[0]), _id(row[1], 64)
        if item and request_id:
            found[item] = (request_id, row[2])
    return found
