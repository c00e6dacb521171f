"""DAG policy: every DAG imports cleanly and carries the settings operations rely on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from pipelines.airflow_dags import CURATED_ASSETS
from pipelines.contracts import all_contracts
from pipelines.load.warehouse import Warehouse, WarehouseBusy
from pipelines.orchestrate import WAREHOUSE_POOL, WAREHOUSE_POOL_SLOTS

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    return DagBag(dag_folder=str(DAGS), include_examples=False) if _has_examples_arg() else DagBag(str(DAGS))


def _has_examples_arg() -> bool:
    import inspect

    return "include_examples" in inspect.signature(DagBag.__init__).parameters


def test_every_dag_imports_without_errors(dagbag: DagBag) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"linkindex_nightly", "linkindex_ingest_manual"}


def test_every_dag_follows_the_policy(dagbag: DagBag) -> None:
    for dag_id in dagbag.dag_ids:
        dag = dagbag.dags[dag_id]
        assert dag.tags, f"{dag_id} has no tags"
        assert "catchup" in dag.__dict__ or dag.catchup is False, f"{dag_id} must set catchup"
        assert dag.catchup is False
        assert dag.max_active_runs == 1, f"{dag_id}: runs of one DAG must not overlap"
        for t in dag.tasks:
            assert t.owner and t.owner != "airflow", f"{dag_id}.{t.task_id} has no owner"
            assert t.on_failure_callback, f"{dag_id}.{t.task_id} has no failure callback"
            if t.task_id != "check_params":  # a refused form is final; everything else retries
                assert t.retries >= 1, f"{dag_id}.{t.task_id} does not retry"
                assert t.retry_delay >= timedelta(minutes=1), f"{dag_id}.{t.task_id} retries without a delay"


def test_catchup_is_set_explicitly_in_every_dag_file() -> None:
    for path in DAGS.glob("*.py"):
        assert "catchup=" in path.read_text(encoding="utf-8"), path.name


def test_dags_are_wiring_only() -> None:
    """No SQL, no paths, no parsing in dags/: they call pipelines.orchestrate."""
    for path in DAGS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("duckdb", "SELECT ", "open(", "pyarrow", "polars", "read_bytes"):
            assert forbidden not in text, f"{path.name} contains {forbidden!r}"


def test_warehouse_tasks_share_one_single_slot_pool(dagbag: DagBag) -> None:
    assert WAREHOUSE_POOL_SLOTS == 1
    for dag_id in dagbag.dag_ids:
        dag = dagbag.dags[dag_id]
        for task_id in ("stage", "build", "validate", "publish"):
            assert dag.get_task(task_id).pool == WAREHOUSE_POOL, f"{dag_id}.{task_id}"


def test_publish_declares_every_curated_table_as_an_asset(dagbag: DagBag) -> None:
    curated = {n for n, c in all_contracts().items() if c.layer == "curated"}
    assert {a.name for a in CURATED_ASSETS} == {f"linkindex.{n}" for n in curated}
    for dag_id in dagbag.dag_ids:
        outlets = dagbag.dags[dag_id].get_task("publish").outlets
        assert {a.uri for a in outlets} == {f"linkindex://warehouse/{n}" for n in curated}


def test_nightly_interval_is_one_whole_day(dagbag: DagBag) -> None:
    """Airflow 3's plain cron schedule gives an empty interval; the nightly run needs its day."""
    from airflow.serialization.serialized_objects import DagSerialization

    # The timetable the scheduler works with: the DAG as it is serialized to the metadata database.
    dag = DagSerialization.from_dict(DagSerialization.to_dict(dagbag.dags["linkindex_nightly"]))
    for run_after in (datetime(2026, 3, 29, 2, tzinfo=UTC), datetime(2026, 11, 21, 2, 30, tzinfo=UTC)):
        interval = dag.timetable.infer_manual_data_interval(run_after=run_after)
        assert interval.end - interval.start == timedelta(days=1), interval
    info = dag.timetable.next_dagrun_info(last_automated_data_interval=None, restriction=_restriction(dag))
    assert info is not None and info.data_interval.end - info.data_interval.start == timedelta(days=1)


def _restriction(dag):  # type: ignore[no-untyped-def]
    from airflow.timetables.base import TimeRestriction

    return TimeRestriction(earliest=dag.start_date, latest=None, catchup=False)


def test_two_publishes_never_overlap(tmp_path: Path) -> None:
    """The lock behind the pool: a second writer waits, then gives up with WarehouseBusy."""
    import multiprocessing as mp

    warehouse = Warehouse(tmp_path)
    holding, release = mp.Event(), mp.Event()
    proc = mp.get_context("fork").Process(target=_hold_lock, args=(tmp_path, holding, release))
    proc.start()
    try:
        assert holding.wait(30)
        with pytest.raises(WarehouseBusy), warehouse.lock(wait_seconds=1):
            pass
    finally:
        release.set()
        proc.join(30)
    with warehouse.lock(wait_seconds=5):  # free again once the holder is done
        pass


def _hold_lock(home: Path, holding, release) -> None:  # type: ignore[no-untyped-def]
    with Warehouse(home).lock():
        holding.set()
        release.wait(30)
