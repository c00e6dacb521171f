"""The nightly DAG end to end through `dag.test()`: two generated landing days, then the tables, the
validation results and the Asset events; a `fail` expectation blocks the publish, a `warn` one does not."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipelines.config import CONFIG_FILE
from pipelines.demo import DemoManifest, demo_config, generate_landing

DAYS = (date(2026, 10, 1), date(2026, 10, 2))
DAGS = Path(__file__).resolve().parents[2] / "dags"


@dataclass(frozen=True)
class Deployment:
    home: Path
    landing: Path
    manifest: DemoManifest


def _dag(dag_id: str):  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(str(DAGS)).dags[dag_id]


def _run(dag_id: str, day: date, **kwargs):  # type: ignore[no-untyped-def]
    """The run whose one-day data interval starts on `day` at 02:00 UTC, as the scheduler makes it.

    dag.test() infers a manual run's interval as the one ending at the date given.
    """
    end = datetime(day.year, day.month, day.day, 2, tzinfo=UTC) + timedelta(days=1)
    return _dag(dag_id).test(logical_date=end, **kwargs)


@pytest.fixture()
def deployment(airflow_db: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    home, landing = tmp_path / "home", tmp_path / "landing"
    manifest = generate_landing(landing, seed=5, n_domains=250, dates=DAYS)
    home.mkdir()
    (home / CONFIG_FILE).write_text(demo_config(manifest), encoding="utf-8")
    monkeypatch.setenv("LINKINDEX_HOME", str(home))
    monkeypatch.setenv("LINKINDEX_LANDING", str(landing))
    yield Deployment(home, landing, manifest)


def _states(run) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_nightly_runs_build_day_two_with_new_and_lost_links(deployment: Deployment) -> None:
    first = _run("linkindex_nightly", DAYS[0])
    assert str(first.state) == "success", _states(first)
    warehouse = deployment.home / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        day_one = con.execute("SELECT COUNT(*) FROM backlinks").fetchone()[0]  # type: ignore[index]
        batches = con.execute("SELECT DISTINCT landing_batch FROM ingest_outcomes").fetchall()
    assert day_one > 0 and batches == [(DAYS[0].isoformat(),)]

    second = _run("linkindex_nightly", DAYS[1])
    assert str(second.state) == "success", _states(second)
    expected_lost = deployment.manifest.exported_lost_between()
    assert expected_lost, "the generated world must lose links between the days"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        lost = set(con.execute("SELECT source_url, target_url FROM backlinks WHERE lost_at IS NOT NULL").fetchall())
        new_on_two = con.execute(
            "SELECT COUNT(*) FROM backlinks WHERE first_seen > ? ", [datetime(2026, 10, 1)]
        ).fetchone()[0]  # type: ignore[index]
        total = con.execute("SELECT COUNT(*) FROM backlinks").fetchone()[0]  # type: ignore[index]
        velocity = con.execute(
            "SELECT SUM(new_backlinks), SUM(lost_backlinks) FROM link_velocity_daily WHERE day = ?", [DAYS[1]]
        ).fetchone()
        runs = con.execute("SELECT run_id, gate, COUNT(*), COUNT(*) FILTER (WHERE NOT passed AND severity = 'fail') "
                           "FROM quality_results GROUP BY ALL ORDER BY run_id").fetchall()
        batches = con.execute("SELECT landing_batch, COUNT(*) FROM ingest_outcomes GROUP BY 1 ORDER BY 1").fetchall()
    # Every link the day-two exports flag lost is lost in the warehouse.
    assert expected_lost <= lost
    assert total > day_one and new_on_two > 0
    assert velocity is not None and velocity[1] > 0
    # Both runs' validation results are kept, both published, with no failed `fail` check.
    assert [(r[1], r[3]) for r in runs] == [("published", 0), ("published", 0)]
    assert all(r[0].startswith("linkindex_nightly--") for r in runs)
    assert [b for b, _ in batches] == [d.isoformat() for d in DAYS]
    assert (deployment.home / "quality" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()


def test_publish_emits_an_asset_event_per_curated_table(deployment: Deployment) -> None:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    run = _run("linkindex_nightly", DAYS[0])
    assert str(run.state) == "success", _states(run)
    with create_session() as session:
        events = session.query(AssetEvent).filter(AssetEvent.source_run_id == run.run_id).all()
        uris = {e.asset.uri for e in events}
    assert "linkindex://warehouse/backlinks" in uris and "linkindex://warehouse/referring_domains" in uris
    from pipelines.airflow_dags import CURATED_ASSETS

    assert uris == {a.uri for a in CURATED_ASSETS}


def test_failing_expectation_blocks_the_publish_and_keeps_yesterday(deployment: Deployment) -> None:
    assert str(_run("linkindex_nightly", DAYS[0]).state) == "success"
    warehouse = deployment.home / "warehouse.duckdb"
    before = _digest(warehouse)
    # A landed copy of a file under another name duplicates every (file_id, row_number)? No: file ids are
    # content hashes. Break the grain in the lake instead, as a faulty writer would.
    part = next((deployment.home / "lake" / "link_observations").rglob("*.parquet"))
    shutil.copy(part, part.with_name("copy-" + part.name))
    run = _run("linkindex_nightly", DAYS[1])
    states = _states(run)
    assert str(run.state) == "failed" and states["validate"] == "failed" and states["publish"] != "success", states
    assert _digest(warehouse) == before
    assert not list(deployment.home.glob(".warehouse.building-*"))
    # The blocked run's results are in the lake and reach the next published warehouse.
    (part.with_name("copy-" + part.name)).unlink()
    assert str(_run("linkindex_nightly", DAYS[1]).state) == "success"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        blocked = con.execute(
            "SELECT table_name, check_name FROM quality_results WHERE gate = 'blocked' AND NOT passed"
        ).fetchall()
    assert ("link_observations", "grain_unique") in blocked
    alerts = (deployment.home / "alerts.jsonl").read_text(encoding="utf-8")
    assert '"task_id": "validate"' in alerts and "task_failed" in alerts


def test_warn_expectation_publishes_and_records_the_warning(deployment: Deployment) -> None:
    # Any growth is a warning at a 0 % bound: day two must publish all the same.
    (deployment.home / CONFIG_FILE).write_text(
        (deployment.home / CONFIG_FILE).read_text(encoding="utf-8") + "\n[quality]\nrow_count_change_pct = 0\n",
        encoding="utf-8",
    )
    assert str(_run("linkindex_nightly", DAYS[0]).state) == "success"
    run = _run("linkindex_nightly", DAYS[1])
    assert str(run.state) == "success", _states(run)
    with duckdb.connect(str(deployment.home / "warehouse.duckdb"), read_only=True) as con:
        warned = con.execute(
            "SELECT table_name FROM quality_results WHERE check_name = 'row_count_change_pct' AND NOT passed "
            "AND severity = 'warn' AND gate = 'published' "
            "AND run_id = (SELECT run_id FROM quality_results ORDER BY validated_at DESC LIMIT 1)"
        ).fetchall()
    assert ("backlinks",) in warned
    assert "quality_warning" in (deployment.home / "alerts.jsonl").read_text(encoding="utf-8")


def test_rerun_of_a_day_replaces_only_its_own_files(deployment: Deployment) -> None:
    for day in DAYS:
        assert str(_run("linkindex_nightly", day).state) == "success"
    warehouse = deployment.home / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = dict(con.execute("SELECT landing_batch, COUNT(*) FROM landing_batches GROUP BY 1").fetchall())
        observations = con.execute("SELECT COUNT(*) FROM link_observations").fetchone()[0]  # type: ignore[index]
    # Day one's Semrush export is withdrawn from the landing folder; rerunning day one drops its rows only.
    withdrawn = next(f.path for f in deployment.manifest.files
                     if f.snapshot == DAYS[0] and f.vendor == "semrush" and f.report == "backlinks")
    withdrawn_id = _digest(withdrawn)
    withdrawn.unlink()
    assert str(_run("linkindex_nightly", DAYS[0]).state) == "success"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = dict(con.execute("SELECT landing_batch, COUNT(*) FROM landing_batches GROUP BY 1").fetchall())
        gone = con.execute("SELECT COUNT(*) FROM link_observations WHERE file_id = ?",
                           [withdrawn_id]).fetchone()[0]  # type: ignore[index]
        left = con.execute("SELECT COUNT(*) FROM link_observations").fetchone()[0]  # type: ignore[index]
    assert after[DAYS[1].isoformat()] == before[DAYS[1].isoformat()]
    assert after[DAYS[0].isoformat()] == before[DAYS[0].isoformat()] - 1
    assert gone == 0 and left < observations


def test_a_file_landed_on_two_days_stays_while_one_day_still_holds_it(deployment: Deployment) -> None:
    shared = next(f.path for f in deployment.manifest.files
                  if f.snapshot == DAYS[1] and f.vendor == "semrush" and f.report == "backlinks")
    copy = deployment.landing / DAYS[0].isoformat() / shared.name
    shutil.copy(shared, copy)
    for day in DAYS:
        assert str(_run("linkindex_nightly", day).state) == "success"
    copy.unlink()  # withdrawn from day one, still landed on day two
    assert str(_run("linkindex_nightly", DAYS[0]).state) == "success"
    with duckdb.connect(str(deployment.home / "warehouse.duckdb"), read_only=True) as con:
        kept = con.execute("SELECT COUNT(*) FROM link_observations WHERE file_name = ?",
                           [shared.name]).fetchone()[0]  # type: ignore[index]
    assert kept > 0


def test_backfill_order_does_not_change_the_tables(
    deployment: Deployment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Days run forwards in one home and backwards in another give the same curated tables."""
    forwards = deployment.home
    for day in DAYS:
        assert str(_run("linkindex_nightly", day).state) == "success"
    backwards = tmp_path / "backwards"
    backwards.mkdir()
    shutil.copy(forwards / CONFIG_FILE, backwards / CONFIG_FILE)
    monkeypatch.setenv("LINKINDEX_HOME", str(backwards))
    for day in reversed(DAYS):
        assert str(_run("linkindex_nightly", day).state) == "success"
    assert _curated(forwards) == _curated(backwards)


