"""``skylt report``: attribution and A/B results from the event log."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
import msgspec
from rich.console import Console

from edge.config import Settings
from edge.report.compute import compute_dir
from edge.report.load import parse_since
from edge.report.render import render


@click.command()
@click.option("--events-dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Event log directory written by POST /v1/events (events and impressions).")
@click.option("--since", help="Only events from this time: 7d, 24h, ISO-8601 or Unix seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--control-share", type=click.FloatRange(0.0, 1.0),
              help="The control share the server runs with, for the sample-ratio check "
                   "(default: the setting control_share).")
def report(events_dir: Path, since: str | None, as_json: bool, control_share: float | None) -> None:
    """Per page and slot: impressions, CTR, add-to-carts, purchases and attributed revenue; per A/B bucket:
    conversion, revenue per visitor, the lift, and whether the split holds."""
    try:
        start = parse_since(since, time.time())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from exc
    if control_share is None:
        control_share = Settings.load().control_share
    result = compute_dir(events_dir, start, control_share=control_share)
    if as_json:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(result)) + b"\n")
    else:
        Console().print(render(result))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
