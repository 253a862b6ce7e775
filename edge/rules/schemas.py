"""The rules contract: one tagged Struct per kind, and the checks a whole set must pass.

A rule set is replaced whole (``PUT /v1/rules``), so every check here runs before anything
is stored: a bad set leaves the accepted one serving.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from edge.errors import PayloadTooLarge, ValidationError
from edge.schemas import MAX_IDS, PAGE_SLOTS, ItemId, Money, Page, SlotName

MAX_RULES = 500
MAX_RULES_BYTES = 512 << 10
MAX_FACTOR = 100.0
MIN_FACTOR = 0.01
MAX_DAYS = 3650

RuleId = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                             description="The shop's name for the rule, unique in the set.")]
Label = Annotated[str, Meta(min_length=1, max_length=500)]
Position = Annotated[int, Meta(ge=1, le=MAX_IDS, description="1 is the slot's first item.")]
Days = Annotated[int, Meta(ge=1, le=MAX_DAYS)]


class _Scoped(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, tag_field="kind", omit_defaults=True):
    id: RuleId
    page: Page
    slot: Annotated[SlotName | None, Meta(description="One slot of the page; left out: every slot of it.")] = None


class _Matching(_Scoped, kw_only=True):
    """Exactly one criterion: a category (with its subcategories), a brand, a price range or newness."""

    category: Label | None = None
    brand: Label | None = None
    price_min: Money | None = None
    price_max: Money | None = None
    new_within_days: Annotated[Days | None, Meta(description="Items created within this many days.")] = None
    factor: float


class Pin(_Scoped, tag="pin", kw_only=True):
    """Show ``item`` at ``position`` of the slot (or of every slot of the page)."""

    item: ItemId
    position: Position


class Boost(_Matching, tag="boost"):
    """Multiply the scores of matching items by ``factor`` (above 1, at most 100)."""


class Bury(_Matching, tag="bury"):
    """Multiply the scores of matching items by ``factor`` (below 1, at least 0.01)."""


class Exclude(_Scoped, tag="exclude", kw_only=True):
    """Never show items of a category (and its subcategories) or of a brand."""

    category: Label | None = None
    brand: Label | None = None


Rule = Pin | Boost | Bury | Exclude


class RulesBody(msgspec.Struct, forbid_unknown_fields=True):
    # Raw so each rule is decoded on its own and an error can name its index.
    rules: list[msgspec.Raw]


class RulesReplace(msgspec.Struct, forbid_unknown_fields=True):
    """The body of ``PUT /v1/rules`` as documented (``RulesBody`` reads it rule by rule)."""

    rules: Annotated[list[Rule], Meta(max_length=MAX_RULES)]


class RulesAccepted(msgspec.Struct, kw_only=True):
    generation: int
    rules: int


class RuleSet(msgspec.Struct, kw_only=True):
    """What ``GET /v1/rules`` answers and what is stored: the rules and the generation that wrote them."""

    generation: int = 0
    rules: list[Rule] = msgspec.field(default_factory=list)


rule_decoder = msgspec.json.Decoder(Rule)
body_decoder = msgspec.json.Decoder(RulesBody)
rules_decoder = msgspec.json.Decoder(list[Rule])
encode = msgspec.json.Encoder().encode


def scopes(rule: Rule) -> tuple[str, ...]:
    """The slots of its page a rule applies to."""
    return PAGE_SLOTS[rule.page] if rule.slot is None else (rule.slot,)


def check(rules: list[Rule]) -> None:
    """Every rule on its own, then the set: ids unique, no two pins on one position or item of a slot."""
    if len(rules) > MAX_RULES:
        raise PayloadTooLarge(f"{len(rules)} rules; at most {MAX_RULES}", field="rules")
    seen: dict[str, int] = {}
    pinned: dict[tuple[str, str, object], str] = {}
    for index, rule in enumerate(rules):
        where = f"rules[{index}] ({rule.id!r})"
        if rule.id in seen:
            raise ValidationError(f"{where}.id: rules[{seen[rule.id]}] has the same id", field=f"rules[{index}].id")
        seen[rule.id] = index
        if rule.slot is not None and rule.slot not in PAGE_SLOTS[rule.page]:
            raise ValidationError(f"{where}.slot: {rule.slot!r} is not on the {rule.page} page; it has "
                                  f"{', '.join(PAGE_SLOTS[rule.page])}", field=f"rules[{index}].slot")
        if isinstance(rule, Pin):
            for slot in scopes(rule):
                for key, what in (((rule.page, slot, rule.position), f"position {rule.position}"),
                                  ((rule.page, slot, rule.item), f"item {rule.item!r}")):
                    other = pinned.setdefault(key, rule.id)
                    if other != rule.id:
                        raise ValidationError(f"{where}.position: {what} of {rule.page}/{slot} is already pinned by "
                                              f"rule {other!r}", field=f"rules[{index}].position")
        elif isinstance(rule, Exclude):
            if (rule.category is None) == (rule.brand is None):
                raise ValidationError(f"{where}: give exactly one of category and brand", field=f"rules[{index}]")
        else:
            _check_matching(rule, where, index)


def _check_matching(rule: Boost | Bury, where: str, index: int) -> None:
    given = [rule.category is not None, rule.brand is not None,
             rule.price_min is not None or rule.price_max is not None, rule.new_within_days is not None]
    if sum(given) != 1:
        raise ValidationError(f"{where}: give exactly one of category, brand, price_min/price_max and "
                              "new_within_days", field=f"rules[{index}]")
    if rule.price_min is not None and rule.price_max is not None and rule.price_min > rule.price_max:
        raise ValidationError(f"{where}.price_min: {rule.price_min} is above price_max {rule.price_max}",
                              field=f"rules[{index}].price_min")
    ok = 1.0 < rule.factor <= MAX_FACTOR if isinstance(rule, Boost) else MIN_FACTOR <= rule.factor < 1.0
    if not ok:
        bounds = f"above 1 and at most {MAX_FACTOR:g}" if isinstance(rule, Boost) else \
            f"at least {MIN_FACTOR:g} and below 1"
        raise ValidationError(f"{where}.factor: {rule.factor!r} is out of range; a {type(rule).__name__.lower()} "
                              f"factor is {bounds}", field=f"rules[{index}].factor")