def _curated(home: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every curated table's rows, sorted: the content a user queries."""
    from pipelines.contracts import all_contracts

    out = {}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        for name, c in all_contracts().items():
            if c.layer != "curated":
                continue
            cols = ", ".join(f'"{col.name}"' for col in c.columns)
            out[name] = sorted(con.execute(f"SELECT {cols} FROM {name}").fetchall(), key=repr)
    return out


def test_manual_dag_refuses_bad_params_and_ingests_good_ones(deployment: Deployment) -> None:
    source = next(f.path for f in deployment.manifest.files if f.vendor == "semrush" and f.report == "backlinks")
    good = {"landing_path": str(source.relative_to(deployment.landing)),
            "target_domain": deployment.manifest.targets[0], "observed_on": DAYS[1].isoformat()}
    run = _dag("linkindex_ingest_manual").test(run_conf=good)
    assert str(run.state) == "success", _states(run)
    from airflow.sdk.exceptions import ParamValidationError

    # Refused by the form's schema before a run exists, or by check_params before anything reads a file.
    with pytest.raises(ParamValidationError, match="target_domain"):
        _dag("linkindex_ingest_manual").test(run_conf={**good, "target_domain": "example.com'; DROP TABLE x; --"})
    for bad in ({**good, "landing_path": "../../etc/passwd"},
                {**good, "target_domain": "localhost"},
                {**good, "observed_on": "2999-01-01"}):
        run = _dag("linkindex_ingest_manual").test(run_conf=bad)
        states = _states(run)
        assert str(run.state) == "failed" and states["check_params"] == "failed", (bad, states)
        assert states.get("ingest") != "success"
    assert os.path.exists(deployment.home / "warehouse.duckdb")
