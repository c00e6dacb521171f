"""`linkindex export`: one curated table's rows for a target, filtered, written as CSV, Parquet or XLSX.

Filters are parsed into (column, operator, value); the column must be one of the table's contract columns and
the value is always a bound parameter, so no text given on the command line ever becomes SQL.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipelines.contracts import Contract, all_contracts
from pipelines.ingest.runner import target_domain
from pipelines.load.lake import atomic_write_bytes
from pipelines.stage.domains import DomainResolver

EXPORT_FORMATS = ("csv", "parquet", "xlsx")
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">", "~")
_FILTER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|<=|>=|=|<|>|~)(.*)$", re.DOTALL)


class ExportError(ValueError):
    """A table, column, filter or target the export cannot take; the message says which and why."""


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    value: str


def exportable_tables() -> dict[str, Contract]:
    """Curated tables with a target_domain column: the ones an analyst exports per target."""
    return {name: c for name, c in all_contracts().items()
            if c.layer == "curated" and any(col.name == "target_domain" for col in c.columns)}


def parse_filter(text: str) -> Filter:
    match = _FILTER.match(text)
    if match is None:
        raise ExportError(f"--where {text!r}: expected COLUMN<OP>VALUE with OP one of {' '.join(_OPERATORS)}")
    return Filter(match.group(1).lower(), match.group(2), match.group(3).strip())


def build_query(table: str, target: str, filters: Sequence[Filter]) -> tuple[str, list[object]]:
    """The SELECT and its parameters. Identifiers come from the contract only, values only from parameters."""
    tables = exportable_tables()
    if table not in tables:
        raise ExportError(f"{table!r} is not an exportable table; use one of {', '.join(sorted(tables))}")
    contract = tables[table]
    columns = {c.name: c for c in contract.columns}
    clauses = ['"target_domain" = ?']
    params: list[object] = [target]
    for f in filters:
        col = columns.get(f.column)
        if col is None:
            raise ExportError(f"{table} has no column {f.column!r}; its columns: {', '.join(columns)}")
        ident = f'"{col.name}"'
        if col.type.startswith(("list<", "map<")):
            if f.op != "~":
                raise ExportError(f"{table}.{col.name} is a {col.type}: only ~ (contains an element) applies")
            clauses.append(f"LIST_CONTAINS({ident}, ?)" if col.type.startswith("list<")
                           else f"CONTAINS(CAST({ident} AS VARCHAR), ?)")
        elif f.op == "~":
            clauses.append(f"CONTAINS(LOWER(CAST({ident} AS VARCHAR)), LOWER(?))")
        else:
            # The cast makes "2026-01-01" a date and "3" a number, and fails loudly on a value of the wrong kind.
            clauses.append(f"{ident} {f.op} CAST(? AS {col.duckdb_type})")
        params.append(f.value)
    order = ", ".join(f'"{name}"' for name in contract.grain)
    return f'SELECT * FROM "{contract.name}" WHERE {" AND ".join(clauses)} ORDER BY {order}', params


def export_table(
    con: duckdb.DuckDBPyConnection, table: str, target: str, wheres: Sequence[str], fmt: str, out: Path,
) -> int:
    """Write the rows and return how many; the file appears whole or not at all."""
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    domain = target_domain(target, DomainResolver())
    if domain is None:
        raise ExportError(f"--target {target!r} is not a domain, host or URL")
    sql, params = build_query(table, domain, [parse_filter(w) for w in wheres])
    try:
        data = con.execute(sql, params).fetch_arrow_table()
    except duckdb.ConversionException as exc:
        # DuckDB appends the statement and a caret: the first line names the value, the rest is our SQL.
        raise ExportError(f"a --where value does not fit its column: {str(exc).splitlines()[0]}") from None
    atomic_write_bytes(out, _encode(data, fmt))
    return data.num_rows


def _encode(data: pa.Table, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "csv":
        pacsv.write_csv(_flatten_nested(data), buf)
    elif fmt == "parquet":
        pq.write_table(data, buf)
    else:
        frame = pl.from_arrow(_flatten_nested(data))
        assert isinstance(frame, pl.DataFrame)
        frame.write_excel(buf, worksheet="export", autofit=True)
    return buf.getvalue()


def _flatten_nested(data: pa.Table) -> pa.Table:
    """CSV and spreadsheet cells hold text: a list or map column becomes its '; '-joined / JSON-like text."""
    for i, field in enumerate(data.schema):
        if pa.types.is_list(field.type) or pa.types.is_map(field.type):
            text = pa.array(["; ".join(map(str, v)) if isinstance(v, list) else None if v is None else str(v)
                             for v in data.column(i).to_pylist()], pa.string())
            data = data.set_column(i, field.name, text)
    return data
