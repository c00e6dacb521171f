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

from pipelines.config import Settings
from pipelines.contracts import all_contracts
from pipelines.ingest.runner import expand_paths
from pipelines.load.lake import Lake
from pipelines.models.build import load_inputs
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


def _torn_files(home: Path) -> list[str]:
    """Files the build would read torn: an outcome row whose counts the file's rows in the lake do not match,
    or rows of a file without an outcome row. A kill at any moment of an ingest must leave none."""
    con = duckdb.connect()
    load_inputs(con, Settings(home=home), Lake(home / "lake"))
    outcomes = {f: (table, read, kept) for f, table, read, kept in con.execute(
        "SELECT file_id, table_name, rows_read, rows_kept FROM ingest_outcomes WHERE status <> 'failed'").fetchall()}
    tables = [name for name, c in all_contracts().items() if c.layer == "lake"
              and any(col.name == "file_id" for col in c.columns)
              and name not in {"ingest_outcomes", "landing_batches"}]
    rows = {(table, f): n for table in tables
            for f, n in con.execute(f"SELECT file_id, COUNT(*) FROM {table} GROUP BY file_id").fetchall()}
    records_quarantined = dict(con.execute(
        "SELECT file_id, COUNT(*) FROM quarantine WHERE unit <> 'link' GROUP BY file_id").fetchall())
    torn = [f for f, (table, read, kept) in outcomes.items()
            if rows.get((table, f), 0) != kept or kept + records_quarantined.get(f, 0) != read]
    return sorted(torn) + sorted({f for _, f in rows} - set(outcomes))


def test_killed_ingest_leaves_only_whole_files_and_a_rerun_is_idempotent(built_copy: Built, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    day = built_copy.manifest.dates[-1].isoformat()
    landing = built_copy.landing / day
    outcomes = fresh / "lake" / "ingest_outcomes"
    # Ingest the landing into a new home and kill it after a few files have been recorded.
    _kill_when([CLI, "ingest", str(landing), "--observed-on", day], fresh,
               lambda: len(list(outcomes.glob("*.parquet"))) >= 3)
    started = len(list(outcomes.glob("*.parquet")))
    assert 3 <= started < len(expand_paths([landing])), "the kill did not land in the middle of the ingest"
    for part in (fresh / "lake").rglob("*.parquet"):  # every part on disk is a whole Parquet file
        duckdb.sql("SELECT COUNT(*) FROM read_parquet($part)", params={"part": str(part)}).fetchone()
    assert _torn_files(fresh) == []
    linkindex("ingest", landing, "--observed-on", day, home=fresh)
    first = {p.relative_to(fresh): _digest(p) for p in (fresh / "lake").rglob("*.parquet")
             if "ingest_outcomes" not in p.parts}
    assert _torn_files(fresh) == [] and not list((fresh / "lake" / ".staging").rglob("*.parquet"))
    linkindex("ingest", landing, "--observed-on", day, home=fresh)
    second = {p.relative_to(fresh): _digest(p) for p in (fresh / "lake").rglob("*.parquet")
              if "ingest_outcomes" not in p.parts}
    assert first == second
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
    # Killed once the new file is live, the retry keeps that (equal) new build as previous; killed before,
    # the retry's publish is the first to move the old warehouse aside.
    if failpoint == "publish:swapped":
        assert after_kill == new
    assert _state(home / "warehouse.prev.duckdb") == (new if failpoint == "publish:swapped" else old)
    assert not list(home.glob(".warehouse.prev-*")) and not list(home.glob(".warehouse.building-*"))
