"""Erasing a customer's lines: every byte written even when the kernel writes fewer, no scratch file left
behind, blanking when the disk has no room for a rewrite, private files."""

from __future__ import annotations

import errno
import json
import os
import stat

import pytest

from edge.events import erase as erase_module
from edge.events.erase import LOCK_FILE, clean_scratch, erase_lock, erase_user
from edge.events.log import EventLog

OLD = "events-20260101T000000000000Z-1-000001.jsonl"   # closed: rewritten
NEW = "events-20260102T000000000000Z-1-000002.jsonl"   # the newest of its process: blanked in place


def lines(n: int, user: str = "h2") -> list[bytes]:
    return [json.dumps({"user_id": user, "item_id": f"item-{i:04d}", "ts": 1_790_000_000 + i}).encode() + b"\n"
            for i in range(n)]


def write_log(folder):
    folder.mkdir(exist_ok=True)
    mine = lines(3, "h1")
    others = lines(200)
    (folder / OLD).write_bytes(mine[0] + b"".join(others[:100]) + mine[1])
    (folder / NEW).write_bytes(b"".join(others[100:]) + mine[2])
    return b"".join(others[:100]), b"".join(others[100:]), len(mine[2])


def short(real, most):
    """os.write / os.pwrite that write at most ``most`` bytes a call, as a nearly full disk may."""
    def partial(fd, data, *offset):
        return real(fd, bytes(data[:most]), *offset)
    return partial


def test_a_short_write_never_cuts_other_shoppers_events(tmp_path, monkeypatch):
    kept_old, kept_new, blank = write_log(tmp_path)
    calls = []
    real_write = os.write

    def counted(fd, data):
        calls.append(len(data))
        return short(real_write, 1000)(fd, data)

    monkeypatch.setattr(os, "write", counted)
    monkeypatch.setattr(os, "pwrite", short(os.pwrite, 7))
    done = erase_user(tmp_path, "h1")
    monkeypatch.undo()
    assert len(calls) > 1  # the rewrite did take several writes
    assert (done.events, done.segments_rewritten, done.segments_blanked) == (3, 1, 1)
    assert (tmp_path / OLD).read_bytes() == kept_old
    assert (tmp_path / NEW).read_bytes() == kept_new + b" " * (blank - 1) + b"\n"


def test_a_rewrite_the_disk_has_no_room_for_blanks_in_place_and_leaves_no_scratch(tmp_path, monkeypatch):
    kept_old, _, _ = write_log(tmp_path)
    size = (tmp_path / OLD).stat().st_size

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    done = erase_user(tmp_path, "h1")
    monkeypatch.undo()
    assert (done.events, done.segments_rewritten, done.segments_blanked) == (3, 0, 2)
    data = (tmp_path / OLD).read_bytes()
    assert len(data) == size and b'"h1"' not in data and [x for x in data.splitlines() if x.strip()] == \
        kept_old.splitlines()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([LOCK_FILE, OLD, NEW])


def test_an_interrupted_rewrite_removes_its_scratch_and_the_next_erasure_completes(tmp_path, monkeypatch):
    kept_old, _, _ = write_log(tmp_path)

    def crash(src, dst):
        raise KeyboardInterrupt  # stopped between writing the scratch file and renaming it

    monkeypatch.setattr(erase_module.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        erase_user(tmp_path, "h1")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([LOCK_FILE, OLD, NEW])
    assert erase_user(tmp_path, "h1").segments_rewritten == 1
    assert (tmp_path / OLD).read_bytes() == kept_old


def test_a_scratch_file_left_by_a_killed_erasure_is_removed_by_the_next_erasure_or_by_retention(tmp_path):
    write_log(tmp_path)
    left = tmp_path / f".{OLD}.erase"  # a process killed mid-rewrite leaves this, under no other name
    left.write_bytes(b"half a copy")
    erase_user(tmp_path, "nobody")
    assert not left.exists()
    left.write_bytes(b"half a copy")
    with erase_lock(tmp_path):  # an erasure running now (in any worker): retention must not take its file
        assert clean_scratch(tmp_path) == 0 and left.exists()
    log = EventLog(tmp_path)
    assert log.prune() == [] and not left.exists()
    assert (tmp_path / OLD).exists() and (tmp_path / NEW).exists()


def test_erasure_files_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        write_log(tmp_path)
        os.chmod(tmp_path / OLD, 0o644)
        erase_user(tmp_path, "h1")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / OLD).stat().st_mode) == 0o600  # the rewritten segment
    assert stat.S_IMODE((tmp_path / LOCK_FILE).stat().st_mode) == 0o600
