"""Build the same input with both engines and compare what they wrote and what they serve."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from edge.build.pipeline import BuildResult, build
from edge.build.spark.build import build_spark
from edge.store import open_snapshot


def build_both(spark: Any, events: Sequence[Path], catalog: Path | None, out: Path,
               now: int | None = None, tune: bool = False) -> tuple[BuildResult, BuildResult]:
    single = build(list(events), out / "single", catalog_path=catalog, now=now, tune=tune)
    on_spark = build_spark(list(events), out / "spark", catalog_path=catalog, now=now, spark=spark, tune=tune)
    return single, on_spark


def _untimed(tune: dict[str, Any] | None) -> dict[str, Any] | None:
    """The tune section without what the clock decides: its seconds and the number of replays
    (both searches get ample time in the tests, so every choice is made on the same evidence)."""
    if tune is None:
        return None
    timed = ("seconds",)
    validation = {k: v for k, v in tune["validation"].items() if k not in timed and not k.endswith("_evaluations")}
    return {**tune, "validation": validation}


def assert_same_snapshot(single: BuildResult, on_spark: BuildResult) -> None:
    """Every array equal byte for byte (ints exactly, floats to the bit), the same manifest but for
    the version, the build time, the engine and the tune section's timing."""
    with open_snapshot(single.path) as a, open_snapshot(on_spark.path) as b:
        assert sorted(a.arrays) == sorted(b.arrays)
        for name, x in a.arrays.items():
            y = b.arrays[name]
            assert (x.dtype, x.shape) == (y.dtype, y.shape), name
            assert x.tobytes() == y.tobytes(), f"{name} differs at {np.flatnonzero(x.ravel() != y.ravel())[:5]}"
        ma, mb = msgspec.structs.asdict(a.manifest), msgspec.structs.asdict(b.manifest)
        for m in (ma, mb):
            del m["version"], m["built_at"], m["arrays"]
        assert ma.pop("params") | {"engine": "spark"} == mb.pop("params")
        tuned = [_untimed(msgspec.to_builtins(m.pop("tune"))) for m in (ma, mb)]
        assert tuned[0] == tuned[1]
        assert ma == mb
        assert [a.external_id(i) for i in range(a.n_items)] == [b.external_id(i) for i in range(b.n_items)]


def _clients(tables: Sequence[Path]) -> Iterator[list[Any]]:
    from starlette.testclient import TestClient

    from edge.config import Settings
    from edge.serve.app import create_app

    with ExitStack() as stack:
        yield [stack.enter_context(TestClient(create_app(Settings.load(tables=str(t), poll_seconds=3600.0))))
               for t in tables]


def requests_for(result: BuildResult, n_items: int = 40, regions: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Requests of every page type around the snapshot's items: popular ones and a spread of others."""
    with open_snapshot(result.path) as snap:
        top = snap.ranking("bestsellers")[0][:n_items // 2].tolist()
        spread = np.linspace(0, snap.n_items - 1, n_items // 2).astype(int).tolist()
        ids = [snap.external_id(int(i)) for i in [*top, *spread]]
    out: list[dict[str, Any]] = []
    for i, item in enumerate(ids):
        history = ids[max(0, i - 4):i]
        out.append({"page": "product", "item": item, "history": history, "n": 12})
        out.append({"page": "cart", "cart": [item, *history[:2]], "n": 10})
        out.append({"page": "checkout", "cart": [item], "purchased": history[:1], "n": 6})
        home: dict[str, Any] = {"page": "home", "history": [item, *history], "n": 10}
        if regions:
            home["region"] = regions[i % len(regions)]
        out.append(home)
    return out


def assert_same_answers(single: BuildResult, on_spark: BuildResult, requests: list[dict[str, Any]]) -> None:
    """The served slots (ids in order, reasons, prices, scores) are the same for every request."""
    for clients in _clients([single.path.parent, on_spark.path.parent]):
        for body in requests:
            answers = []
            for client in clients:
                response = client.post("/v1/recommend", json=body)
                assert response.status_code == 200, response.text
                answers.append(response.json())
            assert answers[0]["slots"] == answers[1]["slots"], body
            assert any(slot["items"] for slot in answers[0]["slots"]), body
