"""One Shopify CSV export read into typed Python columns, with errors that name the file, line and column.

Shopify has renamed export columns over time (``Handle`` became ``URL handle``, ``Variant Price`` became ``Price``);
each field here lists every spelling it accepts, matched like Skylt's own files (trimmed, any case).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from edge.build import parse
from edge.build.sources import load
from edge.errors import EmptyInputError, InputError

Fields = dict[str, Sequence[str]]  # field -> accepted column names, the preferred spelling first


class Sheet:
    """The columns of ``fields`` found in ``path`` (first spelling present wins); absent columns read as empty.

    A value that does not convert is kept as a problem; ``check`` raises the earliest row's, as Skylt's readers do.
    """

    def __init__(self, path: str | Path, fields: Fields, required: Sequence[str]) -> None:
        wanted = {name.lower() for names in fields.values() for name in names}
        self.raw = load(path, wanted)
        self.path = self.raw.path
        if self.raw.rows == 0:
            raise EmptyInputError("no data rows", path=self.path)
        present = set(self.raw.table.column_names)
        self.columns: dict[str, str] = {}   # field -> normalised column in the file
        self.names: dict[str, str] = {}     # field -> column name for messages
        for field, names in fields.items():
            hit = next((n for n in names if n.lower() in present), None)
            if hit is not None:
                self.columns[field], self.names[field] = hit.lower(), hit
        for field in required:
            if field not in self.columns:
                raise InputError("missing required column", path=self.path, line=self.raw.header_line,
                                 field=fields[field][0])
        self.rows = self.raw.rows
        self.problems: list[tuple[int, str, str]] = []

    def has(self, field: str) -> bool:
        return field in self.columns

    def line(self, row: int) -> int | None:
        return self.raw.line_of(row)

    def error(self, row: int, field: str, message: str) -> InputError:
        return InputError(message, path=self.path, line=self.line(row), field=self.names.get(field, field))

    def check(self) -> None:
        """Raise the problem of the earliest row among the columns read so far."""
        if self.problems:
            row, field, message = min(self.problems)
            raise self.error(row, field, message)

    def _get(self, field: str, convert: Callable[[Any], pa.Array]) -> list[Any]:
        if field not in self.columns:
            return [None] * self.rows
        try:
            return convert(self.raw.table[self.columns[field]]).to_pylist()
        except parse.BadValue as exc:
            self.problems.append((exc.row, field, exc.message))
            return [None] * self.rows

    def text(self, field: str) -> list[str | None]:
        return self._get(field, parse.text)

    def number(self, field: str, *, minimum: float | None = None, integer: bool = False) -> list[float | None]:
        return self._get(field, lambda a: parse.number(a, minimum=minimum, integer=integer))

    def boolean(self, field: str) -> list[bool | None]:
        return self._get(field, parse.boolean)

    def timestamp(self, field: str) -> list[int | None]:
        return self._get(field, parse.timestamp)
