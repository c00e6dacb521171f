"""Fault injection: SIGKILL in the middle of ingest and of build, then check nothing half-done is visible."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from tests.e2e.conftest import CLI, Built, linkindex


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kill_when(cmd: list[str], home: Path, ready: Callable[[], bool]) -> None:
    proc = subprocess.Popen(cmd, env={**os.environ, "LINKINDEX_HOME": str(home)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not ready() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the step finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_killed_build_leaves_the_published_warehouse_and_a_retry_completes(built_copy: Built) -> None:
    home = built_copy.home
    before = _digest(home / "warehouse.duckdb")
    _kill_when([CLI, "build"], home, lambda: any(home.glob(".warehouse.building-*.duckdb")))
    assert _digest(home / "warehouse.duckdb") == before
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT COUNT(*) FROM backlinks").fetchone()[0] > 0  # type: ignore[index]
    linkindex("build", home=home)
    assert not list(home.glob(".warehouse.building-*"))


def test_killed_ingest_leaves_only_whole_parts_and_a_rerun_is_idempotent(built_copy: Built, tmp_path: Path) -> None:
    home = built_copy.home
    fresh = tmp_path / "fresh"
    day = built_copy.manifest.dates[-1].isoformat()
    outcomes = home / "lake" / "ingest_outcomes"
    started = len(list(outcomes.glob("*.parquet")))
    # Ingest the landing into a new home and kill it after a few files have been recorded.
    _kill_when([CLI, "ingest", str(built_copy.landing / day), "--observed-on", day], fresh,
               lambda: len(list((fresh / "lake" / "ingest_outcomes").glob("*.parquet"))) >= 3)
    for part in (fresh / "lake").rglob("*.parquet"):  # every visible part is a whole Parquet file
        duckdb.sql(f"SELECT COUNT(*) FROM read_parquet('{part}')").fetchone()
    linkindex("ingest", built_copy.landing / day, "--observed-on", day, home=fresh)
    first = {p.relative_to(fresh): _digest(p) for p in (fresh / "lake").rglob("*.parquet")
             if "ingest_outcomes" not in p.parts}
    linkindex("ingest", built_copy.landing / day, "--observed-on", day, home=fresh)
    second = {p.relative_to(fresh): _digest(p) for p in (fresh / "lake").rglob("*.parquet")
              if "ingest_outcomes" not in p.parts}
    assert first == second and started > 0
    linkindex("build", home=fresh)
