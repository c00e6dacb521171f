"""Vendor aggregate reports through the ingest step: the export target of every (vendor, aggregate report)
pair, their domains staged like link rows, and those domains reaching the right referring_domains row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.config import Settings
from pipelines.ingest.runner import Outcome, ingest
from pipelines.ingest.vendors import REPORTS
from pipelines.ingest.vendors.names import hints
from pipelines.load.lake import Lake
from pipelines.models.build import load_inputs, run_models
from tests.ingest.fixtures import (
    GSC_NAME,
    SAMPLES,
    Sample,
    gsc,
    majestic_referring_domains,
    semrush_backlinks,
    semrush_referring_domains,
)

DAY = date(2026, 5, 10)
AGGREGATES = {(s.source_system, s.report) for s in REPORTS if s.table != "link_observations"}


@dataclass(frozen=True)
class Named:
    """An aggregate report under the file name its vendor gives it, and the target each source names."""

    sample: Sample
    vendor_name: str
    from_name: str  # export_target the vendor's file name gives
    from_content: str | None  # export_target the rows give on their own (renamed file, no --target)

    @property
    def id(self) -> str:
        return self.sample.id


def _sample(sample_id: str) -> Sample:
    return next(s for s in SAMPLES if s.id == sample_id)


# File names as each vendor writes them (VENDOR_FORMATS.md, pipelines/ingest/vendors/names.py); IDN and www.
# forms of the target on purpose. Content: Majestic names the target in three column names, and target-page
# reports list pages of the analysed site (the fixtures' pages are on www.target.example).
NAMED = [
    Named(_sample("ahrefs_referring_domains"), "bücher-welt.de-refdomains-subdomains_2026-05-10_08-09-10.csv",
          "xn--bcher-welt-9db.de", None),
    Named(_sample("ahrefs_anchors"), "www.target.example-anchors-subdomains_2026-05-10_08-09-10.csv",
          "target.example", None),
    Named(_sample("ahrefs_referring_ips"), "target.example-referring-ips-subdomai_2026-05-10_08-09-10.csv",
          "target.example", None),
    Named(_sample("semrush_referring_domains"), "www.target.example-backlinks_refdomains.csv",
          "target.example", None),
    Named(_sample("semrush_indexed_pages"), "xn--bcher-welt-9db.de-backlinks_pages.csv",
          "xn--bcher-welt-9db.de", "target.example"),
    Named(_sample("semrush_outbound_domains"), "example-shop.co.uk-backlinks_outgoing_domains (1).csv",
          "example-shop.co.uk", None),
    Named(_sample("semrush_comparison"), "target.example-backlinks_comparison.csv", "target.example", None),
    Named(_sample("majestic_referring_domains"), "target.example_fresh_refdomains_2026-05-10.csv",
          "target.example", "target.example"),
    Named(_sample("moz_linking_domains"), "Bücher-Welt.de-linking-domains-2026-05-10.csv",
          "xn--bcher-welt-9db.de", None),
    Named(_sample("gsc_top_linking_sites"), GSC_NAME.format("Top linking sites"), "target.example", None),
    Named(_sample("gsc_top_linking_text"), "bücher-welt.de-Top linking text-2026-05-10.csv",
          "xn--bcher-welt-9db.de", None),
    Named(_sample("gsc_top_linked_pages_external"), GSC_NAME.format("Top target pages"),
          "target.example", "target.example"),
    Named(_sample("gsc_top_linked_pages_internal"), GSC_NAME.format("Top target pages").replace(".csv", " (1).csv"),
          "target.example", "target.example"),
]
BY_PAIR = pytest.mark.parametrize("named", NAMED, ids=[n.id for n in NAMED])


def _ingest(tmp_path: Path, files: dict[str, bytes], target: str | None = None) -> tuple[Settings, list[Outcome]]:
    landing = tmp_path / "landing"
    landing.mkdir()
    for name, data in files.items():
        (landing / name).write_bytes(data)
    settings = Settings(home=tmp_path / "home")
    return settings, ingest([landing], settings, target=target, observed_on=DAY, today=DAY)


def _lake_rows(settings: Settings, table: str) -> pa.Table:
    return pa.concat_tables(pq.read_table(part) for part in Lake(settings.lake).files(table))


def _export_targets(settings: Settings, named: Named, outcomes: list[Outcome]) -> tuple[object, set[object]]:
    (outcome,) = outcomes
    assert outcome.status == "partial", outcome.error  # each sample holds one row the reader quarantines
    assert (outcome.row["source_system"], outcome.row["report"]) == (named.sample.source_system,
                                                                     named.sample.report)
    return outcome.row["export_target"], set(_lake_rows(settings, named.sample.table)["export_target"].to_pylist())


def test_every_aggregate_report_is_covered() -> None:
    assert {(n.sample.source_system, n.sample.report) for n in NAMED} == AGGREGATES


@BY_PAIR
def test_export_target_from_the_vendors_file_name(tmp_path: Path, named: Named) -> None:
    settings, outcomes = _ingest(tmp_path, {named.vendor_name: named.sample.export.bytes()})
    assert _export_targets(settings, named, outcomes) == (named.from_name, {named.from_name})


@BY_PAIR
def test_target_option_wins_over_name_and_content(tmp_path: Path, named: Named) -> None:
    settings, outcomes = _ingest(tmp_path, {named.vendor_name: named.sample.export.bytes()},
                                 target="https://WWW.Другой.example/")
    assert _export_targets(settings, named, outcomes) == ("xn--c1abqtis.example", {"xn--c1abqtis.example"})


@BY_PAIR
def test_export_target_from_content_when_the_file_was_renamed(tmp_path: Path, named: Named) -> None:
    settings, outcomes = _ingest(tmp_path, {"export (3).csv": named.sample.export.bytes()})
    assert _export_targets(settings, named, outcomes) == (named.from_content, {named.from_content})


@pytest.mark.parametrize(
    ("vendor", "name", "target"),
    [
        ("semrush", "www.caldea.com-backlinks_refdomains.csv", "www.caldea.com"),
        ("semrush", "plays.org-backlinks_anchors.csv", "plays.org"),
        ("semrush", "calendly.com-backlinks_pages (2).csv", "calendly.com"),
        ("semrush", "allrecipes.com_recipe-backlinks_pages.csv", "allrecipes.com"),  # a subfolder export
        ("semrush", "target.example-backlink_audit.csv", "target.example"),
        ("semrush", "sapotacorp_vn-backlinks_refdomains.csv", None),  # renamed: no domain left in it
        ("semrush", "comparison.csv", None),
        ("moz", "example-shop.co.uk-linking-domains-2026-05-10.csv", "example-shop.co.uk"),
        ("moz", "bücher-welt.de-inbound-links-2026-05-10.csv", "bücher-welt.de"),
        ("moz", "OSE-inbound-links-www.target.example-2014-05-06.csv", "www.target.example"),
        ("moz", "moz-linking-domains.csv", None),
        ("moz", "target.example-backlinks_refdomains.csv", None),  # Semrush's pattern is not Moz's
    ],
)
def test_semrush_and_moz_file_names_name_the_target(vendor: str, name: str, target: str | None) -> None:
    found = hints(name, vendor)
    assert (found.target, found.exported_at) == (target, None)


def test_vendor_crawled_pages_and_ip_reach_the_referring_domain_in_any_spelling(tmp_path: Path) -> None:
    """Majestic CrawledURLs and IP, Semrush and GSC IPs given in Unicode, punycode, upper case and www. forms
    land on the referring_domains rows the link rows (staged from the same hosts in other forms) make."""
    links = semrush_backlinks(
        {"Source url": "https://bücher-welt.de/a"},
        {"Source url": "https://www.bücher-welt.de/b"},
        {"Source url": "https://blog.xn--e1afmkfd.com/p"},
        {"Source url": "http://Forum.Example.net/t/1"},
        {"Source url": "https://news.example.org/n"},
    )
    majestic = majestic_referring_domains(
        {"Domain": "Bücher-Welt.DE", "CrawledURLs": "40", "IP": "192.0.2.10"},
        {"Domain": "XN--E1AFMKFD.COM", "CrawledURLs": "7", "IP": "192.0.2.20"},
        {"Domain": "not a domain", "CrawledURLs": "9", "IP": "192.0.2.99"},
    )
    semrush = semrush_referring_domains({"Domain": "www.forum.example.net", "IP Address": "198.51.100.7"})
    top_sites = gsc("top_linking_sites", {"Site": "NEWS.example.org."})
    settings, outcomes = _ingest(tmp_path, {
        "target.example-backlinks.csv": links.bytes(),
        "target.example_refdomains.csv": majestic.bytes(),
        "target.example-backlinks_refdomains.csv": semrush.bytes(),
        GSC_NAME.format("Top linking sites"): top_sites.bytes(),
    })
    by_name = {o.file_name: o for o in outcomes}
    assert [o.error for o in outcomes] == [None] * 4
    refdomains = by_name["target.example_refdomains.csv"]
    assert (refdomains.rows_read, refdomains.rows_kept, refdomains.rows_quarantined) == (3, 2, 1)
    quarantine = _lake_rows(settings, "quarantine").select(["file_name", "row_number", "reason"]).to_pylist()
    assert quarantine == [{"file_name": "target.example_refdomains.csv", "row_number": 3, "reason": "not_a_domain"}]

    con = duckdb.connect()
    load_inputs(con, settings, Lake(settings.lake))
    run_models(con)
    got = con.execute(
        "SELECT referring_domain, linking_pages, known_pages, ip, ip_source, subnet_24 FROM referring_domains "
        "WHERE target_domain = 'target.example' ORDER BY referring_domain"
    ).fetchall()
    assert got == [
        ("example.net", 1, 1, "198.51.100.7", "vendor", "198.51.100.0/24"),
        ("example.org", 1, 1, None, None, None),
        ("xn--bcher-welt-9db.de", 2, 40, "192.0.2.10", "vendor", "192.0.2.0/24"),
        ("xn--e1afmkfd.com", 1, 7, "192.0.2.20", "vendor", "192.0.2.0/24"),
    ]
    staged = con.execute(
        "SELECT source_system, referring_domain_raw, referring_host, referring_domain FROM vendor_referring_domains "
        "ORDER BY source_system, row_number"
    ).fetchall()
    assert staged == [
        ("gsc", "NEWS.example.org.", "news.example.org", "example.org"),
        ("majestic", "Bücher-Welt.DE", "xn--bcher-welt-9db.de", "xn--bcher-welt-9db.de"),
        ("majestic", "XN--E1AFMKFD.COM", "xn--e1afmkfd.com", "xn--e1afmkfd.com"),
        ("semrush", "www.forum.example.net", "www.forum.example.net", "example.net"),
    ]
