"""Build step: the lake into a new DuckDB warehouse file, checked, then swapped in atomically."""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines import __version__
from pipelines.config import Settings
from pipelines.contracts import Contract, all_contracts, contract, resource_dir
from pipelines.load.lake import Lake
from pipelines.load.warehouse import Warehouse
from pipelines.models.graph import Model, load_models
from pipelines.quality.checks import CheckResult, Measurement, QualityGateFailed, measure_tables
from pipelines.stage.anchors import term_key
from pipelines.stage.brand import default_brand_terms
from pipelines.stage.domains import DomainResolver

log = logging.getLogger(__name__)


class ContractViolation(RuntimeError):
    """A model's output does not match its contract in schemas/."""


class Superseded(RuntimeError):
    """A concurrent build that read the lake later has published already; this one's tables are older."""


@dataclass(frozen=True)
class BuildReport:
    warehouse: Path
    tables: dict[str, int]
    checks: list[CheckResult]


# Build inputs that the models read; kept as tables so that the stage and build steps may run in separate
# processes (Airflow tasks), dropped before the publish.
_BUILD_INPUTS = ("build_settings", "generic_anchors", "configured_anchor_terms", "label_brand_terms", "build_stage")


def build(
    settings: Settings, *, key: str | None = None, on_step: Callable[[str], None] | None = None,
) -> BuildReport:
    """Stage, build, validate and publish in one process: the CLI's `linkindex build`."""
    key = key or f"cli-{os.getpid()}"
    warehouse = Warehouse(settings.home)
    candidate = stage(settings, key, on_step=on_step)
    try:
        build_models(settings, candidate, on_step=on_step)
        if on_step:
            on_step("validate")
        results = validate(settings, candidate, run_id=f"{key}-{datetime.now(UTC):%Y%m%dT%H%M%S}")
        tables = publish(settings, candidate)
        if tables is None:
            raise Superseded(f"a build staged after this one is already live in {warehouse.path}")
    finally:
        warehouse.discard(candidate)
    return BuildReport(warehouse=warehouse.path, tables=tables, checks=results)


def stage(settings: Settings, key: str, *, on_step: Callable[[str], None] | None = None) -> Path:
    """A fresh candidate warehouse for build `key`: the lake's tables, build inputs and the int_* models."""
    warehouse = Warehouse(settings.home)
    candidate = warehouse.start_candidate(key)
    models = load_models()
    with warehouse.open_candidate(candidate, settings.build_memory_limit) as con:
        # When the lake was read: a publish never replaces tables staged later than its own.
        con.execute("CREATE TABLE build_stage AS SELECT ? AS staged_at", [datetime.now(UTC).replace(tzinfo=None)])
        load_inputs(con, settings, Lake(settings.lake))
        run_models(con, [m for m in models if m.name in _staging_models(models)], on_step=on_step)
    return candidate


def build_models(settings: Settings, candidate: Path, *, on_step: Callable[[str], None] | None = None) -> None:
    """The curated models over a staged candidate, each checked against its contract."""
    models = load_models()
    staged = _staging_models(models)
    with Warehouse(settings.home).open_candidate(candidate, settings.build_memory_limit) as con:
        for model in models:
            if model.name not in staged:
                con.execute(f"DROP TABLE IF EXISTS {model.name}")  # a retried build step starts again
        run_models(con, [m for m in models if m.name not in staged], on_step=on_step)


def validate(settings: Settings, candidate: Path, *, run_id: str) -> list[CheckResult]:
    """The publish gate: measure every contract check, validate the numbers with Great Expectations.

    The results go to the lake (so a blocked run's results outlive its candidate) and into the candidate's
    quality_results; GX's data docs are refreshed in <home>/quality. Raises QualityGateFailed when a `fail`
    check fails; otherwise drops the intermediate tables, leaving the candidate ready to publish.
    """
    from pipelines.quality.expectations import validate_measurements

    warehouse = Warehouse(settings.home)
    contracts = all_contracts()
    previous = _published_counts(warehouse)
    with warehouse.open_candidate(candidate, settings.build_memory_limit) as con:
        present = [c for c in contracts.values() if _in_warehouse(con, c.name)]
        measurements = measure_tables(con, present, settings.quality, previous)
        measurements += _row_measurements(con)
        results = validate_measurements(measurements, settings.home / "quality", run_id)
        blocked = any(r.severity == "fail" and not r.passed for r in results)
        table = _results_table(results, run_id, blocked)
        Lake(settings.lake).write_part(contract("quality_results"), table, run_id)
        con.execute("DELETE FROM quality_results WHERE run_id = ?", [run_id])
        con.register("this_run", table)
        con.execute("INSERT INTO quality_results SELECT * FROM this_run")
        con.unregister("this_run")
        if blocked:
            raise QualityGateFailed([r for r in results if r.severity == "fail" and not r.passed])
        con.execute("DROP TABLE IF EXISTS build_info")
        _record_build_info(con, settings, Lake(settings.lake))
        for model in load_models():
            if model.intermediate:
                con.execute(f"DROP TABLE IF EXISTS {model.name}")
        for name in _BUILD_INPUTS:
            con.execute(f"DROP TABLE IF EXISTS {name}")
    return results


