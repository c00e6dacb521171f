"""The real WARC/WAT samples (shared/data/crawl, see its PROVENANCE.md): counts derived here, known links.

The record, page and link counts of every file are computed below with the standard library alone (gzip, a
WARC record split on Content-Length, json for WAT records, html.parser for HTML), never taken from
linkindex's reader, following the link policy in pipelines/ingest/crawl/html.py and resolve.py: a page is
a response record for an http(s) URI, a revisit record, or a WAT record describing a response; its links
are, for a 3xx, the Location; for a 200 HTML page, each <a href>/<area href> naming a web page (resolved
against the first <base href>) and the first <link rel=canonical>; for a WAT record, its A@/href and
AREA@/href entries naming a web page. Link facts of single pages were read from their HTML by hand.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import polars as pl
import pytest

from tests.crawl.checks import check
from tests.crawl.conftest import CRAWL, read_sample, sample_files

CC_2014 = "cc-main-2014-35/CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc"

# file: (report, compression, source_system, crawl_id) as the reader labels it. The crawl id is the isPartOf
# of the file's warcinfo (a WAT quotes its WARC's in JSON); commoncrawl is a file that names CC-MAIN.
LABELS = {
    CC_2014: ("warc", None, "commoncrawl", "CC-MAIN-2014-35"),
    CC_2014 + ".wat": ("wat", None, "commoncrawl", "CC-MAIN-2014-35"),
    CC_2014 + ".wet": ("warc", None, "commoncrawl", "CC-MAIN-2014-35"),
    "cc-main-2020-34/warcfile.warc.gz": ("warc", "gzip", "commoncrawl", "CC-MAIN-2020-34"),
    "cc-main-2024-22/whirlwind.warc.gz": ("warc", "gzip", "commoncrawl", "CC-MAIN-2024-22"),
    # Only the warcinfo and the WAT record of a request: nothing to observe, but the file says CC-MAIN.
    "cc-main-2024-22/whirlwind.warc.wat.gz": ("wat", "gzip", "commoncrawl", None),
    "cc-main-2024-22/whirlwind.warc.wet.gz": ("warc", "gzip", "commoncrawl", "CC-MAIN-2024-22"),
    "heritrix-2008-archive-org/example.warc.gz": ("warc", "gzip", "crawl", "archive.org-shallow"),
    "pywb-iana-2014/iana.warc.gz": ("warc", "gzip", "crawl", "liveweb"),
    "wget-2013-redirects/IAH-urls-wget.warc.gz": ("warc", "gzip", "crawl", None),
    "wget-2023-dolma/sample-0000.warc.gz": ("warc", "gzip", "crawl", None),
    "wikipedia-2012-snapshots/main-page.warc.gz": ("warc", "gzip", "crawl", None),
    "wikipedia-2012-snapshots/sopa-wikipedia-homepage.warc.gz": ("warc", "gzip", "crawl", None),
}

# Links that the HTML5 tree builder adds and a tokenizer cannot see: an <a> left open across a block
# (`<a href><center><img></a></center>`, an <a> unclosed at `</li>`, `<a href><div>`) is cloned when the
# builder reconstructs the active formatting elements, and each clone is a clickable link to the same href.
# linkindex's parser (lexbor) builds that tree; html.parser only tokenises. Found by diffing the two page
# by page: archive.org's /details/{movies,texts,education,software,feature_films} and /about/about.php (1
# each), /about/faqs.php (2), /about/jobs.php (4); tomhoper.github.io/research/ (6).
HTML5_CLONES = {"heritrix-2008-archive-org/example.warc.gz": 12, "wget-2023-dolma/sample-0000.warc.gz": 6}


def _records(path: Path) -> Iterator[tuple[dict[str, str], bytes]]:
    """Every WARC record of a file as (lower-cased header fields, block)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)  # all members: one per record in these files
    pos = 0
    while (start := data.find(b"WARC/", pos)) >= 0:
        head_end = data.index(b"\r\n\r\n", start)
        fields = {k.strip().lower(): v.strip() for k, _, v in (
            line.partition(":") for line in data[start:head_end].decode("utf-8").split("\r\n")[1:])}
        pos = head_end + 4 + int(fields["content-length"])
        yield fields, data[head_end + 4:pos]


class _HtmlLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.base: str | None = None
        self.canonical: str | None = None
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        href = given.get("href")
        if href is None:
            return
        if tag in {"a", "area"}:
            self.hrefs.append(href)
        elif tag == "base" and self.base is None and href:
            self.base = href
        elif tag == "link" and self.canonical is None and "canonical" in (given.get("rel") or "").lower().split():
            self.canonical = href


def _names_a_page(base: str, href: str) -> bool:
    href = href.strip()
    return bool(href) and not href.startswith("#") and urlsplit(urljoin(base, href)).scheme in {"http", "https"}


