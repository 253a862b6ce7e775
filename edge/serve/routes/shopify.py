"""POST /v1/shopify/webhooks: Shopify's signed deliveries, verified before anything is read or stored.

Unsigned, tampered or wrongly signed deliveries answer 401 (as Shopify requires of the privacy webhooks).
A delivery whose ``X-Shopify-Webhook-Id`` was applied before answers 200 and changes nothing, so Shopify's
retries are safe; one that failed (or whose worker stopped mid-way, edge/shopify/state.py) is applied by a
retry; one being applied by another request right now answers 409, and Shopify retries it later. Topic
effects are in edge/shopify/webhooks.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from edge.decoding import decode
from edge.errors import ConflictError, NotReadyError, RequestError, UnauthorizedError, ValidationError
from edge.notify.ids import sealing
from edge.serve.routes.body import read_body
from edge.shared.factory import existing_notify_state, open_token_store, open_webhook_state
from edge.shopify.products import PayloadError
from edge.shopify.verify import HMAC_HEADER, verify
from edge.shopify.webhooks import CATALOG_TOPICS, Outcome, Receiver

TOPIC_HEADER = "x-shopify-topic"
SHOP_HEADER = "x-shopify-shop-domain"
ID_HEADER = "x-shopify-webhook-id"
# A product with many variants and images is far larger than a storefront's event batch.
MAX_WEBHOOK_BYTES = 8 << 20

_decoder = msgspec.json.Decoder(dict[str, Any])
_encode = msgspec.json.Encoder().encode


def _receiver(request: Request) -> Receiver:
    """One per app, made at the first delivery (the state file is only created where webhooks arrive)."""
    state = request.app.state
    receiver: Receiver | None = getattr(state, "shopify", None)
    if receiver is None:
        settings = state.settings
        receiver = Receiver(open_webhook_state(settings), state.overlay.store, state.event_log,
                            Path(settings.event_log), state.profiles,
                            tuple(s.lower() for s in settings.shopify_shops), state.disk_floor, state.archive,
                            tokens=open_token_store(settings),
                            notify=state.notify if state.notify is not None else existing_notify_state(settings),
                            secret_key=settings.secret_key if sealing(settings) else None)
        state.shopify = receiver
    return receiver


async def webhook(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.shopify_webhook_secrets:
        raise NotReadyError("Shopify webhooks are not configured (setting shopify_webhook_secrets)")
    body = await read_body(request, MAX_WEBHOOK_BYTES)
    if not verify(body, request.headers.get(HMAC_HEADER), settings.shopify_webhook_secrets):
        raise UnauthorizedError(f"the {HMAC_HEADER} header is missing or does not sign this body",
                                field=HMAC_HEADER)
    topic = request.headers.get(TOPIC_HEADER, "").strip().lower()
    shop = request.headers.get(SHOP_HEADER, "").strip().lower()
    for name, value in ((TOPIC_HEADER, topic), (SHOP_HEADER, shop)):
        if not value:
            raise RequestError(f"the {name} header is missing", field=name)
    try:
        payload = decode(_decoder, body, "the payload")
    except ValidationError as exc:
        raise ValidationError(f"the payload is not a JSON object: {exc.detail}") from exc
    receiver = _receiver(request)
    webhook_id = request.headers.get(ID_HEADER, "").strip()
    if webhook_id:
        claim = await asyncio.to_thread(receiver.state.claim, webhook_id, topic, shop, receiver.clock())
        if claim == "done":
            return _answer(Outcome(topic=topic, duplicate=True))
        if claim == "busy":
            raise ConflictError(f"webhook {webhook_id} is being applied by another request; retry later",
                                field=ID_HEADER)
    try:
        outcome = await receiver.handle(topic, shop, payload)
    except BaseException as exc:
        if webhook_id:  # not applied: Shopify's retry must be
            await asyncio.to_thread(receiver.state.release, webhook_id)
        if isinstance(exc, PayloadError):
            raise ValidationError(f"{topic} payload: {exc}", field=exc.field) from exc
        raise
    if webhook_id:  # only now: a delivery that failed or stopped mid-way is applied by the retry
        await asyncio.to_thread(receiver.state.done, webhook_id, receiver.clock())
    if topic in CATALOG_TOPICS and (outcome.upserted or outcome.deleted):
        await request.app.state.overlay.refresh(request.app.state.holder)  # read-your-writes in this worker
    return _answer(outcome)


def _answer(outcome: Outcome) -> Response:
    return Response(_encode(outcome), media_type="application/json", headers={"Cache-Control": "no-store"})
