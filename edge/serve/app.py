"""The ASGI application: routes, middleware and lifespan, nothing else."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from edge.auth import check_key_settings
from edge.config import Settings
from edge.disk import DiskFloor
from edge.errors import SkyltError
from edge.events.log import EventLog
from edge.events.segments import IMPRESSIONS
from edge.notify.ids import sealing
from edge.overlay.watch import OverlayWatcher
from edge.replicas.archive import Archive
from edge.replicas.pull import Puller
from edge.serve.cache import ResponseCache
from edge.serve.cors import ShopCORSMiddleware
from edge.serve.experiments import Experiment
from edge.serve.metrics import Metrics
from edge.serve.problems import http_error, skylt_error, unexpected_error
from edge.serve.routes.catalog import delete_item, upsert_items
from edge.serve.routes.dashboard import dashboard
from edge.serve.routes.docs import api_page, openapi_json
from edge.serve.routes.events import ingest
from edge.serve.routes.health import healthz, metrics, readyz
from edge.serve.routes.recommend import PASSED, PATH, RecommendGets, recommend, send_answer
from edge.serve.routes.rules import get_rules, put_rules
from edge.serve.routes.shopify import webhook as shopify_webhook
from edge.serve.routes.shopify_install import callback as shopify_callback
from edge.serve.routes.shopify_install import install as shopify_install
from edge.serve.routes.users import delete_user
from edge.serve.swap import SnapshotHolder
from edge.serve.warm import warm
from edge.shared.factory import (
    check_state_settings,
    existing_notify_state,
    open_notify_state,
    open_profiles,
    overlay_opener,
)
from edge.slots.served import Served, serve
from edge.store import Snapshot

log = logging.getLogger("skylt")


class ServeState(State):
    """``app.state`` whose values are also plain attributes. Starlette's ``State`` answers each
    read through ``__getattr__`` after a failed lookup (about 1 us, an exception raised and caught
    inside); a computed request reads it some ten times."""

    def __setattr__(self, key: str, value: Any) -> None:
        super().__setattr__(key, value)
        object.__setattr__(self, key, value)

    def __delattr__(self, key: str) -> None:
        super().__delattr__(key)
        object.__delattr__(self, key)


class SkyltApp(Starlette):
    """Starlette, but GET /v1/recommend is offered to ``gets`` before Starlette's own layers
    (its error middleware wraps every ``send`` in one more coroutine): ``gets`` catches every
    error of its own, and what it declines or fails on goes through the whole app as before."""

    gets: RecommendGets | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gets = self.gets
        if gets is not None and scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == PATH:
            try:
                answer = gets.answer(scope, outside=True)
            except Exception:  # not one of the route's errors: the whole app answers it as it would
                scope[PASSED] = True
                answer = None
            if answer is not None:
                scope["app"] = self
                await send_answer(answer, send)
                return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.load()
    check_key_settings(settings)
    check_state_settings(settings)
    app_metrics = Metrics()
    response_cache = ResponseCache(settings.response_cache_bytes)
    app_metrics.watch_cache(response_cache)

    def on_swap(new: Snapshot, old: Snapshot | None) -> None:
        response_cache.clear()  # lookups compare the snapshot anyway; this frees the old answers at once
        built = datetime.fromisoformat(new.manifest.built_at).timestamp()
        app_metrics.snapshot_changed(new.version, built, new.n_items, old.version if old else None)
        app_metrics.swaps.child("installed").inc()

    overlay = OverlayWatcher(settings.catalog_overlay,
                             lambda o: app_metrics.overlay_changed(o.generation, o.overrides),
                             overlay_opener(settings, app_metrics.state_failed))

    def prepare(snap: Snapshot) -> Served:
        served = overlay.serve_new(serve(snap, settings))  # before it serves: a swap never shows an overridden item
        warm(served)
        return served

    holder = SnapshotHolder(settings.tables, prepare, on_swap)
    puller = Puller(settings.pull_url, Path(settings.tables)) if settings.pull_url else None
    archive = Archive(settings.event_archive) if settings.event_archive else None
    event_log = EventLog(settings.event_log, segment_bytes=settings.event_segment_bytes,
                         retention_days=settings.event_retention_days)
    impression_log = EventLog(settings.event_log, segment_bytes=settings.event_segment_bytes,
                              retention_days=settings.event_retention_days, prefix=IMPRESSIONS)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        overlay.open(create=bool(settings.admin_keys or settings.shopify_webhook_secrets))
        if puller is not None:
            await asyncio.to_thread(puller.pull_logged)  # a new replica serves as soon as it has a copy
        await holder.refresh()
        if holder.current is None:
            log.warning("no snapshot under %s yet; /readyz answers 503 until one is built", settings.tables)
        ingests = bool(settings.ingest_keys or settings.server_keys)
        if ingests or settings.shopify_webhook_secrets or (
                settings.admin_keys and (settings.state_url or settings.profiles_path().is_dir())):
            # Only ingest and Shopify orders write profiles and hashed ids; without them nothing to read or erase.
            app.state.profiles = open_profiles(settings, app_metrics.state_failed)
        if ingests:
            # Consent and the known customers' triggers (edge/notify); off, an earlier state still takes withdrawals.
            app.state.notify = (open_notify_state(settings) if sealing(settings)
                                else existing_notify_state(settings))
        if ingests or settings.shopify_webhook_secrets:  # else nothing is written
            await event_log.start()
        if ingests:
            await impression_log.start()
        if settings.gc_freeze:
            gc.freeze()  # what startup made lives as long as the worker: full collections need not walk it
        watcher = asyncio.create_task(holder.watch(settings.poll_seconds))
        overlay_watcher = asyncio.create_task(overlay.watch(holder, settings.overlay_poll_seconds))
        tasks = [watcher, overlay_watcher]
        if puller is not None:
            tasks.append(asyncio.create_task(puller.watch(settings.pull_seconds, holder.refresh)))
        if app.state.profiles is not None:
            tasks.append(asyncio.create_task(app.state.profiles.keep_swept()))
        if archive is not None and (ingests or settings.shopify_webhook_secrets):
            tasks.append(asyncio.create_task(archive.keep_shipping(Path(settings.event_log),
                                                                   settings.event_retention_days,
                                                                   settings.archive_seconds)))
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(holder.refresh()))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signal.SIGHUP)
            holder.close()
            await overlay.aclose()
            await event_log.stop()
            await impression_log.stop()
            if app.state.profiles is not None:
                app.state.profiles.close()
            if app.state.notify is not None:
                app.state.notify.close()
            if settings.gc_freeze:
                gc.unfreeze()  # an app stopped in a process that goes on (tests, embedding) leaves no garbage behind

    shop: list[BaseRoute] = []
    if settings.storefront:
        from edge.storefront import routes as storefront_routes

        shop = storefront_routes()
    app = SkyltApp(
        routes=[
            Route("/v1/recommend", recommend, methods=["GET", "POST"]),
            Route("/v1/events", ingest, methods=["POST"]),
            Route("/v1/catalog/items", upsert_items, methods=["PUT"]),
            Route("/v1/catalog/items/{item_id:path}", delete_item, methods=["DELETE"]),
            Route("/v1/rules", put_rules, methods=["PUT"]),
            Route("/v1/rules", get_rules, methods=["GET"]),
            Route("/v1/shopify/webhooks", shopify_webhook, methods=["POST"]),
            Route("/v1/shopify/install", shopify_install, methods=["GET"]),
            Route("/v1/shopify/callback", shopify_callback, methods=["GET"]),
            Route("/v1/users/{user_id:path}", delete_user, methods=["DELETE"]),
            Route("/dashboard", dashboard, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/openapi.json", openapi_json, methods=["GET"]),
            Route("/docs", api_page, methods=["GET"]),
            *shop,
        ],
        exception_handlers={SkyltError: skylt_error, HTTPException: http_error, Exception: unexpected_error},
        lifespan=lifespan,
    )
    app.state = ServeState()
    app.state.settings = settings
    app.state.cache_control = (b"cache-control", settings.cache_control.encode("latin-1"))  # of shared GET answers
    app.state.metrics = app_metrics
    app.state.holder = holder
    app.state.response_cache = response_cache
    app.state.event_log = event_log
    app.state.impression_log = impression_log
    # Checked before anything is appended to the event log or written to a profile.
    app.state.disk_floor = DiskFloor((settings.event_log, settings.profiles_path()), settings.min_free_disk_bytes)
    app.state.profiles = None  # opened by the lifespan when ingest or admin keys are set
    app.state.notify = None    # the trigger state, opened by the lifespan with ingest
    app.state.archive = archive
    app.state.experiment = Experiment(settings.experiment_salt, settings.control_share)
    app.state.overlay = overlay
    # add_middleware wraps what is there: the GET layer first, so CORS (outside it) adds its headers to every answer.
    app.add_middleware(RecommendGets, state=app.state)
    app.gets = RecommendGets(app.router, app.state, cors=bool(settings.cors_origins))  # its app is never called
    if settings.cors_origins:
        app.add_middleware(ShopCORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "If-None-Match", "X-Skylt-Key", "X-Skylt-User-Token"],
                           expose_headers=["ETag"], max_age=600)
    return app
