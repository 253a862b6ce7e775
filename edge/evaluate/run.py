"""``skylt evaluate``: train on the past, test on the future, beside a popularity baseline."""

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
from edge.evaluate.metrics import Accumulator, Scores
from edge.evaluate.protocols import Case, basket_cases, cutoff, next_item_cases, user_histories
from edge.recommend import CART, HISTORY, Filters, exclusion, from_ranking, from_seeds
from edge.store import Snapshot, open_snapshot

Model = Callable[[Case], np.ndarray]


class Report(msgspec.Struct, frozen=True):
    cutoff: str
    train_events: int
    test_events: int
    k: int
    protocols: dict[str, dict[str, Scores]]


def evaluate(events_paths: Sequence[Path], catalog_path: Path | None = None, *, train_share: float = 0.8,
             k: int = 10, max_items: int = 30, max_cases: int = 50_000, seed: int = 0,
             params: BuildParams | None = None, progress: Callable[[str], None] | None = None) -> Report:
    say = progress or (lambda _step: None)
    say("reading inputs")
    tables = [read_events(p) for p in events_paths]
    catalog_table = read_catalog(catalog_path) if catalog_path else None
    events, catalog = encode(tables, catalog_table)
    cut = cutoff(events, train_share)
    train = events.take(events.ts < cut)
    with tempfile.TemporaryDirectory(prefix="skylt-eval-") as tmp:
        say("building the training snapshot")
        build_frames(train, catalog, Path(tmp), now=cut - 1, params=params, progress=say)
        with open_snapshot(tmp) as snap:
            histories = user_histories(train)
            protocols = {
                "next_item": _run(snap, _sample(next_item_cases(events, cut, max_items), max_cases, seed), k, {
                    "popularity": _popularity(snap, k),
                    "skylt": _history_model(snap, k),
                }, say, "next item"),
                "basket": _run(snap, _sample(basket_cases(events, cut, max_items, seed), max_cases, seed), k, {
                    "popularity": _popularity(snap, k),
                    "skylt (cart)": _cart_model(snap, k, {}),
                    "skylt (cart + customer history)": _cart_model(snap, k, histories),
                }, say, "basket completion"),
            }
    return Report(cutoff=datetime.fromtimestamp(cut, UTC).isoformat(timespec="seconds"),
                  train_events=len(train), test_events=int((events.ts >= cut).sum()), k=k, protocols=protocols)


def _sample(cases: Iterable[Case], limit: int, seed: int) -> list[Case]:
    all_cases = list(cases)
    if len(all_cases) <= limit:
        return all_cases
    pick = np.random.default_rng(seed).choice(len(all_cases), size=limit, replace=False)
    return [all_cases[i] for i in np.sort(pick)]


def _run(snap: Snapshot, cases: list[Case], k: int, models: dict[str, Model],
         say: Callable[[str], None], label: str) -> dict[str, Scores]:
    say(f"{label}: {len(cases):,} cases")
    out = {}
    for name, model in models.items():
        acc = Accumulator(k, snap.n_items)
        for case in cases:
            acc.add(model(case), case.target)
        out[name] = acc.scores()
    return out


def _fill(snap: Snapshot, ids: np.ndarray, exclude: np.ndarray, k: int) -> np.ndarray:
    """Top up with bestsellers, as the served slots do."""
    if ids.shape[0] >= k:
        return ids
    more, _ = from_ranking(snap, "bestsellers", 0, Filters(exclude=exclusion(exclude, ids)), k - ids.shape[0])
    return np.concatenate([ids, more])


def _popularity(snap: Snapshot, k: int) -> Model:
    def model(case: Case) -> np.ndarray:
        return from_ranking(snap, "bestsellers", 0, Filters(exclude=exclusion(case.seeds)), k)[0]
    return model


def _history_model(snap: Snapshot, k: int) -> Model:
    def model(case: Case) -> np.ndarray:
        exclude = exclusion(case.seeds)
        ids, _ = from_seeds(snap, case.seeds, HISTORY, Filters(exclude=exclude), k, half_life=3.0)
        return _fill(snap, ids, exclude, k)
    return model


def _cart_model(snap: Snapshot, k: int, histories: dict[int, np.ndarray], history_weight: float = 0.05) -> Model:
    def model(case: Case) -> np.ndarray:
        exclude = exclusion(case.seeds)
        past = histories.get(case.user)
        seeds, weights = case.seeds, np.ones(case.seeds.shape[0], dtype=np.float32)
        if past is not None and past.size:
            past = past[-50:]
            seeds = np.concatenate([past, case.seeds]).astype(np.int32)
            weights = np.concatenate([np.full(past.shape[0], history_weight, np.float32), weights])
        ids, _ = from_seeds(snap, seeds, CART, Filters(exclude=exclude), k, seed_weights=weights)
        return _fill(snap, ids, exclude, k)
    return model


def report_table(report: Report) -> list[tuple[str, str, Scores]]:
    return [(protocol, model, scores) for protocol, models in report.protocols.items()
            for model, scores in models.items()]


__all__ = ["Events", "Report", "evaluate", "report_table"]
