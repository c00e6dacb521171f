"""Publishing: a build that fails a `fail` check, or crashes, leaves the published warehouse as it was."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from tests.e2e.conftest import Built, linkindex


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failing_gate_keeps_previous_warehouse(built_copy: Built) -> None:
    home = built_copy.home
    before = _digest(home / "warehouse.duckdb")
    # A part file copied under a second name duplicates every row's grain (file_id, row_number).
    part = next((home / "lake" / "link_observations").rglob("*.parquet"))
    shutil.copy(part, part.with_name("duplicate-of-" + part.name))
    proc = linkindex("build", home=home, check=False)
    assert proc.returncode == 1
    assert "link_observations.grain_unique" in proc.stderr
    assert _digest(home / "warehouse.duckdb") == before
    assert not list(home.glob(".warehouse.building-*"))


def test_unreadable_lake_file_fails_build_without_publishing(built_copy: Built) -> None:
    home = built_copy.home
    before = _digest(home / "warehouse.duckdb")
    part = next((home / "lake" / "link_observations").rglob("*.parquet"))
    part.write_bytes(part.read_bytes()[:100])
    proc = linkindex("build", home=home, check=False)
    assert proc.returncode == 1
    assert "build not published" in proc.stderr and part.name in proc.stderr
    assert _digest(home / "warehouse.duckdb") == before


_READER = """
import pathlib, sys, time, duckdb
path, stop = sys.argv[1], pathlib.Path(sys.argv[2])
seen, errors, end = set(), [], time.monotonic() + 300
while time.monotonic() < end and not stop.exists():
    try:
        with duckdb.connect(path, read_only=True) as con:
            seen.add(con.execute("SELECT (SELECT COUNT(*) FROM link_observations), "
                                 "(SELECT SUM(observations) FROM backlinks)").fetchone())
    except Exception as exc:
        errors.append(repr(exc))
print(repr((sorted(seen), errors[:3], len(errors))))
"""


def test_reader_sees_old_or_new_warehouse_never_an_error(built_copy: Built, tmp_path: Path) -> None:
    """An analyst querying in a loop through a publish: every answer is a whole old or a whole new warehouse."""
    import ast
    import subprocess
    import sys
    import time

    import duckdb

    home = built_copy.home
    warehouse = home / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        old = con.execute("SELECT (SELECT COUNT(*) FROM link_observations), "
                          "(SELECT SUM(observations) FROM backlinks)").fetchone()
    extra = tmp_path / "more"
    extra.mkdir()
    source = next(f.path for f in built_copy.manifest.files if f.vendor == "semrush" and f.report == "backlinks")
    (extra / "again.csv").write_bytes(source.read_bytes().replace(b"https://", b"https://mirror-", 40))
    linkindex("ingest", extra, "--observed-on", "2026-11-05", home=home)
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", _READER, str(warehouse), str(stop)], stdout=subprocess.PIPE,
                              text=True)
    linkindex("build", home=home)
    time.sleep(1)  # let the reader open the new file a few times
    stop.touch()
    out, _ = reader.communicate(timeout=120)
    seen, errors, n_errors = ast.literal_eval(out.strip())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        new = con.execute("SELECT (SELECT COUNT(*) FROM link_observations), "
                          "(SELECT SUM(observations) FROM backlinks)").fetchone()
    assert n_errors == 0, errors
    assert new != old
    assert {tuple(s) for s in seen} == {tuple(old), tuple(new)}


def test_a_build_staged_before_the_live_one_is_not_published(built_copy: Built) -> None:
    """Two builds overlap; the one that read the lake first finishes last and must not put older tables back."""
    from pipelines.config import load_settings
    from pipelines.models import build as steps

    settings = load_settings(built_copy.home)
    slow = steps.stage(settings, "slow")
    fast = steps.stage(settings, "fast")
    for candidate, run in ((fast, "fast"), (slow, "slow")):
        steps.build_models(settings, candidate)
        steps.validate(settings, candidate, run_id=run)
    assert steps.publish(settings, fast) is not None
    live = _digest(built_copy.home / "warehouse.duckdb")
    assert steps.publish(settings, slow) is None
    assert _digest(built_copy.home / "warehouse.duckdb") == live
    assert slow.exists()  # left for the caller to discard


def test_rollback_puts_the_previous_build_back(built_copy: Built) -> None:
    home = built_copy.home
    first = _digest(home / "warehouse.duckdb")
    linkindex("build", home=home)
    assert _digest(home / "warehouse.prev.duckdb") == first
    linkindex("rollback", home=home)
    assert _digest(home / "warehouse.duckdb") == first
    assert not (home / "warehouse.prev.duckdb").exists()
    again = linkindex("rollback", home=home, check=False)
    assert again.returncode == 1 and "no previous warehouse" in again.stderr
