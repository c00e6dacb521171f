"""Each input file reaches the lake as one unit with its snapshot fact: empty and fully quarantined exports are
snapshots too, a withdrawn file takes its snapshot with it, and a file without its outcome row is not read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipelines.config import Settings
from pipelines.ingest.runner import ingest
from pipelines.load.lake import Lake
from pipelines.models.build import load_inputs, run_models
from tests.ingest.fixtures import ahrefs_backlinks

DAY_1 = "acme.com-backlinks-subdomains_2026-10-01_10-00-00.csv"
DAY_2 = "acme.com-backlinks-subdomains_2026-11-01_10-00-00.csv"
_LIVE = {"Target URL": "https://acme.com/", "Last seen": "2026-09-30 08:00:00"}
FIRST = ahrefs_backlinks(
    {**_LIVE, "Referring page URL": "https://blog.example.org/post"},
    {**_LIVE, "Referring page URL": "https://news.example.net/tools", "Target URL": "https://acme.com/tools"},
)


def _land(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def _warehouse(settings: Settings) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_inputs(con, settings, Lake(settings.lake))
    run_models(con)
    return con


def _losses(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute(
        "SELECT source_url, is_live, CAST(lost_at AS VARCHAR), lost_reason FROM backlinks ORDER BY source_url"
    ).fetchall()


ABSENT = [
    ("https://blog.example.org/post", False, "2026-11-01", "absent_from_export"),
    ("https://news.example.net/tools", False, "2026-11-01", "absent_from_export"),
]


def test_export_with_a_header_and_no_rows_is_a_snapshot(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    outcomes = ingest([_land(tmp_path / "in", {DAY_1: FIRST.bytes(), DAY_2: ahrefs_backlinks().bytes()})], settings)
    assert [(o.status, o.rows_read, o.error) for o in outcomes] == [("ok", 2, None), ("ok", 0, None)]
    assert _losses(_warehouse(settings)) == ABSENT


def test_export_whose_every_row_is_quarantined_is_a_snapshot(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    unusable = ahrefs_backlinks({**_LIVE, "Referring page URL": "javascript:void(0)"})
    outcomes = ingest([_land(tmp_path / "in", {DAY_1: FIRST.bytes(), DAY_2: unusable.bytes()})], settings)
    assert [(o.rows_read, o.rows_kept, o.rows_quarantined) for o in outcomes] == [(2, 2, 0), (1, 0, 1)]
    facts = _warehouse(settings).execute(
        "SELECT file_name, export_target, CAST(observed_on AS VARCHAR), complete, rows_read, rows_kept "
        "FROM export_snapshots ORDER BY observed_on").fetchall()
    assert facts == [(DAY_1, "acme.com", "2026-10-01", True, 2, 2), (DAY_2, "acme.com", "2026-11-01", True, 1, 0)]
    assert _losses(_warehouse(settings)) == ABSENT


def test_withdrawn_empty_export_takes_its_snapshot_with_it(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    ingest([_land(tmp_path / "2026-10-01", {DAY_1: FIRST.bytes()})], settings, batch="2026-10-01")
    day_2 = _land(tmp_path / "2026-11-01", {DAY_2: ahrefs_backlinks().bytes()})
    ingest([day_2], settings, batch="2026-11-01")
    assert _losses(_warehouse(settings)) == ABSENT
    (day_2 / DAY_2).unlink()
    ingest([day_2], settings, batch="2026-11-01")
    assert [r[:2] for r in _losses(_warehouse(settings))] == [
        ("https://blog.example.org/post", True), ("https://news.example.net/tools", True)]
    assert _warehouse(settings).execute("SELECT file_name FROM export_snapshots").fetchall() == [(DAY_1,)]


def _digests(lake: Path) -> dict[Path, str]:
    return {p.relative_to(lake): hashlib.sha256(p.read_bytes()).hexdigest() for p in lake.rglob("*.parquet")
            if "ingest_outcomes" not in p.parts}


def test_parts_of_a_file_without_its_outcome_are_not_read_and_a_rerun_replaces_them(tmp_path: Path) -> None:
    """What a kill between a file's data renames and its outcome rename leaves: parts but no outcome row."""
    settings = Settings(home=tmp_path / "home")
    landing = _land(tmp_path / "in", {DAY_1: FIRST.bytes(), DAY_2: ahrefs_backlinks(_LIVE).bytes()})
    ingest([landing], settings)
    whole = _digests(settings.lake)
    second = hashlib.sha256((landing / DAY_2).read_bytes()).hexdigest()
    (settings.lake / "ingest_outcomes" / f"{second}.parquet").unlink()
    lake = Lake(settings.lake)
    for table in ("link_observations", "quarantine", "row_validations", "export_snapshots"):
        assert all(part.stem != second for part in lake.files(table)), table
    con = _warehouse(settings)
    assert con.execute("SELECT DISTINCT file_name FROM link_observations").fetchall() == [(DAY_1,)]
    assert con.execute("SELECT file_name FROM export_snapshots").fetchall() == [(DAY_1,)]
    ingest([landing], settings)
    assert _digests(settings.lake) == whole
    outcomes = pq.read_table(settings.lake / "ingest_outcomes").to_pylist()
    assert sorted(o["file_name"] for o in outcomes) == [DAY_1, DAY_2]
    assert _warehouse(settings).execute("SELECT COUNT(*) FROM link_observations").fetchone() == (3,)


def test_a_killed_run_s_staged_parts_never_reach_the_lake(tmp_path: Path) -> None:
    """A kill while staging leaves a hidden folder of whole or partial parts; the next ingest clears it."""
    settings = Settings(home=tmp_path / "home")
    landing = _land(tmp_path / "in", {DAY_1: FIRST.bytes()})
    file_id = hashlib.sha256(FIRST.bytes()).hexdigest()
    leftover = settings.lake / ".staging" / file_id / "link_observations" / "source_system=ahrefs"
    leftover.mkdir(parents=True)
    (leftover / f"{file_id}.parquet").write_bytes(b"PAR1 cut short")
    assert Lake(settings.lake).files("link_observations") == []
    ingest([landing], settings)
    assert not (settings.lake / ".staging" / file_id).exists()
    assert _warehouse(settings).execute("SELECT COUNT(*) FROM link_observations").fetchone() == (2,)
