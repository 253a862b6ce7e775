"""Process facts from /proc (Linux), for the soak and memory scenarios and the test harness: no psutil needed."""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name, state first (``stat_fields(pid)[k]`` is
    field k + 3 of stat(5)); None once the process is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ")".
    return stat.rsplit(")", 1)[1].split()


def parent_of(pid: int) -> int | None:
    fields = stat_fields(pid)
    return None if fields is None else int(fields[1])


def running(pid: int) -> bool:
    """Whether ``pid`` exists and has not exited (a zombie has: only its parent's wait is missing)."""
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def group_running(pgid: int) -> bool:
    """Whether any live process is in process group ``pgid``."""
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = stat_fields(int(entry.name))
            if fields is not None and fields[0] != "Z" and int(fields[2]) == pgid:
                return True
    return False


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time the process has used; None once it is gone."""
    fields = stat_fields(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14, 15


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (children, their children, ...)."""
    parents = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            ppid = parent_of(int(entry.name))
            if ppid is not None:
                parents[int(entry.name)] = ppid
    out: list[int] = []
    frontier = [pid]
    while frontier:
        nxt = [child for child, ppid in parents.items() if ppid in frontier]
        out.extend(nxt)
        frontier = nxt
    return sorted(out)


def rss_kib(pid: int) -> int | None:
    """Resident set size (VmRSS) in KiB; None once the process is gone."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def mapped_files(pid: int, suffix: str) -> set[str]:
    """Paths of the files ending in ``suffix`` that ``pid`` has memory-mapped."""
    try:
        lines = (PROC / str(pid) / "maps").read_text().splitlines()
    except OSError:
        return set()
    out = set()
    for line in lines:
        parts = line.split(maxsplit=5)
        if len(parts) == 6 and parts[5].endswith(suffix):
            out.add(parts[5])
    return out


def _kib_fields(lines: list[str]) -> dict[str, int]:
    out = {}
    for line in lines:
        key, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB":
            out[key] = int(parts[0])
    return out


def smaps_rollup(pid: int) -> dict[str, int]:
    """The process's memory totals in KiB (Rss, Pss, Private_Clean/Dirty, Shared_Clean/Dirty,
    Anonymous, ...); empty once the process is gone or without smaps_rollup (Linux < 4.14)."""
    try:
        return _kib_fields((PROC / str(pid) / "smaps_rollup").read_text().splitlines())
    except OSError:
        return {}


def mapped_kib(pid: int, suffix: str) -> dict[str, int]:
    """Rss, Pss and Private_*/Shared_* in KiB summed over the mappings of files ending in ``suffix``."""
    try:
        lines = (PROC / str(pid) / "smaps").read_text().splitlines()
    except OSError:
        return {}
    total: dict[str, int] = {}
    inside = False
    for line in lines:
        head = line.split(maxsplit=5)
        if head and "-" in head[0] and ":" not in head[0]:  # a mapping's header: "start-end perms ..."
            inside = len(head) == 6 and head[5].endswith(suffix)
        elif inside:
            for key, kib in _kib_fields([line]).items():
                total[key] = total.get(key, 0) + kib
    return total


def filesystem(path: Path) -> str:
    """The type of the filesystem holding ``path`` (e.g. ext4, tmpfs), from /proc/mounts."""
    target = str(path.resolve())
    best, kind = "", "unknown"
    try:
        mounts = (PROC / "mounts").read_text().splitlines()
    except OSError:
        return kind
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and (target == parts[1] or target.startswith(parts[1].rstrip("/") + "/")) \
                and len(parts[1]) >= len(best):
            best, kind = parts[1], parts[2]
    return kind


CPU_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def cpu_ticks() -> dict[str, int]:
    """The machine's CPU time so far, all CPUs, in clock ticks by kind (the ``cpu`` line of /proc/stat)."""
    try:
        line = (PROC / "stat").read_text().splitlines()[0]
    except (OSError, IndexError):
        return {}
    return dict(zip(CPU_FIELDS, map(int, line.split()[1:1 + len(CPU_FIELDS)]), strict=False))


def steal_share(before: dict[str, int], after: dict[str, int]) -> float | None:
    """The share of CPU time between two ``cpu_ticks`` readings that the hypervisor gave to other
    guests (steal): time this machine's processes were ready to run but had no CPU."""
    total = sum(after.get(k, 0) - before.get(k, 0) for k in CPU_FIELDS)
    if total <= 0 or "steal" not in after:
        return None
    return (after["steal"] - before.get("steal", 0)) / total
