"""OpenAPI 3.1 generated from the msgspec Structs, and a human-readable API page."""

from __future__ import annotations

import html
from functools import cache
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from edge import __version__
from edge.events.schemas import EventBatch, IngestResponse
from edge.overlay.schemas import CatalogBatch, CatalogResponse, DeleteResponse
from edge.rules.schemas import RulesAccepted, RuleSet, RulesReplace
from edge.schemas import PAGE_SLOTS, Health, Problem, RecommendRequest, RecommendResponse
from edge.serve.routes.users import ErasureResponse

REF = "#/components/schemas/{name}"


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": REF.format(name="Problem")}}}}


@cache
def openapi() -> dict[str, Any]:
    (request, response, _problem_schema, health, batch, ingested, items, upserted, deleted, erased, rules_in,
     rules_ok, rule_set), components = \
        msgspec.json.schema_components([RecommendRequest, RecommendResponse, Problem, Health, EventBatch,
                                        IngestResponse, CatalogBatch, CatalogResponse, DeleteResponse,
                                        ErasureResponse, RulesReplace, RulesAccepted, RuleSet], ref_template=REF)
    admin = [{"name": "Authorization", "in": "header", "required": True, "description": "Bearer <admin key>",
              "schema": {"type": "string"}}]
    admin_errors = {"401": _problem("Missing or wrong admin key"), "503": _problem("No admin key configured")}
    errors = {"400": _problem("Malformed request"), "404": _problem("Unknown route or page"),
              "422": _problem("A field is invalid; `field` names it"), "503": _problem("No snapshot loaded yet")}
    ok = {"description": "The page's slots", "content": {"application/json": {"schema": response}},
          "headers": {"ETag": {"schema": {"type": "string"}}}}
    query = []
    for name, prop in components["RecommendRequest"]["properties"].items():
        is_list = prop.get("type") == "array" or "array" in str(prop.get("anyOf", ""))
        query.append({"name": name, "in": "query", "required": name == "page",
                      "description": prop.get("description", "") + (" Comma-separated." if is_list else ""),
                      "schema": {"type": "string"} if is_list else prop})
    return {
        "openapi": "3.1.0",
        "info": {"title": "Skylt personalization API", "version": __version__,
                 "description": "Page slots for one shopper, computed from a precomputed snapshot."},
        "paths": {
            "/v1/recommend": {
                "get": {"summary": "Recommend (edge-cacheable)", "operationId": "recommendGet",
                        "parameters": query, "responses": {"200": ok, "304": {"description": "Not modified"},
                                                           **errors}},
                "post": {"summary": "Recommend", "operationId": "recommendPost",
                         "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
                         "responses": {"200": ok, "413": _problem("Body over the size limit"), **errors}},
            },
            "/v1/events": {
                "post": {"summary": "Ingest a batch of storefront events (durable once answered)",
                         "operationId": "ingestEvents",
                         "parameters": [{"name": "X-Skylt-Key", "in": "header", "required": True,
                                         "description": "The shop's public ingest key.", "schema": {"type": "string"}}],
                         "requestBody": {"required": True, "content": {"application/json": {"schema": batch}}},
                         "responses": {"200": {"description": "Accepted events are on disk; rejected ones are listed",
                                               "content": {"application/json": {"schema": ingested}}},
                                       "400": _problem("Malformed body"), "401": _problem("Missing or wrong key"),
                                       "413": _problem("Too many events or body too large"),
                                       "422": _problem("Not an event batch"),
                                       "503": _problem("Ingest is not configured, or storage is full "
                                                       "(nothing was stored; retry later)")}},
            },
            "/v1/catalog/items": {
                "put": {"summary": "Upsert items in the real-time catalog overlay (all or nothing)",
                        "operationId": "upsertItems", "parameters": admin,
                        "requestBody": {"required": True, "content": {"application/json": {"schema": items}}},
                        "responses": {"200": {"description": "Applied; new requests see it within a second",
                                              "content": {"application/json": {"schema": upserted}}},
                                      "413": _problem("Too many items"), "422": _problem("An item is invalid"),
                                      **admin_errors}},
            },
            "/v1/catalog/items/{item_id}": {
                "delete": {"summary": "Delete an item until the next build says otherwise",
                           "operationId": "deleteItem",
                           "parameters": [*admin, {"name": "item_id", "in": "path", "required": True,
                                                   "schema": {"type": "string"}}],
                           "responses": {"200": {"description": "Deleted",
                                                 "content": {"application/json": {"schema": deleted}}},
                                         **admin_errors}},
            },
            "/v1/rules": {
                "put": {"summary": "Replace the merchandising rules (pin, boost, bury, exclude) as a whole",
                        "operationId": "putRules", "parameters": admin,
                        "requestBody": {"required": True, "content": {"application/json": {"schema": rules_in}}},
                        "responses": {"200": {"description": "Stored; every worker serves them within a second",
                                              "content": {"application/json": {"schema": rules_ok}}},
                                      "413": _problem("Too many rules or body too large"),
                                      "422": _problem("A rule is invalid; `field` names it"), **admin_errors}},
                "get": {"summary": "The merchandising rules and the generation that wrote them",
                        "operationId": "getRules", "parameters": admin,
                        "responses": {"200": {"description": "The stored rule set",
                                              "content": {"application/json": {"schema": rule_set}}},
                                      **admin_errors}},
            },
            "/v1/shopify/webhooks": {
                "post": {"summary": "Shopify webhook deliveries (catalog, inventory, orders, uninstall, privacy)",
                         "operationId": "shopifyWebhook",
                         "parameters": [{"name": name, "in": "header", "required": name != "X-Shopify-Webhook-Id",
                                         "description": text, "schema": {"type": "string"}}
                                        for name, text in (("X-Shopify-Hmac-Sha256",
                                                            "Base64 HMAC-SHA256 of the raw body with the app secret."),
                                                           ("X-Shopify-Topic", "e.g. products/update"),
                                                           ("X-Shopify-Shop-Domain", "shop.myshopify.com"),
                                                           ("X-Shopify-Webhook-Id", "Retries repeat it: "
                                                                                    "applied once."))],
                         "requestBody": {"required": True, "content": {"application/json": {"schema": {
                             "type": "object", "description": "The topic's payload as Shopify sends it."}}}},
                         "responses": {"200": {"description": "Handled (or a repeat of a handled delivery)",
                                               "content": {"application/json": {"schema": {"type": "object"}}}},
                                       "400": _problem("Malformed payload or a missing header"),
                                       "401": _problem("Unsigned, tampered or wrongly signed"),
                                       "409": _problem("The same webhook id is being applied; Shopify retries"),
                                       "422": _problem("A field of the payload is invalid"),
                                       "503": _problem("No webhook secret configured, or storage is full")}},
            },
            "/v1/shopify/install": {
                "get": {"summary": "Start installing the Shopify app on a shop (redirect to its consent screen)",
                        "operationId": "shopifyInstall",
                        "parameters": [{"name": "shop", "in": "query", "required": True,
                                        "description": "The shop's x.myshopify.com domain.",
                                        "schema": {"type": "string"}}],
                        "responses": {"302": {"description": "To the shop's /admin/oauth/authorize, with a "
                                                             "single-use state (also in a cookie)"},
                                      "400": _problem("Not a myshopify.com domain this server serves"),
                                      "401": _problem("An hmac parameter that does not sign the query"),
                                      "503": _problem("The install is not configured")}},
            },
            "/v1/shopify/callback": {
                "get": {"summary": "Shopify's signed redirect after the merchant approved: tokens stored "
                                   "encrypted, webhooks, pixel and embed settings set up, first import started",
                        "operationId": "shopifyCallback",
                        "responses": {"302": {"description": "Installed: to the theme editor's App embeds"},
                                      "400": _problem("A foreign shop, or a state unknown, used, expired, for "
                                                      "another shop or another browser"),
                                      "401": _problem("The hmac is missing, wrong or over an hour old"),
                                      "502": _problem("The shop refused the code or a set-up step"),
                                      "503": _problem("The install is not configured")}},
            },
            "/v1/users/{user_id}": {
                "delete": {"summary": "Erase a customer: profile, every stored event and Shopify order rows, "
                                      "before answering",
                           "operationId": "eraseUser",
                           "parameters": [*admin, {"name": "user_id", "in": "path", "required": True,
                                                   "description": "The `user` the storefront sent (unhashed).",
                                                   "schema": {"type": "string"}}],
                           "responses": {"200": {"description": "Erased (zero counts: nothing was stored)",
                                                 "content": {"application/json": {"schema": erased}}},
                                         "422": _problem("The id is empty or too long"), **admin_errors}},
            },
            "/dashboard": {"get": {"summary": "Experiment and snapshot dashboard (HTML, admin key as Bearer token "
                                              "or as the Basic password)", "operationId": "dashboard",
                                   "responses": {"200": {"description": "Server-rendered HTML",
                                                         "content": {"text/html": {}}}, **admin_errors}}},
            "/healthz": {"get": {"summary": "Liveness", "operationId": "healthz",
                                 "responses": {"200": {"description": "Up", "content": {
                                     "application/json": {"schema": health}}}}}},
            "/readyz": {"get": {"summary": "Readiness", "operationId": "readyz",
                                "responses": {"200": {"description": "Serving", "content": {
                                    "application/json": {"schema": health}}}, "503": _problem("Not ready")}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "operationId": "metrics",
                                 "responses": {"200": {"description": "Text exposition format"}}}},
        },
        "components": {"schemas": components},
    }


