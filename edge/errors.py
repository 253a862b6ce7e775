"""One error tree for all of Skylt.

    SkyltError
    ├── InputError              bad shop data handed to the builder (file, line, field)
    │   └── EmptyInputError     a file without a single usable row
    ├── SnapshotError           a snapshot that cannot be opened or is incompatible
    ├── MissingExtraError       an optional feature whose extra is not installed (skylt[spark])
    └── RequestError            bad HTTP input (status 400/422), rendered as problem+json
        ├── UnauthorizedError   401 missing or wrong ingest key
        ├── NotFoundError       404
        ├── MethodNotAllowed    405
        ├── PayloadTooLarge     413
        ├── NotReadyError       503 while no snapshot is being served, or a feature is not configured
        └── StorageFullError    503 when accepting more would overrun a bound (disk floor, profile store)

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


class PayloadTooLarge(RequestError):
    status = 413
    type = "https://skylt.dev/problems/payload-too-large"
    title = "Payload too large"


class NotReadyError(RequestError):
    status = 503
    type = "https://skylt.dev/problems/not-ready"
    title = "Not ready"


class StorageFullError(RequestError):
    """Raised before anything is acknowledged, so a client may retry later and lose nothing."""

    status = 503
    type = "https://skylt.dev/problems/storage-full"
    title = "Storage full"
