"""linkindex_nightly: each run ingests the landing folder of its own data interval, then rebuilds, validates
and publishes the warehouse. Backfill past days from the UI or POST /api/v2/backfills."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, CronDataIntervalTimetable, get_current_context, task

from pipelines import orchestrate
from pipelines.airflow_dags import DEFAULT_ARGS, warehouse_tasks

with DAG(
    dag_id="linkindex_nightly",
    description="Landing files of the run's day → lake → curated warehouse, behind the quality gate",
    # A real one-day interval: Airflow 3's plain cron schedule gives a zero-length one.
    schedule=CronDataIntervalTimetable("0 2 * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["linkindex", "nightly"],
    doc_md=__doc__,
) as dag:

    @task
    def ingest() -> dict[str, Any]:
        interval_start = get_current_context()["data_interval_start"]
        if interval_start is None:
            raise ValueError("linkindex_nightly needs a data interval: trigger it with a logical date")
        return orchestrate.ingest_landing_day(interval_start.date())

    warehouse_tasks(ingest())
