"""The set-level models in sql/: each file's header names its model and grain; its SQL says what it reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import traverse_scope

from pipelines.contracts import resource_dir

_HEADER = re.compile(r"^--\s*(model|grain|depends_on):\s*(.*)$")
# "one row per (a, b): ..." — the columns, in the contract's order, then any prose.
_GRAIN = re.compile(r"^one row per \((\w+(?:, \w+)*)\)(?=$|[:;,.]?\s)")


@dataclass(frozen=True)
class Model:
    name: str
    grain: tuple[str, ...]
    depends_on: tuple[str, ...]
    sql: str
    path: Path

    @property
    def intermediate(self) -> bool:
        return self.name.startswith("int_")


@cache
def tables_read(sql: str) -> tuple[str, ...]:
    """The tables a DuckDB query reads, sorted: every table in a FROM or JOIN of any scope (subqueries,
    CTE bodies, set operations), but not the query's own CTEs, nor table functions such as range()."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
        scopes = traverse_scope(tree)
    except SqlglotError as exc:
        raise ValueError(f"sqlglot cannot read the query: {exc}") from exc
    # A scope maps each name in its FROM to a Table or, for a CTE or derived table, to that inner scope.
    return tuple(sorted({
        source.name
        for scope in scopes
        for source in scope.sources.values()
        if isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier)
    }))


def parse_model(path: Path) -> Model:
    sql = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    for line in sql.splitlines():
        match = _HEADER.match(line.strip())
        if match:
            meta[match.group(1)] = match.group(2).strip()
    if meta.get("model") != path.stem:
        raise ValueError(f"{path}: header must say '-- model: {path.stem}'")
    if "depends_on" in meta:
        raise ValueError(f"{path}: drop the '-- depends_on:' line; dependencies are read from the SQL")
    grain = _GRAIN.match(meta.get("grain", ""))
    if not grain:
        raise ValueError(f"{path}: header must state the grain as '-- grain: one row per (col, ...)', "
                         "the columns of its contract's grain")
    try:
        depends_on = tables_read(sql)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    return Model(name=path.stem, grain=tuple(grain.group(1).split(", ")), depends_on=depends_on,
                 sql=sql, path=path)


def load_models(sql_dir: Path | None = None) -> list[Model]:
    """All models in an order where each comes after what it depends on."""
    folder = sql_dir or resource_dir("sql")
    models = {m.name: m for m in map(parse_model, sorted(folder.glob("*.sql")))}
    graph = {name: {d for d in m.depends_on if d in models} for name, m in models.items()}
    return [models[name] for name in TopologicalSorter(graph).static_order()]
