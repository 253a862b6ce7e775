"""The HTTP contract as msgspec Structs: validated at the boundary, documented in OpenAPI.

Request Structs forbid unknown fields and carry their limits; response Structs mirror the
bytes the encoder writes (tests decode every response with them).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

MAX_IDS = 50
MAX_ID_LENGTH = 128

Page = Literal["home", "product", "cart", "checkout"]
SlotName = Literal["bestsellers", "trending", "for_you", "recently_viewed", "category_picks", "similar", "upsell",
                   "alternatives", "bought_together", "addons", "reminders"]
ItemId = Annotated[str, Meta(min_length=1, max_length=MAX_ID_LENGTH, description="An item id as the shop knows it.")]
IdList = Annotated[list[ItemId], Meta(max_length=MAX_IDS)]
Name = Annotated[str, Meta(min_length=1, max_length=MAX_ID_LENGTH)]
Money = Annotated[float, Meta(ge=0, le=1e9)]
Bucket = Literal["personalized", "control"]

PAGE_SLOTS: dict[str, tuple[str, ...]] = {
    "home": ("bestsellers", "trending", "for_you", "recently_viewed", "category_picks"),
    "product": ("similar", "upsell", "alternatives", "bought_together"),
    "cart": ("bought_together", "addons", "reminders"),
    "checkout": ("bought_together", "addons", "reminders"),
}


class RecommendRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What the page knows about the shopper. Ids unknown to the snapshot are ignored and counted."""

    page: Annotated[Page, Meta(description="The page type; decides which slots exist.")]
    item: ItemId | None = None
    cart: IdList = msgspec.field(default_factory=list)
    history: Annotated[IdList, Meta(description="Recently viewed items, most recent last.")] = \
        msgspec.field(default_factory=list)
    purchased: IdList = msgspec.field(default_factory=list)
    user: Annotated[Name, Meta(description="The shop's customer id, used only with a valid `user_token`: merges "
                                           "the stored profile (views, cart, purchases from every device) and "
                                           "decides the A/B bucket.")] | None = None
    user_token: Annotated[str, Meta(min_length=1, max_length=128,
                                    description="The shop's signature of `user` (docs/api.md#signed-identity); "
                                                "without a valid one, `user` is ignored. On GET, prefer the "
                                                "`X-Skylt-User-Token` header.")] | None = None
    session: Annotated[Name, Meta(description="A stable id of this browser session: decides the A/B bucket "
                                              "when there is no `user`.")] | None = None
    region: Name | None = None
    segment: Name | None = None
    slots: Annotated[list[SlotName], Meta(max_length=11, description="Subset of the page's slots; default all.")] \
        | None = None
    n: Annotated[int, Meta(ge=1, le=50, description="Items per slot.")] = 8
    price_min: Money | None = None
    price_max: Money | None = None
    category: Annotated[str, Meta(min_length=1, max_length=256,
                                  description="Only items in this category path or below it.")] | None = None
    exclude: IdList = msgspec.field(default_factory=list)
    free_shipping_gap: Annotated[Money, Meta(description="Amount the cart still lacks for free shipping.")] \
        | None = None
    control: Annotated[Literal["bestsellers", "shop"],
                       Meta(description="What a shopper in the `control` bucket gets: `bestsellers` in every slot, "
                                        "or `shop`: no slots, so the page keeps the shop's own recommendations.")] \
        = "bestsellers"


class Item(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    title: str | None
    url: str | None
    image: str | None
    price: float | None
    currency: str | None
    score: float
    reason: str
    rating: float | None = None
    review_count: int | None = None


class Slot(msgspec.Struct, kw_only=True):
    slot: SlotName
    title: str
    items: list[Item]


class RecommendResponse(msgspec.Struct, kw_only=True):
    request_id: str
    version: str
    page: Page
    bucket: Annotated[Bucket, Meta(description="The A/B bucket: `control` answers bestsellers in every slot.")]
    slots: list[Slot]
    ignored_ids: Annotated[int, Meta(description="Ids in the request the snapshot does not know.")] = 0


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    instance: str | None = None


class Health(msgspec.Struct, kw_only=True):
    status: str
    version: str | None = None
    items: int | None = None
    age_seconds: float | None = None
