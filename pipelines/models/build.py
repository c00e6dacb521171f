"""Build step: the lake into a new DuckDB warehouse file, checked, then swapped in atomically."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from pipelines import __version__
from pipelines.config import Settings
from pipelines.contracts import Contract, all_contracts, resource_dir
from pipelines.load.lake import Lake
from pipelines.load.warehouse import Warehouse
from pipelines.models.graph import Model, load_models
from pipelines.quality.checks import CheckResult, QualityGateFailed, run_checks
from pipelines.stage.anchors import anchor_key, normalize_anchor
from pipelines.stage.domains import DomainResolver

log = logging.getLogger(__name__)


class ContractViolation(RuntimeError):
    """A model's output does not match its contract in schemas/."""


@dataclass(frozen=True)
class BuildReport:
    warehouse: Path
    tables: dict[str, int]
    checks: list[CheckResult]


def build(settings: Settings, *, on_step: Callable[[str], None] | None = None) -> BuildReport:
    """Build every curated table from the lake and publish them together, or leave the old ones."""
    warehouse = Warehouse(settings.home)
    lake = Lake(settings.lake)
    contracts = all_contracts()
    models = load_models()
    step = on_step or (lambda _name: None)
    with warehouse.building(settings.build_memory_limit) as con:
        load_inputs(con, settings, lake)
        run_models(con, models, on_step=step)
        results = run_checks(con, [c for c in contracts.values() if _in_warehouse(con, c.name)])
        _record_quality(con, results)
        _record_build_info(con, settings, lake)
        for model in models:
            if model.intermediate:
                con.execute(f"DROP TABLE {model.name}")
        failed = [r for r in results if r.severity == "fail" and not r.passed]
        if failed:
            raise QualityGateFailed(failed)
        tables = {
            name: con.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]  # type: ignore[index]
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name"
            ).fetchall()
        }
    return BuildReport(warehouse=warehouse.path, tables=tables, checks=results)


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
    for model in models or load_models():
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
    con.execute(f"CREATE TEMP TABLE build_settings AS SELECT {cols}", list(model_settings.values()))
    seeds = resource_dir("sql") / "seeds"
    with (seeds / "generic_anchors.csv").open(encoding="utf-8", newline="") as fh:
        generic = [(r["anchor_key"], r["language"]) for r in csv.DictReader(fh)]
    con.execute("CREATE TEMP TABLE generic_anchors (anchor_key VARCHAR, language VARCHAR)")
    con.executemany("INSERT INTO generic_anchors VALUES (?, ?)", generic)
    terms = [
        (domain, kind, anchor_key(normalize_anchor(term)))
        for kind, by_domain in (("brand", settings.brand_terms), ("keyword", settings.keywords))
        for domain, values in by_domain.items()
        for term in values
    ]
    con.execute(
        "CREATE TEMP TABLE configured_anchor_terms (target_domain VARCHAR, kind VARCHAR, term VARCHAR)"
    )
    if terms:
        con.executemany("INSERT INTO configured_anchor_terms VALUES (?, ?, ?)", terms)


def _run_model(con: duckdb.DuckDBPyConnection, model: Model, table: Contract | None) -> None:
    con.execute(f"CREATE TABLE {model.name} AS {model.sql}")
    if table is None:
        if not model.intermediate:
            raise ContractViolation(f"model {model.name} has no contract in schemas/{model.name}.yaml")
        return
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


def _record_quality(con: duckdb.DuckDBPyConnection, results: list[CheckResult]) -> None:
    con.execute(
        "CREATE TABLE quality_results (table_name VARCHAR, check_name VARCHAR, severity VARCHAR, "
        "passed BOOLEAN, failing_rows BIGINT, detail VARCHAR)"
    )
    con.executemany(
        "INSERT INTO quality_results VALUES (?, ?, ?, ?, ?, ?)",
        [(r.table, r.check, r.severity, r.passed, r.failing_rows, r.detail) for r in results],
    )


def _record_build_info(con: duckdb.DuckDBPyConnection, settings: Settings, lake: Lake) -> None:
    resolver = DomainResolver(include_private=settings.include_private_suffixes)
    lake_files = sum(len(lake.files(name)) for name in all_contracts())
    con.execute(
        "CREATE TABLE build_info AS SELECT ? AS linkindex_version, ? AS duckdb_version, ? AS psl_version, "
        "? AS psl_private_section, ? AS settings, ? AS lake_files",
        [__version__, duckdb.__version__, resolver.psl_version, settings.include_private_suffixes,
         json.dumps({**asdict(settings.models), "anchor_max_chars": settings.anchor_max_chars,
                     "brand_terms": settings.brand_terms, "keywords": settings.keywords}, sort_keys=True),
         lake_files],
    )
