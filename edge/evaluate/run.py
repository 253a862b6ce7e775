"""``skylt evaluate``: train on the past, test on the future, the storefront way.

Skylt's answers come from the served planner with the served defaults (``edge.evaluate.served``),
asked as a storefront asks: next item is ``page=product&item=<click k>&history=<clicks 1..k-1>``
and its ``similar`` slot; basket completion is ``page=cart&cart=<the rest of the order>`` and its
``bought_together`` slot, each item of a test order held out in turn. "skylt (tuned)" is the
same snapshot with the weights a build's tuning (``edge.evaluate.tune``) picks on the training
data alone (with no time bound by default, so the figures do not depend on the machine).
``baselines=True`` adds implicit's item-kNN on the same cases.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import numpy as np

from edge.build.encode import encode
from edge.build.frames import Events
from edge.build.pipeline import BuildParams, build_frames
from edge.build.readers import read_catalog, read_events
from edge.config import Settings
from edge.evaluate import tune as tuning
from edge.evaluate.baselines import knn_models, popularity_model, popularity_order
from edge.evaluate.metrics import Accumulator, Scores
from edge.evaluate.protocols import Case, basket_cases, cutoff, next_item_cases
from edge.evaluate.served import planner, slot_ids
from edge.layout import Tune
from edge.slots.served import Served
from edge.store import Snapshot, open_snapshot

Model = Callable[[Case], np.ndarray]


class Report(msgspec.Struct, frozen=True):
    cutoff: str
    train_events: int
    test_events: int
    k: int
    protocols: dict[str, dict[str, Scores]]
    tune: Tune | None = None


def evaluate(events_paths: Sequence[Path], catalog_path: Path | None = None, *, train_share: float = 0.8,
             test_days: float | None = None, k: int = 10, max_items: int = 30, max_cases: int = 50_000,
             seed: int = 0, params: BuildParams | None = None, baselines: bool = False, tune: bool = True,
             tune_budget: float = float("inf"), progress: Callable[[str], None] | None = None) -> Report:
    say = progress or (lambda _step: None)
    say("reading inputs")
    tables = [read_events(p) for p in events_paths]
    catalog_table = read_catalog(catalog_path) if catalog_path else None
    events, catalog = encode(tables, catalog_table)
    if test_days is not None:
        cut = int(events.ts.max()) + 1 - int(test_days * 86400) if len(events) else 0
    else:
        cut = cutoff(events, train_share)
    train = events.take(events.ts < cut)
    settings = Settings()
    tuned = None
    if tune:
        say("tuning on the training data")
        tuned = tuning.tune(train, catalog, params or BuildParams(), tune_budget, settings=settings, say=say)
    cases = {
        "next_item": _sample(next_item_cases(events, cut, max_items), max_cases, seed),
        "basket": _sample(basket_cases(events, cut, max_items, seed, every=True), max_cases, seed),
    }
    with tempfile.TemporaryDirectory(prefix="skylt-eval-") as tmp:
        say("building the training snapshot")
        build_frames(train, catalog, Path(tmp), now=cut - 1, params=params, progress=say)
        with open_snapshot(tmp) as snap:
            popular = popularity_order(train, snap.n_items)
            protocols = {}
            for name, family in (("next_item", tuning.NEXT_ITEM), ("basket", tuning.BASKET)):
                if not cases[name]:
                    continue  # e.g. no orders in click data
                models = {"popularity": popularity_model(popular, k),
                          "skylt": _served(planner(snap, settings), family, k)}
                if tune:
                    models["skylt (tuned)"] = _served(planner(snap, settings, tuned), family, k)
                if baselines:
                    models.update(knn_models(train, snap.n_items, name, k))
                protocols[name] = _run(snap, cases[name], k, models, say, name)
    return Report(cutoff=datetime.fromtimestamp(cut, UTC).isoformat(timespec="seconds"),
                  train_events=len(train), test_events=int((events.ts >= cut).sum()), k=k, protocols=protocols,
                  tune=tuned)


def _sample(cases: Iterable[Case], limit: int, seed: int) -> list[Case]:
    all_cases = list(cases)
    if len(all_cases) <= limit:
        return all_cases
    pick = np.random.default_rng(seed).choice(len(all_cases), size=limit, replace=False)
    return [all_cases[i] for i in np.sort(pick)]


# Not a model: per case, skylt's answer where it holds the target, else the best implicit model's (by hit rate).
# What a perfect per-case choice between the two would score: about how far blending what both know could go.
EITHER = "skylt or implicit"


def _run(snap: Snapshot, cases: list[Case], k: int, models: dict[str, Model],
         say: Callable[[str], None], label: str) -> dict[str, Scores]:
    say(f"{label}: {len(cases):,} cases")
    answers = {name: [model(case)[:k] for case in cases] for name, model in models.items()}
    out = {name: _scores(snap.n_items, cases, k, lists) for name, lists in answers.items()}
    implicit = [name for name in out if name.startswith("implicit")]
    if implicit:
        best = max(implicit, key=lambda name: out[name].hr)
        out[EITHER] = _scores(snap.n_items, cases, k, per_case_choice(cases, answers["skylt"], answers[best]))
    return out


def _scores(n_items: int, cases: list[Case], k: int, lists: list[np.ndarray]) -> Scores:
    acc = Accumulator(k, n_items)
    for case, recommended in zip(cases, lists, strict=True):
        acc.add(recommended, case.target)
    return acc.scores()


def per_case_choice(cases: list[Case], mine: list[np.ndarray], theirs: list[np.ndarray]) -> list[np.ndarray]:
    """Per case ``mine`` where it holds the target, else ``theirs`` where that does, else ``mine``."""
    return [a if c.target in a or c.target not in b else b for c, a, b in zip(cases, mine, theirs, strict=True)]


def _served(served: Served, family: tuning.Family, k: int) -> Model:
    def model(case: Case) -> np.ndarray:
        return slot_ids(served, tuning.request(family, case, k), family.slot)
    return model


def report_table(report: Report) -> list[tuple[str, str, Scores]]:
    return [(protocol, model, scores) for protocol, models in report.protocols.items()
            for model, scores in models.items()]


__all__ = ["EITHER", "Events", "Report", "evaluate", "per_case_choice", "report_table"]
