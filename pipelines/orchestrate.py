"""The steps a scheduler runs, as plain functions of plain values: Airflow's tasks call these, nothing more.

Each step is idempotent. Ingest of a landing day replaces that day's files only; stage, build and validate
work on the run's own candidate file (rerunning one starts it again); publish renames a validated candidate
over the live warehouse under the warehouse lock, and skips a candidate staged before the live warehouse
was (a slower concurrent run must never put older tables back).
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pipelines.config import Settings, load_settings
from pipelines.ingest.runner import Outcome, ingest, target_domain
from pipelines.load.warehouse import Warehouse
from pipelines.models import build as steps
from pipelines.quality.checks import CheckResult, QualityGateFailed, data_docs_index
from pipelines.stage.domains import DomainResolver

log = logging.getLogger(__name__)

LANDING_ENV = "LINKINDEX_LANDING"
# Airflow pool of the stage/build/validate/publish tasks. One slot: builds are memory-heavy and publishes
# must not overlap; the warehouse file lock backs it up for runs outside Airflow (the CLI).
WAREHOUSE_POOL = "linkindex_warehouse"
WAREHOUSE_POOL_SLOTS = 1
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EARLIEST_DAY = date(1995, 1, 1)


class ParamError(ValueError):
    """A run parameter that is refused before anything touches the filesystem or SQL."""


@dataclass(frozen=True)
class ManualRequest:
    landing_path: Path
    target: str
    observed_on: date


def landing_root(settings: Settings) -> Path:
    """$LINKINDEX_LANDING, else <home>/landing: the only folder runs read landed files from."""
    return Path(os.environ.get(LANDING_ENV) or settings.home / "landing").expanduser().resolve()


def check_manual_params(
    landing_path: str, target: str, observed_on: str, *, root: Path, today: date | None = None,
) -> ManualRequest:
    """Validate the manual ingest form; every refusal says which field and why."""
    today = today or datetime.now(UTC).date()
    if not isinstance(landing_path, str) or not landing_path.strip() or "\x00" in landing_path:
        raise ParamError("landing_path: give a file or folder inside the landing root")
    real_root = root.resolve()
    candidate = Path(landing_path.strip())
    resolved = (candidate if candidate.is_absolute() else real_root / candidate).resolve()
    if resolved != real_root and real_root not in resolved.parents:
        raise ParamError(f"landing_path: {landing_path!r} is outside the landing root {real_root}")
    if not resolved.exists():
        raise ParamError(f"landing_path: {landing_path!r} does not exist under the landing root {real_root}")
    domain = _check_domain(target)
    if not isinstance(observed_on, str) or not _DAY.match(observed_on.strip()):
        raise ParamError(f"observed_on: {observed_on!r} is not a date in the form YYYY-MM-DD")
    try:
        day = date.fromisoformat(observed_on.strip())
    except ValueError as exc:
        raise ParamError(f"observed_on: {observed_on!r} is not a calendar date ({exc})") from exc
    if day > today:
        raise ParamError(f"observed_on: {day} is in the future (today is {today} UTC)")
    if day < EARLIEST_DAY:
        raise ParamError(f"observed_on: {day} is before {EARLIEST_DAY}, earlier than any link index")
    return ManualRequest(resolved, domain, day)


def _check_domain(value: str) -> str:
    """A registrable domain, host name or IDN, as its lower-case ASCII registrable domain."""
    if not isinstance(value, str) or not value.strip() or len(value) > 253:
        raise ParamError("target_domain: give a domain such as example.com")
    raw = value.strip()
    if any(ch in raw for ch in "/:@?#\\ \t") or raw.startswith("."):
        raise ParamError(f"target_domain: {value!r} is not a domain name (no scheme, path, port or spaces)")
    domain = target_domain(raw, DomainResolver())
    if domain is None or not _DOMAIN.match(domain):
        raise ParamError(f"target_domain: {value!r} is not a registrable domain under a public suffix")
    return domain


def ingest_landing_day(day: date, *, home: str | None = None) -> dict[str, Any]:
    """Ingest `<landing root>/<YYYY-MM-DD>/` as landing batch `day`: the nightly run's own partition."""
    settings = load_settings(home)
    folder = landing_root(settings) / day.isoformat()
    if not folder.is_dir():
        log.warning("no landing folder %s: nothing landed for %s", folder, day)
        outcomes: list[Outcome] = []
        # The batch still ran: files an earlier run of this day ingested are withdrawn.
        ingest([], settings, observed_on=day, batch=day.isoformat())
    else:
        outcomes = ingest([folder], settings, observed_on=day, batch=day.isoformat())
    return _ingest_summary(folder, outcomes)


