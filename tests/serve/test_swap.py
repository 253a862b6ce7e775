"""edge.serve.swap: a lease keeps what it serves open; a retired snapshot closes when its last lease ends, never before,
and at once when nobody holds it; a snapshot that fails to open or warm is refused and the old one keeps serving."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.errors import NotReadyError
from edge.serve.swap import SnapshotHolder
from edge.store import Snapshot


@pytest.fixture()
def closed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the version directories whose snapshot was closed, in order."""
    names: list[str] = []
    close = Snapshot.close

    def recording(self: Snapshot) -> None:
        if "_env" in self.__dict__:  # the first close of an open snapshot; a second one is a no-op
            names.append(self.path.name)
        close(self)

    monkeypatch.setattr(Snapshot, "close", recording)
    return names


class Tables:
    """A tables directory whose versions are copies of the demo snapshot under new names."""

    def __init__(self, demo_tables: Path, root: Path) -> None:
        self.source = (demo_tables / "current").resolve()
        self.root = root
        root.mkdir()

    def publish(self, name: str) -> None:
        shutil.copytree(self.source, self.root / name)
        os.symlink(name, self.root / ".current.new")
        os.replace(self.root / ".current.new", self.root / "current")


@pytest.fixture()
def tables(demo_tables: Path, tmp_path: Path) -> Tables:
    return Tables(demo_tables, tmp_path / "tables")


def name_of(leased: object) -> str:
    """The version directory of what a lease hands out (a snapshot, or an object serving one)."""
    snap = leased if isinstance(leased, Snapshot) else leased.snapshot  # type: ignore[attr-defined]
    return snap.path.name


@contextlib.contextmanager
def holding(holder: SnapshotHolder) -> Iterator[str]:
    with holder.lease() as leased:
        yield name_of(leased)


def swap_to(holder: SnapshotHolder, tables: Tables, name: str) -> None:
    tables.publish(name)
    assert asyncio.run(holder.refresh())


@pytest.fixture()
def holder(tables: Tables) -> Iterator[SnapshotHolder]:
    h = SnapshotHolder(tables.root, lambda _: None)
    yield h
    h.close()


def test_a_lease_before_any_snapshot_is_not_ready(holder):
    with pytest.raises(NotReadyError), holder.lease():
        pass


def test_a_retired_snapshot_closes_only_after_its_last_lease_ends(holder, tables, closed):
    swap_to(holder, tables, "v1")
    first, second = holding(holder), holding(holder)
    assert first.__enter__() == second.__enter__() == "v1"
    swap_to(holder, tables, "v2")
    assert closed == []
    first.__exit__(None, None, None)
    assert closed == []  # one lease is left
    second.__exit__(None, None, None)
    assert closed == ["v1"]
    with holding(holder) as name:
        assert name == "v2"
    assert closed == ["v1"]  # the current snapshot stays open without leases


def test_acquire_and_release_lease_as_a_context_does(holder, tables, closed):
    """The computed GET's lease without an object: acquire holds a retired snapshot open until release."""
    with pytest.raises(NotReadyError):
        holder.acquire()
    swap_to(holder, tables, "v1")
    served = holder.acquire()
    with holding(holder):
        swap_to(holder, tables, "v2")
    assert closed == [] and name_of(served) == "v1"  # the context's lease ended; acquire's holds v1
    holder.release(served)
    assert closed == ["v1"]


def test_an_unleased_snapshot_closes_at_the_swap(holder, tables, closed):
    swap_to(holder, tables, "v1")
    with holding(holder):
        pass
    swap_to(holder, tables, "v2")
    assert closed == ["v1"]


def test_leases_across_a_swap_each_keep_their_own_snapshot(holder, tables, closed):
    swap_to(holder, tables, "v1")
    with holding(holder) as old:
        swap_to(holder, tables, "v2")
        with holding(holder) as new:
            assert (old, new) == ("v1", "v2")  # a request that started before the swap finishes on v1
        assert closed == []  # v2 serves; v1 is still leased
    assert closed == ["v1"]


def test_repeated_swaps_close_each_snapshot_when_its_own_leases_end(holder, tables, closed):
    swap_to(holder, tables, "v1")
    on_v1 = holding(holder)
    on_v1.__enter__()
    swap_to(holder, tables, "v2")
    on_v2 = [holding(holder) for _ in range(3)]
    assert {lease.__enter__() for lease in on_v2} == {"v2"}
    swap_to(holder, tables, "v3")
    swap_to(holder, tables, "v4")  # v3 was never leased: it goes at once
    assert closed == ["v3"]
    for lease in on_v2:
        lease.__exit__(None, None, None)
    assert closed == ["v3", "v2"]
    swap_to(holder, tables, "v5")
    assert closed == ["v3", "v2", "v4"]
    on_v1.__exit__(None, None, None)
    assert closed == ["v3", "v2", "v4", "v1"]
    with holding(holder) as name:
        assert name == "v5"


def test_an_error_while_leased_ends_the_lease(holder, tables, closed):
    swap_to(holder, tables, "v1")
    with pytest.raises(ZeroDivisionError), holding(holder):
        swap_to(holder, tables, "v2")
        _ = 1 / 0
    assert closed == ["v1"]
    with pytest.raises(ZeroDivisionError), holding(holder):
        _ = 1 / 0
    swap_to(holder, tables, "v3")
    assert closed == ["v1", "v2"]  # the failed request left no lease behind


def test_a_snapshot_that_fails_to_warm_is_refused_closed_and_not_retried(tables, closed):
    tried: list[str] = []

    def warm(snap: object) -> None:
        tried.append(name_of(snap))
        if name_of(snap) == "bad":
            raise RuntimeError("warm-up failed")

    holder = SnapshotHolder(tables.root, warm)
    try:
        swap_to(holder, tables, "v1")
        tables.publish("bad")
        assert not asyncio.run(holder.refresh())
        assert not asyncio.run(holder.refresh())  # refused once, not opened again
        assert tried == ["v1", "bad"] and closed == ["bad"]
        with holding(holder) as name:
            assert name == "v1"
    finally:
        holder.close()


def test_a_corrupt_snapshot_is_refused_and_the_old_one_serves(holder, tables, closed):
    swap_to(holder, tables, "v1")
    (tables.root / "corrupt").mkdir()
    (tables.root / "corrupt" / "data.mdb").write_bytes(os.urandom(1 << 16))
    os.symlink("corrupt", tables.root / ".current.new")
    os.replace(tables.root / ".current.new", tables.root / "current")
    assert not asyncio.run(holder.refresh())
    with holding(holder) as name:
        assert name == "v1"
    assert closed == []


def test_on_swap_sees_the_new_and_the_old_and_close_closes_everything(tables, closed):
    swaps: list[tuple[str, str | None]] = []
    holder = SnapshotHolder(tables.root, lambda _: None,
                            lambda new, old: swaps.append((name_of(new), name_of(old) if old else None)))
    swap_to(holder, tables, "v1")
    lease = holding(holder)
    lease.__enter__()
    swap_to(holder, tables, "v2")
    assert swaps == [("v1", None), ("v2", "v1")]
    holder.close()  # at shutdown: the leased, retired v1 too
    assert sorted(closed) == ["v1", "v2"]
    lease.__exit__(None, None, None)
    assert sorted(closed) == ["v1", "v2"]