def _response_links(url: str, block: bytes) -> int:
    head, _, payload = block.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    if 300 <= status < 400:
        return int(bool(headers.get("location")))
    if status != 200 or "html" not in headers.get("content-type", ""):
        return 0
    parser = _HtmlLinks()
    parser.feed(payload.decode("utf-8", errors="replace"))
    parser.close()
    base = urljoin(url, parser.base.strip()) if parser.base else url
    hrefs = parser.hrefs + ([parser.canonical] if parser.canonical else [])
    return sum(_names_a_page(base, h) for h in hrefs)


def _counts(path: Path) -> tuple[int, int, int]:
    """(records, pages, links) of one archive, by the rules in this module's docstring."""
    records = pages = links = 0
    for fields, block in _records(path):
        records += 1
        kind, url = fields.get("warc-type"), fields.get("warc-target-uri", "").strip("<>")
        if kind == "revisit":
            pages += 1
        elif kind == "response" and url.startswith("http"):
            pages += 1
            links += _response_links(url, block)
        elif kind == "metadata" and block.startswith(b"{"):
            envelope = json.loads(block)["Envelope"]
            if envelope["WARC-Header-Metadata"].get("WARC-Type") == "response":
                pages += 1
                html = envelope["Payload-Metadata"]["HTTP-Response-Metadata"].get("HTML-Metadata", {})
                links += sum(1 for link in html.get("Links", []) if link.get("path") in {"A@/href", "AREA@/href"}
                             and _names_a_page(url, link.get("url", "")))
    return records, pages, links


def pages(relative: str) -> pl.DataFrame:
    return pl.from_arrow(read_sample(relative).pages)  # type: ignore[return-value]


def links(relative: str, source: str | None = None) -> pl.DataFrame:
    frame: pl.DataFrame = pl.from_arrow(read_sample(relative).links)  # type: ignore[assignment]
    return frame if source is None else frame.filter(pl.col("source_url_raw") == source)


def test_every_sample_is_covered(crawl_samples: object) -> None:
    assert {p.relative_to(CRAWL).as_posix() for p in sample_files(CRAWL)} == set(LABELS)


@pytest.mark.parametrize(("relative", "report", "compression", "system", "crawl_id"),
                         [(f, *labels) for f, labels in LABELS.items()], ids=[f.split("/")[-1] for f in LABELS])
def test_sample_counts(crawl_samples: object, relative: str, report: str, compression: str | None, system: str,
                       crawl_id: str | None) -> None:
    records, n_pages, n_links = _counts(CRAWL / relative)
    result = read_sample(relative)
    check(result)
    assert (result.report, result.compression, result.source_system, result.crawl_id) == (
        report, compression, system, crawl_id)
    assert (result.records_read, result.records_other) == (n_pages, records - n_pages)
    assert (result.pages.num_rows, result.errors.num_rows) == (n_pages, 0)
    assert result.links.num_rows == n_links + HTML5_CLONES.get(relative, 0)
    assert not result.truncated
    assert set(result.pages["crawl_id"].to_pylist()) <= {crawl_id}


def test_heritrix_warc_017(crawl_samples: object) -> None:
    """WARC/0.17 (2008): statuses as PROVENANCE counts them; redirects become links; 404 pages give none."""
    frame = pages("heritrix-2008-archive-org/example.warc.gz")
    assert dict(frame.group_by("http_status").len().iter_rows()) == {200: 214, 404: 40, 302: 5, 301: 2}
    assert frame.filter(pl.col("http_status") == 404)["links"].sum() == 0
    assert not frame["url_raw"].str.starts_with("dns:").any()
    home = frame.filter(pl.col("url_raw") == "http://www.archive.org/").row(0, named=True)
    assert home["fetched_at"] == datetime(2008, 4, 30, 20, 48, 26)
    assert (home["ip"], home["content_digest"]) == ("207.241.229.39", "sha1:2WAXX5NUWNNCS2BDKCO5OVDQBJVNKIVV")
    all_links = links("heritrix-2008-archive-org/example.warc.gz")
    assert all_links.filter(pl.col("link_type") == "redirect").height == 7
    librivox = links("heritrix-2008-archive-org/example.warc.gz",
                     "http://www.archive.org/details/no_thoroughfare_librivox").filter(pl.col("nofollow"))
    assert sorted(librivox.select("target_url_raw", "anchor_raw").rows()) == [
        ("http://librivox.org/", "LibriVox"), ("http://www.sevenoaksprep.kent.sch.uk/", "Alan Chant")]
    # The most link-dense real page: a forum listing with 10,566 links.
    assert frame["links"].max() == 10566


