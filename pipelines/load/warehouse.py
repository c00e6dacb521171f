"""The warehouse file: each build writes a candidate beside the live one, and a publish renames it over it.

DuckDB lets one process write a database file. Building a new file and renaming it over the old one means a
publish never locks readers out: a reader that opened the old file keeps reading it, a new reader opens the
new one, and nobody sees a half-built warehouse. The previous file is kept as warehouse.prev.duckdb for
rollback.

A candidate is named by its build key (`cli-<pid>` for the CLI, the run id for Airflow), so a build can span
several processes (Airflow's stage, build, validate and publish tasks) and a retried task starts its own
candidate again. Only the publish touches the live file, under an exclusive lock.
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

CANDIDATE_PREFIX = ".warehouse.building-"
# A candidate nobody has written for this long belongs to a build that died (an Airflow worker killed, say).
STALE_CANDIDATE_SECONDS = 12 * 3600


class WarehouseBusy(RuntimeError):
    """Another build holds the warehouse lock."""


class Warehouse:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.path = home / "warehouse.duckdb"
        self.previous = home / "warehouse.prev.duckdb"
        self._lock_path = home / ".warehouse.lock"

    @contextmanager
    def lock(self, wait_seconds: float = 0.0) -> Iterator[None]:
        """Exclusive: two publishes never race. Waits up to `wait_seconds`, then raises WarehouseBusy."""
        self.home.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait_seconds
        with self._lock_path.open("w") as fh:
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError as exc:
                    if time.monotonic() >= deadline:
                        raise WarehouseBusy(f"another build is publishing to {self.path}") from exc
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def candidate(self, key: str) -> Path:
        """The candidate file of build `key` (letters, digits, `-`, `_`, `.` only)."""
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", key)
        return self.home / f"{CANDIDATE_PREFIX}{safe}.duckdb"

    def start_candidate(self, key: str) -> Path:
        """A fresh, empty candidate for `key`, clearing any earlier attempt and the remains of dead builds."""
        path = self.candidate(key)
        with self.lock(wait_seconds=60):
            self._clear_dead_candidates(keep=path)
            _remove(path)
        return path

    @contextmanager
    def open_candidate(self, path: Path, memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to a candidate, checkpointed when the block ends."""
        # Settings go in as connection config, never as SQL text: a home path may hold any character.
        config: dict[str, str | bool | int | float | list[str]] = {"temp_directory": str(self.home / ".duckdb-tmp")}
        if memory_limit:
            config["memory_limit"] = memory_limit
        con = duckdb.connect(str(path), config=config)
        try:
            # Tables are compared and queried as sets; keeping scan order costs memory on large builds.
            con.execute("SET preserve_insertion_order = false")
            yield con
            con.execute("CHECKPOINT")
        finally:
            con.close()

    def discard(self, path: Path) -> None:
        _remove(path)

    def publish(self, candidate: Path, wait_seconds: float = 600) -> bool:
        """Rename the candidate over the live warehouse; the old one becomes warehouse.prev.duckdb.

        Returns False, publishing nothing, when the live warehouse was staged later than the candidate: a
        slower concurrent build must never put older tables back.
        """
        if not candidate.exists():
            raise FileNotFoundError(f"no candidate warehouse at {candidate}: run the build step first")
        with self.lock(wait_seconds=wait_seconds):
            ours, live = _staged_at(candidate), _staged_at(self.path) if self.path.exists() else None
            if live is not None and ours is not None and live > ours:
                return False
            for stray in self.home.glob(".warehouse.prev-*.duckdb"):  # a publish killed mid-way
                stray.unlink()
            _failpoint("publish:start")
            if self.path.exists():
                # A hard link keeps the old file reachable as .prev without ever leaving the live name empty.
                keep = self.home / f".warehouse.prev-{os.getpid()}.duckdb"
                os.link(self.path, keep)
                _failpoint("publish:linked")
                os.replace(keep, self.previous)
                # rename() between two links of one file does nothing: after a publish killed right here,
                # .prev is already the live file, and keep is left behind.
                keep.unlink(missing_ok=True)
                _failpoint("publish:kept-previous")
            os.replace(candidate, self.path)
            _failpoint("publish:swapped")
            candidate.with_name(candidate.name + ".wal").unlink(missing_ok=True)
            _fsync_dir(self.home)
        return True

    def rollback(self) -> None:
        """Put the previous warehouse back."""
        if not self.previous.exists():
            raise FileNotFoundError(f"no previous warehouse at {self.previous}")
        with self.lock():
            os.replace(self.previous, self.path)
            _fsync_dir(self.home)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the published warehouse."""
        if not self.path.exists():
            raise FileNotFoundError(f"no warehouse at {self.path}: run `linkindex build` first")
        return duckdb.connect(str(self.path), read_only=True)

    def _clear_dead_candidates(self, keep: Path) -> None:
        now = time.time()
        for path in self.home.glob(f"{CANDIDATE_PREFIX}*.duckdb"):
            if path == keep:
                continue
            pid = re.fullmatch(rf"{re.escape(CANDIDATE_PREFIX)}cli-(\d+)\.duckdb", path.name)
            dead = (not _alive(int(pid.group(1)))) if pid else now - path.stat().st_mtime > STALE_CANDIDATE_SECONDS
            if dead:
                _remove(path)


def _staged_at(path: Path) -> datetime | None:
    """When a warehouse file's build read the lake (build_info.staged_at); None for an older file."""
    with duckdb.connect(str(path), read_only=True) as con:
        has = con.execute("SELECT COUNT(*) FROM duckdb_columns() WHERE table_name = 'build_info' "
                          "AND column_name = 'staged_at'").fetchone()
        if not has or not has[0]:
            return None
        row = con.execute("SELECT staged_at FROM build_info").fetchone()
    return row[0] if row else None


def _failpoint(name: str) -> None:
    """Fault injection for the tests: LINKINDEX_FAILPOINTS=publish:linked kills the process right there."""
    if name in os.environ.get("LINKINDEX_FAILPOINTS", "").split(","):
        os.kill(os.getpid(), signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
