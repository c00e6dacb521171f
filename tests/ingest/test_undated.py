"""Reports that state no date of their own ingest from a mixed folder, dated by the file, and say so."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from tests.e2e.conftest import linkindex
from tests.ingest.fixtures import ahrefs_referring_ips, semrush_backlinks, semrush_comparison

SAVED = datetime(2026, 3, 14, 22, 30, tzinfo=UTC)


def _outcomes(home: Path) -> dict[str, tuple[object, ...]]:
    linkindex("build", home=home)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT file_name, status, observed_on, observed_on_source, rows_read, rows_kept, rows_quarantined "
            "FROM ingest_outcomes").fetchall()}


def test_a_folder_of_mixed_exports_ingests_undated_reports_by_their_modification_day(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    undated = {"comparison.csv": semrush_comparison({}, {"Target": "rival.example"}),
               "target.example-referring-ips.csv": ahrefs_referring_ips({}, {"Subnet": "203.0.113.xxx"})}
    for name, export in undated.items():
        path = landing / name
        path.write_bytes(export.bytes())
        os.utime(path, (SAVED.timestamp(), SAVED.timestamp()))
    (landing / "target.example-backlinks.csv").write_bytes(semrush_backlinks({}).bytes())

    proc = linkindex("ingest", landing, home=tmp_path / "home", check=False)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in undated:  # one warning per undated file, naming it and the day it was given
        assert proc.stderr.count(f"{name}: ") == 1, proc.stderr
    assert proc.stderr.count("states no date; dated 2026-03-14 by its modification time") == len(undated)
    outcomes = _outcomes(tmp_path / "home")
    for name in undated:
        status, day, source, read, kept, quarantined = outcomes[name]
        assert status == "ok" and read == kept + quarantined and kept > 0, outcomes[name]
        assert (day, source) == (date(2026, 3, 14), "file_mtime")
    assert outcomes["target.example-backlinks.csv"][2] == "last_seen"


def test_the_option_still_wins_over_the_modification_day(tmp_path: Path) -> None:
    path = tmp_path / "comparison.csv"
    path.write_bytes(semrush_comparison({}).bytes())
    os.utime(path, (SAVED.timestamp(), SAVED.timestamp()))
    proc = linkindex("ingest", path, "--observed-on", "2026-05-01", home=tmp_path / "home")
    assert "states no date" not in proc.stderr
    status, day, source, *_ = _outcomes(tmp_path / "home")["comparison.csv"]
    assert (status, day, source) == ("ok", date(2026, 5, 1), "option")
