"""The two real captures of the Wikipedia Main Page a day apart (SOPA blackout day, then the day after).

The expectation is computed independently of the pipeline: the stdlib HTML parser pulls every <a href> from
each capture's HTML, urllib resolves it against the page URL and drops the fragment and utm_* parameters (the
documented URL policy), tldextract decides which targets are outside wikipedia.org, and the sets are compared.
A link in both captures must stay live from the first day to the second.

What the real pair shows: the blackout day's Main Page changed only links inside wikipedia.org (289 links
on Jan 18, 283 on Jan 19), so its 29 backlinks are all kept. The lost and new rules on re-fetches are
covered on constructed pages in tests/models/cases/recrawl_evidence_decides_lost_reason.yaml.
"""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import duckdb
import pytest
import tldextract

from tests.e2e.conftest import linkindex

SNAPSHOTS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "crawl" / "wikipedia-2012-snapshots"
PAGE = "http://en.wikipedia.org/wiki/Main_Page"
EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag in {"a", "area"} and href:
            self.hrefs.append(href)


def _main_page_html(warc: Path) -> str:
    """The HTML body of the Main_Page response record, split out by plain byte search."""
    raw = gzip.decompress(warc.read_bytes())
    for record in raw.split(b"WARC/1.0\r\n")[1:]:
        head, _, rest = record.partition(b"\r\n\r\n")
        if b"WARC-Type: response" in head and b"/wiki/Main_Page\r\n" in head:
            http_head, _, body = rest.partition(b"\r\n\r\n")
            assert http_head.startswith(b"HTTP/1.") and b" 200 " in http_head.split(b"\r\n")[0]
            return body.decode("utf-8", errors="replace")
    raise AssertionError(f"no Main_Page response in {warc.name}")


def _external_links(html: str) -> set[str]:
    parser = _Hrefs()
    parser.feed(html)
    links = set()
    for href in parser.hrefs:
        url = urldefrag(urljoin(PAGE, href.strip())).url
        url = re.sub(r"[?&]utm_[^=&]*=[^&]*", "", url).replace("&&", "&")
        if not re.match(r"https?://", url):
            continue
        host = url.split("/")[2].split(":")[0].lower()
        if EXTRACT(host).top_domain_under_public_suffix != "wikipedia.org":
            links.add(url)
    return links


@pytest.mark.skipif(not SNAPSHOTS.is_dir(), reason="../shared/data/crawl is not beside the checkout")
def test_the_blackout_pair_keeps_every_backlink_live_across_the_recrawl(tmp_path: Path) -> None:
    day1 = _external_links(_main_page_html(SNAPSHOTS / "sopa-wikipedia-homepage.warc.gz"))
    day2 = _external_links(_main_page_html(SNAPSHOTS / "main-page.warc.gz"))
    assert day1 and day2
    linkindex("ingest", SNAPSHOTS, home=tmp_path)
    linkindex("build", home=tmp_path)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT target_url, is_live, lost_reason, CAST(lost_at AS VARCHAR), new_reason, "
            "CAST(first_seen AS VARCHAR), CAST(last_seen AS VARCHAR) FROM backlinks WHERE source_url = ?",
            [PAGE]).fetchall()
    got = {r[0]: r[1:] for r in rows}
    assert set(got) == day1 | day2
    assert day1 == day2 and len(day1) == 29
    for url in day1 & day2:
        assert got[url][0] is True and (got[url][4], got[url][5]) == ("2012-01-18", "2012-01-19"), url