def test_iana_links_and_placement(crawl_samples: object) -> None:
    """www.iana.org (2014): the intro in <header>, panels in #main, the footer's navigation table, ICANN."""
    home = links("pywb-iana-2014/iana.warc.gz", "http://www.iana.org/")
    rows = {(r["target_url_raw"], r["anchor_raw"], r["placement"]) for r in home.iter_rows(named=True)}
    assert ("http://www.iana.org/about/", "Learn more.", "header") in rows
    assert ("http://www.iana.org/domains", "Domain Names", "main") in rows  # home panel heading
    assert ("http://www.iana.org/domains", "Domain Names", "nav") in rows  # footer's table.navigation
    assert ("http://www.icann.org/", "Internet Corporation for Assigned Names and Numbers", "footer") in rows
    assert set(home["link_type"]) == {"text"} and not home["nofollow"].any()


def test_iana_revisits_and_redirects(crawl_samples: object) -> None:
    frame = pages("pywb-iana-2014/iana.warc.gz")
    revisits = frame.filter(pl.col("record_type") == "revisit")
    assert revisits.height == 123
    assert revisits["links"].sum() == 0 and revisits["http_status"].to_list() == [200] * 123
    assert revisits["robots_noindex"].null_count() == 123  # no payload read: not known
    redirects = frame.filter(pl.col("http_status") == 302)
    assert ("http://www.iana.org/dnssec", "https://www.iana.org/dnssec") in redirects.select(
        "url_raw", "redirect_url_raw").rows()
    redirect_links = links("pywb-iana-2014/iana.warc.gz").filter(pl.col("link_type") == "redirect")
    assert redirect_links.height == 4
    assert redirect_links["anchor_raw"].null_count() == 4 and redirect_links["placement"].null_count() == 4


def test_wget_redirect_chain(crawl_samples: object) -> None:
    """www.archive.org → archive.org/index.php (302) → https://archive.org (301), captured by wget in 2013."""
    redirects = links("wget-2013-redirects/IAH-urls-wget.warc.gz").filter(pl.col("link_type") == "redirect")
    assert redirects.height == 9
    chain = dict(redirects.select("source_url_raw", "target_url_raw").iter_rows())
    assert chain["http://www.archive.org/"] == "http://archive.org/index.php"
    assert chain["http://archive.org/index.php"] == "https://archive.org"
    statuses = pages("wget-2013-redirects/IAH-urls-wget.warc.gz")["http_status"].value_counts()
    assert dict(statuses.iter_rows()) == {200: 7, 302: 7, 301: 2}


def test_wget_dolma_wrapped_uris_nofollow_canonical(crawl_samples: object) -> None:
    """wget 1.21 writes WARC-Target-URI as <...>; 96 rel=nofollow and 8 canonicals as PROVENANCE counts."""
    frame = pages("wget-2023-dolma/sample-0000.warc.gz")
    assert not frame["url_raw"].str.contains("[<>]").any()
    assert "https://soldaini.net/facts/" in frame["url_raw"].to_list()
    assert frame["canonical_url_raw"].is_not_null().sum() == 8
    all_links = links("wget-2023-dolma/sample-0000.warc.gz")
    assert all_links["nofollow"].sum() == 96
    assert all_links.filter(pl.col("link_type") == "canonical").height == 8


def test_whirlwind_wikipedia_2024(crawl_samples: object) -> None:
    """an.wikipedia.org/wiki/Escopete in CC-MAIN-2024-22: canonical, 4 nofollow, Vector 2022 placements."""
    url = "https://an.wikipedia.org/wiki/Escopete"
    page = pages("cc-main-2024-22/whirlwind.warc.gz").row(0, named=True)
    assert (page["url_raw"], page["canonical_url_raw"], page["robots_noindex"], page["robots_nofollow"]) == (
        url, url, False, False)
    assert page["fetched_at"] == datetime(2024, 5, 18, 1, 58, 10)
    frame = links("cc-main-2024-22/whirlwind.warc.gz", url)
    canonical = frame.filter(pl.col("link_type") == "canonical")
    assert canonical.select("target_url_raw", "anchor_raw", "placement").rows() == [(url, None, None)]
    assert frame["nofollow"].sum() == 4
    rows = {(r["target_url_raw"], r["anchor_raw"]): r for r in frame.iter_rows(named=True)}
    portal = rows[("https://an.wikipedia.org/wiki/Portalada", "Portalada")]
    assert (portal["link_type"], portal["placement"], portal["nofollow"]) == ("text", "nav", False)
    archived = [r for key, r in rows.items() if key[0].startswith("https://web.archive.org/")]
    assert [(r["anchor_raw"], r["placement"], r["nofollow"]) for r in archived] == [
        ("Deputación Provincial de Guadalachara", "main", True), ("Escopete en a pachina web", "main", True)]
    licence = rows[("https://creativecommons.org/licenses/by-sa/4.0/",
                    "Licencia Creative Commons Atribución/Compartir-Igual")]
    assert licence["placement"] == "footer"
    logo = frame.filter(pl.col("link_type") == "image", pl.col("placement") == "header")
    assert logo["target_url_raw"].to_list() == ["https://an.wikipedia.org/wiki/Portalada"]


