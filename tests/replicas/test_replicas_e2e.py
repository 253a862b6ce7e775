"""Two replicas (`skylt serve --pull s3://...`, two workers each) pulling from an S3 store (moto on 127.0.0.1):
every publish reaches both while they answer a steady load, and no request fails."""

from __future__ import annotations

import threading
from collections import Counter

import httpx
import pytest

from edge.build.demo import demo_files
from edge.build.pipeline import build
from edge.replicas.publish import publish
from edge.store import SnapshotDir
from tests.conftest import Server
from tests.replicas.conftest import CREDENTIALS
from tests.waiting import wait_until

pytestmark = pytest.mark.slow


def test_every_publish_reaches_every_replica_under_load_without_a_failed_request(s3, tmp_path):
    events, catalog = demo_files()
    builder = tmp_path / "builder"
    url = f"s3://{s3['bucket']}/{tmp_path.name}"
    built = [build(events, builder, catalog_path=catalog, now=1323400000).manifest.version]
    publish(builder, url, storage_options=s3["options"])
    env = {"SKYLT_PULL_URL": url, "SKYLT_PULL_SECONDS": "0.5", "FSSPEC_S3_ENDPOINT_URL": s3["endpoint"],
           **CREDENTIALS}
    for r in (0, 1):
        (tmp_path / f"replica-{r}").mkdir()
    replicas = [Server(tmp_path / f"replica-{r}" / "tables", workers=2, env=env) for r in (0, 1)]
    stop = threading.Event()
    statuses: Counter[int] = Counter()
    seen: list[Counter[str]] = [Counter(), Counter()]
    errors: list[str] = []

    def hammer(r: int) -> None:
        with httpx.Client(base_url=replicas[r].url, timeout=10) as client:
            while not stop.is_set():
                try:
                    answer = client.get("/v1/recommend", params={"page": "home", "history": "85123A,22423"})
                    statuses[answer.status_code] += 1
                    seen[r][answer.json()["version"]] += 1
                except Exception as exc:  # any transport error is a failed request
                    errors.append(repr(exc))

    threads = [threading.Thread(target=hammer, args=(r,)) for r in (0, 1, 0, 1)]
    try:
        for replica in replicas:  # an empty tables directory: ready once the first pull is in place
            replica.wait_ready()
        for t in threads:
            t.start()
        for step in (1, 2):
            built.append(build(events, builder, catalog_path=catalog, now=1323400000 + step * 3600).manifest.version)
            publish(builder, url, storage_options=s3["options"])
            wait_until(lambda: min(s[built[-1]] for s in seen) >= 20, timeout=60,
                       what=f"both replicas serving {built[-1]}")
    finally:
        stop.set()
        for t in threads:
            t.join()
        for replica in replicas:
            replica.stop()
    assert errors == [] and set(statuses) == {200}, (errors[:3], statuses)
    for s in seen:
        assert all(s[v] >= 20 for v in built[1:]), s
    for r in (0, 1):  # each replica's own directory is a verified copy, as a local build would leave it
        assert SnapshotDir(tmp_path / f"replica-{r}" / "tables").current_version() == built[-1]
