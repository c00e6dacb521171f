"""Semrush readers: Backlinks (current and older header, comma or semicolon, LF or CRLF), Backlink Audit,
Referring domains, Indexed pages, Outbound domains and Comparison (all measured on real files; the older
Backlinks header comes from a third-party parser)."""

from __future__ import annotations

from datetime import datetime

import pytest

from pipelines.ingest.vendors import ReportError, read_export
from tests.ingest.fixtures import (
    SEMRUSH_BACKLINKS,
    semrush_backlink_audit,
    semrush_backlinks,
    semrush_comparison,
    semrush_indexed_pages,
    semrush_outbound_domains,
    semrush_referring_domains,
)


def types(*flags: dict[str, str], **kwargs: bool) -> list[str]:
    data = semrush_backlinks(*flags, **kwargs).bytes()
    return read_export(data, "b.csv").rows["link_type"].to_pylist()


def test_backlinks_mapping() -> None:
    row = {"Nofollow": "true", "Sponsored": "TRUE", "Ugc": "false", "Sitewide": "true", "New link": "true"}
    result = read_export(semrush_backlinks(row).bytes(), "target.example-backlinks.csv")
    assert (result.encoding, result.delimiter, result.target_hint, result.exported_at) == (
        "utf-8",
        ",",
        "target.example",  # Semrush names the file after the analysed target, but not the export time
        None,
    )
    out = result.rows.to_pylist()[0]
    assert out["source_url_raw"] == "https://news.example.com/a"
    assert out["target_url_raw"] == "https://www.target.example/"
    assert (out["nofollow"], out["sponsored"], out["ugc"]) == (True, True, False)
    assert (out["is_sitewide_claim"], out["new_flag_claim"], out["lost_flag_claim"]) == (True, True, False)
    assert out["lost_at_claim"] is None and out["lost_reason_claim"] is None
    assert (out["first_seen_claim"], out["last_seen_claim"]) == (datetime(2025, 1, 2), datetime(2026, 4, 30))
    assert dict(out["metrics"]) == {"page ascore": "23", "external links": "14", "internal links": "80"}
    assert dict(out["extra"]) == {"source title": "Widgets, reviewed"}


def test_new_and_lost_can_both_be_true() -> None:
    out = read_export(semrush_backlinks({"New link": "true", "Lost link": "true"}).bytes(), "b.csv")
    row = out.rows.to_pylist()[0]
    assert (row["new_flag_claim"], row["lost_flag_claim"], row["lost_at_claim"]) == (True, True, None)


def test_link_type_from_exactly_one_flag() -> None:
    only = {"Text": "false", "Image": "false", "Frame": "false", "Form": "false"}
    rows = [
        {**only, "Text": "true"},
        {**only, "Image": "true"},
        {**only, "Frame": "true"},
        {**only, "Form": "true"},
        only,
        {**only, "Image": "true", "Frame": "true"},
    ]
    assert types(*rows) == ["text", "image", "frame", "form", "unknown", "unknown"]


def test_older_header_has_no_text_column() -> None:
    only = {"Image": "false", "Frame": "false", "Form": "false"}
    rows = [only, {**only, "Image": "true"}, {**only, "Form": "true", "Frame": "true"}]
    assert types(*rows, old_header=True) == ["text", "image", "unknown"]
    row = read_export(semrush_backlinks(only, old_header=True).bytes(), "b.csv").rows.to_pylist()[0]
    assert row["sponsored"] is None and row["ugc"] is None and row["new_flag_claim"] is None
    assert dict(row["metrics"]) == {
        "page score": "4",
        "page trust score": "2",
        "external links": "14",
        "internal links": "80",
    }


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_semicolon_option_and_line_ends(delimiter: str, newline: str) -> None:
    row = {"Source title": "a; b, c", "Anchor": 'quote "x"; y'}
    result = read_export(semrush_backlinks(row).bytes(delimiter=delimiter, newline=newline), "b.csv")
    assert result.delimiter == delimiter
    out = result.rows.to_pylist()[0]
    assert out["anchor_raw"] == 'quote "x"; y' and dict(out["extra"])["source title"] == "a; b, c"


