"""Google Search Console readers: the seven Links exports, the property in the file name, `(empty)`,
grouped counts and the byte layout of real exports (no final newline; CRLF old, LF new)."""

from __future__ import annotations

from datetime import datetime

import pytest

from pipelines.ingest.vendors import read_export
from tests.ingest.fixtures import gsc


def test_real_layout_bytes() -> None:
    data = gsc(
        "latest_links", {}, {"Linking page": "https://akalogue.wordpress.com/2007/07/15/iphoneのjavascript"}
    ).bytes()
    assert data.startswith(b"Linking page,Last crawled\n") and not data.endswith(b"\n")
    result = read_export(data, "https___www.target.example_-Latest links-2026-05-10.csv")
    assert (result.report, result.delimiter, result.encoding) == ("latest_links", ",", "utf-8")
    assert (
        result.rows["source_url_raw"][1].as_py()
        == "https://akalogue.wordpress.com/2007/07/15/iphoneのjavascript"
    )


def test_link_lists_target_the_property_root() -> None:
    result = read_export(
        gsc("latest_links", {}).bytes(), "https___www.target.example_-Latest links-2026-05-10.csv"
    )
    assert (result.target_hint, result.exported_at) == ("https://www.target.example/", datetime(2026, 5, 10))
    row = result.rows.to_pylist()[0]
    assert row["target_url_raw"] == "https://www.target.example/"
    assert row["last_seen_claim"] == datetime(2026, 5, 1)
    assert row["link_type"] == "unknown"
    assert all(row[c] is None for c in ("anchor_raw", "nofollow", "ugc", "sponsored", "first_seen_claim"))
    assert row["metrics"] == [] and row["extra"] == []


def test_domain_property_and_copy_suffix() -> None:
    result = read_export(
        gsc("top_linking_sites", {}).bytes(), "target.example-Top linking sites-2026-05-10 (1).csv"
    )
    assert (result.target_hint, result.exported_at) == ("target.example", datetime(2026, 5, 10))
    sample = read_export(
        gsc("more_sample_links", {}).bytes(), "target.example-More sample links-2026-05-10 (2).csv"
    )
    assert sample.rows["target_url_raw"].to_pylist() == ["https://target.example/"]


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("https___www.example.com_-Latest links-2026-05-10.csv", "https://www.example.com/"),
        ("http___www.johnmurch.com_-Latest links-2020-07-15.csv", "http://www.johnmurch.com/"),
        ("https___example.com_blog_-Latest links-2026-05-10.csv", "https://example.com/blog/"),
        ("sc-domain_example.com-Latest links-2026-05-10.csv", "example.com"),
        ("smv-gmbh.de-Latest links-2026-05-17.csv", "smv-gmbh.de"),
        (
            "https___www.acme-tools.com_-Top linked pages - externally-2026-10-01.csv",
            "https://www.acme-tools.com/",
        ),
        ("bücher-welt.de-Top linked pages - internally-2026-11-01 (1).csv", "bücher-welt.de"),
        ("my-site.example-Links-2026-05-17.csv", "my-site.example"),
        ("latest.csv", None),
    ],
)
def test_property_from_file_name(name: str, hint: str | None) -> None:
    assert read_export(gsc("latest_links", {}).bytes(), name).target_hint == hint


def test_no_hint_leaves_target_null_for_the_ingest_layer() -> None:
    result = read_export(gsc("latest_links", {}).bytes(), "latest.csv")
    assert result.rows["target_url_raw"].to_pylist() == [None]
    assert result.exported_at is None


def test_more_sample_links_is_one_column_with_commas_in_urls() -> None:
    rows = [{"Linking page": "https://a.example/x,y;z\tw"}, {"Linking page": "https://b.example/"}]
    result = read_export(gsc("more_sample_links", *rows).bytes(), "sample.csv")
    assert (result.report, result.delimiter) == ("more_sample_links", None)
    assert result.rows["source_url_raw"].to_pylist() == ["https://a.example/x,y;z\tw", "https://b.example/"]


def test_your_pages_linking_label_comes_from_the_name_only() -> None:
    data = gsc("pages_linking_to_page", {}).bytes()
    named = read_export(
        data, "https___www.target.example_-Your pages linking to this page-2026-05-10 (4).csv"
    )
    assert (named.report, named.table_name) == ("pages_linking_to_page", "link_observations")
    assert named.rows["report"].to_pylist() == ["pages_linking_to_page"]
    assert read_export(data, "internal.csv").report == "more_sample_links"


def test_top_linking_text_empty_anchor_and_rank() -> None:
    rows = [{"Rank": "1", "Link text": "(empty)"}, {"Rank": "2", "Link text": "https www target example"}]
    out = read_export(gsc("top_linking_text", *rows).bytes(), "text.csv").rows.to_pylist()
    assert [(r["rank"], r["anchor_raw"]) for r in out] == [(1, ""), (2, "https www target example")]


def test_grouped_counts() -> None:
    rows = [{"Linking pages": "1,240", "Target pages": "12"}, {"Linking pages": "1,234,567"}]
    result = read_export(gsc("top_linking_sites", *rows).bytes(), "sites.csv")
    assert b'"1,240"' in gsc("top_linking_sites", *rows).bytes()
    assert result.rows["backlinks"].to_pylist() == [1240, 1234567]
    assert result.rows["target_pages"].to_pylist() == [12, 3]


@pytest.mark.parametrize("bad", ["1,24", "1,2400", ",240", "1.240", "1 240", "12a"])
def test_malformed_grouped_counts_are_rejected(bad: str) -> None:
    result = read_export(gsc("top_linking_sites", {"Linking pages": bad}).bytes(), "sites.csv")
    assert result.quarantine["reason"].to_pylist() == ["bad_number"]
    assert repr(bad) in result.quarantine["detail"][0].as_py()


def test_top_linked_pages_external_and_internal() -> None:
    external = read_export(gsc("top_linked_pages_external", {"Incoming links": "2,100"}).bytes(), "t.csv")
    assert external.report == "top_linked_pages_external"
    row = external.rows.to_pylist()[0]
    assert (row["target_url_raw"], row["backlinks"], row["referring_domains"]) == (
        "https://www.target.example/",
        2100,
        9,
    )
    internal = read_export(gsc("top_linked_pages_internal", {}).bytes(), "t.csv")
    assert internal.report == "top_linked_pages_internal"
    assert internal.rows.to_pylist()[0]["internal_links"] == 140


@pytest.mark.parametrize("old", [True, False])
def test_old_crlf_and_new_lf_exports(old: bool) -> None:
    data = gsc("latest_links", {}, {}, old=old).bytes()
    assert (b"\r\n" in data) == old
    assert read_export(data, "l.csv").rows_read == 2
