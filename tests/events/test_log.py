"""The event log: group commit, rotation, retention, and what the builder makes of its segments."""

import asyncio
import os
import stat

import msgspec
import pytest
from click.testing import CliRunner

from edge.build.readers import read_events
from edge.cli import main
from edge.errors import StorageFullError
from edge.events.log import EventLog
from edge.events.schemas import StoredEvent
from edge.events.segments import segments, stable_segments
from edge.store import open_snapshot

DAY = 86400


def line(item: str, session: str = "s1", ts: int = 1_790_000_000, kind: str = "view") -> bytes:
    return msgspec.json.encode(StoredEvent(ts=ts, type=kind, item_id=item, session_id=session)) + b"\n"


async def appended(log: EventLog, batches: list[bytes]) -> None:
    await log.start()
    try:
        for data in batches:
            await log.append(data)
    finally:
        await log.stop()


def test_concurrent_appends_share_fsyncs_and_all_land(tmp_path):
    log = EventLog(tmp_path)
    n = 40

    async def run() -> None:
        await log.start()
        try:
            await asyncio.gather(*(log.append(line(f"item-{i}")) for i in range(n)))
        finally:
            await log.stop()

    asyncio.run(run())
    assert 1 <= log.fsyncs < n
    [segment] = segments(tmp_path)
    assert sorted(read_events(segment)["item_id"].to_pylist()) == sorted(f"item-{i}" for i in range(n))


def test_append_needs_a_running_log(tmp_path):
    with pytest.raises(RuntimeError, match="not running"):
        asyncio.run(EventLog(tmp_path).append(line("A")))


def test_rotates_by_size_and_never_touches_closed_segments(tmp_path):
    one = len(line("item-0"))
    log = EventLog(tmp_path, segment_bytes=3 * one)
    asyncio.run(appended(log, [line(f"item-{i}") for i in range(7)]))
    found = segments(tmp_path)
    assert [p.stat().st_size for p in found] == [3 * one, 3 * one, one]
    closed = {p: p.read_bytes() for p in found}
    asyncio.run(appended(EventLog(tmp_path, segment_bytes=3 * one), [line("item-7")]))
    assert {p: p.read_bytes() for p in found} == closed
    items = [i for p in segments(tmp_path) for i in read_events(p)["item_id"].to_pylist()]
    assert items == [f"item-{i}" for i in range(8)]


def test_each_start_appends_to_a_new_segment(tmp_path):
    asyncio.run(appended(EventLog(tmp_path), [line("A")]))
    asyncio.run(appended(EventLog(tmp_path), [line("B")]))
    first, second = segments(tmp_path)
    assert (first.read_bytes(), second.read_bytes()) == (line("A"), line("B"))
    assert str(os.getpid()) in first.name


def test_retention_deletes_old_segments_at_start_and_rotation(tmp_path):
    now = 1_800_000_000.0
    clock = [now]
    old = tmp_path / "events-20200101T000000000000Z-1-000001.jsonl"
    keep = tmp_path / "events-20200102T000000000000Z-1-000002.jsonl"
    unrelated = tmp_path / "notes.txt"
    for path, age in ((old, 401), (keep, 399), (unrelated, 1000)):
        path.write_bytes(line("A"))
        os.utime(path, (now - age * DAY, now - age * DAY))
    one = len(line("B"))
    log = EventLog(tmp_path, segment_bytes=one, retention_days=400, clock=lambda: clock[0])

    async def run() -> None:
        await log.start()
        assert not old.exists() and keep.exists() and unrelated.exists()
        await log.append(line("B"))
        clock[0] = now + 2 * DAY  # `keep` is now 401 days old; the next rotation drops it
        await log.append(line("C"))
        await log.stop()

    asyncio.run(run())
    assert not keep.exists() and unrelated.exists()
    assert len(segments(tmp_path)) == 2


