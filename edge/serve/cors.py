"""CORS for the shop origins in the allowlist; a refused preflight is a problem like any other error."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from edge.errors import RequestError
from edge.serve.problems import problem_response


class ShopCORSMiddleware(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        detail = bytes(response.body).decode() + "; allowed origins are set by the cors_origins setting"
        return problem_response(RequestError(detail, field="origin"))
