"""Table contracts loaded from schemas/*.yaml: the single source of column types, grain and checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int64": pa.int64(),
    "int32": pa.int32(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "map<string,string>": pa.map_(pa.string(), pa.string()),
    "list<string>": pa.list_(pa.string()),
}

_DUCKDB_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "int64": "BIGINT",
    "int32": "INTEGER",
    "float64": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "map<string,string>": "MAP(VARCHAR, VARCHAR)",
    "list<string>": "VARCHAR[]",
}


def resource_dir(name: str) -> Path:
    """Folder of sql/ or schemas/: beside the package in a checkout, inside it in a wheel."""
    packaged = Path(__file__).parent / f"_{name}"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / name


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool
    description: str
    produced_by: str | None = None
    # Row-level rules, checked on every staged batch (pipelines.quality.expectations): allowed values,
    # an inclusive range, a regular expression the whole value must match.
    values: tuple[Any, ...] | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.type]

    @property
    def duckdb_type(self) -> str:
        return _DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Check:
    name: str
    severity: str  # "fail" blocks the publish, "warn" publishes and records an alert
    kind: str = "sql"
    # kind "sql": a query returning the offending rows; it passes when it returns none.
    sql: str | None = None
    description: str | None = None
    # kind "metric": a query returning one number, which must lie in [min, max]. `setting` names the
    # linkindex.toml [quality] key that overrides the bound (max, or min when no max is given).
    metric: str | None = None
    min: float | None = None
    max: float | None = None
    setting: str | None = None


@dataclass(frozen=True)
class Contract:
    name: str
    layer: str
    description: str
    grain: tuple[str, ...]
    columns: tuple[Column, ...]
    checks: tuple[Check, ...] = ()
    partition_by: tuple[str, ...] = ()
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    def arrow_schema(self, produced_by: set[str] | None = None) -> pa.Schema:
        """Arrow schema of the table, or of the columns made by the given producers (reader, ingest, stage)."""
        cols = [c for c in self.columns if produced_by is None or c.produced_by in produced_by]
        return pa.schema([pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in cols])

    def conform(self, table: pa.Table, produced_by: set[str] | None = None) -> pa.Table:
        """Select and cast `table` to the contract's columns in contract order; a missing column is an error."""
        schema = self.arrow_schema(produced_by)
        missing = [name for name in schema.names if name not in table.column_names]
        if missing:
            raise ValueError(f"{self.name}: missing columns {missing}")
        return pa.Table.from_arrays(
            [table.column(f.name).cast(f.type) for f in schema], schema=schema
        )


# lake: written by ingest; intermediate: int_* models, built at the stage step and dropped before the publish;
# curated: the models a publish replaces, what analysts query.
LAYERS = ("lake", "intermediate", "curated")
# The gate measures `sql` checks (bad rows) and `metric` checks (one number); grain_unique and not_null_* are
# implied by every contract, so a check of any other kind would be read by nothing.
_CHECK_KINDS = ("sql", "metric")
_KEYS = {"name", "layer", "description", "grain", "columns", "columns_from", "checks", "partition_by", "notes"}


def _check(table: str, spec: dict[str, Any]) -> Check:
    check = Check(**spec)
    if check.kind not in _CHECK_KINDS:
        raise ValueError(f"schemas/{table}.yaml: check {check.name!r} has kind {check.kind!r}; the gate "
                         f"measures only {_CHECK_KINDS} checks (grain_unique and not_null_* are implied)")
    if not getattr(check, check.kind):
        raise ValueError(f"schemas/{table}.yaml: {check.kind} check {check.name!r} has no {check.kind!r} query")
    return check


def _column(spec: dict[str, Any]) -> Column:
    return Column(**{**spec, "values": tuple(spec["values"])} if "values" in spec else spec)


def _inherited(source: Contract) -> tuple[Column, ...]:
    """A model's copy of another table's columns: same name, type, nullability and meaning. Who produced them
    and their row rules stay with the source table, where staging checks them."""
    return tuple(Column(c.name, c.type, c.nullable, c.description) for c in source.columns)


def _contract(doc: dict[str, Any], resolve: Callable[[str], Contract]) -> Contract:
    name = doc["name"]
    if doc["layer"] not in LAYERS:
        raise ValueError(f"schemas/{name}.yaml: layer {doc['layer']!r} is not one of {LAYERS}")
    # `columns_from: <table>`: the model selects that table's columns (o.*) first, then adds its own.
    inherited = _inherited(resolve(doc["columns_from"])) if "columns_from" in doc else ()
    return Contract(
        name=name,
        layer=doc["layer"],
        description=doc["description"],
        grain=tuple(doc["grain"]),
        columns=inherited + tuple(map(_column, doc.get("columns", []))),
        checks=tuple(_check(name, c) for c in doc.get("checks", [])),
        partition_by=tuple(doc.get("partition_by", [])),
        notes=doc.get("notes", ""),
        extra={k: v for k, v in doc.items() if k not in _KEYS},
    )


def load_contracts(folder: Path) -> dict[str, Contract]:
    """Every contract in `folder`, by table name."""
    docs = {doc["name"]: doc for doc in (
        yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.yaml"))
    )}
    done: dict[str, Contract] = {}

    def resolve(name: str, seen: tuple[str, ...] = ()) -> Contract:
        if name in seen:
            raise ValueError(f"schemas/: columns_from loops through {' -> '.join((*seen, name))}")
        if name not in docs:
            raise ValueError(f"schemas/{seen[-1]}.yaml: columns_from names {name!r}, which has no contract")
        if name not in done:
            done[name] = _contract(docs[name], lambda other: resolve(other, (*seen, name)))
        return done[name]

    return {name: resolve(name) for name in docs}


@cache
def all_contracts() -> dict[str, Contract]:
    return load_contracts(resource_dir("schemas"))


def contract(name: str) -> Contract:
    return all_contracts()[name]