def test_a_failed_write_is_raised_to_every_waiting_request_a_full_disk_as_storage_full(tmp_path, monkeypatch):
    log = EventLog(tmp_path)

    def broken(fd: int) -> None:
        raise OSError(28, "No space left on device")

    async def run() -> list[object]:
        await log.start()
        await log.append(line("before"))
        monkeypatch.setattr(os, "fsync", broken)
        try:
            return await asyncio.gather(*(log.append(line(f"i{i}")) for i in range(3)), return_exceptions=True)
        finally:
            monkeypatch.undo()
            await log.append(line("after"))  # the log recovers, on a fresh segment
            await log.stop()

    results = asyncio.run(run())
    assert len(results) == 3 and all(isinstance(r, StorageFullError) for r in results)
    assert all(isinstance(r.__cause__, OSError) for r in results)
    assert log.fsyncs == 2
    first, fresh = segments(tmp_path)
    assert first.read_bytes().startswith(line("before")) and fresh.read_bytes() == line("after")


def write_log(directory, torn: bytes = b"") -> int:
    """Two segments from two 'processes', the second ending in a torn line; returns complete events."""
    directory.mkdir(exist_ok=True)
    first = directory / "events-20261101T000000000000Z-101-000001.jsonl"
    rotated = directory / "events-20261101T000001000000Z-101-000002.jsonl"
    crashed = directory / "events-20261102T000000000000Z-202-000001.jsonl"
    first.write_bytes(line("A", "s1") + line("B", "s1") + line("A", "s1", kind="cart"))
    rotated.write_bytes(line("A", "s2") + line("C", "s2"))
    crashed.write_bytes(line("B", "s3") + line("C", "s3") + torn)
    return 7


def test_stable_view_passes_closed_segments_and_trims_torn_ones(tmp_path):
    total = write_log(tmp_path / "log", torn=b'{"ts":1790000000,"type":"vi')
    (tmp_path / "log" / "events-20261103T000000000000Z-303-000001.jsonl").write_bytes(b"")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    view = stable_segments(tmp_path / "log", scratch)
    assert (view.torn, view.empty) == (1, 1)
    # The closed segment of process 101 is read in place; each newest-per-process one from a stable copy.
    assert [p.parent.name for p in view.paths] == ["log", "scratch", "scratch"]
    assert sum(read_events(p).num_rows for p in view.paths) == total


def test_a_torn_segment_stops_the_plain_reader(tmp_path):
    """Why --events-dir exists: read as a plain file, a torn line is an error."""
    write_log(tmp_path / "log", torn=b'{"ts":17900')
    torn = segments(tmp_path / "log")[-1]
    with pytest.raises(Exception, match="not valid JSON"):
        read_events(torn)


def test_build_from_the_event_log_skips_a_torn_last_line(tmp_path):
    total = write_log(tmp_path / "log", torn=b'{"ts":1790000000,"type":"view","item_id":"D","sess')
    out = tmp_path / "tables"
    result = CliRunner().invoke(main, ["build", "--events-dir", str(tmp_path / "log"), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "skipped an incomplete last line in 1 segment" in result.output
    with open_snapshot(out) as snap:
        assert snap.manifest.n_events == total
        assert snap.n_items == 3  # D existed only in the torn line


def test_build_needs_events_or_an_event_log(tmp_path):
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "t")])
    assert result.exit_code == 2 and "--events-dir" in result.output
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["build", "--events-dir", str(tmp_path / "empty"), "--out", str(tmp_path / "t")])
    assert result.exit_code == 2 and "no complete events" in result.output


def test_the_log_directory_and_its_segments_are_private_whatever_the_umask(tmp_path):
    from edge.events.segments import IMPRESSIONS

    old = os.umask(0)
    try:
        folder = tmp_path / "events"
        asyncio.run(appended(EventLog(folder), [line("A")]))
        asyncio.run(appended(EventLog(folder, prefix=IMPRESSIONS), [line("B")]))
        legacy = tmp_path / "legacy"
        legacy.mkdir(mode=0o755)  # made by an older Skylt
        asyncio.run(appended(EventLog(legacy), [line("C")]))
    finally:
        os.umask(old)
    for directory in (folder, legacy):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    made = segments(folder) + segments(folder, IMPRESSIONS) + segments(legacy)
    assert len(made) == 3 and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in made)
