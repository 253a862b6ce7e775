"""The load report: JSON-ready dict and a plain-text table of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from loadtests.histogram import PERCENTILES, Recorder, percentile_key, summary


def build(recorder: Recorder, seconds: float, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Throughput and percentiles per page and overall, errors by kind, for a run of ``seconds``."""
    seconds = max(seconds, 1e-9)
    pages: dict[str, Any] = {}
    for page in sorted(set(recorder.pages) | set(recorder.errors_by_page)):
        hist = recorder.pages.get(page)
        stats = summary(hist) if hist is not None else {"count": 0}
        errors = dict(recorder.errors_by_page.get(page, {}))
        pages[page] = {**stats, "errors": errors, "rps": round(int(stats["count"]) / seconds, 1)}
    overall = summary(recorder.overall())
    requests = recorder.successes() + recorder.failures()
    return {
        "settings": settings or {},
        "seconds": round(seconds, 3),
        "requests": requests,
        "ok": recorder.successes(),
        "failed": recorder.failures(),
        "rps": round(requests / seconds, 1),
        "errors": dict(recorder.errors),
        "overall": overall,
        "pages": pages,
    }


def write(report: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(report, indent=2) + "\n")


def table(report: dict[str, Any]) -> str:
    """Per-page and overall rows: count, rps and the percentiles in ms."""
    keys = [percentile_key(p) for p in PERCENTILES]
    head = ["page", "count", "rps", *[f"p{p:g}" for p in PERCENTILES], "errors"]
    rows = [head]
    for name, stats in [*report["pages"].items(), ("overall", {**report["overall"], "rps": report["rps"],
                                                                "errors": report["errors"]})]:
        errors = sum(stats.get("errors", {}).values())
        rows.append([name, str(stats.get("count", 0)), f"{stats.get('rps', 0):.1f}",
                     *[f"{stats[k]:.2f}" if k in stats else "-" for k in keys], str(errors)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths,
                                                                                                    strict=True)))
             for r in rows]
    lines.append(f"{report['requests']} requests in {report['seconds']:.1f} s, {report['failed']} failed"
                 + (f": {report['errors']}" if report["errors"] else ""))
    return "\n".join(lines)