def ingest_manual(request: ManualRequest, *, home: str | None = None) -> dict[str, Any]:
    settings = load_settings(home)
    outcomes = ingest([request.landing_path], settings, target=request.target, observed_on=request.observed_on)
    return _ingest_summary(request.landing_path, outcomes)


def _ingest_summary(where: Path, outcomes: list[Outcome]) -> dict[str, Any]:
    failed = [o for o in outcomes if o.status == "failed"]
    for o in failed:
        log.error("file failed: %s", o.error)
    summary = {
        "landing": str(where), "files": len(outcomes), "failed": len(failed),
        "rows_read": sum(o.rows_read for o in outcomes), "rows_kept": sum(o.rows_kept for o in outcomes),
        "rows_quarantined": sum(o.rows_quarantined for o in outcomes),
    }
    log.info("ingest: %s", summary)
    return summary


def build_key(dag_id: str, run_id: str) -> str:
    return f"{dag_id}--{run_id}"


def stage(key: str, *, home: str | None = None) -> str:
    return str(steps.stage(load_settings(home), key))


def build(candidate: str, *, home: str | None = None) -> None:
    steps.build_models(load_settings(home), Path(candidate))


def validate(candidate: str, run_id: str, *, home: str | None = None) -> dict[str, Any]:
    """The publish gate. A blocked candidate is discarded (its results stay in the lake and data docs)."""
    settings = load_settings(home)
    try:
        results = steps.validate(settings, Path(candidate), run_id=run_id)
    except QualityGateFailed:
        Warehouse(settings.home).discard(Path(candidate))
        raise
    warnings = [_describe(r) for r in results if not r.passed]
    for line in warnings:
        log.warning("quality warning: %s", line)
    if warnings:
        record_alert(settings, {"kind": "quality_warning", "run_id": run_id, "warnings": warnings})
    return {"checks": len(results), "warnings": warnings, "data_docs": str(data_docs_index(settings.home))}


def publish(candidate: str, *, home: str | None = None) -> dict[str, Any]:
    """Publish a validated candidate, unless a run staged later has published already."""
    settings = load_settings(home)
    path = Path(candidate)
    tables = steps.publish(settings, path)
    if tables is None:
        log.warning("a build staged after %s is already live: not published", path.name)
        Warehouse(settings.home).discard(path)
        return {"published": False, "reason": "superseded"}
    return {"published": True, "tables": tables}


def _describe(r: CheckResult) -> str:
    return f"{r.table}.{r.check}: observed {r.observed_value}, expected [{r.min_value}, {r.max_value}]"


def record_alert(settings: Settings, alert: dict[str, Any]) -> None:
    """Append an alert to <home>/alerts.jsonl, the file a notifier or a person tails."""
    settings.home.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"at": datetime.now(UTC).isoformat(), **alert}, default=str, sort_keys=True)
    with (settings.home / "alerts.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def on_failure(context: dict[str, Any]) -> None:
    """Airflow failure callback: name the DAG, task, run and error in the alert log."""
    ti = context.get("task_instance") or context.get("ti")
    record_alert(load_settings(None), {
        "kind": "task_failed",
        "dag_id": getattr(ti, "dag_id", None), "task_id": getattr(ti, "task_id", None),
        "run_id": getattr(ti, "run_id", None), "try_number": getattr(ti, "try_number", None),
        "error": repr(context.get("exception")),
    })