_encode = msgspec.json.Encoder().encode


async def openapi_json(request: Request) -> Response:
    return Response(_encode(openapi()), media_type="application/json")


async def api_page(request: Request) -> Response:
    spec = openapi()
    fields = spec["components"]["schemas"]["RecommendRequest"]["properties"]
    rows = "".join(f"<tr><td><code>{html.escape(n)}</code></td><td>{html.escape(p.get('description', ''))}</td></tr>"
                   for n, p in fields.items())
    pages = "".join(f"<li><code>{p}</code>: {', '.join(f'<code>{s}</code>' for s in slots)}</li>"
                    for p, slots in PAGE_SLOTS.items())
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Skylt API</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}}
code{{background:#f3f3f3;padding:0 .2em}}td{{padding:.2em .6em;vertical-align:top}}</style></head><body>
<h1>Skylt personalization API {html.escape(__version__)}</h1>
<p><code>GET /v1/recommend?page=product&amp;item=SKU&amp;history=A,B</code> or <code>POST /v1/recommend</code>
with the same fields as JSON. Errors are <code>application/problem+json</code>. Machine-readable:
<a href="/openapi.json">/openapi.json</a>.</p>
<h2>Pages and slots</h2><ul>{pages}</ul>
<h2>Request fields</h2><table>{rows}</table>
<h2>Operations</h2><p><a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a>,
<a href="/metrics">/metrics</a>.</p></body></html>"""
    return HTMLResponse(body)
