import os

from edge.build.writer import CURRENT, prune, versions, write_snapshot
from edge.store import SnapshotDir, open_snapshot
from tests.snapshots import tiny_arrays, tiny_manifest, write_tiny


def test_publish_points_current_at_the_new_version(tmp_path):
    first = write_tiny(tmp_path, "20260101T000000000000Z-aaaa")
    assert os.readlink(tmp_path / CURRENT) == first.name
    second = write_tiny(tmp_path, "20260102T000000000000Z-bbbb")
    assert os.readlink(tmp_path / CURRENT) == second.name
    assert SnapshotDir(tmp_path).current_version() == second.name


def test_keeps_the_newest_versions_only(tmp_path):
    for day in range(1, 6):
        write_tiny(tmp_path, f"2026010{day}T000000000000Z-v{day}", keep=2)
    assert [p.name for p in versions(tmp_path)] == ["20260104T000000000000Z-v4", "20260105T000000000000Z-v5"]


def test_prune_never_removes_what_current_points_to(tmp_path):
    write_tiny(tmp_path, "20260105T000000000000Z-new", keep=5)
    old = write_tiny(tmp_path, "20260101T000000000000Z-old", keep=5)  # published last, sorts first
    prune(tmp_path, keep=1)
    assert old.exists()
    assert os.readlink(tmp_path / CURRENT) == old.name


def test_unpublished_build_leaves_current_alone(tmp_path):
    published = write_tiny(tmp_path, "20260101T000000000000Z-ok")
    arrays = tiny_arrays()
    partial = write_snapshot(tmp_path, tiny_manifest("20260102T000000000000Z-killed", arrays), arrays,
                             [f"item-{i}" for i in range(4)])
    # A build killed between writing and publishing: current still serves the old version.
    assert partial.name.startswith(".") and partial.exists()
    with open_snapshot(tmp_path) as snap:
        assert snap.version == published.name


def test_stale_partial_builds_are_cleaned_up(tmp_path):
    stale = tmp_path / ".20250101T000000000000Z-dead.partial"
    stale.mkdir()
    os.utime(stale, (0, 0))
    write_tiny(tmp_path, "20260101T000000000000Z-ok")
    assert not stale.exists()


def test_a_fresh_partial_of_a_concurrent_build_survives(tmp_path):
    fresh = tmp_path / ".20270101T000000000000Z-running.partial"
    fresh.mkdir()
    write_tiny(tmp_path, "20260101T000000000000Z-ok")
    assert fresh.exists()
