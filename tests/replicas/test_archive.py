"""The event archive: replicas ship closed segments, one build reads every replica's events, and an erasure
reaches every shipped copy."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from edge.cli import main
from edge.config import Settings
from edge.events.segments import segment_name
from edge.replicas.archive import Archive
from edge.serve.app import create_app
from edge.store import open_snapshot
from tests.conftest import SERVER_KEY, assert_problem
from tests.waiting import wait_until

ADMIN_KEY = "archive-admin-key-0001"


def write_segment(folder: Path, when: float, pid: int, seq: int, rows: list[dict[str, object]],
                  prefix: str = "events-") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / segment_name(when, pid, seq, prefix)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def archived(root: Path) -> dict[str, str]:
    """Archived segment name -> replica folder."""
    return {p.name: p.parent.name for p in root.glob("*/*.jsonl")}


def test_only_closed_segments_are_shipped_once_and_old_ones_pruned(tmp_path):
    log = tmp_path / "log"
    now = time.time()
    old = write_segment(log, now - 500 * 86400, 7, 1, [{"ts": 1, "type": "view", "item_id": "A", "session_id": "s"}])
    closed = write_segment(log, now - 60, 7, 2, [{"ts": 2, "type": "view", "item_id": "B", "session_id": "s"}])
    live = write_segment(log, now, 7, 3, [{"ts": 3, "type": "view", "item_id": "C", "session_id": "s"}])
    shown = write_segment(log, now - 60, 7, 1, [{"ts": 2, "type": "impression", "request_id": "r", "slot": "similar",
                                                  "items": ["B"], "session_id": "s"}], "impressions-")
    write_segment(log, now, 7, 2, [], "impressions-")  # the process's live impression segment
    archive = Archive(str(tmp_path / "archive"))
    assert archive.ship(log, "replica-a", retention_days=1000, now=now).uploaded == 3
    assert set(archived(tmp_path / "archive")) == {old.name, closed.name, shown.name}  # never the live ones
    shorter = archive.ship(log, "replica-a", retention_days=400, now=now)
    assert (shorter.uploaded, shorter.pruned) == (0, 1)  # retention reaches the archive as it does the log
    assert archived(tmp_path / "archive") == {closed.name: "replica-a", shown.name: "replica-a"}
    assert live.name not in archived(tmp_path / "archive") and old.exists()
    assert not list((tmp_path / "archive").glob("*/*.partial"))


def test_one_build_reads_every_replicas_events_and_its_own_once(tmp_path, demo_snapshot):
    items = [demo_snapshot.external_id(int(i)) for i in demo_snapshot.ranking("bestsellers", 0)[0][:4]]
    now = 1_700_000_000
    archive_dir = tmp_path / "archive"
    for r, replica in enumerate(("replica-a", "replica-b")):
        log = tmp_path / replica
        order = [{"ts": now, "type": "purchase", "item_id": item, "order_id": f"o{r}"} for item in (items[r], items[2])]
        write_segment(log, now + r, 10 + r, 1, order)
        write_segment(log, now + r + 1, 10 + r, 2, [{"ts": now, "type": "view", "item_id": items[3],
                                                     "session_id": f"s{r}"}])  # live: not shipped yet
        Archive(str(archive_dir)).ship(tmp_path / replica, replica, retention_days=1e6, now=now)
    out = tmp_path / "tables"
    result = CliRunner().invoke(main, ["build", "--events-archive", str(archive_dir), "--events-dir",
                                       str(tmp_path / "replica-a"), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    with open_snapshot(out) as snap:
        # replica-a's log (both segments, its shipped one counted once) and replica-b's shipped segment
        assert snap.manifest.n_events == 3 + 2


@pytest.fixture
def client(demo_tables, tmp_path):
    settings = Settings.load(tables=str(demo_tables), poll_seconds=3600.0, event_log=str(tmp_path / "log"),
                             catalog_overlay=str(tmp_path / "overlay"), server_keys=SERVER_KEY,
                             admin_keys=ADMIN_KEY, event_archive=str(tmp_path / "archive"), archive_seconds=3600.0,
                             event_segment_bytes=1)  # every append starts a new segment
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_erasure_reaches_every_replicas_shipped_segments(client, tmp_path):
    key = {"X-Skylt-Key": SERVER_KEY}
    for batch in ([{"type": "view", "item": "85123A", "user": "U", "session": "sU"}],
                  [{"type": "view", "item": "22423", "session": "sU"}],  # the same browser before logging in
                  [{"type": "view", "item": "22423", "user": "V", "session": "sV"}],
                  [{"type": "view", "item": "22423", "session": "s-last"}]):  # closes the one before
        assert client.post("/v1/events", json={"events": batch}, headers=key).status_code == 200
    archive = Archive(str(tmp_path / "archive"))
    assert archive.ship(tmp_path / "log", "replica-a", retention_days=400).uploaded == 3
    # Another replica shipped lines of the same customer and session.
    profiles = client.app.state.profiles
    u, v = profiles.key("U"), profiles.key("V")
    other = write_segment(tmp_path / "replica-b", time.time() - 5, 99, 1, [
        {"ts": 1, "type": "cart", "item_id": "A", "user_id": u}, {"ts": 1, "type": "view", "item_id": "B",
                                                                   "session_id": "sU"},
        {"ts": 1, "type": "view", "item_id": "C", "user_id": v}])
    write_segment(tmp_path / "replica-b", time.time(), 99, 2, [])
    archive.ship(tmp_path / "replica-b", "replica-b", retention_days=400)
    r = client.delete("/v1/users/U", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert r.status_code == 200, r.text
    assert r.json()["archived"] >= 3
    rows = [json.loads(line) for p in sorted((tmp_path / "archive").glob("*/events-*.jsonl"))
            for line in p.read_text().splitlines() if line.strip()]
    assert {r.get("user_id") for r in rows} == {v} and all(r.get("session_id") != "sU" for r in rows)
    assert len(rows) == 2  # V's two views are all that is left of five lines
    assert (tmp_path / "archive" / "replica-b" / other.name).exists()


def test_an_archive_that_is_down_answers_503_after_the_local_erasure(client, tmp_path, monkeypatch):
    key = {"X-Skylt-Key": SERVER_KEY}
    assert client.post("/v1/events", json={"events": [{"type": "view", "item": "A1", "user": "U"}]},
                       headers=key).status_code == 200

    def unreachable(*args, **kwargs):
        raise ConnectionError("connection refused")

    (tmp_path / "archive").mkdir()
    monkeypatch.setattr(client.app.state.archive.fs, "find", unreachable)
    r = client.delete("/v1/users/U", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    body = assert_problem(r, 503)
    assert body["type"] == "https://skylt.dev/problems/store-unavailable" and "event archive" in body["detail"]
    user = client.app.state.profiles.key("U")
    assert not [line for p in (tmp_path / "log").glob("events-*.jsonl") for line in p.read_text().splitlines()
                if user in line]  # this replica's own copy is erased; the retry finishes the archive


def test_a_server_ships_its_closed_segments_by_itself(demo_tables, tmp_path):
    settings = Settings.load(tables=str(demo_tables), poll_seconds=3600.0, event_log=str(tmp_path / "log"),
                             catalog_overlay=str(tmp_path / "overlay"), server_keys=SERVER_KEY,
                             event_archive=str(tmp_path / "archive"), archive_seconds=0.1, event_segment_bytes=1)
    with TestClient(create_app(settings)) as client:
        for item in ("A1", "A2"):  # the second append closes the first segment
            client.post("/v1/events", json={"events": [{"type": "view", "item": item, "session": "s"}]},
                        headers={"X-Skylt-Key": SERVER_KEY})
        wait_until(lambda: list((tmp_path / "archive").glob("*/events-*.jsonl")), timeout=10,
                   what="a shipped segment")
    [shipped] = list((tmp_path / "archive").glob("*/events-*.jsonl"))
    assert json.loads(shipped.read_text())["item_id"] == "A1"
