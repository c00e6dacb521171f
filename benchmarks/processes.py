"""One child process timed from spawn to exit: wall seconds, CPU seconds and peak memory, its output in a log.

A child's stdout and stderr go to a file, never to a pipe that nobody reads while we wait: a chatty child
fills a pipe's 64 KiB and then blocks forever on its next write (and os.wait4 waits forever for it).

CPU and memory are the whole process tree's. os.wait4 counts only the descendants somebody waited for, and
Spark's JVM exits without waiting for its Python daemon and workers (measured: a 1M-link spark-submit showed
42 CPU s through wait4, its Python worker alone 27 s of them or more). So a sampler reads /proc every
`SAMPLE_S` while the child runs and keeps each descendant's last CPU time; the CPU figure is the larger of the
two totals (the sampler misses at most a sample's worth of each process's last moments, wait4 misses whole
processes). Peak RSS is the largest sum over the tree at one sample (or wait4's largest single process).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

LOG_TAIL = 4000
SAMPLE_S = 0.2
_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float  # user + system of the child and all its descendants
    peak_rss_gb: float  # of the tree at its largest
    log: Path

    @property
    def cores(self) -> float:
        """Cores kept busy on average: CPU seconds per wall second."""
        return self.cpu_s / self.wall_s if self.wall_s > 0 else 0.0


class _Tree:
    """The child's process tree as /proc shows it, sampled until `stop` is set."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.cpu: dict[tuple[int, int], float] = {}  # (pid, start time) -> last CPU seconds seen
        self.peak_rss = 0
        self.stop = threading.Event()

    def sample(self) -> None:
        parents: dict[int, int] = {}
        stats: dict[int, tuple[int, float, int]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    text = fh.read()
            except OSError:
                continue  # gone since the listing
            fields = text[text.rindex(b")") + 2:].split()  # the command name may hold spaces and parens
            pid = int(entry.name)
            parents[pid] = int(fields[1])
            stats[pid] = (int(fields[19]), (int(fields[11]) + int(fields[12])) / _TICK, int(fields[21]) * _PAGE)
        rss = 0
        for pid, (start, cpu, resident) in stats.items():
            ancestor = pid
            while ancestor != self.root and ancestor in parents and ancestor > 1:
                ancestor = parents[ancestor]
            if ancestor == self.root:
                self.cpu[(pid, start)] = cpu
                rss += resident
        self.peak_rss = max(self.peak_rss, rss)

    def watch(self) -> None:
        while not self.stop.wait(SAMPLE_S):
            self.sample()


def run(cmd: list[str], log: Path, *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run `cmd` to its end with its output in `log`; SystemExit with the log's tail if it fails."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        tree = _Tree(proc.pid)
        watcher = threading.Thread(target=tree.watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        tree.stop.set()
        watcher.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    if proc.returncode != 0:
        tail = log.read_bytes()[-LOG_TAIL:].decode("utf-8", "replace")
        raise SystemExit(f"{' '.join(cmd[:3])} ... failed (exit {proc.returncode}); log {log}:\n{tail}")
    cpu = max(usage.ru_utime + usage.ru_stime, sum(tree.cpu.values()))
    peak = max(usage.ru_maxrss * 1024, tree.peak_rss)
    return Run(wall, cpu, peak / 1024**3, log)
