"""PUT and GET /v1/rules: the shop's merchandising rules (edge/rules/), replaced whole.

The set is stored with the catalog overlay and shares its generation, so every worker picks
it up on its next overlay poll, and ETags and cached answers change with it.
"""

from __future__ import annotations

import asyncio

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from edge.decoding import decode
from edge.errors import StoreError, ValidationError
from edge.rules.schemas import (
    MAX_RULES,
    MAX_RULES_BYTES,
    Rule,
    RulesAccepted,
    RuleSet,
    body_decoder,
    check,
    encode,
    rule_decoder,
    rules_decoder,
)
from edge.serve.routes.body import decode_batch, read_body
from edge.serve.routes.catalog import overlay_store

NO_STORE = {"Cache-Control": "no-store"}


def decode_rules(body: bytes) -> list[Rule]:
    """Every rule must be valid, then the set as a whole: it is replaced whole or not at all."""
    rules = []
    for index, raw in enumerate(decode_batch(body_decoder, body, "rules", MAX_RULES, "rules")):
        try:
            rules.append(decode(rule_decoder, raw, f"rules[{index}]"))
        except ValidationError as exc:
            where = f"rules[{index}]" + (f".{exc.field}" if exc.field else "")
            raise ValidationError(f"{where}: {exc.detail}", field=where) from exc
    check(rules)
    return rules


async def put_rules(request: Request) -> Response:
    store = overlay_store(request, "merchandising rules")
    rules = decode_rules(await read_body(request, MAX_RULES_BYTES))
    generation = await asyncio.to_thread(store.put_rules, encode(rules))
    await request.app.state.overlay.refresh(request.app.state.holder)  # read-your-writes in this worker
    return Response(encode(RulesAccepted(generation=generation, rules=len(rules))), media_type="application/json",
                    headers=NO_STORE)


async def get_rules(request: Request) -> Response:
    store = overlay_store(request, "merchandising rules")
    generation, raw = await asyncio.to_thread(store.rules)
    try:
        rules = rules_decoder.decode(raw)
    except msgspec.DecodeError as exc:  # written by a newer server, say (the watcher then serves without them)
        raise StoreError(f"the stored rule set of generation {generation} cannot be read by this server: {exc}") \
            from exc
    body = encode(RuleSet(generation=generation, rules=rules))
    return Response(body, media_type="application/json", headers=NO_STORE)
