"""Latency and error recording: one HDR histogram per page, in microseconds."""

from __future__ import annotations

from collections import Counter

from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 120_000_000  # two minutes: anything slower is clamped, never dropped
SIGNIFICANT_FIGURES = 3
PERCENTILES = (50.0, 95.0, 99.0, 99.9)


def new_histogram() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_FIGURES)


class Recorder:
    """Successes go to a per-page histogram; failures are only counted, by page and kind."""

    def __init__(self) -> None:
        self.pages: dict[str, HdrHistogram] = {}
        self.errors: Counter[str] = Counter()
        self.errors_by_page: dict[str, Counter[str]] = {}

    def ok(self, page: str, seconds: float) -> None:
        hist = self.pages.get(page)
        if hist is None:
            hist = self.pages[page] = new_histogram()
        hist.record_value(min(max(round(seconds * 1e6), LOWEST_US), HIGHEST_US))

    def error(self, page: str, kind: str) -> None:
        """``kind``: ``http_<status>``, ``timeout``, ``connection`` or ``other:<exception>``."""
        self.errors[kind] += 1
        self.errors_by_page.setdefault(page, Counter())[kind] += 1

    def overall(self) -> HdrHistogram:
        total = new_histogram()
        for hist in self.pages.values():
            total.add(hist)
        return total

    def successes(self) -> int:
        return sum(h.get_total_count() for h in self.pages.values())

    def failures(self) -> int:
        return sum(self.errors.values())

    def merge(self, other: Recorder) -> None:
        for page, hist in other.pages.items():
            self.pages.setdefault(page, new_histogram()).add(hist)
        self.errors.update(other.errors)
        for page, counts in other.errors_by_page.items():
            self.errors_by_page.setdefault(page, Counter()).update(counts)


def summary(hist: HdrHistogram) -> dict[str, float | int]:
    """Count and latency figures of one histogram, in milliseconds."""
    count = hist.get_total_count()
    if count == 0:
        return {"count": 0}
    out: dict[str, float | int] = {"count": count, "mean_ms": round(hist.get_mean_value() / 1000, 3),
                                   "min_ms": hist.get_min_value() / 1000, "max_ms": hist.get_max_value() / 1000}
    for p in PERCENTILES:
        out[percentile_key(p)] = hist.get_value_at_percentile(p) / 1000
    return out


def percentile_key(p: float) -> str:
    return "p" + f"{p:g}".replace(".", "_") + "_ms"
