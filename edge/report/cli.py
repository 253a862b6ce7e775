"""``skylt report``: attribution and A/B results from the event log."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
import msgspec
from rich.console import Console

from edge.report.compute import compute
from edge.report.load import load, parse_since
from edge.report.render import render


@click.command()
@click.option("--events-dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Event log directory written by POST /v1/events (events and impressions).")
@click.option("--since", help="Only events from this time: 7d, 24h, ISO-8601 or Unix seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def report(events_dir: Path, since: str | None, as_json: bool) -> None:
    """Impressions, CTR per slot and page, add-to-cart and purchase rates per A/B bucket, and the lift."""
    try:
        start = parse_since(since, time.time())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from exc
    impressions, events = load(events_dir, start)
    result = compute(impressions, events)
    if as_json:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(result)) + b"\n")
        return
    Console().print(render(result))
