"""The catalog update contract: request and response Structs, and the stored override."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from edge.schemas import ItemId, Money

MAX_UPDATES = 1000
MAX_CATALOG_BYTES = 2 << 20
MAX_LINK = 2048

Text = Annotated[str, Meta(max_length=1000)]
Link = Annotated[str, Meta(max_length=MAX_LINK, description="An http(s) URL, or a path on the shop's site "
                                                           "(`/products/x`); other schemes are refused.")]
Rating = Annotated[float, Meta(ge=0, le=5)]


class ItemUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One upsert. Fields left out (or null) keep their current value."""

    id: ItemId
    in_stock: bool | None = None
    price: Money | None = None
    title: Text | None = None
    url: Link | None = None
    image: Link | None = None
    rating: Rating | None = None


class CatalogBatch(msgspec.Struct, forbid_unknown_fields=True):
    # Raw so each item is validated on its own and an error can name its index.
    items: list[msgspec.Raw]


class CatalogResponse(msgspec.Struct, kw_only=True):
    accepted: int
    unknown: Annotated[int, Meta(description="Ids the served snapshot does not know: stored, no effect yet.")]
    generation: int


class DeleteResponse(msgspec.Struct, kw_only=True):
    deleted: str
    generation: int


class Override(msgspec.Struct, kw_only=True, omit_defaults=True, array_like=True):
    """What the overlay holds for one external id: the merge of every update since the last clear."""

    deleted: bool = False
    in_stock: bool | None = None
    price: float | None = None
    title: str | None = None
    url: str | None = None
    image: str | None = None
    rating: float | None = None

    def merged(self, update: ItemUpdate) -> Override:
        given = {f: getattr(update, f) for f in ItemUpdate.__struct_fields__ if f != "id"}
        # An upsert brings a deleted item back; given fields win, the rest stay as they were.
        return msgspec.structs.replace(self, deleted=False, **{f: v for f, v in given.items() if v is not None})


override_encoder = msgspec.msgpack.Encoder()
override_decoder = msgspec.msgpack.Decoder(Override)
