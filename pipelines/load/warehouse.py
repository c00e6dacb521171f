"""The warehouse file: built beside the live one, then swapped in with one rename.

DuckDB lets one process write a database file. Building a new file and renaming it over the old one means a
publish never locks readers out: a reader that opened the old file keeps reading it, a new reader opens the
new one, and nobody sees a half-built warehouse. The previous file is kept as warehouse.prev.duckdb for
rollback.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


class WarehouseBusy(RuntimeError):
    """Another build holds the warehouse lock."""


class Warehouse:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.path = home / "warehouse.duckdb"
        self.previous = home / "warehouse.prev.duckdb"
        self._lock_path = home / ".warehouse.lock"

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive for the length of a build: two builds never race to publish."""
        self.home.mkdir(parents=True, exist_ok=True)
        with self._lock_path.open("w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise WarehouseBusy(f"another build is publishing to {self.path}") from exc
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextmanager
    def building(self, memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to a fresh file; published only if the block finishes without an exception."""
        with self.lock():
            # Holding the lock, any other building file is the remains of a killed build.
            for leftover in self.home.glob(".warehouse.building-*"):
                leftover.unlink(missing_ok=True)
            staging = self.home / f".warehouse.building-{os.getpid()}.duckdb"
            con = duckdb.connect(str(staging))
            try:
                con.execute(f"SET temp_directory = '{self.home / '.duckdb-tmp'}'")
                if memory_limit:
                    con.execute("SET memory_limit = ?", [memory_limit])
                # Tables are compared and queried as sets; keeping scan order costs memory on large builds.
                con.execute("SET preserve_insertion_order = false")
                yield con
                con.execute("CHECKPOINT")
                con.close()
                self._publish(staging)
            finally:
                con.close()
                staging.unlink(missing_ok=True)
                staging.with_name(staging.name + ".wal").unlink(missing_ok=True)

    def _publish(self, staging: Path) -> None:
        if self.path.exists():
            # A hard link keeps the old file reachable as .prev without ever leaving the live name empty.
            keep = self.home / f".warehouse.prev-{os.getpid()}.duckdb"
            keep.unlink(missing_ok=True)
            os.link(self.path, keep)
            os.replace(keep, self.previous)
        os.replace(staging, self.path)
        _fsync_dir(self.home)

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


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
