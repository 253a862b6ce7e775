"""Request bodies shared by every route that takes one: the size limit and batch envelopes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from starlette.requests import Request

from edge.errors import PayloadTooLarge, RequestError, ValidationError


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise RequestError("Content-Length is not a number", field="content-length")
        if int(declared) > limit:
            raise PayloadTooLarge(f"body of {declared} bytes is over the limit of {limit}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"body is over the limit of {limit} bytes")
    return bytes(body)


def decode_batch(decoder: msgspec.json.Decoder[Any], body: bytes, field: str, limit: int, noun: str) -> Sequence[Any]:
    """``{"<field>": [...]}`` with at most ``limit`` entries; the entries themselves stay raw."""
    try:
        batch = decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise ValidationError(f"expected an object {{\"{field}\": [...]}}: {exc}", field=field) from exc
    except msgspec.DecodeError as exc:
        raise RequestError(f"body is not valid JSON: {exc}") from exc
    entries: Sequence[Any] = getattr(batch, field)
    if len(entries) > limit:
        raise PayloadTooLarge(f"{len(entries)} {noun} in one batch; at most {limit}", field=field)
    return entries
