"""Table contracts loaded from schemas/*.yaml: the single source of column types, grain and checks."""

from __future__ import annotations

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


def _load(path: Path) -> Contract:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Contract(
        name=doc["name"],
        layer=doc["layer"],
        description=doc["description"],
        grain=tuple(doc["grain"]),
        columns=tuple(Column(**{**c, "values": tuple(c["values"])} if "values" in c else c)
                      for c in doc["columns"]),
        checks=tuple(Check(**c) for c in doc.get("checks", [])),
        partition_by=tuple(doc.get("partition_by", [])),
        notes=doc.get("notes", ""),
        extra={k: v for k, v in doc.items() if k not in {
            "name", "layer", "description", "grain", "columns", "checks", "partition_by", "notes"}},
    )


@cache
def all_contracts() -> dict[str, Contract]:
    return {c.name: c for c in map(_load, sorted(resource_dir("schemas").glob("*.yaml")))}


def contract(name: str) -> Contract:
    return all_contracts()[name]
