"""Request bodies shared by every route that takes one: the size limit, the media type and batch envelopes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from starlette.requests import Request

from edge.decoding import decode
from edge.errors import PayloadTooLarge, RequestError, UnsupportedMediaType, ValidationError

# JSON as storefronts send it: fetch with application/json, navigator.sendBeacon and Shopify's web pixel with
# text/plain (a "simple" request), curl and many clients with no type at all.
JSON_TYPES = ("application/json", "text/plain")
FORM_TYPES = ("application/x-www-form-urlencoded",)
UTF8 = ("utf-8", "utf8", "us-ascii")


async def read_body(request: Request, limit: int, types: tuple[str, ...] = JSON_TYPES) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit`` bytes, and with 415 when its
    Content-Type (if given) is not one of ``types`` in UTF-8 (JSON: also ``application/*+json``).

    Compressed bodies are refused (415): decoding them would need a second limit on what they
    expand to, and no client of Skylt compresses what it sends."""
    _check_type(request.headers.get("content-type"), types)
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise UnsupportedMediaType(f"Content-Encoding {encoding[:40]!r} is not accepted; send the body uncompressed",
                                   field="content-encoding")
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise RequestError("Content-Length is not a number", field="content-length")
        if int(declared) > limit:
            raise PayloadTooLarge(f"body of {declared[:40]} bytes is over the limit of {limit}", unread=True)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"body is over the limit of {limit} bytes", unread=True)
    return bytes(body)


def _check_type(given: str | None, types: tuple[str, ...]) -> None:
    if given is None or not given.strip():
        return
    media, *params = (part.strip().lower() for part in given.split(";"))
    json_like = types == JSON_TYPES and media.startswith("application/") and media.endswith("+json")
    if media not in types and not json_like:
        raise UnsupportedMediaType(f"Content-Type {media[:60]!r} is not accepted; send {types[0]}",
                                   field="content-type")
    charset = next((p.partition("=")[2].strip(' "') for p in params if p.startswith("charset=")), "utf-8")
    if charset not in UTF8:
        raise UnsupportedMediaType(f"charset {charset[:40]!r} is not accepted; send UTF-8", field="content-type")


def decode_batch(decoder: msgspec.json.Decoder[Any], body: bytes, field: str, limit: int, noun: str) -> Sequence[Any]:
    """``{"<field>": [...]}`` with at most ``limit`` entries; the entries themselves stay raw."""
    try:
        batch = decode(decoder, body)
    except ValidationError as exc:
        raise ValidationError(f"expected an object {{\"{field}\": [...]}}: {exc.detail}", field=field) from exc
    entries: Sequence[Any] = getattr(batch, field)
    if len(entries) > limit:
        raise PayloadTooLarge(f"{len(entries)} {noun} in one batch; at most {limit}", field=field)
    return entries
