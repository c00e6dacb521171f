"""Rows that break a row-level rule are quarantined at ingest, and the gate judges only failing rows that
reached the lake, so one bad row of a past file no longer blocks every publish."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.config import Settings
from pipelines.contracts import contract
from pipelines.ingest.runner import _screen
from pipelines.models.build import _row_measurements, load_inputs
from tests.quality.test_expectations import _staged_links


def _with(table: pa.Table, column: str, changes: dict[int, object]) -> pa.Table:
    values = table[column].to_pylist()
    for at, value in changes.items():
        values[at] = value
    field = table.schema.field(column)
    return table.set_column(table.schema.get_field_index(column), field, pa.array(values, field.type))


def test_rows_breaking_a_rule_go_to_quarantine_with_their_first_rule() -> None:
    staged = _with(_staged_links(300), "link_type", {10: "bogus", 250: "teleport"})
    staged = _with(staged, "source_host", {10: "Upper.Example", 42: "Upper.Example"})
    kept, quarantined, checks = _screen("link_observations", staged, "row")
    assert kept.num_rows + quarantined.num_rows == staged.num_rows == 300
    assert sorted(quarantined.select(["row_number", "reason", "detail", "unit"]).to_pylist(),
                  key=lambda r: r["row_number"]) == [
        {"row_number": 11, "reason": "breaks_rule", "detail": "in_set:link_type: 'bogus'", "unit": "row"},
        {"row_number": 43, "reason": "breaks_rule", "detail": "match_regex:source_host: 'Upper.Example'",
         "unit": "row"},
        {"row_number": 251, "reason": "breaks_rule", "detail": "in_set:link_type: 'teleport'", "unit": "row"},
    ]
    assert quarantined.schema == contract("quarantine").arrow_schema()
    assert not set(kept["row_number"].to_pylist()) & {11, 43, 251}
    failing = {c.check: c.failing_rows for c in checks if c.failing_rows}
    assert failing == {"in_set:link_type": 2, "match_regex:source_host": 2}


def _validation(file_id: str, failing: int) -> dict[str, object]:
    return {"file_id": file_id, "file_name": f"{file_id}.csv", "table_name": "link_observations",
            "check_name": "in_set:link_type", "column_name": "link_type", "severity": "fail",
            "rows_checked": 500, "failing_rows": failing}


def _gate(validations: list[dict[str, object]], quarantined_files: list[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_inputs(con, Settings(home=Path("/nonexistent")), lake=None)
    con.register("v", pa.Table.from_pylist(validations, schema=contract("row_validations").arrow_schema()))
    con.execute("INSERT INTO row_validations SELECT * FROM v")
    for n, file_id in enumerate(quarantined_files, 1):
        con.execute(
            "INSERT INTO quarantine VALUES ('semrush', 'backlinks', ?, 'breaks_rule', 'in_set:link_type: ''x''', "
            "NULL, 'row', ?, ?, DATE '2026-10-01')", [n, file_id, f"{file_id}.csv"])
    return con


def test_a_past_file_whose_bad_rows_were_quarantined_does_not_fail_the_gate() -> None:
    con = _gate([_validation("october", 2), _validation("november", 0)], quarantined_files=["october"])
    [m] = _row_measurements(con)
    assert (m.table, m.check, m.severity, m.value) == ("link_observations", "in_set:link_type", "fail", 0.0)
    assert m.detail == "1000 staged rows checked; 2 failing rows quarantined"


def test_failing_rows_that_reached_the_lake_fail_the_gate() -> None:
    """A part staged before failing rows were quarantined still holds them: that build must not publish."""
    con = _gate([_validation("october", 2), _validation("legacy", 3)], quarantined_files=["october"])
    [m] = _row_measurements(con)
    assert m.value == 3.0
    assert m.detail == "1000 staged rows checked; 2 failing rows quarantined; failing in the lake: legacy.csv"
