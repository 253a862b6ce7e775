"""skylt publish and the pull side of `skylt serve --pull`: what a store holds, and that a truncated,
corrupt or half-published download is never made current."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from edge.build.writer import CURRENT, versions
from edge.cli import main
from edge.replicas.publish import publish
from edge.replicas.pull import Puller
from edge.replicas.release import LATEST, RELEASE, StoreError
from edge.store import SnapshotDir, open_snapshot


@pytest.fixture
def store(demo_tables: Path, tmp_path: Path) -> Path:
    root = tmp_path / "store"
    publish(demo_tables, str(root))
    return root


def current(tables: Path) -> str | None:
    return SnapshotDir(tables).current_version()


NEWER = "29991231T000000000000Z-feedface"


def republish_as_newer(store: Path, version: str) -> Path:
    """The store's copy of ``version`` published again as a newer version (LATEST names it); its folder."""
    shutil.copytree(store / version, store / NEWER)
    release = json.loads((store / version / RELEASE).read_text())
    (store / NEWER / RELEASE).write_text(json.dumps({**release, "version": NEWER}))
    (store / LATEST).write_text(NEWER)
    return store / NEWER


def test_a_published_version_is_pulled_byte_for_byte(demo_tables, store, tmp_path):
    version = current(demo_tables)
    assert (store / LATEST).read_text() == version
    release = json.loads((store / version / RELEASE).read_text())
    assert [f["name"] for f in release["files"]] == ["data.mdb"]  # never LMDB's lock file
    replica = tmp_path / "replica"
    assert Puller(str(store), replica).pull() == version
    assert current(replica) == version
    assert (replica / version / "data.mdb").read_bytes() == (demo_tables / version / "data.mdb").read_bytes()
    with open_snapshot(replica) as snap:
        assert snap.version == version
    assert Puller(str(store), replica).pull() is None  # nothing new
    assert not list(replica.glob(".*.partial"))


@pytest.mark.parametrize("damage", ["truncate", "flip", "grow"])
def test_a_damaged_download_is_refused_and_the_old_version_keeps_serving(demo_tables, store, tmp_path, damage):
    version = current(demo_tables)
    replica = tmp_path / "replica"
    Puller(str(store), replica).pull()
    # A newer version in the store whose data.mdb is damaged on the way.
    newer = republish_as_newer(store, version).name
    data = store / newer / "data.mdb"
    raw = bytearray(data.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "flip":
        raw[len(raw) // 3] ^= 0xFF
    else:
        raw += b"\0" * 4096
    data.write_bytes(bytes(raw))
    with pytest.raises(StoreError, match=r"data\.mdb"):
        Puller(str(store), replica).pull()
    assert current(replica) == version
    assert not (replica / newer).exists() and not list(replica.glob(".*.partial"))
    assert Puller(str(store), replica).pull_logged() is None  # a server logs it and keeps serving


def test_a_manifest_that_lies_or_escapes_is_refused(demo_tables, store, tmp_path):
    version = current(demo_tables)
    replica = tmp_path / "replica"
    (store / LATEST).write_text("../../etc")
    with pytest.raises(StoreError, match="not a snapshot version name"):
        Puller(str(store), replica).pull()
    (store / LATEST).write_text(version)
    release = json.loads((store / version / RELEASE).read_text())
    release["files"][0]["name"] = "../outside"
    (store / version / RELEASE).write_text(json.dumps(release))
    with pytest.raises(StoreError, match="bad file entry"):
        Puller(str(store), replica).pull()
    (store / version / RELEASE).write_text("{not json")
    with pytest.raises(StoreError, match="not a release manifest"):
        Puller(str(store), replica).pull()
    assert current(replica) is None and not (tmp_path / "outside").exists()


def test_a_store_with_nothing_published_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="cannot read LATEST"):
        Puller(str(tmp_path / "empty"), tmp_path / "replica").pull()


def test_a_rollback_to_a_kept_version_repoints_without_downloading(demo_tables, store, tmp_path):
    first = current(demo_tables)
    replica = tmp_path / "replica"
    Puller(str(store), replica).pull()
    newer = republish_as_newer(store, first).name
    assert Puller(str(store), replica).pull() == newer
    shutil.rmtree(store / first)  # gone from the store, still kept here
    (store / LATEST).write_text(first)
    assert Puller(str(store), replica).pull() == first
    assert current(replica) == first and [v.name for v in versions(replica)] == [first, newer]
    assert (replica / CURRENT).is_symlink()


def test_skylt_publish_says_what_it_did_in_one_line(demo_tables, tmp_path):
    ok = CliRunner().invoke(main, ["publish", "--tables", str(demo_tables), "--to", str(tmp_path / "s")])
    assert ok.exit_code == 0 and ok.output.startswith(f"published {current(demo_tables)} (")
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = CliRunner().invoke(main, ["publish", "--tables", str(empty), "--to", str(tmp_path / "s")])
    assert bad.exit_code == 1
    assert bad.output == f"skylt: error: {empty}: no current snapshot to publish; run `skylt build` first\n"


def test_a_version_published_to_s3_is_pulled_by_a_replica(demo_tables, s3, tmp_path):
    url = f"s3://{s3['bucket']}/{tmp_path.name}"
    release = publish(demo_tables, url, storage_options=s3["options"])
    replica = tmp_path / "replica"
    assert Puller(url, replica, storage_options=s3["options"]).pull() == release.version
    version = current(demo_tables)
    assert (replica / version / "data.mdb").read_bytes() == (demo_tables / version / "data.mdb").read_bytes()
