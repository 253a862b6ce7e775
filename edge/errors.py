"""One error tree for all of Skylt.

    SkyltError
    ├── InputError              bad shop data handed to the builder (file, line, field)
    │   └── EmptyInputError     a file without a single usable row
    ├── SnapshotError           a snapshot that cannot be opened or is incompatible
    ├── MissingExtraError       an optional feature whose extra is not installed (skylt[spark])
    ├── StoreError              503 a snapshot store or event archive that cannot be reached or is not whole
    └── RequestError            bad HTTP input (status 400/422), rendered as problem+json
        ├── UnauthorizedError   401 missing or wrong ingest key
        ├── NotFoundError       404
        ├── MethodNotAllowed    405
        ├── ConflictError       409 the same thing is being done by another request right now
        ├── PayloadTooLarge     413
        ├── UnsupportedMediaType 415 a compressed body, or a Content-Type that is not JSON in UTF-8
        ├── BadGateway          502 a shop's API refused or failed what the request needed from it
        ├── NotReadyError       503 while no snapshot is being served, or a feature is not configured
        ├── StorageFullError    503 when accepting more would overrun a bound (disk floor, profile store)
        └── StateUnavailableError 503 the shared state store (setting state_url) cannot be reached

Each class carries its HTTP status and problem type; the HTTP layer maps them in one
place. Third-party errors are re-raised as ours with ``raise ... from exc``.
"""

from __future__ import annotations


class SkyltError(Exception):
    status: int = 500
    type: str = "about:blank"
    title: str = "Internal error"


class InputError(SkyltError):
    """Bad input data. Carries where it happened so the CLI can print one precise line."""

    status = 422
    title = "Invalid input data"

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = [p for p in (self.path, f"line {self.line}" if self.line is not None else None,
                             f"field {self.field!r}" if self.field else None) if p]
        return f"{': '.join(where)}: {self.message}" if where else self.message


class EmptyInputError(InputError):
    pass


class MissingExtraError(SkyltError):
    """An optional feature was asked for without the extra that provides it."""

    title = "Optional dependency missing"


class SnapshotError(SkyltError):
    status = 503
    title = "Snapshot unavailable"


class StoreError(SkyltError):
    """A snapshot store or event archive (edge/replicas/) that cannot be reached or holds something incomplete."""

    status = 503
    type = "https://skylt.dev/problems/store-unavailable"
    title = "Store unavailable"


class RequestError(SkyltError):
    status = 400
    type = "https://skylt.dev/problems/bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        self.detail = detail
        self.field = field
        super().__init__(detail)


class ValidationError(RequestError):
    status = 422
    type = "https://skylt.dev/problems/validation"
    title = "Invalid request"


class UnauthorizedError(RequestError):
    status = 401
    type = "https://skylt.dev/problems/unauthorized"
    title = "Unauthorized"


class NotFoundError(RequestError):
    status = 404
    type = "https://skylt.dev/problems/not-found"
    title = "Not found"


class MethodNotAllowed(RequestError):
    status = 405
    type = "https://skylt.dev/problems/method-not-allowed"
    title = "Method not allowed"
    allow = ""


class ConflictError(RequestError):
    status = 409
    type = "https://skylt.dev/problems/conflict"
    title = "Conflict"


class PayloadTooLarge(RequestError):
    status = 413
    type = "https://skylt.dev/problems/payload-too-large"
    title = "Payload too large"

    def __init__(self, detail: str, *, field: str | None = None, unread: bool = False) -> None:
        # ``unread``: refused before the body was read to its end, so the connection cannot carry
        # another request; the answer says ``Connection: close`` so no client reuses it.
        self.unread = unread
        super().__init__(detail, field=field)


class UnsupportedMediaType(RequestError):
    status = 415
    type = "https://skylt.dev/problems/unsupported-media-type"
    title = "Unsupported media type"


class BadGateway(RequestError):
    status = 502
    type = "https://skylt.dev/problems/bad-gateway"
    title = "Bad gateway"


class NotReadyError(RequestError):
    status = 503
    type = "https://skylt.dev/problems/not-ready"
    title = "Not ready"


class StorageFullError(RequestError):
    """Raised before anything is acknowledged, so a client may retry later and lose nothing."""

    status = 503
    type = "https://skylt.dev/problems/storage-full"
    title = "Storage full"


class StateUnavailableError(RequestError):
    """The shared state store (``state_url``) did not answer. Writes raise it before acknowledging
    anything; reads that can do without it (a known customer's profile) fail open instead."""

    status = 503
    type = "https://skylt.dev/problems/state-unavailable"
    title = "State store unavailable"
