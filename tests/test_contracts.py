"""Each table's grain is stated once, in its contract: model headers must agree, and the gate checks it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.config import Settings
from pipelines.contracts import LAYERS, all_contracts, contract, load_contracts
from pipelines.models.build import ContractViolation, load_inputs, run_models
from pipelines.models.graph import load_models, parse_model
from pipelines.quality.checks import measure_tables
from pipelines.quality.expectations import validate_measurements

SCHEMAS = Path(__file__).parents[1] / "schemas"
MODELS = load_models()


@pytest.mark.parametrize("model", MODELS, ids=[m.name for m in MODELS])
def test_model_header_states_its_contracts_grain(model: object) -> None:
    from pipelines.models.graph import Model

    assert isinstance(model, Model)
    table = all_contracts().get(model.name)
    assert table is not None, f"sql/{model.name}.sql has no schemas/{model.name}.yaml"
    assert table.layer == ("intermediate" if model.intermediate else "curated"), model.name
    assert model.grain == table.grain, f"sql/{model.name}.sql header {model.grain}, contract {table.grain}"


def test_every_built_table_has_a_model_and_every_layer_is_known() -> None:
    models = {m.name for m in MODELS}
    for name, table in all_contracts().items():
        assert table.layer in LAYERS, name
        assert (table.layer != "lake") == (name in models), f"{name}: layer {table.layer}"


def _empty_warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_inputs(con, Settings(home=Path("/nonexistent")), lake=None)
    return con


def test_a_model_whose_header_grain_disagrees_is_refused(tmp_path: Path) -> None:
    sql = (SCHEMAS.parent / "sql" / "source_coverage.sql").read_text(encoding="utf-8")
    path = tmp_path / "source_coverage.sql"
    path.write_text(sql.replace("one row per (target_domain, source_system)", "one row per (target_domain)", 1),
                    encoding="utf-8")
    wrong = parse_model(path)
    con = _empty_warehouse()
    run_models(con, [m for m in MODELS if m.name in {"int_link_observations"}])
    with pytest.raises(ContractViolation, match=r"grain is \('target_domain',\).*'source_system'"):
        run_models(con, [wrong])


def test_a_grain_header_without_its_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "internal_links.sql"
    sql = (SCHEMAS.parent / "sql" / "internal_links.sql").read_text(encoding="utf-8")
    path.write_text(sql.replace("one row per (site):", "one row per domain (the site):", 1), encoding="utf-8")
    with pytest.raises(ValueError, match="one row per"):
        parse_model(path)


def test_an_intermediate_model_is_checked_against_its_contract() -> None:
    """int_* models are held to their contracts like curated ones: a column too many is refused."""
    con = _empty_warehouse()
    events = next(m for m in MODELS if m.name == "int_crawl_link_events")
    deps = [m for m in MODELS if m.name in {"int_link_observations", "int_backlink_observations"}]
    run_models(con, deps)
    widened = type(events)(events.name, events.grain, events.depends_on,
                           f"SELECT *, 1 AS stray FROM ({events.sql})", events.path)
    with pytest.raises(ContractViolation, match="stray"):
        run_models(con, [widened])


def test_intermediate_contracts_take_the_columns_they_select_from_their_source() -> None:
    lake, staged, backlink = (contract(n) for n in
                              ("link_observations", "int_link_observations", "int_backlink_observations"))
    assert [c.name for c in staged.columns] == [c.name for c in lake.columns] + [
        "dofollow", "live_in_export", "obs_rank"]
    assert backlink.columns == staged.columns
    source_url = staged.column("source_url")
    assert (source_url.type, source_url.nullable, source_url.produced_by) == ("string", False, None)


def _write(folder: Path, name: str, body: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(
        f"name: {name}\nlayer: lake\ndescription: d\ngrain: [k]\n"
        "columns:\n  - {name: k, type: string, nullable: false, description: key}\n" + body,
        encoding="utf-8")


@pytest.mark.parametrize(("checks", "message"), [
    ("  - {name: grain_unique, severity: fail, kind: unique}\n", "kind 'unique'"),
    ("  - {name: no_query, severity: fail}\n", "no 'sql' query"),
    ("  - {name: no_metric, severity: warn, kind: metric, max: 1}\n", "no 'metric' query"),
])
def test_a_check_the_gate_would_not_read_is_refused(tmp_path: Path, checks: str, message: str) -> None:
    _write(tmp_path / "schemas", "t", "checks:\n" + checks)
    with pytest.raises(ValueError, match=message):
        load_contracts(tmp_path / "schemas")


def test_duplicate_grain_fails_the_gate_in_every_table(tmp_path: Path) -> None:
    """grain_unique is implied by every contract, lake, intermediate and curated alike: two rows with the
    same grain values block the publish."""
    con = duckdb.connect()
    tables = list(all_contracts().values())
    for table in tables:
        con.execute(f"CREATE TABLE {table.name} ({', '.join(f'{c.name} {c.duckdb_type}' for c in table.columns)})")
        con.execute(f"INSERT INTO {table.name} DEFAULT VALUES")
        con.execute(f"INSERT INTO {table.name} DEFAULT VALUES")
    # A check may join the build's settings (backlinks' internal-link check does).
    con.execute("CREATE TABLE build_settings AS SELECT 'domain' AS internal_scope")
    results = validate_measurements(measure_tables(con, tables, {}), tmp_path / "quality", "duplicates")
    grain = {r.table: r for r in results if r.check == "grain_unique"}
    assert set(grain) == {t.name for t in tables}
    assert all(r.severity == "fail" and not r.passed and r.failing_rows == 1 for r in grain.values()), grain
