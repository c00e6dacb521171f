"""linkindex_ingest_manual: ingest one landed file or folder for a target domain and date, then rebuild,
validate and publish. Every form field is checked before anything reads a file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Param, get_current_context, task

from pipelines import orchestrate
from pipelines.airflow_dags import DEFAULT_ARGS, warehouse_tasks
from pipelines.config import load_settings

with DAG(
    dag_id="linkindex_ingest_manual",
    description="Ingest a landed export for one target domain and date, then publish",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["linkindex", "manual"],
    doc_md=__doc__,
    params={
        "landing_path": Param(
            "", type="string", minLength=1, maxLength=1024, title="Landing path",
            description="File or folder inside the landing root (relative to it, or absolute).",
        ),
        "target_domain": Param(
            "", type="string", minLength=3, maxLength=253, title="Target domain",
            description="The domain the export was taken for, e.g. example.com.",
            pattern=r"^[^\s/:@?#\\]+$",
        ),
        "observed_on": Param(
            "", type="string", format="date", title="Observed on",
            description="The day the export shows (YYYY-MM-DD), not in the future.",
        ),
    },
) as dag:

    @task(retries=0)
    def check_params() -> dict[str, str]:
        params = get_current_context()["params"]
        request = orchestrate.check_manual_params(
            params["landing_path"], params["target_domain"], params["observed_on"],
            root=orchestrate.landing_root(load_settings(None)),
        )
        return {"landing_path": str(request.landing_path), "target_domain": request.target,
                "observed_on": request.observed_on.isoformat()}

    @task
    def ingest(request: dict[str, str]) -> dict[str, Any]:
        # Checked again here: a retried task must not trust an XCom more than the form.
        checked = orchestrate.check_manual_params(
            request["landing_path"], request["target_domain"], request["observed_on"],
            root=orchestrate.landing_root(load_settings(None)),
        )
        return orchestrate.ingest_manual(checked)

    warehouse_tasks(ingest(check_params()))
