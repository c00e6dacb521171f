"""Every report, one sample each: detection, contract schemas, row accounting and layout tolerance.

The samples (fixtures.SAMPLES) hold two good rows and one row each reader must quarantine.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pyarrow as pa
import pytest

from pipelines.contracts import contract
from pipelines.ingest.vendors import REPORTS, ReadResult, ReportError, read_export
from pipelines.ingest.vendors.specs import ReportSpec
from pipelines.ingest.vendors.values import normalise_name
from tests.ingest.fixtures import SAMPLES, Sample

BY_ID = pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])


def spec_of(sample: Sample) -> ReportSpec:
    """The registered spec a sample is an export of (GSC's relabelled report included)."""
    return next(
        spec
        for spec in REPORTS
        if spec.source_system == sample.source_system
        and sample.report in (spec.report, *spec.name_labels.values())
    )


def read(sample: Sample, **layout: object) -> ReadResult:
    return read_export(sample.export.bytes(**layout), sample.file_name)


def comparable(table: pa.Table) -> list[dict[str, object]]:
    """Rows with map columns as sorted dicts, so column order in the file does not matter."""
    rows = table.to_pylist()
    for row in rows:
        for name in ("metrics", "extra"):
            if name in row:
                row[name] = dict(sorted(row[name]))
    return rows


@BY_ID
def test_detects_report_and_emits_contract_schemas(sample: Sample) -> None:
    result = read(sample)
    assert (result.source_system, result.report, result.table_name) == (
        sample.source_system,
        sample.report,
        sample.table,
    )
    assert result.rows.schema == contract(sample.table).arrow_schema({"reader"})
    assert result.quarantine.schema == contract("quarantine").arrow_schema({"reader"})
    assert all(result.rows[f.name].null_count == 0 for f in result.rows.schema if not f.nullable)


@BY_ID
def test_rows_read_is_kept_plus_quarantined(sample: Sample) -> None:
    result = read(sample)
    assert result.rows_read == result.rows.num_rows + result.quarantine.num_rows == 3
    assert result.rows["row_number"].to_pylist() == [1, 2]
    assert result.quarantine["row_number"].to_pylist() == [3]
    assert result.quarantine["reason"].to_pylist() == [sample.reason]
    assert set(result.rows["source_system"].to_pylist()) == {sample.source_system}
    assert set(result.quarantine["report"].to_pylist()) == {sample.report}


@BY_ID
def test_name_never_decides_the_report(sample: Sample) -> None:
    renamed = read_export(sample.export.bytes(), "export (3).csv")
    assert (renamed.source_system, renamed.table_name) == (sample.source_system, sample.table)
    if sample.report != "pages_linking_to_page":  # its label is the one thing the name tells (see gsc.py)
        assert renamed.report == sample.report


@BY_ID
def test_column_order_does_not_matter(sample: Sample) -> None:
    header = list(sample.export.header)
    random.Random(7).shuffle(header)
    shuffled = read_export(sample.export.with_header(header).bytes(), sample.file_name)
    original = read(sample)
    assert comparable(shuffled.rows) == comparable(original.rows)
    assert shuffled.quarantine["reason"].to_pylist() == original.quarantine["reason"].to_pylist()


@BY_ID
def test_unknown_column_is_kept_in_extra(sample: Sample) -> None:
    result = read_export(
        sample.export.with_column("Zz Custom  Note", "kept as written ").bytes(), sample.file_name
    )
    assert [dict(m)["zz custom note"] for m in result.rows["extra"].to_pylist()] == ["kept as written "] * 2


@BY_ID
@pytest.mark.parametrize(
    "layout",
    [{"newline": "\n"}, {"newline": "\r\n"}, {"final_newline": False}, {"final_newline": True}],
    ids=["lf", "crlf", "no-final-newline", "final-newline"],
)
def test_line_ends_do_not_matter(sample: Sample, layout: dict[str, object]) -> None:
    assert comparable(read(sample, **layout).rows) == comparable(read(sample).rows)


@BY_ID
def test_same_bytes_same_result(sample: Sample) -> None:
    first, second = read(sample), read(sample)
    assert first.rows.equals(second.rows) and first.quarantine.equals(second.quarantine)


@BY_ID
def test_header_only_file_reads_zero_rows(sample: Sample) -> None:
    result = read_export(replace(sample.export, rows=()).bytes(), sample.file_name)
    assert result.rows_read == result.rows.num_rows == result.quarantine.num_rows == 0
    assert result.rows.schema == contract(sample.table).arrow_schema({"reader"})


def test_every_registered_report_has_a_sample() -> None:
    sampled = {(s.source_system, s.report) for s in SAMPLES}
    registered = {(spec.source_system, spec.report) for spec in REPORTS}
    labels = {(spec.source_system, label) for spec in REPORTS for label in spec.name_labels.values()}
    assert registered | labels == sampled


def _required(sample: Sample) -> list[tuple[Sample, str]]:
    spec = spec_of(sample)
    names = {normalise_name(n) for col in spec.columns if col.required for n in col.names}
    return [(sample, h) for h in sample.export.header if normalise_name(h) in names]


@pytest.mark.parametrize(
    ("sample", "column"),
    [pair for s in SAMPLES for pair in _required(s)],
    ids=lambda v: v.id if isinstance(v, Sample) else v,
)
def test_missing_required_column_names_file_and_column(sample: Sample, column: str) -> None:
    header = [h for h in sample.export.header if h != column]
    with pytest.raises(ReportError) as caught:
        read_export(sample.export.with_header(header).bytes(), "in/upload.csv")
    if caught.value.reason != "missing_column":
        assert len(header) < 2  # only a one-column remainder may be too little to identify the report
        assert caught.value.reason in {"unrecognized_report", "empty_file"}
        return
    assert str(caught.value) == (
        f"in/upload.csv: {sample.source_system} {sample.report}: missing required column {column!r}"
    )


@BY_ID
def test_optional_columns_may_all_be_missing(sample: Sample) -> None:
    spec = spec_of(sample)
    required = {normalise_name(n) for col in spec.columns if col.required for n in col.names}
    keep = [h for h in sample.export.header if normalise_name(h) in required]
    if len(keep) < len(sample.export.header):
        try:
            result = read_export(sample.export.with_header(keep).bytes(), sample.file_name)
        except ReportError as exc:  # without its optional columns a header may no longer identify the report
            assert exc.reason == "unrecognized_report"
            return
        assert all(result.rows[f.name].null_count == 0 for f in result.rows.schema if not f.nullable)