def publish(settings: Settings, candidate: Path) -> dict[str, int] | None:
    """Swap a validated candidate in as the live warehouse; returns its tables' row counts, or None when a
    build staged later is already live (the candidate is then left for the caller to discard)."""
    with duckdb.connect(str(candidate), read_only=True) as con:
        tables = _row_counts(con)
    missing = {"build_info", "quality_results"} - set(tables)
    if missing:
        raise RuntimeError(f"{candidate.name} was not validated (no {sorted(missing)}): run the validate step")
    return tables if Warehouse(settings.home).publish(candidate) else None


def _staging_models(models: list[Model]) -> set[str]:
    """The int_* models and everything they read: the stage step's share of the build."""
    by_name = {m.name: m for m in models}
    staged: set[str] = set()
    todo = [m.name for m in models if m.intermediate]
    while todo:
        name = todo.pop()
        if name in by_name and name not in staged:
            staged.add(name)
            todo.extend(by_name[name].depends_on)
    return staged


def _row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        name: con.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]  # type: ignore[index]
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name"
        ).fetchall()
    }


def _published_counts(warehouse: Warehouse) -> dict[str, int] | None:
    """Row counts of the live warehouse, the day-over-day baseline; None before the first publish."""
    if not warehouse.path.exists():
        return None
    with warehouse.connect() as con:
        return _row_counts(con)


def _row_measurements(con: duckdb.DuckDBPyConnection) -> list[Measurement]:
    """Row-level rules per (table, check), judged on this build: the failing rows that are in the lake.

    Ingest quarantines the rows a rule finds (reason breaks_rule), so a file's failures count only when it
    has no such quarantine rows: a part staged before failing rows were quarantined, whose rows this build
    would publish. row_validations stays the audit of what was checked and found.
    """
    rows = con.execute(
        "WITH screened AS (SELECT DISTINCT file_id FROM quarantine WHERE reason = 'breaks_rule') "
        "SELECT v.table_name, v.check_name, ANY_VALUE(v.severity), SUM(v.rows_checked), "
        "COALESCE(SUM(v.failing_rows) FILTER (s.file_id IS NOT NULL), 0), "
        "COALESCE(SUM(v.failing_rows) FILTER (s.file_id IS NULL), 0), "
        "STRING_AGG(v.file_name, ', ' ORDER BY v.file_name) FILTER (s.file_id IS NULL AND v.failing_rows > 0) "
        "FROM row_validations AS v LEFT JOIN screened AS s USING (file_id) "
        "GROUP BY v.table_name, v.check_name ORDER BY v.table_name, v.check_name"
    ).fetchall()
    return [
        Measurement(table, check, severity, "row", float(kept), 0, 0,
                    f"{checked} staged rows checked"
                    + (f"; {quarantined} failing rows quarantined" if quarantined else "")
                    + (f"; failing in the lake: {files[:400]}" if files else ""))
        for table, check, severity, checked, quarantined, kept, files in rows
    ]


def _results_table(results: list[CheckResult], run_id: str, blocked: bool) -> pa.Table:
    now = datetime.now(UTC).replace(tzinfo=None)
    return pa.Table.from_pylist([{
        "run_id": run_id, "validated_at": now, "level": r.level, "table_name": r.table, "check_name": r.check,
        "severity": r.severity, "passed": r.passed, "observed_value": r.observed_value,
        "min_value": r.min_value, "max_value": r.max_value, "failing_rows": r.failing_rows,
        "detail": r.detail, "gate": "blocked" if blocked else "published",
    } for r in results], schema=contract("quality_results").arrow_schema())


def load_inputs(con: duckdb.DuckDBPyConnection, settings: Settings, lake: Lake | None) -> None:
    """Lake tables (empty without a lake), build settings and seeds: everything the models read."""
    _load_lake(con, lake, all_contracts())
    _load_settings(con, settings)


