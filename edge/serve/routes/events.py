"""POST /v1/events: a storefront's batch of shopper events, stored durably before the answer."""

from __future__ import annotations

import asyncio
import time

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from edge.auth import matches_any_key
from edge.errors import NotReadyError, UnauthorizedError
from edge.events.schemas import MAX_EVENTS, EventBatch, IngestResponse, Rejection, StoredImpression
from edge.events.validate import Invalid, Signed, judge
from edge.identity import verify
from edge.notify.consent import Notes
from edge.serve.routes.body import decode_batch as decode_envelope
from edge.serve.routes.body import read_body

KEY_HEADER = "x-skylt-key"
_batch_decoder = msgspec.json.Decoder(EventBatch)
_line = msgspec.json.Encoder()
_response = msgspec.json.Encoder()


def check_key(presented: str | None, keys: tuple[str, ...], server_keys: tuple[str, ...] = (), *,
              in_query: bool = False) -> bool:
    """True for a server key (its events are trusted as they are), False for a public ingest key."""
    if not keys and not server_keys:
        # A default install never accepts anonymous writes.
        raise NotReadyError("ingest is not configured (settings ingest_keys, server_keys)")
    if not presented and in_query:  # URLs end up in logs and CDN caches; beacons use fetch with keepalive
        raise UnauthorizedError(f"the key is only accepted in the {KEY_HEADER} header, not in the query string",
                                field=KEY_HEADER)
    if not presented:
        raise UnauthorizedError(f"the {KEY_HEADER} header is missing", field=KEY_HEADER)
    if matches_any_key(presented, server_keys):
        return True
    if not matches_any_key(presented, keys):
        raise UnauthorizedError(f"the {KEY_HEADER} header is not a valid ingest key", field=KEY_HEADER)
    return False


def signed_by(secrets: tuple[str, ...]) -> Signed:
    def signed(user: str, token: str | None) -> bool:
        return verify(token, user, secrets)
    return signed


def decode_batch(body: bytes) -> list[msgspec.Raw]:
    return list(decode_envelope(_batch_decoder, body, "events", MAX_EVENTS, "events"))


async def ingest(request: Request) -> Response:
    state = request.app.state
    settings = state.settings
    trusted = check_key(request.headers.get(KEY_HEADER), settings.ingest_keys, settings.server_keys,
                        in_query="key" in request.query_params)
    signed = None if trusted else signed_by(settings.identity_secrets)
    state.disk_floor.check()  # 503 before anything is stored or acknowledged
    raw_events = decode_batch(await read_body(request, settings.max_ingest_bytes))
    now = time.time()
    profiles = state.profiles
    lines: list[bytes] = []
    impressions: list[bytes] = []
    changes: list[tuple[str, str, str]] = []  # (user hash, type, item) for the profiles
    rejected: list[Rejection] = []
    unsigned: list[int] = []
    not_stored = 0
    notes = Notes.of(settings)
    for index, raw in enumerate(raw_events):
        try:
            stored, consent, dropped_user, marketing = judge(raw, now, signed)
        except Invalid as exc:
            rejected.append(Rejection(index=index, field=exc.field, detail=exc.detail))
            continue
        if dropped_user:
            unsigned.append(index)
        if marketing is not None and stored.user_id is not None and (consent or not marketing):
            # A signed customer's flag (edge/notify/consent.py); a withdrawal counts even unstored.
            notes.marketing(profiles.key(stored.user_id), stored.user_id, marketing, now)
        if not consent:
            not_stored += 1
            continue
        if stored.user_id is not None:  # never stored raw (edge/profiles/salt.py)
            stored.user_id = profiles.key(stored.user_id)
        notes.stored(stored)
        if isinstance(stored, StoredImpression):
            impressions.append(_line.encode(stored) + b"\n")
            continue
        lines.append(_line.encode(stored) + b"\n")
        if stored.user_id is not None:
            changes.append((stored.user_id, stored.type, stored.item_id))
    if notes and state.notify is not None:
        # Before the append too: a withdrawal that cannot be applied answers 503 with nothing stored. With notify
        # off, an earlier state only takes withdrawals (edge/notify/consent.py).
        await asyncio.to_thread(notes.apply_to, state.notify)
    if changes:
        # Before the append, so that a profile store that cannot take the batch answers 503 with
        # nothing stored (the update is one transaction, all or nothing). Should the append then
        # fail, nothing is acknowledged and the client sends the batch again: a profile changes by
        # a batch applied twice as by one applied once (edge/profiles/store.py).
        profiles.check_room()
        await asyncio.to_thread(profiles.update, changes)
    if lines or impressions:
        await asyncio.gather(*(log.append(b"".join(part)) for log, part in
                               ((state.event_log, lines), (state.impression_log, impressions)) if part))
    metrics = state.metrics
    metrics.events_accepted.inc(len(lines) + len(impressions))
    metrics.events_rejected.inc(len(rejected))
    metrics.unverified_events.inc(len(unsigned))
    body = _response.encode(IngestResponse(accepted=len(lines) + len(impressions), not_stored=not_stored,
                                           rejected=rejected, unsigned=unsigned))
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})
