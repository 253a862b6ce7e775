"""GET /dashboard: the report as charts, plus snapshot stats, for the shop's staff.

The admin key is a secret, so it never travels in a URL (URLs end up in logs and browser
history). Scripts send ``Authorization: Bearer <key>``; a browser gets an HTTP Basic prompt
(any user name, the admin key as password), which it then sends on its own.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from edge.auth import AUTH_HEADER, require_admin
from edge.errors import UnauthorizedError, ValidationError
from edge.report.compute import compute_dir
from edge.report.html import page
from edge.report.load import parse_since
from edge.serve.problems import problem_response

DEFAULT_SINCE = "30d"
CHALLENGE = 'Basic realm="Skylt dashboard", charset="UTF-8"'
# No script, no outside resource; nobody may frame the page.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def _age(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def snapshot_stats(request: Request) -> dict[str, str]:
    snap = request.app.state.holder.current
    if snap is None:
        return {"snapshot": "none loaded"}
    m = snap.manifest
    built = datetime.fromisoformat(m.built_at).timestamp()
    return {"items": f"{m.n_items:,}", "events in the build": f"{m.n_events:,}",
            "build age": _age(max(0.0, time.time() - built)), "snapshot": m.version}


async def dashboard(request: Request) -> Response:
    settings = request.app.state.settings
    try:
        require_admin(request.headers.get(AUTH_HEADER), settings, "the dashboard", basic=True)
    except UnauthorizedError as exc:
        denied = problem_response(exc, request.url.path)
        denied.headers["WWW-Authenticate"] = CHALLENGE  # a browser asks for the key
        return denied
    since_text = request.query_params.get("since", DEFAULT_SINCE)
    try:
        since = parse_since(since_text, time.time())
    except ValueError as exc:
        raise ValidationError(str(exc), field="since") from exc
    report = await asyncio.to_thread(
        lambda: compute_dir(settings.event_log, since, control_share=settings.control_share))
    html = page(report, snapshot_stats(request), since_text)
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "Content-Security-Policy": CSP,
                                       "Referrer-Policy": "no-referrer"})
