"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import time
from datetime import datetime

import msgspec
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from edge.auth import AUTH_HEADER, bearer, matches_any_key
from edge.errors import NotReadyError, UnauthorizedError
from edge.schemas import Health

_encode = msgspec.json.Encoder().encode


async def healthz(request: Request) -> Response:
    """The process is up (it may still be loading a snapshot)."""
    return Response(_encode(Health(status="ok")), media_type="application/json")


async def readyz(request: Request) -> Response:
    """Ready once a snapshot is open and every kernel is compiled and warm."""
    snap = request.app.state.holder.current
    if snap is None:
        raise NotReadyError("no snapshot is loaded yet")
    built = datetime.fromisoformat(snap.manifest.built_at).timestamp()
    health = Health(status="ready", version=snap.version, items=snap.n_items, age_seconds=round(time.time() - built, 1))
    return Response(_encode(health), media_type="application/json")


async def metrics(request: Request) -> Response:
    """Open unless ``metrics_keys`` is set; then only with one of them as a bearer token."""
    keys = request.app.state.settings.metrics_keys
    if keys:
        token = bearer(request.headers.get(AUTH_HEADER))
        if token is None or not matches_any_key(token, keys):
            raise UnauthorizedError("GET /metrics needs the header 'Authorization: Bearer <metrics key>' with one "
                                    "of the keys of the setting metrics_keys", field=AUTH_HEADER)
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