def test_quoted_newline_in_title_keeps_record_numbers() -> None:
    rows = [{"Source title": "two\nlines"}, {"Last seen": "2026-02-31"}, {"Source title": "x\r\ny"}]
    result = read_export(semrush_backlinks(*rows).bytes(newline="\r\n"), "b.csv")
    assert result.rows["row_number"].to_pylist() == [1, 3]
    assert result.quarantine["row_number"].to_pylist() == [2]
    assert [dict(m)["source title"] for m in result.rows["extra"].to_pylist()] == ["two\nlines", "x\r\ny"]


def test_missing_required_column_names_file_and_column() -> None:
    header = [c for c in SEMRUSH_BACKLINKS if c != "Target url"]
    with pytest.raises(ReportError) as caught:
        read_export(semrush_backlinks({}).with_header(header).bytes(), "my export.csv")
    assert caught.value.reason == "missing_column"
    assert caught.value.file_name == "my export.csv"
    assert str(caught.value) == "my export.csv: semrush backlinks: missing required column 'Target url'"


def test_backlink_audit_is_not_backlinks() -> None:
    rows = [
        {"Link Type": "a"},
        {"Link Type": "IMG", "No Follow": "true"},
        {"Link Type": "iframe"},
        {"Link Type": ""},
    ]
    result = read_export(semrush_backlink_audit(*rows).bytes(), "audit.csv")
    assert result.report == "backlink_audit"
    out = result.rows.to_pylist()
    assert [r["link_type"] for r in out] == ["text", "image", "frame", "unknown"]
    assert [r["nofollow"] for r in out] == [False, True, False, False]
    assert out[0]["source_url_raw"] == "https://dir.example.net/l"
    assert dict(out[0]["metrics"]) == {
        "domain authority score": "18",
        "page authority score": "9",
        "toxic score": "12",
    }
    assert dict(out[0]["extra"]) == {
        "source page title": "Directory",
        "source domain": "dir.example.net",
        "anchor type": "branded",
    }


def test_referring_domains() -> None:
    rows = [{"Country": "US"}, {"Country": ""}]
    out = read_export(semrush_referring_domains(*rows).bytes(), "rd.csv").rows.to_pylist()
    assert [r["country"] for r in out] == ["us", None]
    assert (out[0]["referring_domain_raw"], out[0]["backlinks"], out[0]["ip"]) == (
        "example.org",
        12,
        "93.184.216.34",
    )
    assert (out[0]["first_seen"], out[0]["last_seen"]) == (datetime(2024, 5, 6), datetime(2026, 5, 1))
    assert dict(out[0]["metrics"]) == {"domain ascore": "35"}


def test_indexed_pages_source_url_is_the_target() -> None:
    row = read_export(semrush_indexed_pages({}).bytes(), "pages.csv").rows.to_pylist()[0]
    assert row["target_url_raw"] == "https://www.target.example/pricing"
    assert (row["http_status"], row["backlinks"], row["referring_domains"]) == (200, 31, 9)
    assert (row["external_links"], row["internal_links"], row["last_seen"]) == (3, 45, datetime(2026, 5, 2))
    assert dict(row["extra"]) == {"source title": "Pricing"}


def test_outbound_domains() -> None:
    row = read_export(semrush_outbound_domains({}).bytes(), "out.csv").rows.to_pylist()[0]
    assert (row["domain_raw"], row["links"], row["first_seen"]) == ("wikipedia.org", 4, datetime(2023, 7, 8))
    assert dict(row["metrics"]) == {"domain ascore": "60"}


def test_comparison() -> None:
    row = read_export(semrush_comparison({}).bytes(), "cmp.csv").rows.to_pylist()[0]
    assert (row["target_raw"], row["target_type"]) == ("target.example", "root domain")
    assert (row["backlinks"], row["referring_domains"], row["referring_ips"]) == (5200, 640, 590)
    assert (row["follow_links"], row["nofollow_links"]) == (4100, 1100)
    assert dict(row["metrics"])["visits"] == "12000"


def test_row_cap_sized_export_reads_every_row() -> None:
    rows = [{"Source url": f"https://s{i}.example.com/"} for i in range(10_000)]
    result = read_export(semrush_backlinks(*rows).bytes(), "b.csv")
    assert result.rows_read == result.rows.num_rows == 10_000
