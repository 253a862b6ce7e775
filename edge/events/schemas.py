"""The ingest contract as msgspec Structs: what a storefront sends, what is stored, what it gets back.

Each event is decoded on its own so that one bad event is rejected with a reason while the
rest of the batch is stored.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from edge.schemas import MAX_ID_LENGTH, MAX_IDS, Bucket, Page, SlotName

MAX_EVENTS = 500

EventKind = Literal["view", "cart", "remove", "purchase", "click", "impression"]
MAX_TOUCHES = 20  # the snippet keeps the last 20 clicked items
# Ids must keep a non-space character: the builder trims values and treats empty ones as missing.
Id = Annotated[str, Meta(min_length=1, max_length=MAX_ID_LENGTH, pattern=r"\S")]
Timestamp = Annotated[str, Meta(max_length=64)] | int | float


class Touch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A click on a slot the shopper made earlier: the item, and the render and slot it came from."""

    item: Id
    request_id: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"\S")]
    slot: SlotName


class Event(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One thing a shopper did. Fields beyond `type` are checked per type in edge/events/validate.py."""

    type: EventKind
    item: Id | None = None
    ts: Annotated[Timestamp, Meta(description="ISO-8601 (UTC if no zone) or Unix seconds/milliseconds; "
                                              "default: when the server receives it.")] | None = None
    session: Id | None = None
    user: Annotated[Id, Meta(description="The shop's customer id; from a browser (public key) used only with a "
                                         "valid `user_token`.")] | None = None
    user_token: Annotated[str, Meta(min_length=1, max_length=128,
                                    description="The shop's signature of `user` (docs/api.md#signed-identity).")] \
        | None = None
    order: Id | None = None
    quantity: Annotated[float, Meta(ge=0, le=1e6)] | None = None
    price: Annotated[float, Meta(ge=0, le=1e9)] | None = None
    tax: Annotated[float, Meta(ge=0, le=1e9, description="Tax paid on one unit, on top of `price`.")] | None = None
    currency: Annotated[str, Meta(pattern="^[A-Z]{3}$")] | None = None
    region: Id | None = None
    segment: Id | None = None
    request_id: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"\S")] | None = None
    slot: SlotName | None = None
    page: Page | None = None
    bucket: Bucket | None = None
    items: Annotated[list[Id], Meta(max_length=MAX_IDS, description="impression: the slot's item ids, in order.")] \
        | None = None
    touches: Annotated[list[Touch], Meta(max_length=MAX_TOUCHES, description=(
        "cart and purchase: the shopper's earlier slot clicks (a server that kept them for the order); the one "
        "naming this event's item gives it `request_id` and `slot` when those are not set."))] | None = None
    consent: Annotated[bool, Meta(description="false: the event is counted and dropped, never stored.")] \
        | None = None
    marketing: Annotated[bool, Meta(description=(
        "The shop's marketing consent for the signed `user`, from its own records: true lets `skylt notify` keep "
        "the customer id (encrypted) and send triggers; false withdraws it and deletes what was kept "
        "(docs/email.md)."))] | None = None


class EventBatch(msgspec.Struct, forbid_unknown_fields=True):
    """The envelope; events stay raw so each is decoded and judged on its own."""

    events: list[msgspec.Raw]


class StoredEvent(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One line of a log segment, in the builder's events format (docs/data-format.md).

    Nothing about the connection (address, user agent, key) is stored.
    """

    ts: int
    type: str
    item_id: str
    session_id: str | None = None
    user_id: str | None = None
    order_id: str | None = None
    quantity: float | None = None
    price: float | None = None
    tax: float | None = None
    currency: str | None = None
    region: str | None = None
    segment: str | None = None
    request_id: str | None = None
    slot: str | None = None
    # "browser": a purchase sent with a public key, kept for attribution; the builder counts only the others.
    source: str | None = None


class StoredImpression(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One line of an impression segment: a rendered slot of one recommend response."""

    ts: int
    type: str
    request_id: str
    slot: str
    page: str | None = None
    bucket: str | None = None
    items: list[str] = msgspec.field(default_factory=list)
    session_id: str | None = None
    user_id: str | None = None


class Rejection(msgspec.Struct, kw_only=True):
    index: int
    field: str | None
    detail: str


class IngestResponse(msgspec.Struct, kw_only=True):
    accepted: Annotated[int, Meta(description="Events written to the log.")]
    not_stored: Annotated[int, Meta(description="Events sent with consent false: counted, never stored.")] = 0
    rejected: list[Rejection] = msgspec.field(default_factory=list)
    unsigned: Annotated[list[int], Meta(description="Indices of events whose `user` came without a valid "
                                                    "`user_token`: stored on their session, without the user.")] = \
        msgspec.field(default_factory=list)
