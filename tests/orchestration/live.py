"""One live local Airflow (API server, scheduler, DAG processor, triggerer) for the live tests, shared by
test_live_airflow.py and test_ui_backfill.py: started by the first test that asks for it, stopped after the
last one (or at exit, whatever happens).

It runs on a metadata database of its own, not conftest's: test_nightly_dag.py runs `dag.test()` on
conftest's database while this scheduler may be up, and a scheduler seeing those runs would run their tasks
as well. The scheduler creates no scheduled runs (use_job_schedule off), so only the tests' backfills run.

The deployment: a fresh linkindex home and landing root, demo exports landed for the first two of three
consecutive past days (the third has no folder), the nightly DAG parsed and unpaused.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from pipelines.local_airflow import (
    AirflowApi,
    LocalAirflow,
    airflow_env,
    complete_days,
    demo_landing,
    drop_postgres_database,
    free_port,
    prepare,
    tail,
)

DAG_ID = "linkindex_nightly"
DB_URL = f"postgresql+psycopg2://postgres@127.0.0.1:5432/linkindex_airflow_live_{os.getpid()}"
BACKFILL_TIMEOUT = 600
FIXTURE = "live"
_FINISHED = ("success", "failed")
_BROKEN_TASK = ["failed", "up_for_retry", "upstream_failed"]


@dataclass
class Live:
    airflow: LocalAirflow
    api: AirflowApi
    home: Path
    landing: Path
    days: tuple[date, ...]  # three consecutive days whose nightly interval has ended
    exported: tuple[date, ...]  # the days with a landing folder: the first two
    password: str

    @property
    def url(self) -> str:
        return self.airflow.url

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    def backfill_body(self, first: date, last: date, **options: Any) -> dict[str, Any]:
        """A POST /api/v2/backfills body for the runs whose interval starts on `first` .. `last`."""
        return {
            "dag_id": DAG_ID, "from_date": f"{first.isoformat()}T00:00:00Z",
            "to_date": f"{last.isoformat()}T23:59:59Z", "run_backwards": False,
            "reprocess_behavior": "completed", "max_active_runs": 1, "dag_run_conf": {}, **options,
        }

    def backfills(self) -> list[dict[str, Any]]:
        return list(self.api.get("/api/v2/backfills", dag_id=DAG_ID, limit=100)["backfills"])

    def wait_no_active_backfill(self, timeout: float = 90) -> None:
        """Airflow allows one active backfill per DAG, and marks a finished one complete only every 30 s."""
        deadline = time.monotonic() + timeout
        while active := [b["id"] for b in self.backfills() if b["completed_at"] is None]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"backfills {active} still active after {timeout:.0f} s")
            time.sleep(2)

    def backfill_runs(self, backfill: dict[str, Any], *, expected: int,
                      timeout: float = BACKFILL_TIMEOUT) -> list[dict[str, Any]]:
        """The runs of `backfill` once `expected` of them have finished, in logical-date order: the backfill
        runs of its date range queued since it was created (a reprocessed run keeps its run id but is queued
        again). Fails at once, with the task's log, when a task fails or waits for a retry."""
        created = _when(backfill["created_at"])
        deadline = time.monotonic() + timeout
        mine: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            if dead := self.airflow.exited():
                raise AssertionError(f"airflow {', '.join(dead)} exited during the backfill")
            range_filter = {"logical_date_gte": backfill["from_date"], "logical_date_lte": backfill["to_date"]}
            runs = self.api.get(f"/api/v2/dags/{DAG_ID}/dagRuns", run_type="backfill", order_by="logical_date",
                                limit=100, **range_filter)["dag_runs"]
            mine = [r for r in runs if r["queued_at"] and _when(r["queued_at"]) >= created]
            broken = self.api.get(f"/api/v2/dags/{DAG_ID}/dagRuns/~/taskInstances", state=_BROKEN_TASK,
                                  **range_filter)["task_instances"]
            if broken:
                raise AssertionError("a task of the backfill failed:\n" + "\n".join(
                    f"{ti['run_id']} {ti['task_id']}: {ti['state']}\n{self.task_log(ti)}" for ti in broken))
            if len(mine) >= expected and all(r["state"] in _FINISHED for r in mine):
                return mine
            time.sleep(3)
        states = {r["dag_run_id"]: r["state"] for r in mine}
        raise TimeoutError(f"backfill {backfill['id']} not finished after {timeout:.0f} s: {states}")

    def task_log(self, ti: dict[str, Any], lines: int = 60) -> str:
        path = (self.airflow.log_dir / f"dag_id={ti['dag_id']}" / f"run_id={ti['run_id']}"
                / f"task_id={ti['task_id']}" / f"attempt={max(1, int(ti['try_number']))}.log")
        return tail(path, lines)

    def report(self) -> str:
        """What a failed test prints: every service's log tail and the logs of tasks that logged an error."""
        parts = [f"===== live Airflow at {self.url}, AIRFLOW_HOME {self.airflow.env['AIRFLOW_HOME']} =====",
                 self.airflow.log_tail(60)]
        for path in sorted(self.airflow.log_dir.glob("dag_id=*/run_id=*/task_id=*/attempt=*.log")):
            text = path.read_text(encoding="utf-8", errors="replace")
            if '"level":"error"' in text or "Traceback" in text:
                parts.append(f"----- task log {path} (last 60 lines) -----")
                parts.append("\n".join(text.splitlines()[-60:]))
        return "\n".join(parts)

    @contextlib.contextmanager
    def diagnostics(self) -> Iterator[None]:
        """On any failure inside, print `report()` (pytest shows it with the failure), then re-raise."""
        try:
            yield
        except BaseException:
            sys.stderr.write(self.report() + "\n")
            raise


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def quoted(run_id: str) -> str:
    return urllib.parse.quote(run_id, safe="")


