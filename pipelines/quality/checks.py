"""Set-level measurements over whole tables in DuckDB SQL, one per check that a contract implies.

Every check becomes one number: the count of offending rows (grain duplicates, nulls in a required column,
rows a `sql` check returns) that must be 0, or a `metric` check's value that must lie in its bounds, or a
table's row-count change against the published warehouse. Great Expectations then validates these numbers
(pipelines.quality.expectations), so the tables are scanned by DuckDB and never loaded into pandas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.contracts import Contract

# Tables whose rows are appended by every run, so their size is no sign of a bad build.
_LOGS = frozenset({"ingest_outcomes", "quarantine", "quality_results", "row_validations", "landing_batches"})


@dataclass(frozen=True)
class Measurement:
    table: str
    check: str
    severity: str  # "fail" blocks the publish, "warn" publishes and records an alert
    level: str  # "table": measured over the whole table; "row": summed from the staged batches' checks
    value: float | None
    min_value: float | None
    max_value: float | None
    detail: str | None = None
    # The value counts offending rows (bounds [0, 0]), rather than being a metric with bounds.
    counts_rows: bool = True

    @property
    def key(self) -> str:
        return f"{self.level}__{self.table}__{self.check}"


@dataclass(frozen=True)
class CheckResult:
    table: str
    check: str
    severity: str
    level: str
    passed: bool
    observed_value: float | None
    min_value: float | None
    max_value: float | None
    detail: str | None
    counts_rows: bool = True

    @property
    def failing_rows(self) -> int:
        """Offending rows of a failed row-count check; 1 for a metric out of bounds; 0 when passed."""
        if self.passed or self.observed_value is None or math.isnan(self.observed_value):
            return 0
        return int(self.observed_value) if self.counts_rows else 1


class QualityGateFailed(RuntimeError):
    """A `fail` check did not pass: the build is not published."""

    def __init__(self, failed: list[CheckResult]) -> None:
        self.failed = failed
        lines = [f"{r.table}.{r.check}: observed {_fmt(r.observed_value)}, expected "
                 f"[{_fmt(r.min_value)}, {_fmt(r.max_value)}]" + (f" ({r.detail})" if r.detail else "")
                 for r in failed]
        super().__init__("quality gate failed, warehouse not published:\n  " + "\n  ".join(lines))


def data_docs_index(home: Path) -> Path:
    """Where the publish gate's checkpoint writes Great Expectations' HTML data docs."""
    return home / "quality" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def check_queries(table: Contract) -> list[tuple[str, str, str]]:
    """(check name, severity, query returning the bad rows) for every row-count check a contract implies."""
    grain = ", ".join(f'"{c}"' for c in table.grain)
    queries = [(
        "grain_unique", "fail",
        f"SELECT {grain}, COUNT(*) AS n FROM {table.name} GROUP BY {grain} HAVING COUNT(*) > 1",
    )]
    queries += [
        (f"not_null_{c.name}", "fail", f'SELECT * FROM {table.name} WHERE "{c.name}" IS NULL')
        for c in table.columns if not c.nullable
    ]
    queries += [
        (check.name, check.severity, check.sql.format(table=table.name))
        for check in table.checks if check.kind == "sql" and check.sql
    ]
    return queries


def measure_tables(
    con: duckdb.DuckDBPyConnection,
    contracts: list[Contract],
    thresholds: Mapping[str, float],
    previous_counts: Mapping[str, int] | None = None,
) -> list[Measurement]:
    """Every table check of `contracts` as one number, computed in `con` (the candidate warehouse).

    `thresholds` are linkindex.toml's [quality] values: a metric check's `setting` and
    `row_count_change_pct` (the warn bound on a table's size change against `previous_counts`).
    """
    out: list[Measurement] = []
    for table in contracts:
        for name, severity, query in check_queries(table):
            failing = _scalar(con, f"SELECT COUNT(*) FROM ({query}) AS bad") or 0.0
            sample = con.execute(f"SELECT * FROM ({query}) AS bad LIMIT 3").fetchall() if failing else []
            out.append(Measurement(table.name, name, severity, "table", failing, 0, 0,
                                   repr(sample)[:500] if sample else None))
        for check in table.checks:
            if check.kind != "metric" or not check.metric:
                continue
            lo, hi = check.min, check.max
            if check.setting and check.setting in thresholds:
                if hi is not None:
                    hi = float(thresholds[check.setting])
                else:
                    lo = float(thresholds[check.setting])
            value = _scalar(con, check.metric.format(table=table.name))
            out.append(Measurement(table.name, check.name, check.severity, "table", value, lo, hi,
                                   check.description, counts_rows=False))
        if previous_counts is not None and table.name not in _LOGS and table.name in previous_counts:
            rows = _scalar(con, f"SELECT COUNT(*) FROM {table.name}") or 0.0
            before = previous_counts[table.name]
            change = 100.0 * (rows - before) / before if before else (0.0 if rows == 0 else math.inf)
            limit = float(thresholds.get("row_count_change_pct", 50.0))
            out.append(Measurement(
                table.name, "row_count_change_pct", "warn", "table", change, -limit, limit,
                f"{before} rows in the published warehouse, {int(rows)} now", counts_rows=False,
            ))
    return out


def _scalar(con: duckdb.DuckDBPyConnection, query: str) -> float | None:
    row = con.execute(query).fetchone()
    return None if row is None or row[0] is None else float(row[0])
