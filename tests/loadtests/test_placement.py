"""Servers and load generator on separate CPUs: the split, and a server really started there."""

import os

import pytest

from loadtests import placement, targets


def test_servers_get_the_first_cpus_and_the_generator_the_rest(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {5, 1, 3})
    assert placement.split(1) == placement.Placement(servers=(1,), generator=(3, 5))
    assert placement.split(2) == placement.Placement(servers=(1, 3), generator=(5,))
    assert placement.split(3) is None  # the generator would share a server's CPU
    assert placement.split(1).describe() == "servers on CPU 1, load generator on CPU 3,5"


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs")
def test_a_target_and_the_workers_it_starts_run_on_the_servers_cpus(tmp_path, monkeypatch):
    placed = placement.split(1)
    monkeypatch.setattr(targets, "SERVER_CPUS", placed.servers)
    body = tmp_path / "body.json"
    body.write_text("{}")
    with targets.trivial(body, 2, tmp_path) as t:
        pids = t.pids()
        assert len(pids) >= 3  # uvicorn's supervisor and its two workers
        assert all(os.sched_getaffinity(pid) == set(placed.servers) for pid in pids)
    assert os.sched_getaffinity(0) != set(placed.servers)  # the test process itself was left alone
