"""Ahrefs readers: the UTF-16LE TAB layout, the 34- and 37-column Backlinks headers, the UTF-8 comma option,
lost / drop / discovered statuses, and the referring domains, anchors and referring IPs reports.

Referring domains and Anchors were built from a third-party parser's headers: no real file was available.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from pipelines.ingest.vendors import read_export
from tests.ingest.fixtures import (
    AHREFS_BACKLINKS_34,
    AHREFS_BACKLINKS_37,
    ahrefs_anchors,
    ahrefs_backlinks,
    ahrefs_referring_domains,
    ahrefs_referring_ips,
)

NAME = "www.target.example-backlinks-subdomains_2026-04-17_08-18-41.csv"


def test_real_layout_bytes() -> None:
    data = ahrefs_backlinks({}).bytes()
    assert data.startswith(b'\xff\xfe"\x00R\x00')
    assert data.endswith('"\n'.encode("utf-16-le"))
    result = read_export(data, NAME)
    assert (result.encoding, result.delimiter, result.compression) == ("utf-16-le", "\t", None)
    assert result.target_hint == "www.target.example"
    assert result.exported_at == datetime(2026, 4, 17, 8, 18, 41)


@pytest.mark.parametrize("columns", [34, 37])
def test_34_and_37_column_headers(columns: int) -> None:
    assert len(AHREFS_BACKLINKS_34) == 34 and len(AHREFS_BACKLINKS_37) == 37
    result = read_export(ahrefs_backlinks({"Is spam": "true"}, columns=columns).bytes(), NAME)
    row = result.rows.to_pylist()[0]
    assert row["source_url_raw"] == "https://blog.example.org/post"
    assert row["target_url_raw"] == "https://www.target.example/"
    assert row["anchor_raw"] == "widgets"
    metrics, extra = dict(row["metrics"]), dict(row["extra"])
    assert metrics["domain rating"] == "3.7" and metrics["ur"] == "12" and metrics["links in group"] == "1"
    assert extra["referring page title"] == "A page about widgets" and extra["left context"] == "see"
    if columns == 37:
        assert metrics["is spam"] == "true"
        assert extra["page type"] == "article" and extra["page category"] == "Technology"
    else:
        assert "is spam" not in metrics and "page type" not in extra


def test_utf8_comma_option() -> None:
    result = read_export(ahrefs_backlinks({"Anchor": 'say "hi", now'}, utf8_option=True).bytes(), NAME)
    assert (result.encoding, result.delimiter) == ("utf-8", ",")
    assert result.rows["anchor_raw"].to_pylist() == ['say "hi", now']


def test_utf16_big_endian() -> None:
    export = ahrefs_backlinks({})
    data = export.bytes(encoding="utf-16-be")
    assert data.startswith(b"\xfe\xff")
    result = read_export(data, NAME)
    assert result.encoding == "utf-16-be"
    assert result.rows.num_rows == 1


def test_dates_booleans_and_types() -> None:
    rows = [
        {"Nofollow": "TRUE", "UGC": "false", "Sponsored": "True", "Type": "image"},
        {"Type": "redirect", "First seen": "2024-02-29", "Last seen": "2026-05-01 23:59:59"},
        {"Type": "something-new"},
        {"Type": ""},
    ]
    result = read_export(ahrefs_backlinks(*rows).bytes(), NAME)
    out = result.rows.to_pylist()
    assert (out[0]["nofollow"], out[0]["ugc"], out[0]["sponsored"]) == (True, False, True)
    assert [r["link_type"] for r in out] == ["image", "redirect", "unknown", "unknown"]
    assert dict(out[2]["metrics"])["type"] == "something-new"
    assert out[1]["first_seen_claim"] == datetime(2024, 2, 29)
    assert out[1]["last_seen_claim"] == datetime(2026, 5, 1, 23, 59, 59)
    assert out[0]["first_seen_claim"] == datetime(2024, 3, 1, 10, 20, 30)
    assert out[0]["new_reason_claim"] == "linkfound"


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("removedfromhtml", "link_removed"),
        ("pageerror", "page_error"),
        ("notfound", "page_not_found"),
        ("pageredirected", "page_redirected"),
        ("lostredirect", "lost_redirect"),
        ("noindex", "noindex"),
        ("notcanonical", "not_canonical"),
    ],
)
def test_lost_status(status: str, reason: str) -> None:
    lost = {"Lost": "2026-04-02 03:04:05", "Lost status": status}
    out = read_export(ahrefs_backlinks(lost).bytes(), NAME).rows.to_pylist()[0]
    assert (out["lost_at_claim"], out["lost_flag_claim"], out["lost_reason_claim"]) == (
        datetime(2026, 4, 2, 3, 4, 5),
        True,
        reason,
    )
    assert "lost status" not in dict(out["metrics"])


@pytest.mark.parametrize("drop", ["tooold", "disallowed", "nxdomain"])
def test_drop_reason_is_page_dropped_and_kept_raw(drop: str) -> None:
    out = read_export(ahrefs_backlinks({"Lost": "2026-01-01 00:00:00", "Drop reason": drop}).bytes(), NAME)
    row = out.rows.to_pylist()[0]
    assert (row["lost_reason_claim"], row["lost_flag_claim"]) == ("page_dropped", True)
    assert dict(row["metrics"])["drop reason"] == drop


def test_live_link_is_not_lost_and_unknown_status_is_kept() -> None:
    rows = [{}, {"Lost": "2026-01-01 00:00:00", "Lost status": "vanished"}]
    live, odd = read_export(ahrefs_backlinks(*rows).bytes(), NAME).rows.to_pylist()
    assert (live["lost_at_claim"], live["lost_flag_claim"], live["lost_reason_claim"]) == (None, False, None)
    assert (odd["lost_flag_claim"], odd["lost_reason_claim"]) == (True, None)
    assert dict(odd["metrics"])["lost status"] == "vanished"


@pytest.mark.parametrize("status", ["linkfound", "linkrestored", "pagefound"])
def test_discovered_status(status: str) -> None:
    row = read_export(ahrefs_backlinks({"Discovered status": status}).bytes(), NAME).rows.to_pylist()[0]
    assert row["new_reason_claim"] == status


def test_empty_anchor_is_empty_not_null_and_empty_cells_are_null() -> None:
    row = read_export(
        ahrefs_backlinks({"Anchor": "", "UR": "", "Nofollow": ""}).bytes(), NAME
    ).rows.to_pylist()[0]
    assert row["anchor_raw"] == ""
    assert row["nofollow"] is None
    assert "ur" not in dict(row["metrics"])


def test_header_without_lost_columns_leaves_lost_flag_null() -> None:
    header = [c for c in AHREFS_BACKLINKS_34 if c not in {"Lost", "Lost status", "Drop reason"}]
    row = read_export(ahrefs_backlinks({}).with_header(header).bytes(), NAME).rows.to_pylist()[0]
    assert row["lost_flag_claim"] is None and row["lost_reason_claim"] is None


def test_referring_domains_trailing_space_headers() -> None:
    result = read_export(ahrefs_referring_domains({"Lost": "2026-03-03 00:00:00"}).bytes(), "refdomains.csv")
    row = result.rows.to_pylist()[0]
    assert row["referring_domain_raw"] == "blog.example.org"
    assert (row["backlinks"], row["dofollow_backlinks"]) == (7, 5)
    assert row["first_seen"] == datetime(2023, 11, 2, 4, 5, 6)
    assert row["lost_at"] == datetime(2026, 3, 3)
    metrics = dict(row["metrics"])
    assert metrics["traffic"] == "5400" and metrics["keywords"] == "310" and metrics["dr"] == "41"


def test_anchors() -> None:
    rows = [{"Anchor text": ""}, {"Anchor text": "Widgets & Co"}]
    out = read_export(ahrefs_anchors(*rows).bytes(), "anchors.csv").rows.to_pylist()
    assert [r["anchor_raw"] for r in out] == ["", "Widgets & Co"]
    assert (out[0]["referring_domains"], out[0]["referring_pages"], out[0]["backlinks"]) == (3, 4, 9)
    assert dict(out[0]["metrics"]) == {"top dr": "55"}


def test_referring_ips() -> None:
    row = read_export(ahrefs_referring_ips({}).bytes(), "ips.csv").rows.to_pylist()[0]
    assert row["subnet"] == "217.160.0.xxx"
    assert (row["referring_domains"], row["backlinks"], row["dofollow_backlinks"], row["ips_in_subnet"]) == (
        2,
        5,
        4,
        2,
    )
    assert (row["country"], row["isp"]) == ("DE", "IONOS SE")
    assert dict(row["metrics"]) == {"top dr": "30", "new links": "0", "lost links": "1"}


def test_multi_valued_cells_stay_as_written() -> None:
    row = {
        "Language": "en, es",
        "Redirect Chain status codes": "301, 302",
        "Redirect Chain URLs": "A > B; C > D",
    }
    extra = dict(read_export(ahrefs_backlinks(row).bytes(), NAME).rows.to_pylist()[0]["extra"])
    assert extra["language"] == "en, es" and extra["redirect chain status codes"] == "301, 302"
    assert extra["redirect chain urls"] == "A > B; C > D"


@pytest.mark.parametrize(
    ("name", "target", "exported"),
    [
        (
            "example.com-backlinks-subdomains_2025-04-16_13-31-57.csv",
            "example.com",
            datetime(2025, 4, 16, 13, 31, 57),
        ),
        ("rafa-wino.pl-link-intersect-refpages-subdoma_2026-04-17_09-35-11.csv", "rafa-wino.pl", None),
        ("mdsupplies.com-broken-backlinks-subdomains_2026-04-26_19-10-19(3).csv", "mdsupplies.com", None),
        ("my-site.co.uk-refdomains-exact_2024-01-02_03-04-05 (1).csv", "my-site.co.uk", None),
        ("backlinks.csv", None, None),
    ],
)
def test_file_name_hints(name: str, target: str | None, exported: datetime | None) -> None:
    result = read_export(ahrefs_backlinks({}).bytes(), name)
    assert result.target_hint == target
    if exported is not None:
        assert result.exported_at == exported
    assert (result.exported_at is None) == (target is None)
