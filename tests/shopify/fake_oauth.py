"""A shop on 127.0.0.1 that an app is installed on: Shopify's token endpoint (the authorization code grant with
``expiring=1``, and the refresh grant, each pair ending the one before) and the Admin GraphQL mutations an
install makes (webhook subscriptions, the web pixel, app-owned metafields), in the shapes Shopify documents, on
top of the catalog and order queries of fake_admin.FakeShop."""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import parse_qs

from tests.shopify.fake_admin import FakeShop, gid

CLIENT_ID = "fake-client-id-000001"
CLIENT_SECRET = "shpss_fake_client_secret_1"


class FakeInstallShop(FakeShop):
    def __init__(self, products: list[dict[str, Any]], orders: list[dict[str, Any]]) -> None:
        super().__init__(products, orders)
        self.codes: set[str] = set()       # authorization codes the merchant's approval produced, single use
        self.refresh_tokens: set[str] = set()
        self.grants: list[dict[str, str]] = []
        self.expires_in = 86400            # seconds an access token lives
        self.webhooks: dict[str, dict[str, str]] = {}
        self.pixel: dict[str, Any] | None = None
        self.metafields: dict[tuple[str, str], dict[str, Any]] = {}
        self.installation = gid("AppInstallation", 31)
        self.refused_topics: set[str] = set()  # topics answered with an access error (no protected data access)

    def approve(self) -> str:
        """The merchant approves on the consent screen: Shopify's code for the callback."""
        code = secrets.token_hex(16)
        self.codes.add(code)
        return code

    def _pair(self) -> dict[str, Any]:
        access, refresh = f"shpat_{secrets.token_hex(16)}", f"shprt_{secrets.token_hex(16)}"
        self.tokens = {access}  # a new pair ends the old one
        self.refresh_tokens = {refresh}
        return {"access_token": access, "expires_in": self.expires_in, "refresh_token": refresh,
                "refresh_token_expires_in": 7_776_000, "scope": "read_products,read_inventory,read_orders,"
                "read_customers,write_pixels,read_customer_events"}

    def other_post(self, path: str, raw: bytes) -> tuple[int, Any] | None:
        if path != "/admin/oauth/access_token":
            return None
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        with self._lock:
            self.grants.append({k: v for k, v in form.items() if k == "grant_type" or k == "expiring"})
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                return 400, {"error": "invalid_client"}
            if form.get("grant_type") == "refresh_token":
                if form.get("refresh_token") not in self.refresh_tokens:
                    return 400, {"error": "invalid_grant"}
                return 200, self._pair()
            if form.get("code") not in self.codes or form.get("expiring") != "1":
                return 400, {"error": "invalid_request"}
            self.codes.discard(form["code"])
            return 200, self._pair()

    def other_query(self, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            if "query SkyltWebhooks" in query:
                return {"webhookSubscriptions": {"nodes": [{"id": k, **v} for k, v in self.webhooks.items()]}}
            if "webhookSubscriptionCreate" in query and variables["topic"] in self.refused_topics:
                return {"webhookSubscriptionCreate": {"webhookSubscription": None, "userErrors": [
                    {"field": ["topic"], "message": "This app is not approved to subscribe to webhook topics "
                     "containing protected customer data."}]}}
            if "webhookSubscriptionCreate" in query:
                if any(w == {"topic": variables["topic"], "uri": variables["uri"]} for w in self.webhooks.values()):
                    return {"webhookSubscriptionCreate": {"webhookSubscription": None, "userErrors": [
                        {"field": ["webhookSubscription", "callbackUrl"],
                         "message": "Address for this topic has already been taken"}]}}
                wid = gid("WebhookSubscription", 1 + len(self.webhooks) + 100 * len(self.requests))
                self.webhooks[wid] = {"topic": variables["topic"], "uri": variables["uri"]}
                return {"webhookSubscriptionCreate": {"webhookSubscription": {"id": wid}, "userErrors": []}}
            if "webhookSubscriptionDelete" in query:
                self.webhooks.pop(variables["id"], None)
                return {"webhookSubscriptionDelete": {"deletedWebhookSubscriptionId": variables["id"],
                                                      "userErrors": []}}
            if "webPixelCreate" in query:
                if self.pixel is not None:
                    return {"webPixelCreate": {"webPixel": None, "userErrors": [
                        {"field": None, "message": "Web pixel is taken.", "code": "TAKEN"}]}}
                self.pixel = {"id": gid("WebPixel", 1), "settings": json.loads(variables["settings"])}
                return {"webPixelCreate": {"webPixel": {"id": self.pixel["id"]}, "userErrors": []}}
            if "query SkyltPixel" in query:
                return {"webPixel": {"id": self.pixel["id"]} if self.pixel else None}
            if "webPixelUpdate" in query:
                assert self.pixel is not None and variables["id"] == self.pixel["id"]
                self.pixel["settings"] = json.loads(variables["settings"])
                return {"webPixelUpdate": {"webPixel": {"id": self.pixel["id"]}, "userErrors": []}}
            if "currentAppInstallation" in query:
                return {"currentAppInstallation": {"id": self.installation}}
            if "metafieldsSet" in query:
                for m in variables["metafields"]:
                    assert m["ownerId"] == self.installation, m
                    self.metafields[(m["namespace"], m["key"])] = m
                return {"metafieldsSet": {"metafields": [{"key": m["key"]} for m in variables["metafields"]],
                                          "userErrors": []}}
        return None
