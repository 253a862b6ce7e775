"""The baseline for the runner: a Starlette app that answers every recommend request with one
constant JSON body, served by the same uvicorn settings as ``skylt serve``. The gap between the
two is what Skylt's own work costs; the gap to nginx is what Python and ASGI cost.

``SKYLT_TRIVIAL_BODY`` names a file holding the body (the runner saves a real Skylt answer
there so both send the same bytes); without it a fixed body of about 2 KB is sent.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_DEFAULT = json.dumps({"request_id": "0" * 16, "version": "trivial", "page": "product", "ignored_ids": 0,
                       "slots": [{"slot": "similar", "title": "Similar items",
                                  "items": [{"id": f"{i:06d}", "title": "A product title of usual length",
                                             "price": 9.99, "currency": "GBP", "score": 0.5,
                                             "reason": "Also viewed 12 times"} for i in range(12)]}]})


def create_app() -> Starlette:
    path = os.environ.get("SKYLT_TRIVIAL_BODY")
    body = Path(path).read_bytes() if path else _DEFAULT.encode()

    async def recommend(request: Request) -> Response:
        return Response(body, media_type="application/json")

    async def ready(request: Request) -> Response:
        return Response(b"ok", media_type="text/plain")

    return Starlette(routes=[Route("/v1/recommend", recommend, methods=["GET", "POST"]),
                             Route("/readyz", ready), Route("/healthz", ready)])
