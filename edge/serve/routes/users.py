"""DELETE /v1/users/{id}: erase a known customer, profile, stored events and the Shopify order rows that
name them, before answering."""

from __future__ import annotations

import asyncio
from pathlib import Path

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from edge.auth import AUTH_HEADER, require_admin
from edge.config import Settings
from edge.errors import ValidationError
from edge.events.erase import erase_user
from edge.schemas import MAX_ID_LENGTH
from edge.shared.factory import existing_notify_state, existing_webhook_state


class ErasureResponse(msgspec.Struct, kw_only=True):
    profiles: int      # 1 if a stored profile was deleted
    events: int        # lines removed from event segments
    impressions: int   # lines removed from impression segments
    segments: int      # segment files changed
    orders: int = 0    # Shopify order-to-customer rows deleted (edge/shopify/state.py)
    archived: int = 0  # segments replaced in the event archive (every replica's shipped copies)
    notify: int = 0    # 1 if the trigger state held the customer (their encrypted id and sends, edge/notify)


_encode = msgspec.json.Encoder().encode


def _forget_orders(settings: Settings, user_hash: str) -> int:
    """Orders webhooks logged name the customer by the same hash; no state, no rows (none is made)."""
    state = existing_webhook_state(settings)
    return 0 if state is None else state.forget_customer(user_hash)


def forget_notify(settings: Settings, user_hash: str) -> int:
    """The customer's clear id (encrypted), trigger times and send records; no state, nothing (none is made)."""
    state = existing_notify_state(settings)
    if state is None:
        return 0
    try:
        return state.forget(user_hash)
    finally:
        state.close()


async def delete_user(request: Request) -> Response:
    state = request.app.state
    require_admin(request.headers.get(AUTH_HEADER), state.settings, "erasure requests")
    user_id = request.path_params["user_id"]
    if not 1 <= len(user_id) <= MAX_ID_LENGTH or not user_id.strip():
        raise ValidationError(f"a user id has 1 to {MAX_ID_LENGTH} characters", field="id")
    profiles = state.profiles
    if profiles is None:  # ingest never ran here: no profile and no hashed id was ever stored
        return Response(_encode(ErasureResponse(profiles=0, events=0, impressions=0, segments=0)),
                        media_type="application/json", headers={"Cache-Control": "no-store"})
    # The log stores ids trimmed and hashed (edge/events/validate.py, edge/serve/routes/events.py).
    user_hash = profiles.key(user_id.strip())
    # Events first: a profile erased before them could be rebuilt from them by nothing, but an
    # answer must not say "erased" while any line remains.
    erased = await asyncio.to_thread(erase_user, state.settings.event_log, user_hash)
    archived = 0
    if state.archive is not None:
        _, archived = await asyncio.to_thread(state.archive.erase, lambda folder: erase_user(folder, user_hash),
                                              Path(state.settings.event_log))
    removed = await asyncio.to_thread(profiles.erase, user_hash)
    orders = await asyncio.to_thread(_forget_orders, state.settings, user_hash)
    notify = await asyncio.to_thread(forget_notify, state.settings, user_hash)
    body = _encode(ErasureResponse(profiles=removed, events=erased.events, impressions=erased.impressions,
                                   segments=erased.segments_rewritten + erased.segments_blanked, orders=orders,
                                   archived=archived, notify=notify))
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})
