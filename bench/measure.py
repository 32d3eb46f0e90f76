"""Measuring a command: wall time and the peak memory of its whole process tree.

`run_measured` starts a command, samples the memory of the command and every process below
it (Pagefind, Whoosh and merge workers…) from /proc every 50 ms (less often when reading it
takes long: the kernel walks a process's memory to sum its PSS, 0.3 s for 5 GB, and the
sampler must not take a core from the build), and reads the kernel's own
peak of the tree from `wait4` when it ends (the largest single process's peak: what
`resource.RUSAGE_CHILDREN` reports). The peak reported is the larger of the two: the
sampled sum catches processes running side by side, the kernel's figure catches peaks
shorter than a sample. Each process counts its proportional set size (PSS: pages shared
with others, such as a forked worker's copy-on-write pages, are divided among them), so
the sum is the memory the tree really uses; summing resident sizes would count shared
pages once per process.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    output: str


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …; comm may contain spaces and parentheses
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    """Memory (PSS) of `pid` and all its descendants, in MB."""
    tree = _children()
    total_kb = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        total_kb += _pss_kb(current)
        stack.extend(tree.get(current, []))
    return total_kb / 1024


def run_measured(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, interval: float = 0.05
) -> Measured:
    """Run `command` to its end; raise RuntimeError with its output if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            mark = time.perf_counter()
            peak = max(peak, tree_rss_mb(process.pid))
            # Reading a process's PSS costs the kernel time in proportion to its memory
            # (0.3 s for a 5 GB process): sample at most a tenth of the time, so that the
            # sampler does not take a core from the build it measures.
            done.wait(max(interval, 9 * (time.perf_counter() - mark)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{output}")
    peak = max(peak, usage.ru_maxrss / 1024)
    return Measured(round(seconds, 2), round(peak, 1), output)
