"""The Great Expectations suites come from the contracts, catch bad rows and bad tables, and stay offline."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from pipelines.contracts import all_contracts, contract
from pipelines.quality.checks import Measurement, check_queries
from pipelines.quality.expectations import row_expectations, validate_measurements, validate_rows


def test_every_column_rule_becomes_an_expectation() -> None:
    for table in all_contracts().values():
        names = {name for name, _, _ in row_expectations(table)}
        for c in table.columns:
            if c.values is not None:
                assert f"in_set:{c.name}" in names
            if c.min is not None or c.max is not None:
                assert f"between:{c.name}" in names
            if c.pattern:
                assert f"match_regex:{c.name}" in names
            if not c.nullable and c.produced_by in {"stage", "ingest"}:
                assert f"not_null:{c.name}" in names


def test_every_contract_check_is_measured() -> None:
    """Grain, required columns and each sql check of a contract all have a query; none is written twice."""
    table = contract("backlinks")
    names = [name for name, _, _ in check_queries(table)]
    assert names[0] == "grain_unique"
    assert {f"not_null_{c.name}" for c in table.columns if not c.nullable} <= set(names)
    assert {c.name for c in table.checks if c.kind == "sql"} <= set(names)
    assert len(names) == len(set(names))


def _staged_links(n: int) -> pa.Table:
    schema = contract("link_observations").arrow_schema()
    rows = []
    for i in range(n):
        row = {f.name: None for f in schema}
        row.update(
            source_system="semrush", report="backlinks", row_number=i + 1, source_url_raw="http://a.example/",
            link_type="text", metrics={}, extra={}, file_id="f" * 64, file_name="x.csv", observed_on=date(2026, 1, 1),
            target_scope="page", export_complete=True, source_url="http://a.example/", target_url="http://b.example/",
            source_host="a.example", source_domain="a.example", source_is_ip=False, target_host="b.example",
            target_domain="b.example", target_domain_label="b", target_is_ip=False, is_internal=False,
            anchor_truncated=False,
        )
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=schema)


def test_row_level_suite_counts_bad_rows_across_batches() -> None:
    table = _staged_links(450)
    kinds = table["link_type"].to_pylist()
    kinds[10] = "bogus"
    kinds[420] = "teleport"
    hosts = table["source_host"].to_pylist()
    hosts[5] = "Upper.Example"
    domains = table["source_domain"].to_pylist()
    domains[300] = None
    table = table.set_column(table.schema.get_field_index("link_type"), "link_type", pa.array(kinds))
    table = table.set_column(table.schema.get_field_index("source_host"), "source_host", pa.array(hosts))
    table = table.set_column(table.schema.get_field_index("source_domain"), "source_domain", pa.array(domains))
    from pipelines.quality.expectations import RowValidator

    results = {r.check: r for r in RowValidator().validate(contract("link_observations"), table, batch_rows=100)}
    assert results["in_set:link_type"].failing_rows == 2
    assert results["match_regex:source_host"].failing_rows == 1
    assert results["not_null:source_domain"].failing_rows == 1
    assert results["not_null:source_url"].failing_rows == 0
    assert all(r.rows_checked == 450 for r in results.values())


def test_clean_rows_pass_every_row_expectation() -> None:
    assert all(r.failing_rows == 0 for r in validate_rows(contract("link_observations"), _staged_links(20)))


def test_measurements_map_severity_and_bounds(tmp_path: Path) -> None:
    results = validate_measurements([
        Measurement("backlinks", "grain_unique", "fail", "table", 3, 0, 0, "dupes"),
        Measurement("backlinks", "row_count_change_pct", "warn", "table", float("inf"), 0, 0, counts_rows=False),
        Measurement("referring_domains", "top_referring_domain_share", "warn", "table", 0.1, None, 0.3),
        Measurement("referring_domains", "top_referring_domain_share_empty", "warn", "table", None, None, 0.3),
    ], tmp_path, "run-1")
    verdict = {(r.table, r.check): r.passed for r in results}
    assert verdict == {
        ("backlinks", "grain_unique"): False, ("backlinks", "row_count_change_pct"): False,
        ("referring_domains", "top_referring_domain_share"): True,
        ("referring_domains", "top_referring_domain_share_empty"): True,
    }
    assert next(r for r in results if r.check == "grain_unique").failing_rows == 3
    assert next(r for r in results if r.check == "row_count_change_pct").failing_rows == 1
    docs = tmp_path / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert docs.exists() and "warehouse_metrics" in docs.read_text(encoding="utf-8")


_OFFLINE = r"""
import json, socket, sys
from pathlib import Path
attempts = []
def refuse(*args, **kwargs):
    attempts.append(repr(args)[:200])
    raise OSError("network is off in this test")
real_connect = socket.socket.connect
def connect(self, address):
    if self.family == socket.AF_UNIX:
        return real_connect(self, address)
    refuse(address)
socket.socket.connect = connect
socket.socket.connect_ex = connect
socket.create_connection = refuse
socket.getaddrinfo = refuse
import pyarrow as pa
from pipelines.contracts import contract
from pipelines.quality.checks import Measurement
from pipelines.quality.expectations import validate_measurements, validate_rows
import great_expectations as gx
empty = pa.Table.from_pylist([], schema=contract("quality_results").arrow_schema())
rows = validate_rows(contract("quality_results"), empty)
res = validate_measurements([Measurement("t", "c", "fail", "table", 0, 0, 0)], Path(sys.argv[1]), "offline")
ctx = gx.get_context(mode="file", project_root_dir=sys.argv[1])
print(json.dumps({"attempts": attempts, "passed": [r.passed for r in res],
                  "analytics": ctx.config.analytics_enabled}))
"""


def test_great_expectations_runs_offline_with_analytics_off(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", _OFFLINE, str(tmp_path)], capture_output=True, text=True,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out == {"attempts": [], "passed": [True], "analytics": False}


@pytest.mark.parametrize("name", sorted(n for n, c in all_contracts().items() if c.checks))
def test_metric_checks_have_a_query_and_a_bound(name: str) -> None:
    for check in contract(name).checks:
        if check.kind == "metric":
            assert check.metric and (check.min is not None or check.max is not None), f"{name}.{check.name}"
        else:
            assert check.kind == "sql" and check.sql, f"{name}.{check.name}"
