"""What an install sets up in the shop through the Admin API, so nothing is typed by hand:

- the webhook subscriptions of ``TOPICS`` to ``{public_url}/v1/shopify/webhooks`` (the privacy topics are in
  shopify.app.toml: Shopify takes those only from the app's configuration);
- the web pixel, created (or updated when it exists) with the API address and the public key in its settings;
- app-owned metafields on the app installation, which the app embed reads in Liquid as
  ``app.metafields.skylt.*``: the API address, the public key and the identity secret (used there only inside
  ``hmac_sha256``). Only this app can read or write them.

Each step is idempotent: a reinstall, or an install after ``public_url`` changed, ends in the same state.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from edge.shopify.graphql import AdminClient, ShopifyError

log = logging.getLogger("skylt.shopify")

TOPICS = ("PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE", "INVENTORY_LEVELS_UPDATE", "ORDERS_CREATE",
          "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE", "CUSTOMERS_MARKETING_CONSENT_UPDATE", "APP_UNINSTALLED")
NAMESPACE = "skylt"
WEBHOOK_PATH = "/v1/shopify/webhooks"

WEBHOOKS = """query SkyltWebhooks { webhookSubscriptions(first: 100) { nodes { id topic uri } } }"""
WEBHOOK_CREATE = """mutation SkyltWebhookCreate($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri, format: JSON}) {
    webhookSubscription { id } userErrors { field message } } }"""
WEBHOOK_DELETE = """mutation SkyltWebhookDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }"""
PIXEL_CREATE = """mutation SkyltPixelCreate($settings: JSON!) {
  webPixelCreate(webPixel: {settings: $settings}) { webPixel { id } userErrors { field message code } } }"""
PIXEL = """query SkyltPixel { webPixel { id } }"""
PIXEL_UPDATE = """mutation SkyltPixelUpdate($id: ID!, $settings: JSON!) {
  webPixelUpdate(id: $id, webPixel: {settings: $settings}) { webPixel { id } userErrors { field message code } } }"""
INSTALLATION = """query SkyltInstallation { currentAppInstallation { id } }"""
METAFIELDS_SET = """mutation SkyltMetafields($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) { metafields { key } userErrors { field message } } }"""


@dataclass(frozen=True)
class Setup:
    public_url: str          # https://..., no trailing slash
    public_key: str          # an ingest key
    identity_secret: str = field(default="", repr=False)  # empty: the embed sends no customer id


def _errors(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    found = (data.get(name) or {}).get("userErrors") or []
    return [e for e in found if isinstance(e, dict)]


def _check(data: dict[str, Any], name: str) -> None:
    errors = _errors(data, name)
    if errors:
        raise ShopifyError(f"{name}: " + "; ".join(str(e.get("message")) for e in errors))


def webhooks(client: AdminClient, public_url: str) -> tuple[list[str], list[str]]:
    """Subscribe every topic of ``TOPICS`` to this server; subscriptions to an older address are removed.
    Returns (the topics subscribed now, why others were refused): a refused topic (``ORDERS_CREATE`` before
    Shopify granted protected customer data) leaves the others subscribed."""
    uri = public_url + WEBHOOK_PATH
    nodes = ((client.query(WEBHOOKS).get("webhookSubscriptions") or {}).get("nodes") or [])
    have = {(n.get("topic"), n.get("uri")) for n in nodes if isinstance(n, dict)}
    for node in nodes:  # Skylt's own path at another address: the server moved
        if isinstance(node, dict) and str(node.get("uri", "")).endswith(WEBHOOK_PATH) and node.get("uri") != uri:
            _check(client.query(WEBHOOK_DELETE, {"id": node.get("id")}), "webhookSubscriptionDelete")
    created, refused = [], []
    for topic in TOPICS:
        if (topic, uri) not in have:
            try:
                _check(client.query(WEBHOOK_CREATE, {"topic": topic, "uri": uri}), "webhookSubscriptionCreate")
            except ShopifyError as exc:
                refused.append(f"{topic}: {exc}")
                continue
            created.append(topic)
    return created, refused


def pixel(client: AdminClient, setup: Setup) -> str:
    """Create or update the app's web pixel; its id."""
    settings = json.dumps({"apiUrl": setup.public_url, "publicKey": setup.public_key, "purchases": "webhook"})
    data = client.query(PIXEL_CREATE, {"settings": settings})
    errors = _errors(data, "webPixelCreate")
    if not errors:
        return str((data["webPixelCreate"].get("webPixel") or {}).get("id"))
    if not any(e.get("code") == "TAKEN" for e in errors):
        _check(data, "webPixelCreate")
    pixel_id = (client.query(PIXEL).get("webPixel") or {}).get("id")
    if not pixel_id:
        raise ShopifyError("webPixelCreate: a pixel exists but the shop does not name it")
    _check(client.query(PIXEL_UPDATE, {"id": pixel_id, "settings": settings}), "webPixelUpdate")
    return str(pixel_id)


def metafields(client: AdminClient, setup: Setup) -> list[str]:
    """The app embed's configuration as app-owned metafields; the keys written."""
    owner = (client.query(INSTALLATION).get("currentAppInstallation") or {}).get("id")
    if not owner:
        raise ShopifyError("currentAppInstallation: the shop names no installation of this app")
    values = {"api_url": setup.public_url, "public_key": setup.public_key, "identity_secret": setup.identity_secret}
    fields = [{"ownerId": owner, "namespace": NAMESPACE, "key": k, "type": "single_line_text_field", "value": v}
              for k, v in values.items() if v]
    _check(client.query(METAFIELDS_SET, {"metafields": fields}), "metafieldsSet")
    return [f["key"] for f in fields]


def register(client: AdminClient, shop: str, setup: Setup) -> list[str]:
    """Every step; returns the webhook topics the shop refused (the other steps are done regardless)."""
    topics, refused = webhooks(client, setup.public_url)
    pixel_id = pixel(client, setup)
    keys = metafields(client, setup)
    log.info("shopify: %s set up: webhooks %s, web pixel %s, metafields %s", shop, ",".join(topics) or "kept",
             pixel_id, ",".join(keys))
    return refused
