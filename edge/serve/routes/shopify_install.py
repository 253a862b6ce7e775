"""GET /v1/shopify/install and GET /v1/shopify/callback: the app installed on a shop by its merchant.

install: a checked shop domain gets a single-use state (also set in a cookie bound to this browser) and a
redirect to the shop's consent screen. callback: the query's HMAC, the shop domain, the state (the cookie's
and one issued for this shop, taken once) are checked before the code is exchanged; then the token pair is
stored encrypted, the shop is set up (edge/shopify/register.py) and the first import starts in the
background. Both answer 503 while the settings they need are not set. Tokens never reach a log or an answer.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import threading
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from edge.config import Settings
from edge.errors import BadGateway, NotReadyError, RequestError, SkyltError, UnauthorizedError
from edge.shared.factory import InstallStateStore, open_install_states, open_webhook_state
from edge.shopify import oauth, register
from edge.shopify.access import AppAccess
from edge.shopify.graphql import AdminClient, ShopifyError
from edge.shopify.nonces import STATE_SECONDS

log = logging.getLogger("skylt.shopify")
COOKIE = "skylt_shopify_state"


def _configured(request: Request) -> tuple[Settings, AppAccess]:
    settings: Settings = request.app.state.settings
    access: AppAccess | None = getattr(request.app.state, "shopify_access", None)
    if access is None:  # one per app: with state_url it holds a connection to the store
        access = request.app.state.shopify_access = AppAccess.from_settings(settings)
    gaps = access.missing()
    if not settings.public_url.startswith("https://"):
        gaps.insert(0, "public_url (https://...)")
    if gaps:
        raise NotReadyError("the Shopify install is not configured (settings " + ", ".join(gaps) + ")")
    return settings, access


def _states(request: Request) -> InstallStateStore:
    """One per app, made at the first install (the state file is only created where installs happen)."""
    states: InstallStateStore | None = getattr(request.app.state, "install_states", None)
    if states is None:
        states = request.app.state.install_states = open_install_states(request.app.state.settings)
    return states


def _shop(value: str | None, settings: Settings) -> str:
    shop = (value or "").strip()
    if not oauth.valid_shop(shop, (s.lower() for s in settings.shopify_shops)):
        raise RequestError("shop must be a shop's x.myshopify.com domain that this server serves "
                           "(setting shopify_shops)", field="shop")
    return shop


def _redirect_uri(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + oauth.CALLBACK_PATH


async def install(request: Request) -> Response:
    settings, access = _configured(request)
    params = request.query_params.multi_items()
    if any(k == "hmac" for k, _ in params) and not oauth.verify_query(params, [access.client_secret]):
        raise UnauthorizedError("the hmac parameter does not sign this query", field="hmac")
    shop = _shop(request.query_params.get("shop"), settings)
    state = await asyncio.to_thread(_states(request).issue, shop)
    response = RedirectResponse(oauth.authorize_url(access.base(shop), access.client_id, _redirect_uri(settings),
                                                    state), status_code=302, headers={"Cache-Control": "no-store"})
    # Lax: sent on the top-level redirect back from Shopify, not on requests made by other sites' pages.
    response.set_cookie(COOKIE, state, max_age=int(STATE_SECONDS), path=oauth.CALLBACK_PATH, secure=True,
                        httponly=True, samesite="lax")
    return response


async def callback(request: Request) -> Response:
    settings, access = _configured(request)
    params = request.query_params.multi_items()
    if not oauth.verify_query(params, [access.client_secret]):
        raise UnauthorizedError("the hmac parameter is missing, does not sign this query, or is too old",
                                field="hmac")
    shop = _shop(request.query_params.get("shop"), settings)
    state, code = request.query_params.get("state", ""), request.query_params.get("code", "")
    cookie = request.cookies.get(COOKIE, "")
    same_browser = bool(state) and hmac.compare_digest(cookie.encode(), state.encode())
    if not same_browser or not await asyncio.to_thread(_states(request).take, state, shop):
        raise RequestError("state is unknown, used, expired, issued for another shop or to another browser: "
                           "start the install again", field="state")
    if not code:
        raise RequestError("code is missing", field="code")
    try:
        tokens = await asyncio.to_thread(oauth.exchange_code, access.base(shop), access.client_id,
                                         access.client_secret, code)
        await asyncio.to_thread(access.store.save, shop, tokens)
        await asyncio.to_thread(open_webhook_state(settings).installed, shop)
        setup = register.Setup(settings.public_url.rstrip("/"), next(iter(settings.ingest_keys), ""),
                               next(iter(settings.identity_secrets), ""))
        refused = await asyncio.to_thread(_register, access, shop, tokens.access_token, setup)
    except ShopifyError as exc:
        raise BadGateway(f"{shop}: {exc}; follow the install link again to retry") from exc
    log.info("shopify: %s installed the app", shop)
    if settings.shopify_data_dir:
        imports: dict[str, threading.Thread] = getattr(request.app.state, "shopify_imports", None) or {}
        request.app.state.shopify_imports = imports
        running = imports.get(shop)
        if running is None or not running.is_alive():  # one import per shop at a time: they share the files
            imports[shop] = start_import(access, shop, settings)
    if refused:  # installed and set up, save these subscriptions: the merchant must act, then install again
        raise BadGateway(f"{shop}: installed, but Shopify refused the webhooks " + "; ".join(refused)
                         + ". Order webhooks need the app's protected customer data access (docs/shopify.md, "
                         "step 3); once granted, follow the install link again")
    response = RedirectResponse(f"{access.base(shop)}/admin/themes/current/editor?context=apps", status_code=302,
                                headers={"Cache-Control": "no-store"})
    response.delete_cookie(COOKIE, path=oauth.CALLBACK_PATH, secure=True, httponly=True, samesite="lax")
    return response


def _register(access: AppAccess, shop: str, token: str, setup: register.Setup) -> list[str]:
    with AdminClient(access.base(shop), token) as client:
        return register.register(client, shop, setup)


def start_import(access: AppAccess, shop: str, settings: Settings) -> threading.Thread:
    """The first products and orders into shopify_data_dir, in a thread that outlives the request."""
    thread = threading.Thread(target=_import, args=(access, shop, Path(settings.shopify_data_dir),
                                                    settings.profiles_path()), name=f"shopify-import-{shop}",
                              daemon=True)
    thread.start()
    return thread


def _import(access: AppAccess, shop: str, out: Path, profile_dir: Path) -> None:
    from edge.shopify.sync import sync

    try:
        with AdminClient(access.base(shop), access.token(shop)) as client:
            summary = sync(client, shop, out, profile_dir=profile_dir)
        log.info("shopify: %s first import: %d products, %d orders into %s", shop,
                 summary.counts.get("products", 0), summary.counts.get("orders", 0), out)
    except SkyltError as exc:  # the messages name addresses and files, never a token
        log.error("shopify: %s first import failed: %s; run `skylt shopify sync --shop %s --out %s`", shop, exc,
                  shop, out)
