"""edge.serve.board: each worker's values in its own file; totals sum every worker's, those of one that exited too."""

from __future__ import annotations

from prometheus_client import generate_latest

from edge.serve.board import Board
from edge.serve.metrics import Metrics


def test_totals_sum_every_board_in_the_directory(tmp_path) -> None:
    first, second = Board(tmp_path), Board(tmp_path)
    a = first.allocate(("hits", "home"), 1)
    b = second.allocate(("hits", "home"), 1)
    c = second.allocate(("hits", "cart"), 2)
    first.values[a] += 3
    second.values[b] += 4
    second.values[c + 1] += 0.5
    want = {("hits", "home"): [7.0], ("hits", "cart"): [0.0, 0.5]}
    assert first.totals() == second.totals() == want
    del first  # a worker that exits leaves its counts: counters never go back
    assert Board(tmp_path).totals() == want
    assert {p.stat().st_mode & 0o777 for p in tmp_path.iterdir()} == {0o600}


def test_without_a_directory_a_board_is_private(tmp_path) -> None:
    one, other = Board(), Board()
    one.values[one.allocate(("hits",), 1)] += 1
    assert one.totals() == {("hits",): [1.0]} and other.totals() == {}


def test_a_scrape_on_one_worker_shows_the_requests_of_all(tmp_path) -> None:
    workers = [Metrics(directory=str(tmp_path)) for _ in range(3)]
    for n, worker in enumerate(workers, start=1):
        requests, latency = worker.served("cart")
        for _ in range(n):
            requests.inc()
            latency.observe(0.0004)
        worker.swaps.child("installed").inc()
    workers[1].overlay_changed(5, 2)
    text = generate_latest(workers[1].registry).decode()
    assert 'skylt_requests_total{page="cart",status="200"} 6.0' in text
    assert 'skylt_request_seconds_bucket{le="0.0005",page="cart"} 6.0' in text
    assert 'skylt_request_seconds_bucket{le="0.00025",page="cart"} 0.0' in text
    assert 'skylt_snapshot_swaps_total{outcome="installed"} 3.0' in text
    assert "skylt_overlay_generation 5.0" in text  # a gauge: the answering worker's own value
    assert "skylt_overlay_generation 0.0" in generate_latest(workers[0].registry).decode()


def test_a_board_whose_directory_went_still_counts(tmp_path) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    board = Board(directory)
    for path in directory.iterdir():
        path.unlink()
    directory.rmdir()  # the server removes it as it stops; a late first request must still be answered
    at = board.allocate(("hits", "late"), 1)
    board.values[at] += 1
    assert board.values[at] == 1.0
