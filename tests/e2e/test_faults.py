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
import pytest

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


_TABLES = "SELECT (SELECT COUNT(*) FROM link_observations), (SELECT SUM(observations) FROM backlinks)"


def _state(path: Path) -> tuple[object, ...]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(_TABLES).fetchone()  # type: ignore[return-value]


@pytest.mark.parametrize("failpoint", ["publish:start", "publish:linked", "publish:kept-previous",
                                       "publish:swapped"])
def test_killed_publish_leaves_old_or_new_warehouse_and_a_retry_completes(
    built_copy: Built, tmp_path: Path, failpoint: str,
) -> None:
    """SIGKILL at each step of the publish: the live file is a whole old or a whole new warehouse."""
    home = built_copy.home
    old = _state(home / "warehouse.duckdb")
    extra = tmp_path / "more"
    extra.mkdir()
    source = next(f.path for f in built_copy.manifest.files if f.vendor == "semrush" and f.report == "backlinks")
    (extra / "again.csv").write_bytes(source.read_bytes().replace(b"https://", b"https://mirror-", 40))
    linkindex("ingest", extra, "--observed-on", "2026-11-05", home=home)
    proc = subprocess.run([CLI, "build"], env={**os.environ, "LINKINDEX_HOME": str(home),
                                               "LINKINDEX_FAILPOINTS": failpoint}, capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    after_kill = _state(home / "warehouse.duckdb")
    assert after_kill == old if failpoint != "publish:swapped" else after_kill != old
    linkindex("build", home=home)
    new = _state(home / "warehouse.duckdb")
    assert new != old and new[0] > old[0]  # type: ignore[operator]
    assert _state(home / "warehouse.prev.duckdb") in (old, new)
    assert not list(home.glob(".warehouse.prev-*")) and not list(home.glob(".warehouse.building-*"))
