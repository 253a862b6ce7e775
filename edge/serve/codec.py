"""Bytes in and out of the recommend endpoint: decoding with limits, encoding by splicing.

Decoders and encoders are built once at import. Responses splice each item's pre-encoded
render fragment (built at snapshot build time) instead of re-encoding catalog text.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import unquote_plus

import msgspec

from edge.decoding import convert, decode
from edge.errors import NotFoundError, ValidationError
from edge.schemas import MAX_IDS, PAGE_SLOTS, Problem, RecommendRequest
from edge.scoring.splice import SCORE_DECIMALS, fixed
from edge.slots.picks import SlotResult
from edge.slots.served import KEY_BYTES
from edge.store import Snapshot

_request_decoder = msgspec.json.Decoder(RecommendRequest)
_json = msgspec.json.Encoder()
_problem_encoder = msgspec.json.Encoder()
_LIST_FIELDS = frozenset({"cart", "history", "purchased", "slots", "exclude"})
_FIELDS = frozenset(RecommendRequest.__struct_fields__)


def decode_body(body: bytes) -> RecommendRequest:
    try:
        return decode(_request_decoder, body)
    except ValidationError as exc:
        _unknown_page(exc)
        raise


def _unknown_page(exc: ValidationError) -> None:
    """An unknown page is a resource that does not exist: 404, listing the pages."""
    if exc.field == "page" and exc.detail.startswith("Invalid enum value"):
        raise NotFoundError(f"{exc.detail}; pages are {', '.join(PAGE_SLOTS)}", field="page") from exc


def _unquote(text: str) -> str:
    """``unquote_plus``, with the one escape most lists carry (a comma, from encodeURIComponent or
    URLSearchParams) replaced first: unquoting a 50-id list costs tens of microseconds."""
    if "%2" in text:
        text = text.replace("%2C", ",").replace("%2c", ",")
    return unquote_plus(text, errors="replace") if "%" in text or "+" in text else text


def decode_query_string(raw: bytes) -> RecommendRequest:
    """A GET's query string: list values are comma-separated (and repeated keys add to them). One
    pass: no list of pairs, one scan for escapes, no filter where no id is empty (the rules written
    plainly are tests/serve/routes/query_oracle.py, which a property test holds this to)."""
    fields: dict[str, Any] = {}
    text = raw.decode("latin-1")
    escaped = "%" in text or "+" in text
    for part in text.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        if escaped and ("%" in part or "+" in part):
            key, value = _unquote(key), _unquote(value)
        if key in _LIST_FIELDS:
            parts = value.split(",")
            if "" in parts:
                parts = [v for v in parts if v]
            existing = fields.get(key)
            if existing is None:
                fields[key] = existing = parts
            else:
                existing.extend(parts)
            if len(existing) > MAX_IDS:
                raise ValidationError(f"at most {MAX_IDS} ids in {key!r}", field=key)
        elif key not in _FIELDS:
            raise ValidationError(f"unknown query parameter {key!r}", field=key)
        elif key in fields:
            raise ValidationError(f"query parameter {key!r} given more than once", field=key)
        else:
            fields[key] = value
    try:
        return convert(fields, RecommendRequest)
    except ValidationError as exc:
        _unknown_page(exc)
        raise


def canonical_key(version: str, req: RecommendRequest, state: bytes = b"", tag: bytes = b"") -> str:
    """Same snapshot and catalog overlay (``tag``: ``Served.tag``) + same request + same server-side
    ``state`` (the A/B bucket, a known customer's stored profile) => same key: the ETag and the request id."""
    return request_key(hashlib.blake2b(version.encode() + tag + b"\0", digest_size=KEY_BYTES), req, state)


def request_key(start: Any, req: RecommendRequest, state: bytes = b"") -> str:
    """``canonical_key`` from a hash of its prefix made once per served unit (``Served.key_hash``),
    which is copied, not changed."""
    h = start.copy()
    h.update(_json.encode(req))
    h.update(b"\0" + state)
    return h.hexdigest()


def _head(version: str, request_id: str, page: str, bucket: str) -> list[bytes]:
    return [b'{"request_id":"', request_id.encode(), b'","version":', _json.encode(version),
            b',"page":"', page.encode(), b'","bucket":"', bucket.encode(), b'","slots":[']


_page_heads: dict[tuple[str, str, str], bytes] = {}


def page_head(version: str, page: str, bucket: str) -> bytes:
    """What follows the request id in a response, up to the slots' bracket: the same for every
    request on one page of one snapshot in one bucket, so made once."""
    key = (version, page, bucket)
    head = _page_heads.get(key)
    if head is None:
        if len(_page_heads) > 1_000:
            _page_heads.clear()
        head = _page_heads[key] = b"".join(_head(version, "", page, bucket)[2:])
    return head


_slot_heads: dict[tuple[str, str, bool], bytes] = {}


def _slot_head(slot: str, title: str, first: bool) -> bytes:
    """``{"slot":...,"title":...,"items":[``; titles are few (one per slot, or per category)."""
    key = (slot, title, first)
    head = _slot_heads.get(key)
    if head is None:
        if len(_slot_heads) > 10_000:
            _slot_heads.clear()
        head = _slot_heads[key] = b"".join((b'{"slot":"' if first else b',{"slot":"', slot.encode(), b'","title":',
                                            _json.encode(title), b',"items":['))
    return head


def slot_opening(slot: str, title: str, first: bool) -> bytes:
    """What ``encode_page`` writes before a slot's items: the previous slot's closing, then its head."""
    return _slot_head(slot, title, True) if first else b"]}" + _slot_head(slot, title, False)


def encode_response(snap: Snapshot, request_id: str, page: str, results: list[SlotResult], ignored: int,
                    bucket: str = "personalized", fragments: dict[int, bytes] | None = None) -> bytes:
    """Any slot results (``plan``'s, the oracle's) in the response format; ``fragments``: the
    catalog overlay's (``Served.fragments``)."""
    parts = _head(snap.version, request_id, page, bucket)
    blob = snap.render_blob
    offsets = snap.render_offsets
    fragments = fragments or {}
    for s, result in enumerate(results):
        ids = result.picked.ids.tolist()
        items = [b'{%b,"score":%b,"reason":%b}' % (  # type: ignore[str-format]
            fragments.get(i) or blob[offsets[i]:offsets[i + 1]], fixed(score, SCORE_DECIMALS, True).encode(),
            reason) for i, score, reason in zip(ids, result.picked.scores.tolist(), result.picked.reasons,
                                               strict=True)]
        parts += (_slot_head(result.slot, result.title, not s), b",".join(items), b"]}")
    parts += (b'],"ignored_ids":', str(ignored).encode(), b"}")
    return b"".join(parts)


def encode_spliced(version: str, request_id: str, page: str, titles: list[tuple[str, str]], items: bytes,
                   slot_bytes: list[int], ignored: int, bucket: str = "personalized") -> bytes:
    """The response around items spliced by ``edge.scoring.splice.splice_items``: ``items[a:b]`` of each
    slot between its head and tail. ``titles`` pairs each slot with its title."""
    openings = [slot_opening(slot, title, not s) for s, (slot, title) in enumerate(titles)]
    return encode_page(request_id, page_head(version, page, bucket), openings, items, slot_bytes, ignored)


def encode_page(request_id: str, head: bytes, openings: list[bytes], items: bytes, slot_bytes: list[int],
                ignored: int) -> bytes:
    """``encode_spliced`` from its parts made ahead: ``head`` is ``page_head``'s and ``openings``
    ``slot_opening``'s for each slot (what the served path keeps per page layout)."""
    parts = [b'{"request_id":"', request_id.encode(), head]
    start = 0
    for opening, end in zip(openings, slot_bytes, strict=True):
        parts += (opening, items[start:end])
        start = end
    parts.append((b']}],"ignored_ids":%d}' if openings else b'],"ignored_ids":%d}') % ignored)
    return b"".join(parts)


def encode_problem(problem: Problem) -> bytes:
    return _problem_encoder.encode(problem)
