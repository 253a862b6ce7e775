"""JSON from the network into Structs: the one place where msgspec's errors become ours.

Every body, envelope and raw entry is decoded here, so that nothing a client sends (invalid
JSON, invalid UTF-8 inside a string, nesting deeper than the decoder recurses, a number out
of range, a wrong type) escapes as anything but a ``RequestError`` naming what was wrong.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

from edge.errors import RequestError, ValidationError

T = TypeVar("T")
_PATH = re.compile(r"at `\$\.?([A-Za-z_]*)")


def field_of(message: str) -> str | None:
    """The top-level field a msgspec validation message names (``... - at `$.user```), if any."""
    match = _PATH.search(message)
    if match and match.group(1):
        return match.group(1)
    if ("unknown field" in message or "required field" in message) and "`" in message:
        return message.split("`")[1]
    return None


def decode(decoder: msgspec.json.Decoder[T], raw: bytes | msgspec.Raw, what: str = "body") -> T:
    """``decoder.decode(raw)``; every failure raised as ``ValidationError`` (the JSON is well formed but
    does not fit: 422, with the field) or ``RequestError`` (it is not JSON we can read: 400)."""
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as exc:
        message = str(exc)
        raise ValidationError(message, field=field_of(message)) from exc
    except msgspec.DecodeError as exc:
        raise RequestError(f"{what} is not valid JSON: {exc}") from exc
    except UnicodeDecodeError as exc:  # msgspec checks UTF-8 only as it builds a str
        raise RequestError(f"{what} holds a string that is not valid UTF-8") from exc
    except RecursionError as exc:
        raise RequestError(f"{what} nests arrays or objects too deeply to be read") from exc


def convert(value: Any, type_: type[T]) -> T:
    """``msgspec.convert`` of already parsed values (query strings), failures as ``ValidationError``."""
    try:
        return msgspec.convert(value, type_, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        raise ValidationError(message, field=field_of(message)) from exc
