"""Great Expectations 1.x suites generated from the contracts in schemas/, never written by hand.

Two kinds, both from the same contracts:
- row-level: each column's nullability, allowed `values`, `min`/`max` and `pattern` become expectations that
  run on every staged batch as it flows through ingest (Arrow → pandas one slice at a time, only the columns
  the rules name), through one in-memory context per process;
- set-level: pipelines.quality.checks measures every table check in DuckDB SQL as one number, and a suite of
  one `expect_column_values_to_be_between` per number validates the one-row frame of measurements, through
  a file context in `<home>/quality/gx` whose checkpoint writes GX's HTML data docs there.

A contract check's severity maps onto GX's: `fail` → critical (blocks the publish), `warn` → warning.
GX's usage statistics are switched off before it is imported, and nothing here opens a connection.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Set before great_expectations is imported: it reads these once.
os.environ["GX_ANALYTICS_ENABLED"] = "False"
logging.getLogger("great_expectations").setLevel(logging.WARNING)

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
from great_expectations.core.run_identifier import RunIdentifier  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.exceptions import DataContextError  # noqa: E402
from great_expectations.expectations.metadata_types import FailureSeverity  # noqa: E402

from pipelines.contracts import Contract  # noqa: E402
from pipelines.quality.checks import CheckResult, Measurement  # noqa: E402

_DERIVED = frozenset({"ingest", "stage"})
SEVERITY = {"fail": FailureSeverity.CRITICAL, "warn": FailureSeverity.WARNING}
# Rows per pandas slice: bounds the memory a batch costs while keeping GX's per-run overhead small.
BATCH_ROWS = 200_000
DATA_SOURCE = "linkindex"
METRICS_SUITE = "warehouse_metrics"
_GATE = "linkindex_publish_gate"


@dataclass(frozen=True)
class RowCheck:
    table: str
    check: str
    column: str
    severity: str
    rows_checked: int
    failing_rows: int
    # Positions of the failing rows in the validated table, so that ingest can quarantine them.
    failing_at: tuple[int, ...] = ()


def row_expectations(table: Contract) -> list[tuple[str, str, Any]]:
    """(check name, column, expectation) for every row-level rule of a contract's columns.

    Nullability is checked on the columns ingest and staging derive (the readers' own columns are typed and
    counted as they are parsed); explicit `values`, `min`/`max` and `pattern` rules on any column.
    """
    rules: list[tuple[str, str, Any]] = []
    for c in table.columns:
        meta = {"table": table.name, "column": c.name}
        if not c.nullable and c.produced_by in _DERIVED:
            rules.append((f"not_null:{c.name}", c.name, gxe.ExpectColumnValuesToNotBeNull(
                column=c.name, severity=FailureSeverity.CRITICAL, meta=meta)))
        if c.values is not None:
            rules.append((f"in_set:{c.name}", c.name, gxe.ExpectColumnValuesToBeInSet(
                column=c.name, value_set=list(c.values), severity=FailureSeverity.CRITICAL, meta=meta)))
        if c.min is not None or c.max is not None:
            rules.append((f"between:{c.name}", c.name, gxe.ExpectColumnValuesToBeBetween(
                column=c.name, min_value=c.min, max_value=c.max, severity=FailureSeverity.CRITICAL, meta=meta)))
        if c.pattern:
            rules.append((f"match_regex:{c.name}", c.name, gxe.ExpectColumnValuesToMatchRegex(
                column=c.name, regex=c.pattern, severity=FailureSeverity.CRITICAL, meta=meta)))
    return rules


class RowValidator:
    """Validates staged Arrow tables against their contracts' row-level suites, one slice at a time."""

    def __init__(self) -> None:
        self._context: Any = None
        self._definitions: dict[str, tuple[Any, list[tuple[str, str, Any]]]] = {}

    def validate(self, table: Contract, data: pa.Table, batch_rows: int = BATCH_ROWS) -> list[RowCheck]:
        definition, rules = self._definition(table)
        if not rules:
            return []
        failing: dict[str, list[int]] = {name: [] for name, _, _ in rules}
        columns = sorted({column for _, column, _ in rules})
        selected = data.select(columns)
        for offset in range(0, data.num_rows, batch_rows):
            frame = selected.slice(offset, batch_rows).to_pandas()
            # COMPLETE lists the failing rows' frame index (0-based within the slice), not only their count.
            result = definition.run(batch_parameters={"dataframe": frame}, result_format="COMPLETE")
            by_id = {r.expectation_config.id: r for r in result.results}
            for name, _, expectation in rules:
                outcome = by_id[expectation.id]
                if outcome.exception_info and outcome.exception_info.get("raised_exception"):
                    raise RuntimeError(f"{table.name} {name}: {outcome.exception_info['exception_message']}")
                failing[name] += [offset + int(i) for i in outcome.result.get("unexpected_index_list") or ()]
        return [RowCheck(table.name, name, column, "fail", data.num_rows, len(failing[name]),
                         tuple(failing[name])) for name, column, _ in rules]

    def _definition(self, table: Contract) -> tuple[Any, list[tuple[str, str, Any]]]:
        if table.name not in self._definitions:
            if self._context is None:
                self._context = _quiet(gx.get_context(mode="ephemeral"))
                self._source = self._context.data_sources.add_pandas(DATA_SOURCE)
            rules = row_expectations(table)
            batch = self._source.add_dataframe_asset(table.name).add_batch_definition_whole_dataframe("staged")
            suite = self._context.suites.add(gx.ExpectationSuite(name=f"{table.name}_rows"))
            for _, _, expectation in rules:
                suite.add_expectation(expectation)
            definition = self._context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{table.name}_rows", data=batch, suite=suite))
            # Expectation ids are given when the suite stores them; look results up by those.
            stored = {e.meta["column"] + e.expectation_type: e for e in suite.expectations}
            rules = [(name, column, stored[column + e.expectation_type]) for name, column, e in rules]
            self._definitions[table.name] = (definition, rules)
        return self._definitions[table.name]


