"""Where the servers and the load generator run: on separate CPUs, when there are more CPUs
than server workers.

A server and its load generator sharing a core measure each other: the generator's bursts
delay answers, and a latency depends on where the scheduler put both processes. ``split``
gives the servers the first ``workers`` CPUs this process may use and the generator (the
runner itself, wrk, the Python replay) the rest. Every target of a run gets the same CPUs, so
the ratios stay fair.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Placement:
    servers: tuple[int, ...]
    generator: tuple[int, ...]

    def describe(self) -> str:
        return f"servers on CPU {_cpus(self.servers)}, load generator on CPU {_cpus(self.generator)}"


def _cpus(cpus: tuple[int, ...]) -> str:
    return ",".join(map(str, cpus))


def split(workers: int) -> Placement | None:
    """None when the generator would have no CPU of its own."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) <= workers:
        return None
    return Placement(servers=tuple(cpus[:workers]), generator=tuple(cpus[workers:]))


def pin_generator(placement: Placement) -> None:
    """This process and everything it starts from now on (wrk) run on the generator's CPUs;
    ``targets.Target`` moves each server onto the servers' CPUs."""
    os.sched_setaffinity(0, placement.generator)
