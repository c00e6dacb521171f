"""Contract checks run over whole tables in DuckDB SQL: grain uniqueness, required columns, custom checks."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.contracts import Contract


@dataclass(frozen=True)
class CheckResult:
    table: str
    check: str
    severity: str
    passed: bool
    failing_rows: int
    detail: str | None


class QualityGateFailed(RuntimeError):
    """A `fail` check did not pass: the build is not published."""

    def __init__(self, failed: list[CheckResult]) -> None:
        self.failed = failed
        lines = [f"{r.table}.{r.check}: {r.failing_rows} failing rows ({r.detail})" for r in failed]
        super().__init__("quality gate failed, warehouse not published:\n  " + "\n  ".join(lines))


def check_queries(table: Contract) -> list[tuple[str, str, str]]:
    """(check name, severity, query returning the bad rows) for every check a contract implies."""
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


def run_checks(con: duckdb.DuckDBPyConnection, contracts: list[Contract]) -> list[CheckResult]:
    results = []
    for table in contracts:
        for name, severity, query in check_queries(table):
            count_row = con.execute(f"SELECT COUNT(*) FROM ({query}) AS bad").fetchone()
            failing = int(count_row[0]) if count_row else 0
            sample = con.execute(f"SELECT * FROM ({query}) AS bad LIMIT 3").fetchall() if failing else []
            results.append(CheckResult(
                table=table.name, check=name, severity=severity, passed=failing == 0,
                failing_rows=failing, detail=repr(sample)[:500] if sample else None,
            ))
    return results
