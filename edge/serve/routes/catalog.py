"""PUT /v1/catalog/items and DELETE /v1/catalog/items/{id}: catalog changes that take effect
without a rebuild, through the overlay every worker reads (edge/overlay/)."""

from __future__ import annotations

import asyncio

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from edge.auth import AUTH_HEADER, require_admin
from edge.decoding import decode
from edge.errors import NotReadyError, ValidationError
from edge.overlay.schemas import (
    MAX_CATALOG_BYTES,
    MAX_UPDATES,
    CatalogBatch,
    CatalogResponse,
    DeleteResponse,
    ItemUpdate,
)
from edge.schemas import MAX_ID_LENGTH
from edge.serve.routes.body import decode_batch, read_body
from edge.shared.factory import Overrides
from edge.urls import UNSAFE_URL, web_url

_batch_decoder = msgspec.json.Decoder(CatalogBatch)
_item_decoder = msgspec.json.Decoder(ItemUpdate)
_encode = msgspec.json.Encoder().encode


def decode_updates(body: bytes) -> list[ItemUpdate]:
    """Every item must be valid: a batch is applied whole or not at all."""
    updates = []
    for index, raw in enumerate(decode_batch(_batch_decoder, body, "items", MAX_UPDATES, "items")):
        try:
            update = decode(_item_decoder, raw, f"items[{index}]")
            for name in ("url", "image"):
                if not web_url(getattr(update, name)):
                    raise ValidationError(UNSAFE_URL, field=name)
        except ValidationError as exc:
            where = f"items[{index}]" + (f".{exc.field}" if exc.field else "")
            raise ValidationError(f"{where}: {exc.detail}", field=where) from exc
        updates.append(update)
    return updates


def overlay_store(request: Request, what: str = "catalog updates") -> Overrides:
    """The overlay store, for an admin: catalog updates and merchandising rules both live in it."""
    require_admin(request.headers.get(AUTH_HEADER), request.app.state.settings, what)
    store = request.app.state.overlay.store
    if store is None:
        raise NotReadyError(f"the catalog overlay, where {what} are kept, is not open")
    return store


async def upsert_items(request: Request) -> Response:
    store = overlay_store(request)
    updates = decode_updates(await read_body(request, MAX_CATALOG_BYTES))
    # LMDB commits (and syncs) off the event loop; writers of all workers queue on its lock.
    generation = await asyncio.to_thread(store.upsert, updates)
    await request.app.state.overlay.refresh(request.app.state.holder)  # read-your-writes in this worker
    snap = request.app.state.holder.current
    unknown = sum(snap.index_of(u.id) < 0 for u in updates) if snap is not None else len(updates)
    body = _encode(CatalogResponse(accepted=len(updates), unknown=unknown, generation=generation))
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})


async def delete_item(request: Request) -> Response:
    store = overlay_store(request)
    item_id = request.path_params["item_id"]
    if not 1 <= len(item_id) <= MAX_ID_LENGTH or not item_id.strip():
        raise ValidationError(f"an item id has 1 to {MAX_ID_LENGTH} characters", field="id")
    generation = await asyncio.to_thread(store.delete, item_id)
    await request.app.state.overlay.refresh(request.app.state.holder)  # read-your-writes in this worker
    body = _encode(DeleteResponse(deleted=item_id, generation=generation))
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})
