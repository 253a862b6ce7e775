"""Skylt's response cache as a load run saw it: hits, misses and bypasses read from ``/metrics``
before and after the load (``skylt_response_cache_total{result=...}``), summed over every worker
by the server."""

from __future__ import annotations

import re
from typing import Any

import httpx

RESULTS = ("hit", "miss", "bypass")
_LINE = re.compile(r'^skylt_response_cache_total\{result="(\w+)"\} (\S+)$', re.M)


def counts(url: str) -> dict[str, float]:
    """The counters now; empty when the server has none (a baseline) or cannot be reached."""
    try:
        text = httpx.get(f"{url}/metrics", timeout=5.0).text
    except httpx.HTTPError:
        return {}
    return {name: float(value) for name, value in _LINE.findall(text) if name in RESULTS}


def delta(before: dict[str, float], after: dict[str, float]) -> dict[str, Any] | None:
    """What happened between two scrapes, with the hit rate over every lookup; None without counters."""
    if not after:
        return None
    out: dict[str, Any] = {name: int(after.get(name, 0) - before.get(name, 0)) for name in RESULTS}
    looked_up = sum(out.values())
    out["hit_rate"] = round(out["hit"] / looked_up, 4) if looked_up else None
    return out


def line(label: str, d: dict[str, Any] | None) -> str:
    if d is None:
        return f"{label}: no response cache counters"
    if d["hit_rate"] is None:
        return f"{label}: response cache not used (disabled, or no GET reached it)"
    return (f"{label}: response cache hit rate {d['hit_rate']:.1%} ({d['hit']} hits, {d['miss']} misses, "
            f"{d['bypass']} bypasses: known customers, never stored)")
