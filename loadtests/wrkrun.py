"""Running wrk with the page scripts in ``loadtests/wrk/`` and reading its JSON summary line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SCRIPTS = Path(__file__).resolve().parent / "wrk"
PAGES = ("product", "home", "cart", "checkout")
MARKER = "SKYLT_JSON "


def available() -> bool:
    return shutil.which("wrk") is not None


def write_ids(ids: Sequence[str], path: Path) -> Path:
    """The item-id file the scripts rotate through (``$SKYLT_IDS``)."""
    path.write_text("".join(f"{i}\n" for i in ids))
    return path


def parse(stdout: str) -> dict[str, Any]:
    """The summary printed by ``common.lua``'s ``done``, with throughput added."""
    line = next((ln for ln in stdout.splitlines() if ln.startswith(MARKER)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{stdout[-2000:]}")
    out: dict[str, Any] = json.loads(line[len(MARKER):])
    seconds = out["duration_us"] / 1e6
    out["seconds"] = round(seconds, 3)
    out["rps"] = round(out["requests"] / seconds, 1) if seconds else 0.0
    out["failed"] = sum(out["errors"].values())
    return out


def run(url: str, page: str, ids_file: Path, *, seconds: int, connections: int, threads: int = 1,
        timeout: int = 5, delay_ms: float | None = None) -> dict[str, Any]:
    """One wrk run of ``seconds`` against ``url`` with the ``page`` script; bounded by a hard timeout.
    ``delay_ms``: each connection's pause between requests (to hold a rate below the maximum)."""
    argv = ["wrk", "-t", str(threads), "-c", str(max(connections, threads)), "-d", f"{seconds}s",
            "--timeout", f"{timeout}s", "-s", str(SCRIPTS / f"{page}.lua"), url]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + timeout + 30, check=False,
                          env={**os.environ, "SKYLT_IDS": str(ids_file),
                               **({"SKYLT_DELAY_MS": f"{delay_ms:.3f}"} if delay_ms is not None else {})})
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout[-2000:]}")
    result = parse(done.stdout)
    result.update(page=page, connections=connections, threads=threads)
    return result
