"""What the DAGs in dags/ share: policy (owner, retries, callback), the warehouse pool, the Assets, and the
stage → build → validate → publish tasks. The work itself is in pipelines.orchestrate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import Asset, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from pipelines import orchestrate
from pipelines.contracts import all_contracts
from pipelines.orchestrate import WAREHOUSE_POOL
from pipelines.quality.checks import QualityGateFailed

OWNER = "linkindex"

DEFAULT_ARGS: dict[str, Any] = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "on_failure_callback": orchestrate.on_failure,
}

# Every table a publish replaces, so that downstream DAGs can be scheduled on them.
CURATED_ASSETS = [
    Asset(name=f"linkindex.{name}", uri=f"linkindex://warehouse/{name}", group="linkindex")
    for name, contract in sorted(all_contracts().items()) if contract.layer == "curated"
]


def warehouse_tasks(ingested: Any) -> Any:
    """stage → build → validate → publish after `ingested`, on this run's own candidate file."""

    @task(pool=WAREHOUSE_POOL)
    def stage(_ingest_summary: dict[str, Any]) -> str:
        ctx = get_current_context()
        return orchestrate.stage(orchestrate.build_key(ctx["dag"].dag_id, ctx["run_id"]))

    @task(pool=WAREHOUSE_POOL)
    def build(candidate: str) -> str:
        orchestrate.build(candidate)
        return candidate

    @task(pool=WAREHOUSE_POOL)
    def validate(candidate: str) -> str:
        ctx = get_current_context()
        try:
            orchestrate.validate(candidate, orchestrate.build_key(ctx["dag"].dag_id, ctx["run_id"]))
        except QualityGateFailed as exc:
            # The data decides this, so a retry would decide the same: fail now, keep yesterday's tables.
            raise AirflowFailException(str(exc)) from exc
        return candidate

    @task(pool=WAREHOUSE_POOL, outlets=CURATED_ASSETS)
    def publish(candidate: str) -> dict[str, Any]:
        return orchestrate.publish(candidate)

    # TaskFlow calls return XComArgs that Airflow resolves to the values at run time.
    staged: Any = stage(ingested)
    built: Any = build(staged)
    checked: Any = validate(built)
    return publish(checked)
