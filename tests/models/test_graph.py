"""A model's dependencies are the tables its SQL reads, found by sqlglot, and exactly what DuckDB needs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.config import Settings
from pipelines.models.build import load_inputs, run_models
from pipelines.models.graph import Model, load_models, parse_model, tables_read

MODELS = load_models()


@pytest.mark.parametrize(("sql", "tables"), [
    # A CTE named like a table shadows it: the model reads what the CTE reads.
    ("WITH backlinks AS (SELECT * FROM link_observations) SELECT * FROM backlinks", ("link_observations",)),
    # Inside a non-recursive CTE's own body its name is still the table, as DuckDB binds it.
    ("WITH anchors AS (SELECT * FROM anchors WHERE backlinks > 1) SELECT * FROM anchors", ("anchors",)),
    # Tables read only in a subquery: EXISTS, IN, a scalar subquery, a derived table, a LATERAL join.
    ("SELECT * FROM backlinks AS b WHERE EXISTS (SELECT 1 FROM page_observations AS p WHERE p.url = b.source_url)"
     " AND b.target_domain IN (SELECT target_domain FROM anchor_terms)",
     ("anchor_terms", "backlinks", "page_observations")),
    ("SELECT (SELECT page_dropped_days FROM build_settings) AS d, n FROM (SELECT COUNT(*) AS n FROM quarantine)",
     ("build_settings", "quarantine")),
    ("SELECT * FROM backlinks AS b, LATERAL (SELECT * FROM int_link_events AS e WHERE e.source_url = b.source_url)",
     ("backlinks", "int_link_events")),
    # A CTE of a nested query shadows an outer CTE of the same name and reads it; neither is a table.
    ("WITH c AS (SELECT * FROM backlinks) SELECT * FROM (WITH c AS (SELECT * FROM c) SELECT * FROM c) "
     "JOIN main.anchors ON TRUE", ("anchors", "backlinks")),
    # Set operations, DuckDB's FROM-first form, table functions and unnest, a recursive CTE.
    ("FROM backlinks SELECT source_url UNION SELECT url FROM page_observations", ("backlinks", "page_observations")),
    ("SELECT * FROM range(3) AS r(i) JOIN UNNEST([1, 2]) AS u(i) USING (i)", ()),
    ("WITH RECURSIVE n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT * FROM n", ()),
])
def test_tables_read_are_the_tables_not_the_ctes(sql: str, tables: tuple[str, ...]) -> None:
    assert tables_read(sql) == tables


def test_a_shadowing_cte_reads_the_table_in_duckdb_too() -> None:
    """The second case above is DuckDB's reading, not sqlglot's guess."""
    con = duckdb.connect()
    con.execute("CREATE TABLE anchors AS SELECT 2 AS backlinks")
    assert con.execute("WITH anchors AS (SELECT backlinks + 1 AS backlinks FROM anchors) "
                       "SELECT * FROM anchors").fetchall() == [(3,)]


@pytest.fixture(scope="module")
def empty_warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_inputs(con, Settings(home=Path("/nonexistent")), lake=None)
    run_models(con, MODELS)
    return con


def _only(warehouse: duckdb.DuckDBPyConnection, tables: set[str]) -> duckdb.DuckDBPyConnection:
    """A database holding just `tables`, empty, with the warehouse's columns."""
    con = duckdb.connect()
    for (ddl,) in warehouse.execute(
        "SELECT sql FROM duckdb_tables() WHERE table_name IN (SELECT UNNEST(?))", [sorted(tables)]
    ).fetchall():
        con.execute(ddl)
    return con


@pytest.mark.parametrize("model", MODELS, ids=[m.name for m in MODELS])
def test_derived_dependencies_are_exactly_what_duckdb_binds(
    model: Model, empty_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    """With only its dependencies present the model binds; without any one of them it does not."""
    assert model.depends_on, model.name
    _only(empty_warehouse, set(model.depends_on)).execute(f"EXPLAIN {model.sql}")
    for missing in model.depends_on:
        with pytest.raises(duckdb.CatalogException, match=missing):
            _only(empty_warehouse, set(model.depends_on) - {missing}).execute(f"EXPLAIN {model.sql}")


def test_models_run_after_what_they_read() -> None:
    position = {m.name: i for i, m in enumerate(MODELS)}
    for model in MODELS:
        for dep in model.depends_on:
            assert position.get(dep, -1) < position[model.name], f"{model.name} runs before {dep}"


def test_a_hand_kept_dependency_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "source_overlap.sql"
    real = (Path(__file__).parents[2] / "sql" / "source_overlap.sql").read_text(encoding="utf-8")
    path.write_text(real.replace("\n", "\n-- depends_on: int_link_observations\n", 1), encoding="utf-8")
    with pytest.raises(ValueError, match="depends_on"):
        parse_model(path)
