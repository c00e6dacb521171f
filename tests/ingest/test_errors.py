"""Whole-file failures: each ReportError reason, and messages that name the file and the cause."""

from __future__ import annotations

import gzip

import pytest

from pipelines.ingest.vendors import ReportError, read_export
from tests.ingest.fixtures import ahrefs_backlinks, render, semrush_backlinks


def error(data: bytes, name: str = "upload.csv") -> ReportError:
    with pytest.raises(ReportError) as caught:
        read_export(data, name)
    assert caught.value.file_name == name
    assert str(caught.value).startswith(f"{name}: ")
    return caught.value


@pytest.mark.parametrize(
    "data",
    [b"", b"\xef\xbb\xbf", b"\xff\xfe", b" \r\n\n\t", gzip.compress(b""), "\n\n".encode("utf-16-le")],
    ids=["empty", "bom-only", "utf16-bom-only", "blank", "gzip-of-nothing", "utf16-blank"],
)
def test_empty_file(data: bytes) -> None:
    assert error(data).reason == "empty_file"


def test_cp1252_bytes_in_a_utf8_file_name_the_offset() -> None:
    data = semrush_backlinks({"Anchor": "café"}).bytes().replace("é".encode(), "é".encode("cp1252"))
    offset = data.index(b"\xe9")
    exc = error(data, "cafe.csv")
    assert exc.reason == "undecodable"
    assert f"byte 0xe9 at offset {offset}" in str(exc) and "cp1252" in str(exc)


def test_broken_utf16_names_the_offset() -> None:
    data = ahrefs_backlinks({}).bytes()
    data = data[:40] + b"\x00\xd8" + data[42:]  # a lone high surrogate
    exc = error(data)
    assert exc.reason == "undecodable" and "utf-16-le" in str(exc)


def test_odd_length_utf16() -> None:
    assert error(ahrefs_backlinks({}).bytes()[:-1]).reason == "undecodable"


def test_utf16_without_bom_is_still_read() -> None:
    data = ahrefs_backlinks({}).bytes()[2:]
    result = read_export(data, "a.csv")
    assert (result.encoding, result.rows.num_rows) == ("utf-16-le", 1)


def test_unknown_csv_names_the_header_it_saw() -> None:
    exc = error(render(["Keyword", "Position", "Volume"], [["widgets", "3", "900"]]))
    assert exc.reason == "unrecognized_report"
    assert "'Keyword,Position,Volume'" in str(exc)


def test_binary_is_undecodable_or_unrecognized() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    assert error(png).reason == "undecodable"
    assert error(b"PK\x03\x04\x14\x00\x00\x00").reason == "unrecognized_report"


def test_header_lookalike_in_the_name_is_ignored() -> None:
    assert error(b"a,b\n1,2\n", "www.example.com-backlinks-subdomains_2026-01-01_00-00-00.csv").reason == (
        "unrecognized_report"
    )
