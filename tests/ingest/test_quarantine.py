"""Row-level rejection: each reason code, the order reasons are chosen in, the raw record kept, and record
numbering around blank lines, quoted newlines and broken quoting."""

from __future__ import annotations

import pytest

from pipelines.ingest.vendors import read_export
from tests.ingest.fixtures import ahrefs_backlinks, gsc, semrush_backlinks


def quarantined(data: bytes, name: str = "f.csv") -> list[tuple[int, str, str]]:
    result = read_export(data, name)
    assert result.rows_read == result.rows.num_rows + result.quarantine.num_rows
    q = result.quarantine
    return list(
        zip(q["row_number"].to_pylist(), q["reason"].to_pylist(), q["detail"].to_pylist(), strict=True)
    )


def test_each_reason_names_column_and_value() -> None:
    rows = [
        {"First seen": "2025-1-2"},
        {"Nofollow": "yes"},
        {"Source url": ""},
        {"Anchor": "a\x00b"},
        {},
    ]
    assert quarantined(semrush_backlinks(*rows).bytes()) == [
        (1, "bad_date", "column 'First seen': '2025-1-2' is not YYYY-MM-DD"),
        (2, "bad_boolean", "column 'Nofollow': 'yes' is not true/false"),
        (3, "missing_value", "column 'Source url' is empty"),
        (4, "nul_byte", "column 'Anchor' contains a NUL byte"),
    ]


def test_bad_number_detail() -> None:
    data = gsc("top_linking_sites", {"Target pages": "-"}).bytes()
    assert quarantined(data) == [
        (1, "bad_number", "column 'Target pages': '-' is not an integer (thousands may be comma-grouped)")
    ]


def test_first_reason_wins() -> None:
    rows = [
        {"Source url": "", "First seen": "bad", "Anchor": "\x00"},
        {"Source url": "", "First seen": "bad"},
        {"Nofollow": "nope", "First seen": "bad"},  # First seen comes after Nofollow in the header
    ]
    assert [(n, r) for n, r, _ in quarantined(semrush_backlinks(*rows).bytes())] == [
        (1, "nul_byte"),
        (2, "missing_value"),
        (3, "bad_boolean"),
    ]


def test_raw_is_fields_joined_by_delimiter_and_capped() -> None:
    long_title = "t" * 10_000
    data = ahrefs_backlinks({"Referring page title": long_title, "Last seen": "yesterday"}).bytes()
    raw = read_export(data, "a.csv").quarantine["raw"][0].as_py()
    assert raw == "t" * 4000  # the title is the first field
    short = (
        read_export(ahrefs_backlinks({"Last seen": "yesterday"}).bytes(), "a.csv")
        .quarantine["raw"][0]
        .as_py()
    )
    assert short.split("\t")[1] == "https://blog.example.org/post" and '"' not in short


def test_blank_lines_are_not_records() -> None:
    data = semrush_backlinks({}, {"Last seen": "x"}, {}).bytes()
    lines = data.split(b"\n")
    data = b"\n".join([lines[0], b"", lines[1], b"", b"", lines[2], lines[3]])
    result = read_export(data, "b.csv")
    assert result.rows["row_number"].to_pylist() == [1, 3]
    assert result.quarantine["row_number"].to_pylist() == [2]


def test_whitespace_only_line_is_a_bad_record() -> None:
    data = semrush_backlinks({}, {}).bytes().replace(b"\n", b"\n   \n", 1)
    result = read_export(data, "b.csv")
    assert result.rows_read == 3
    assert result.quarantine["reason"].to_pylist() == ["column_count"]


def test_unterminated_quote_swallows_the_rest_but_accounts_for_it() -> None:
    data = semrush_backlinks({}, {}, {}, {}).bytes()
    third = data.index(b"best widgets", data.index(b"best widgets", data.index(b"best widgets") + 1) + 1)
    data = data[:third] + b'"' + data[third:]
    result = read_export(data, "b.csv")
    assert result.rows_read == 3
    assert result.rows["row_number"].to_pylist() == [1, 2]
    assert result.quarantine["reason"].to_pylist() == ["column_count"]


def test_field_longer_than_a_parse_block() -> None:
    huge = "x" * (3 << 20)
    result = read_export(semrush_backlinks({}, {"Source title": huge}, {}).bytes(), "b.csv")
    assert result.rows_read == result.rows.num_rows == 3
    assert dict(result.rows["extra"][1].as_py())["source title"] == huge


@pytest.mark.parametrize("literal", ["null", "NULL", " null "])
def test_literal_null_is_null_in_typed_columns_only(literal: str) -> None:
    row = {"First seen": literal, "Nofollow": literal, "Anchor": "null"}
    out = read_export(semrush_backlinks(row).bytes(), "b.csv").rows.to_pylist()[0]
    assert out["first_seen_claim"] is None and out["nofollow"] is None
    assert out["anchor_raw"] == "null"
