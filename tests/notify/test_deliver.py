"""Bounded retries: Retry-After honoured (seconds or a date), back-off with jitter for 5xx and network errors,
other 4xx final at once, and never more than MAX_WAIT spent on one delivery."""

from __future__ import annotations

from email.utils import formatdate

import httpx
import pytest

from edge.notify import deliver


def run(answers: list[httpx.Response | Exception]) -> tuple[deliver.Outcome, list[float], int]:
    slept: list[float] = []
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        got = answers.pop(0)
        if isinstance(got, Exception):
            raise got
        return got

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        outcome = deliver.post(client, "http://esp.invalid/x", b"{}", dict, sleep=slept.append, jitter=lambda: 0.5)
    return outcome, slept, calls


def test_429_waits_for_retry_after_in_seconds_or_as_a_date():
    outcome, slept, calls = run([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(202)])
    assert outcome.ok and calls == 2 and slept == [7 + 0.5 * deliver.BASE]
    import time

    date = formatdate(time.time() + 30, usegmt=True)
    outcome, slept, _ = run([httpx.Response(429, headers={"Retry-After": date}), httpx.Response(202)])
    assert outcome.ok and 28 <= slept[0] <= 31


def test_server_errors_and_network_failures_back_off_with_jitter_up_to_the_cap():
    outcome, slept, calls = run([httpx.Response(503), httpx.ConnectError("refused"), httpx.Response(500),
                                 httpx.Response(502), httpx.Response(202)])
    assert outcome.ok and calls == 5
    assert slept == [min(deliver.CAP, deliver.BASE * 2 ** n) * 0.5 for n in (1, 2, 3, 4)]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_other_client_errors_are_final_at_once(status: int):
    outcome, slept, calls = run([httpx.Response(status, text="bad profile")])
    assert (outcome.ok, outcome.final, outcome.status, calls, slept) == (False, True, status, 1, [])
    assert "bad profile" in outcome.detail


def test_a_wait_beyond_the_runs_budget_is_left_for_the_next_run():
    outcome, slept, calls = run([httpx.Response(429, headers={"Retry-After": "3600"})])
    assert (outcome.ok, outcome.final, calls, slept) == (False, False, 1, [])
    outcome, _, calls = run([httpx.Response(503)] * deliver.ATTEMPTS)
    assert (outcome.ok, outcome.final, calls) == (False, False, deliver.ATTEMPTS)
