"""The one place where errors become HTTP: every error answers ``application/problem+json``."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from edge.errors import MethodNotAllowed, NotFoundError, PayloadTooLarge, RequestError, SkyltError
from edge.schemas import Problem
from edge.serve.codec import encode_problem

log = logging.getLogger("skylt.http")
MEDIA_TYPE = "application/problem+json"


def problem_response(exc: SkyltError, instance: str | None = None) -> Response:
    detail = exc.detail if isinstance(exc, RequestError) else str(exc)
    field = exc.field if isinstance(exc, RequestError) else None
    body = encode_problem(Problem(type=exc.type, title=exc.title, status=exc.status, detail=detail, field=field,
                                  instance=instance))
    headers = {"Allow": exc.allow} if isinstance(exc, MethodNotAllowed) and exc.allow else None
    if isinstance(exc, PayloadTooLarge) and exc.unread:
        headers = {"Connection": "close"}
    return Response(body, status_code=exc.status, media_type=MEDIA_TYPE, headers=headers)


async def skylt_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SkyltError)
    return problem_response(exc, request.url.path)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 become ours."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        not_allowed = MethodNotAllowed(f"{request.method} is not allowed on {request.url.path}")
        not_allowed.allow = (exc.headers or {}).get("Allow", "")
        err: SkyltError = not_allowed
    elif exc.status_code == 404:
        err = NotFoundError(f"no route {request.url.path}; see /docs for the API")
    else:
        err = RequestError(str(exc.detail))
        err.status = exc.status_code
    return problem_response(err, request.url.path)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path)
    err = SkyltError("internal error; the request was not processed")
    return problem_response(err, request.url.path)