_ROWS: RowValidator | None = None


def validate_rows(table: Contract, data: pa.Table) -> list[RowCheck]:
    """Row-level expectations of `table`'s contract over `data`, with the process's shared context."""
    global _ROWS
    if _ROWS is None:
        _ROWS = RowValidator()
    return _ROWS.validate(table, data)


def validate_measurements(measurements: Iterable[Measurement], docs_root: Path, run_id: str) -> list[CheckResult]:
    """Validate the set-level numbers with GX, store the result and refresh the data docs in `docs_root`."""
    measured = list(measurements)
    context = _quiet(gx.get_context(mode="file", project_root_dir=str(docs_root)))
    source = context.data_sources.add_or_update_pandas(DATA_SOURCE)
    asset = next((a for a in source.assets if a.name == METRICS_SUITE), None) or source.add_dataframe_asset(
        METRICS_SUITE)
    batch = next(iter(asset.batch_definitions), None) or asset.add_batch_definition_whole_dataframe("run")
    # The suite is regenerated from the contracts on every run. Replacing the stored objects instead of
    # updating them avoids GX's pairwise comparison of expectations, which took 29 s for 300 of them.
    for store in (context.checkpoints, context.validation_definitions, context.suites):
        with contextlib.suppress(DataContextError):
            store.delete(name=_GATE if store is context.checkpoints else METRICS_SUITE)
    suite = context.suites.add(gx.ExpectationSuite(name=METRICS_SUITE, expectations=[
        gxe.ExpectColumnValuesToBeBetween(
            column=m.key, min_value=m.min_value, max_value=m.max_value, severity=SEVERITY[m.severity],
            meta={"table": m.table, "check": m.check, "level": m.level, "severity": m.severity},
        ) for m in measured
    ]))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=METRICS_SUITE, data=batch, suite=suite))
    checkpoint = context.checkpoints.add(gx.Checkpoint(
        name=_GATE, validation_definitions=[definition],
        actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")],
    ))
    frame = pd.DataFrame([{m.key: math.nan if m.value is None else m.value for m in measured}])
    run = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=RunIdentifier(run_name=run_id))
    outcomes = {}
    for validation in run.run_results.values():
        for r in validation.results:
            outcomes[r.expectation_config.kwargs["column"]] = r
    results = []
    for m in measured:
        outcome = outcomes[m.key]
        error = (outcome.exception_info or {}).get("exception_message") if outcome.exception_info else None
        results.append(CheckResult(
            table=m.table, check=m.check, severity=m.severity, level=m.level, passed=bool(outcome.success),
            observed_value=m.value, min_value=m.min_value, max_value=m.max_value,
            detail=error or m.detail, counts_rows=m.counts_rows,
        ))
    return results


def _quiet(context: Any) -> Any:
    """No usage statistics (kept in the file context's config too) and no progress bars on stderr."""
    context.config.analytics_enabled = False
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.variables.save()
    return context
