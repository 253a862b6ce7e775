"""What every ``skylt`` command shares at the terminal: errors as one line, progress on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from rich.console import Console

from edge.errors import InputError, SkyltError

err_console = Console(stderr=True)
console = Console()


@contextmanager
def clean_errors() -> Iterator[None]:
    """Bad input is one line naming file, row and field; no traceback."""
    try:
        yield
    except InputError as exc:
        click.echo(f"skylt: error: {exc.one_line()}", err=True)  # one line, never wrapped
        sys.exit(2)
    except SkyltError as exc:
        click.echo(f"skylt: error: {exc}", err=True)
        sys.exit(1)


@contextmanager
def progress(enabled: bool) -> Iterator[Callable[[str], None]]:
    """A status line and a log of the steps on stderr, when it is a terminal."""
    if not enabled:
        yield lambda _step: None
        return
    with err_console.status("starting") as status:
        def say(step: str) -> None:
            status.update(step)
            err_console.log(step, highlight=False, markup=False)
        yield say