def test_cc_2020_meta_robots_and_canonical(crawl_samples: object) -> None:
    """A page with <meta name=robots content="noindex, nofollow">: every one of its links is nofollow."""
    relative = "cc-main-2020-34/warcfile.warc.gz"
    frame = pages(relative)
    blocked = frame.filter(pl.col("robots_nofollow"))
    assert blocked.select("url_raw", "robots_noindex", "links").rows() == [
        ("http://035.psb556.com/24/i/u_1090813/article.html", True, 81)]
    assert links(relative, "http://035.psb556.com/24/i/u_1090813/article.html")["nofollow"].all()
    # Pages that say "index,follow" or "all" are not blocked.
    assert frame.filter(pl.col("url_raw").str.contains("live-radsport"))["robots_nofollow"].to_list() == [
        False, False]
    canonical = frame.filter(pl.col("canonical_url_raw").is_not_null())
    assert canonical.select("url_raw", "canonical_url_raw").rows() == [
        ("http://0900-hovenier.nl/gelderland/oosterbeek/", "http://0900-hovenier.nl/gelderland/oosterbeek/")]


def test_cc_2014_warc_and_wat_agree(crawl_samples: object) -> None:
    """The same 0pointer.de capture read from the WARC (HTML) and from its WAT (JSON) gives the same links."""
    url = "http://0pointer.de/photos/?gallery=Australia&photo=496"
    from_warc = links(CC_2014, url)
    from_wat = links(CC_2014 + ".wat", url)
    columns = ["target_url_raw", "anchor_raw", "link_type"]
    assert from_warc.select(columns).rows() == from_wat.select(columns).rows()
    assert from_warc.height == 18
    # The WAT (2014) left &amp; and &lt; undecoded; decoded here as the WARC's HTML parser does.
    assert ("http://0pointer.de/photos/?gallery=Australia&photo=495&exif_style=&show_thumbs=", "< Previous",
            "text") in from_wat.select(columns).rows()
    assert ("http://creativecommons.org/licenses/by-sa/3.0/", "Creative Commons License",
            "image") in from_wat.select(columns).rows()
    # A 2014 WAT records no rel: nofollow/ugc/sponsored are unknown there, known (False) in the WARC.
    assert from_wat["nofollow"].null_count() == 18 and from_wat["ugc"].null_count() == 18
    assert not from_warc["nofollow"].any()
    assert from_wat["placement"].null_count() == 18
    assert from_wat["metrics"].to_list()[0] == {"path": "A@/href"}
    wat_page = pages(CC_2014 + ".wat").filter(pl.col("url_raw") == url).row(0, named=True)
    warc_page = pages(CC_2014).filter(pl.col("url_raw") == url).row(0, named=True)
    for column in ("fetched_at", "http_status", "ip", "content_digest", "content_type", "robots_noindex"):
        assert wat_page[column] == warc_page[column], column
    assert (wat_page["record_type"], warc_page["record_type"]) == ("metadata", "response")


def test_cc_2014_page_level_nofollow(crawl_samples: object) -> None:
    """0x20.be's wiki page says noindex,nofollow in a meta robots tag: all 42 of its links are nofollow."""
    frame = pages(CC_2014)
    blocked = frame.filter(pl.col("robots_nofollow")).row(0, named=True)
    assert blocked["url_raw"].startswith("http://0x20.be/") and blocked["robots_noindex"]
    page_links = links(CC_2014, blocked["url_raw"])
    assert page_links.height == 42 and page_links["nofollow"].all()


def test_wikipedia_snapshots(crawl_samples: object) -> None:
    """The Main_Page captured on 2012-01-18 and 2012-01-19: two dated observations of one source page."""
    url = "http://en.wikipedia.org/wiki/Main_Page"
    before = pages("wikipedia-2012-snapshots/sopa-wikipedia-homepage.warc.gz").filter(pl.col("url_raw") == url)
    after = pages("wikipedia-2012-snapshots/main-page.warc.gz").filter(pl.col("url_raw") == url)
    assert before["fetched_at"].to_list() == [datetime(2012, 1, 18, 14, 31, 32)]
    assert after["fetched_at"].to_list() == [datetime(2012, 1, 19, 10, 2, 3)]
    main_links = links("wikipedia-2012-snapshots/main-page.warc.gz", url)
    assert ("http://en.wikipedia.org/wiki/Main_Page", "Main page", "nav") in main_links.select(
        "target_url_raw", "anchor_raw", "placement").rows()
    assert set(main_links["last_seen_claim"]) == {datetime(2012, 1, 19, 10, 2, 3)}
