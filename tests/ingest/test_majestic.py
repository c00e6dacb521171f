"""Majestic readers: Backlinks (gzip, flag columns, rows with a wrong column count) and Referring domains
(UTF-8 BOM, CRLF, day-first dates, target in the column names).

No real Majestic Backlinks file was available: its fixture follows a third-party parser and the API docs.
The Referring domains fixture follows one real 2013 export.
"""

from __future__ import annotations

import gzip
from datetime import datetime

import pytest

from pipelines.ingest.vendors import ReportError, read_export
from tests.ingest.fixtures import MAJESTIC_BACKLINKS, majestic_backlinks, majestic_referring_domains


def test_gzip_is_detected_by_magic_bytes_not_name() -> None:
    data = majestic_backlinks({}).bytes(gzipped=True)
    for name in ("links.csv", "links.csv.gz", "links.txt"):
        result = read_export(data, name)
        assert (result.compression, result.report, result.rows.num_rows) == ("gzip", "backlinks", 1)
    assert read_export(majestic_backlinks({}).bytes(), "links.csv.gz").compression is None


def test_corrupt_gzip_is_undecodable() -> None:
    data = majestic_backlinks({}).bytes(gzipped=True)
    with pytest.raises(ReportError) as caught:
        read_export(data[:-12], "links.csv.gz")
    assert caught.value.reason == "undecodable" and "links.csv.gz" in str(caught.value)


def test_flags_are_empty_false_non_empty_true() -> None:
    rows = [
        {},
        {"FlagNoFollow": "1", "FlagImageLink": "x"},
        {"FlagRedirect": "true"},
        {"FlagFrame": "Y", "FlagNoFollow": "nofollow"},
        {"FlagImageLink": "1", "FlagRedirect": "1"},
    ]
    out = read_export(majestic_backlinks(*rows).bytes(), "m.csv").rows.to_pylist()
    assert [r["link_type"] for r in out] == ["text", "image", "redirect", "frame", "unknown"]
    assert [r["nofollow"] for r in out] == [False, True, False, True, False]
    assert all(r["ugc"] is None and r["sponsored"] is None for r in out)


def test_mapping_dates_and_metrics() -> None:
    row = {"Source URL": "http://forum.example.net/t/a b@c", "FlagMention": "1", "Anchor Text": ""}
    out = read_export(majestic_backlinks(row).bytes(), "m.csv").rows.to_pylist()[0]
    assert out["source_url_raw"] == "http://forum.example.net/t/a b@c"
    assert out["anchor_raw"] == ""
    assert out["last_seen_claim"] == datetime(2026, 4, 20)
    assert out["first_seen_claim"] == datetime(2019, 8, 9)
    metrics = dict(out["metrics"])
    assert metrics["sourcetrustflow"] == "14" and metrics["targetcitationflow"] == "33"
    assert metrics["sourcetopicaltrustflow_topic_0"] == "Computers/Internet"
    assert metrics["refdomaintopicaltrustflow_value_0"] == "9"
    assert dict(out["extra"]) == {"flagmention": "1"}


def test_wrong_column_count_rows_go_to_quarantine() -> None:
    data = majestic_backlinks({}).bytes()
    good = data.splitlines()[1].decode()
    broken = [good + ',"extra, field"', "https://www.target.example/,http://x.example/,short", good]
    data = ("\n".join([data.decode().rstrip("\n"), *broken]) + "\n").encode()
    result = read_export(gzip.compress(data), "m.csv.gz")
    assert result.rows_read == 4
    assert result.rows["row_number"].to_pylist() == [1, 4]
    assert result.quarantine["row_number"].to_pylist() == [2, 3]
    assert result.quarantine["reason"].to_pylist() == ["column_count", "column_count"]
    assert result.quarantine["detail"].to_pylist() == [
        f"expected {len(MAJESTIC_BACKLINKS)} fields, found {len(MAJESTIC_BACKLINKS) + 1}",
        f"expected {len(MAJESTIC_BACKLINKS)} fields, found 3",
    ]
    assert result.quarantine["raw"].to_pylist()[1] == "https://www.target.example/,http://x.example/,short"
    assert result.quarantine["raw"].to_pylist()[0].endswith(",extra, field")


def test_referring_domains_real_layout() -> None:
    data = majestic_referring_domains({}).bytes()
    assert data.startswith(b'\xef\xbb\xbf"Position","Domain"') and b"\r\n1," in data
    result = read_export(data, "refdomains.csv")
    assert (result.encoding, result.report, result.target_hint) == (
        "utf-8-sig",
        "referring_domains",
        "target.example",
    )
    row = result.rows.to_pylist()[0]
    assert (row["referring_domain_raw"], row["backlinks"], row["ip"], row["country"]) == (
        "example.org",
        3,
        "93.184.216.34",
        "us",
    )
    assert row["first_seen"] == datetime(2012, 1, 13)
    assert row["last_seen"] == datetime(2013, 5, 25, 14, 30)
    metrics = dict(row["metrics"])
    assert "alexarank" not in metrics  # -1 means unknown
    assert metrics["trustflow"] == "38" and metrics["refdomains"] == "5400"
    assert dict(row["extra"])["firstcrawled"] == "03/02/2011 00:00"


def test_day_first_dates_never_swap() -> None:
    rows = [
        {"FirstLinkDate_target.example": "01/02/2013 00:00"},
        {"FirstLinkDate_target.example": "13/01/2013 09:05"},
        {"FirstLinkDate_target.example": "02/13/2013 00:00"},
        {"FirstLinkDate_target.example": "31/04/2013 00:00"},
        {"FirstLinkDate_target.example": "05/06/2013"},
    ]
    result = read_export(majestic_referring_domains(*rows).bytes(), "rd.csv")
    assert result.rows["first_seen"].to_pylist() == [
        datetime(2013, 2, 1),
        datetime(2013, 1, 13, 9, 5),
        datetime(2013, 6, 5),
    ]
    assert result.quarantine["row_number"].to_pylist() == [3, 4]
    assert set(result.quarantine["reason"].to_pylist()) == {"bad_date"}
    assert (
        "'02/13/2013 00:00' is not DD/MM/YYYY HH:MM or DD/MM/YYYY" in result.quarantine["detail"][0].as_py()
    )


def test_alexa_rank_sentinel_only() -> None:
    rows = [{"AlexaRank": "-1"}, {"AlexaRank": "1234"}]
    out = read_export(majestic_referring_domains(*rows).bytes(), "rd.csv").rows.to_pylist()
    assert ["alexarank" in dict(r["metrics"]) for r in out] == [False, True]


def test_target_in_header_suffix() -> None:
    data = majestic_referring_domains({}, target="www.shop.example.co.uk").bytes()
    result = read_export(data, "whatever.csv")
    assert result.target_hint == "www.shop.example.co.uk"
    assert result.rows["backlinks"].to_pylist() == [3]


def test_several_targets_keep_per_target_columns_in_metrics() -> None:
    export = majestic_referring_domains({})
    export = export.with_column("BackLinks_other.example", "8").with_column(
        "FirstLinkDate_other.example", "x"
    )
    result = read_export(export.bytes(), "compare.csv")
    assert result.target_hint is None
    row = result.rows.to_pylist()[0]
    assert row["backlinks"] is None and row["first_seen"] is None
    metrics = dict(row["metrics"])
    assert metrics["backlinks_target.example"] == "3" and metrics["backlinks_other.example"] == "8"
    assert metrics["firstlinkdate_other.example"] == "x"
    assert row["last_seen"] is None and metrics["lastlinkdate_target.example"] == "25/05/2013 14:30"