_live: Live | None = None
_failed: BaseException | None = None


def _start(base: Path) -> Live:
    home, landing = base / "home", base / "landing"
    days = tuple(complete_days(3))
    exported = tuple(demo_landing(home, landing, list(days[:2]), seed=5, n_domains=250))
    password = secrets.token_urlsafe(9)
    port = free_port()
    env = airflow_env(airflow_home=base / "airflow", linkindex_home=home, landing=landing, db_url=DB_URL,
                      port=port, admin_password=password)
    env.update({
        # Only the tests' backfills run: no run for the latest interval when the DAG is unpaused.
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        # Parse the DAG files once; nothing changes them during the tests.
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "600",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "600",
    })
    drop_postgres_database(DB_URL)
    prepare(env)
    airflow = LocalAirflow(env, port)
    live = Live(airflow, AirflowApi(airflow.url, password=password), home, landing, days, exported, password)
    airflow.start()
    try:
        airflow.wait_healthy(timeout=180)
        live.api.login()
        live.api.wait_for_dag(DAG_ID, timeout=180)
        live.api.patch(f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
    except BaseException:
        sys.stderr.write(live.report() + "\n")
        _shutdown_airflow(airflow)
        raise
    return live


def _shutdown_airflow(airflow: LocalAirflow) -> None:
    try:
        airflow.stop()
    finally:
        drop_postgres_database(DB_URL)


def _shutdown() -> None:
    global _live
    if _live is not None:
        live, _live = _live, None
        _shutdown_airflow(live.airflow)


atexit.register(_shutdown)


@pytest.fixture(scope="module", name=FIXTURE)
def live_fixture(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The shared live Airflow. Import this into a test module and ask for `live`."""
    global _live, _failed
    if _failed is not None:
        pytest.fail(f"the live Airflow did not start earlier in this session: {_failed!r}")
    if _live is None:
        try:
            _live = _start(tmp_path_factory.mktemp("live-airflow"))
        except BaseException as exc:
            _failed = exc
            raise
        # At the end of the session at the latest (say a later module's tests were all skipped).
        request.session.addfinalizer(_shutdown)
    yield _live
    # Stop after the last module that uses it, not at the end of the session.
    items = request.session.items
    last_here = max((i for i, item in enumerate(items) if getattr(item, "module", None) is request.module),
                    default=len(items))
    if not any(FIXTURE in getattr(item, "fixturenames", ()) for item in items[last_here + 1:]):
        _shutdown()
