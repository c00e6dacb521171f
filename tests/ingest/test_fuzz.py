"""Hypothesis: on any bytes the reader returns a well-formed result or raises ReportError, nothing else."""

from __future__ import annotations

import gzip

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.contracts import contract
from pipelines.ingest.vendors import REPORTS, ReportError, read_export
from tests.ingest.fixtures import SAMPLES, render

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER_NAMES = sorted({name for spec in REPORTS for col in spec.columns for name in col.names} | {"Zz"})


def check(data: bytes, name: str = "fuzz.csv") -> None:
    try:
        result = read_export(data, name)
    except ReportError as exc:
        assert exc.file_name == name and str(exc).startswith(f"{name}: ")
        assert exc.reason in {
            "empty_file",
            "undecodable",
            "malformed_csv",
            "unrecognized_report",
            "missing_column",
        }
        return
    assert result.rows_read == result.rows.num_rows + result.quarantine.num_rows
    assert result.rows.schema == contract(result.table_name).arrow_schema({"reader"})
    assert all(result.rows[f.name].null_count == 0 for f in result.rows.schema if not f.nullable)
    assert result.quarantine.schema == contract("quarantine").arrow_schema({"reader"})
    numbers = sorted(result.rows["row_number"].to_pylist() + result.quarantine["row_number"].to_pylist())
    assert numbers == list(range(1, result.rows_read + 1))


@SETTINGS
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes(data: bytes) -> None:
    check(data)
    check(gzip.compress(data, mtime=0))


@SETTINGS
@given(
    sample=st.sampled_from(SAMPLES),
    cuts=st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=4)), max_size=4),
    name=st.text(max_size=40),
)
def test_mutated_exports(sample: object, cuts: list[tuple[int, bytes]], name: str) -> None:
    data = bytearray(sample.export.bytes())  # type: ignore[attr-defined]
    for at, junk in cuts:
        at %= len(data) + 1
        data[at : at + len(junk)] = junk
    check(bytes(data), name or "x")


cell = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(
        ["", "true", "No", "2024-02-30", "13/01/2013 09:05", "1,240", "-1", "(empty)", "null", "\x00"]
    ),
)


@st.composite
def report_header(draw: st.DrawFn) -> list[str]:
    """A registered report's column names (and some metrics and strangers), shuffled."""
    spec = draw(st.sampled_from(REPORTS))
    names = [draw(st.sampled_from(col.names)) for col in spec.columns if col.required or draw(st.booleans())]
    names += [n for n in spec.metrics if draw(st.booleans())]
    names += draw(st.lists(st.sampled_from(HEADER_NAMES), max_size=3))
    return draw(st.permutations(names)) or ["Zz"]


@SETTINGS
@given(
    header=report_header(),
    rows=st.lists(st.lists(cell, min_size=1, max_size=16), max_size=6),
    delimiter=st.sampled_from([",", "\t", ";"]),
    quoting=st.sampled_from(["all", "minimal", "none"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    encoding=st.sampled_from(["utf-8", "utf-16-le"]),
)
def test_report_headers_with_junk_rows(
    header: list[str], rows: list[list[str]], delimiter: str, quoting: str, newline: str, encoding: str
) -> None:
    data = render(
        header, rows, delimiter=delimiter, quoting=quoting, newline=newline, encoding=encoding, bom=True
    )
    check(data)