def run_models(
    con: duckdb.DuckDBPyConnection, models: list[Model] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> None:
    """Create every model's table in dependency order, each checked against its contract."""
    contracts = all_contracts()
    models = models or load_models()
    _load_label_brand_terms(con, models)
    for model in models:
        if on_step:
            on_step(model.name)
        _run_model(con, model, contracts.get(model.name))


def _in_warehouse(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def _load_lake(con: duckdb.DuckDBPyConnection, lake: Lake | None, contracts: dict[str, Contract]) -> None:
    """Materialise each lake table with its contract's types, or empty when nothing was ingested yet."""
    for name, table in contracts.items():
        if table.layer != "lake":
            continue
        columns = ", ".join(f'CAST("{c.name}" AS {c.duckdb_type}) AS "{c.name}"' for c in table.columns)
        files = lake.files(name) if lake else []
        if files:
            hive_types = {k: table.column(k).duckdb_type for k in table.partition_by}
            con.execute(
                f"CREATE TABLE {name} AS SELECT {columns} FROM read_parquet($files, "
                f"hive_partitioning = {bool(table.partition_by)}, union_by_name = true"
                + (", hive_types = $hive_types" if hive_types else "")
                + ")",
                {"files": [str(f) for f in files], **({"hive_types": hive_types} if hive_types else {})},
            )
        else:
            ddl = ", ".join(f'"{c.name}" {c.duckdb_type}' for c in table.columns)
            con.execute(f"CREATE TABLE {name} ({ddl})")


def _load_settings(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    model_settings = asdict(settings.models)
    cols = ", ".join(f"? AS {k}" for k in model_settings)
    con.execute(f"CREATE TABLE build_settings AS SELECT {cols}", list(model_settings.values()))
    seeds = resource_dir("sql") / "seeds"
    with (seeds / "generic_anchors.csv").open(encoding="utf-8", newline="") as fh:
        generic = [(term_key(r["anchor_key"]), r["language"]) for r in csv.DictReader(fh)]
    con.execute("CREATE TABLE generic_anchors (anchor_key VARCHAR, language VARCHAR)")
    con.executemany("INSERT INTO generic_anchors VALUES (?, ?)", generic)
    terms = [
        (domain, kind, term_key(term))
        for kind, by_domain in (("brand", settings.brand_terms), ("keyword", settings.keywords))
        for domain, values in by_domain.items()
        for term in values
    ]
    con.execute(
        "CREATE TABLE configured_anchor_terms (target_domain VARCHAR, kind VARCHAR, term VARCHAR)"
    )
    if terms:
        con.executemany("INSERT INTO configured_anchor_terms VALUES (?, ?, ?)", terms)


def _load_label_brand_terms(con: duckdb.DuckDBPyConnection, models: list[Model]) -> None:
    """label_brand_terms: each target domain's default brand terms, made from its label by the Python
    normaliser that configured terms go through too. Unlike the other build inputs it derives from
    link_observations, so it is made when the models that read it are about to run, from the rows they see."""
    if not any("label_brand_terms" in m.depends_on for m in models):
        return
    labels = con.execute("SELECT DISTINCT target_domain, target_domain_label FROM link_observations").fetchall()
    terms = [(domain, term) for domain, label in labels for term in default_brand_terms(label)]
    given = pa.table({"target_domain": pa.array([d for d, _ in terms], pa.string()),
                      "term": pa.array([t for _, t in terms], pa.string())})
    con.register("given_label_brand_terms", given)
    con.execute("CREATE OR REPLACE TABLE label_brand_terms AS SELECT * FROM given_label_brand_terms")
    con.unregister("given_label_brand_terms")


def _run_model(con: duckdb.DuckDBPyConnection, model: Model, table: Contract | None) -> None:
    if table is None:
        raise ContractViolation(f"model {model.name} has no contract in schemas/{model.name}.yaml")
    layer = "intermediate" if model.intermediate else "curated"
    if table.layer != layer:
        raise ContractViolation(f"schemas/{model.name}.yaml: model {model.path.name} needs layer: {layer}")
    if model.grain != table.grain:
        raise ContractViolation(
            f"{model.path.name} says its grain is {model.grain}, schemas/{model.name}.yaml says {table.grain}")
    con.execute(f"CREATE TABLE {model.name} AS {model.sql}")
    actual = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position", [model.name]
    ).fetchall()
    expected = [(c.name, c.duckdb_type) for c in table.columns]
    if actual != expected:
        raise ContractViolation(
            f"{model.path.name} does not match schemas/{model.name}.yaml:\n"
            f"  model gives:    {actual}\n  contract says: {expected}"
        )


def _record_build_info(con: duckdb.DuckDBPyConnection, settings: Settings, lake: Lake) -> None:
    resolver = DomainResolver(include_private=settings.include_private_suffixes)
    lake_files = sum(len(lake.files(name)) for name in all_contracts())
    con.execute(
        "CREATE TABLE build_info AS SELECT ? AS linkindex_version, ? AS duckdb_version, ? AS psl_version, "
        "? AS psl_private_section, ? AS settings, ? AS lake_files, "
        "(SELECT staged_at FROM build_stage) AS staged_at",
        [__version__, duckdb.__version__, resolver.psl_version, settings.include_private_suffixes,
         json.dumps({**asdict(settings.models), "anchor_max_chars": settings.anchor_max_chars,
                     "brand_terms": settings.brand_terms, "keywords": settings.keywords}, sort_keys=True),
         lake_files],
    )
