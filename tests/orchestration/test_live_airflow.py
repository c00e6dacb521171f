"""The nightly DAG in a running Airflow: API server, scheduler, DAG processor and triggerer as separate
processes (tests/orchestration/live.py), a backfill over three days created through the REST API, the runs
executed by the scheduler's LocalExecutor against the Execution API, then the warehouse they published."""

from __future__ import annotations

import itertools
from datetime import datetime

import duckdb

from .live import DAG_ID, Live, live_fixture  # noqa: F401  (the `live` fixture)


def test_rest_backfill_runs_every_day_once_in_order(live: Live) -> None:
    first, _, last = live.days
    with live.diagnostics():
        dag = live.api.get(f"/api/v2/dags/{DAG_ID}")
        assert dag["is_paused"] is False
        live.wait_no_active_backfill()
        backfill = live.api.post("/api/v2/backfills", live.backfill_body(first, last))
        assert backfill["dag_id"] == DAG_ID and backfill["reprocess_behavior"] == "completed"
        runs = live.backfill_runs(backfill, expected=3)

        assert [r["state"] for r in runs] == ["success"] * 3, runs
        assert [r["run_type"] for r in runs] == ["backfill"] * 3
        # One run per day: the run of day D covers [D 02:00, D+1 02:00) UTC and ingests landing/D/.
        assert [datetime.fromisoformat(r["data_interval_start"]).date() for r in runs] == list(live.days)
        assert all(r["data_interval_start"].endswith("T02:00:00Z") for r in runs)
        # Forwards, one at a time: each run started after the one before had ended.
        for before, after in itertools.pairwise(runs):
            assert datetime.fromisoformat(after["start_date"]) >= datetime.fromisoformat(before["end_date"])

        with duckdb.connect(str(live.warehouse), read_only=True) as con:
            batches = con.execute("SELECT DISTINCT landing_batch FROM ingest_outcomes ORDER BY 1").fetchall()
            backlinks = con.execute("SELECT COUNT(*) FROM backlinks").fetchone()
            gates = con.execute(
                "SELECT run_id, COUNT(DISTINCT gate), MIN(gate), "
                "COUNT(*) FILTER (WHERE NOT passed AND severity = 'fail') "
                "FROM quality_results GROUP BY run_id ORDER BY run_id").fetchall()
        # The day without a landing folder ingests nothing and still publishes.
        assert [b for (b,) in batches] == [d.isoformat() for d in live.exported]
        assert backlinks is not None and backlinks[0] > 0
        assert [g[0] for g in gates] == sorted(f"{DAG_ID}--{r['dag_run_id']}" for r in runs)
        assert all(g[0].startswith(f"{DAG_ID}--") for g in gates)
        assert [(g[1], g[2], g[3]) for g in gates] == [(1, "published", 0)] * 3
