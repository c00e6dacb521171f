"""Moz readers: legacy Open Site Explorer (title block, two headers, Yes/No) and Link Explorer inbound links
and linking domains.

No real Moz file was available: the legacy headers come from a third-party parser, its title block text is
invented, and the Link Explorer columns are documentation-level guesses.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from pipelines.ingest.vendors import ReportError, read_export
from tests.ingest.fixtures import MOZ_OSE_PREAMBLE, moz_inbound_links, moz_linking_domains, moz_ose, render


def test_legacy_report_below_its_title_block() -> None:
    result = read_export(moz_ose({}).bytes(), "ose.csv")
    assert (result.source_system, result.report, result.rows_read) == ("moz", "ose_legacy", 1)
    row = result.rows.to_pylist()[0]
    assert row["source_url_raw"] == "http://www.qingdaonews.com/gb/node/mspd.htm"
    assert row["target_url_raw"] == "http://www.target.example/"
    assert row["anchor_raw"] == "39健康网"
    metrics = dict(row["metrics"])
    assert metrics["spam score"] == "2" and metrics["number of domains linking to domain"] == "32199"
    assert dict(row["extra"])["title"] == "美食频道"


@pytest.mark.parametrize(
    ("only_nofollow", "only_follow", "nofollow"),
    [("Yes", "No", True), ("No", "Yes", False), ("No", "No", None), ("yes", "no", True)],
)
def test_legacy_nofollow(only_nofollow: str, only_follow: str, nofollow: bool | None) -> None:
    row = {"Only rel=nofollow": only_nofollow, "Only follow": only_follow}
    assert read_export(moz_ose(row).bytes(), "ose.csv").rows["nofollow"].to_pylist() == [nofollow]


@pytest.mark.parametrize(("followable", "nofollow"), [("Yes", False), ("No", True), ("", None)])
def test_older_header_followable(followable: str, nofollow: bool | None) -> None:
    result = read_export(moz_ose({"Followable": followable}, old_header=True).bytes(), "ose.csv")
    assert result.report == "ose_legacy"
    assert result.rows["nofollow"].to_pylist() == [nofollow]
    assert dict(result.rows["metrics"][0].as_py())["number of links"] == "1"


def test_legacy_301_is_a_redirect() -> None:
    rows = [{"301": "Yes"}, {"301": "No"}]
    assert read_export(moz_ose(*rows).bytes(), "ose.csv").rows["link_type"].to_pylist() == [
        "redirect",
        "unknown",
    ]


def test_legacy_header_without_title_block() -> None:
    export = moz_ose({})
    result = read_export(render(export.header, [[export.defaults[c] for c in export.header]]), "ose.csv")
    assert result.report == "ose_legacy" and result.rows_read == 1


def test_title_block_longer_than_allowed_is_not_a_header() -> None:
    export = moz_ose({})
    block = [f"line {i}" for i in range(12)]
    data = render(export.header, [[export.defaults[c] for c in export.header]], preamble=block)
    with pytest.raises(ReportError) as caught:
        read_export(data, "ose.csv")
    assert caught.value.reason == "unrecognized_report"
    assert "'line 0'" in str(caught.value)
    assert len(MOZ_OSE_PREAMBLE) < 10


def test_link_explorer_inbound_links() -> None:
    rows = [{"Anchor Text": ""}, {"First Seen": "2025-02-03T04:05:06Z", "Last Seen": "2026-05-01 07:08:09"}]
    result = read_export(moz_inbound_links(*rows).bytes(), "moz.csv")
    assert (result.report, result.table_name) == ("inbound_links", "link_observations")
    first, second = result.rows.to_pylist()
    assert first["anchor_raw"] == "" and first["link_type"] == "unknown" and first["nofollow"] is None
    assert first["first_seen_claim"] == datetime(2025, 2, 3)
    assert (second["first_seen_claim"], second["last_seen_claim"]) == (
        datetime(2025, 2, 3, 4, 5, 6),
        datetime(2026, 5, 1, 7, 8, 9),
    )
    assert dict(first["metrics"]) == {"spam score": "1", "domain authority": "71", "page authority": "40"}


def test_link_explorer_slashed_dates_are_rejected_not_guessed() -> None:
    result = read_export(moz_inbound_links({"First Seen": "03/04/2025"}).bytes(), "moz.csv")
    assert result.quarantine["reason"].to_pylist() == ["bad_date"]


def test_link_explorer_linking_domains() -> None:
    row = read_export(moz_linking_domains({}).bytes(), "moz-domains.csv").rows.to_pylist()[0]
    assert (row["referring_domain_raw"], row["backlinks"], row["first_seen"]) == (
        "example.com",
        14,
        datetime(2024, 9, 10),
    )
    assert dict(row["metrics"]) == {"domain authority": "93", "spam score": "1"}


@pytest.mark.parametrize(
    "header",
    [
        [
            "Source URL",
            "Source Page Title",
            "Domain Authority",
            "Page Authority",
            "Anchor Text",
            "Target URL",
        ],
        ["URL", "DA", "PA", "Anchor", "Target URL", "First Seen", "Last Seen"],
        ["Domain", "Domain Authority", "Backlinks"],
    ],
    ids=["ubersuggest-backlinks", "da-pa-urls", "da-domains"],
)
def test_da_pa_alone_is_not_moz(header: list[str]) -> None:
    data = render(header, [["x"] * len(header)])
    with pytest.raises(ReportError) as caught:
        read_export(data, "moz-export.csv")
    assert caught.value.reason == "unrecognized_report"
