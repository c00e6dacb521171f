"""Placement against placements written by hand for real pages of the crawl samples (../shared/data/crawl).

Each expectation was written by reading the page's HTML and picturing its layout, then naming, link by link
in document order, where a reader sees the link:
  main    the page's own content;
  nav     a menu (a bar, tab row, list or table of places to go), wherever it sits;
  header  the rest of the page's top band: logo, site search, account links;
  footer  the band at the bottom of the page;
  aside   a box or column beside the content that is not the page's subject.
The links come in runs (`Run`): a run gives its length, its first and last anchor (checked, so that the
expectations stay aligned with the page) and the placement seen. Where linkindex names a run differently,
`linkindex` says what it gives and `why` says why; every other link must come out as seen.

The row-level tests read a page with the crawl reader (landmarks, roles, class and id words:
pipelines/ingest/crawl/placement.py). The set-level tests ingest the 2008 archive.org sample and the 2014
iana.org sample and build the models: sql/int_link_placement.sql re-places the links a table layout leaves
unmarked by the blocks its site repeats across pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from pipelines.config import Settings
from pipelines.ingest.crawl.placement import CANDIDATES, LINKS, MAIN, Painter, classify
from pipelines.ingest.runner import ingest
from pipelines.load.lake import Lake
from pipelines.models.build import load_inputs, run_models
from tests.crawl.conftest import CRAWL, read_sample

HERITRIX = "heritrix-2008-archive-org/example.warc.gz"
IANA = "pywb-iana-2014/iana.warc.gz"


@dataclass(frozen=True)
class Run:
    count: int
    seen: str
    first: str
    last: str
    what: str
    linkindex: str | None = None
    why: str = ""


def check(links: list[tuple[str, str]], runs: list[Run]) -> None:
    """`links`: (anchor, placement) of every hyperlink of a page in document order, against the runs."""
    assert len(links) == sum(r.count for r in runs), [a for a, _ in links]
    start = 0
    for run in runs:
        part = links[start:start + run.count]
        assert (part[0][0], part[-1][0]) == (run.first, run.last), (run.what, part)
        assert [p for _, p in part] == [run.linkindex or run.seen] * run.count, (run.what, part)
        start += run.count


def page_links(sample: str, url: str) -> list[tuple[str, str]]:
    """(anchor, placement) of a page's hyperlinks as the crawl reader gives them (the canonical row aside)."""
    rows = read_sample(sample).links.to_pylist()
    return [(r["anchor_raw"], r["placement"]) for r in rows
            if r["source_url_raw"] == url and r["placement"] is not None]


# https://an.wikipedia.org/wiki/Escopete, CC-MAIN-2024-22 (cc-main-2024-22/whirlwind.warc.gz): MediaWiki 1.43,
# Vector 2022 skin. 193 hyperlinks.
ESCOPETE = [
    Run(7, "nav", "Portalada", "Donativos", "main menu (dropdown at the top left)"),
    Run(1, "header", "", "", "the logo (images without alt text)"),
    Run(1, "header", "Mirar", "Mirar", "the search button"),
    Run(7, "nav", "Creyar cuenta", "Pachina de descusión d'ista IP", "personal tools menu, top right"),
    Run(33, "nav", "Asturianu", "Modificar os enlaces", "language menu and its edit link"),
    Run(24, "nav", "Pachina", "Wikimedia Commons", "page tabs (read, edit, history) and the tools menu"),
    Run(108, "main", "", "Wikipedia:Articlos con datos por tresladar ta Wikidata",
        "the article: spelling notice, infobox, text, section edit links, references, categories"),
    Run(12, "footer", "Licencia Creative Commons Atribución/Compartir-Igual", "Powered by MediaWiki",
        "licence, policies, mobile view, Wikimedia and MediaWiki badges"),
]

# https://talaugust.github.io/, wget 2023 (wget-2023-dolma/sample-0000.warc.gz): Jekyll al-folio theme.
TALAUGUST = [
    Run(3, "nav", "about(current)", "students", "navbar in the page's <header>"),
    Run(1, "main", "Allen Institue for AI", "Allen Institue for AI",
        "the subtitle under the name, in <div class=post><header class=post-header>: the post's title block"),
    Run(24, "main", "Allen Institute for AI", "",
        "about text, news, selected publications, contact icons at the end of the <article>"),
    Run(4, "footer", "Jekyll", "Unsplash", "'Powered by' line in the page's <footer>"),
]


@pytest.mark.parametrize(("sample", "url", "runs"), [
    ("cc-main-2024-22/whirlwind.warc.gz", "https://an.wikipedia.org/wiki/Escopete", ESCOPETE),
    ("wget-2023-dolma/sample-0000.warc.gz", "https://talaugust.github.io/", TALAUGUST),
], ids=["wikipedia-vector-2022", "jekyll-al-folio"])
def test_page_markup_placement_as_seen(crawl_samples: object, sample: str, url: str, runs: list[Run]) -> None:
    check(page_links(sample, url), runs)


_BANNER_CELLS = "the bar's table cell is classed level1Header/level2Header: linkindex names the band, not the menu"

# http://www.archive.org/about/jobs.php, 2008-04-30 (heritrix-2008-archive-org/example.warc.gz): a table layout
# with no landmarks; the header bands are classed, the footer paragraph is <p id="iafoot">.
ARCHIVE_JOBS = [
    Run(1, "header", "(logo)", "(logo)", "the logo, in an unclassed cell of the header table"),
    Run(8, "nav", "Web", "About IA", "top menu bar", linkindex="header", why=_BANNER_CELLS),
    Run(1, "header", "(navigation image)", "(navigation image)", "the header's right-hand image"),
    Run(9, "nav", "Home", "Bios", "second menu bar", linkindex="header", why=_BANNER_CELLS),
    Run(4, "header", "Advanced Search", "join us", "search and account links of the third band"),
    Run(11, "aside", "[more]", "SF Chronicle spotlights Tech Award winners", "Media Coverage box, left column",
        linkindex="main", why="the box is on 4 of the site's 88 crawled pages (its about section) and its "
        "markup (div#col1) says nothing: below any site-wide share"),
    Run(12, "main", "QA and Customer Service", "Web Crawl Services Manager",
        "the job list (lexbor re-opens its unclosed <a> tags: four more links, without text)"),
    Run(1, "footer", "Terms of Use (10 Mar 2001)", "Terms of Use (10 Mar 2001)", "the footer line"),
]

# http://www.archive.org/details/zh27814 (same archive): an audio item page.
ARCHIVE_ITEM = [
    Run(1, "header", "(logo)", "(logo)", "the logo"),
    Run(8, "nav", "Web", "About IA", "top menu bar", linkindex="header", why=_BANNER_CELLS),
    Run(1, "header", "(navigation image)", "(navigation image)", "the header's right-hand image"),
    Run(13, "nav", "Home", "Spirituality & Religion", "the audio section's menu bar", linkindex="header",
        why=_BANNER_CELLS),
    Run(4, "header", "Advanced Search", "join us", "search and account links"),
    Run(9, "aside", "help", "Report errors", "left column (div#sidebar): stream, download, licence, bookmark"),
    Run(12, "main", "embedding and help", "Be the first to write a review", "the item: player, metadata, files"),
    Run(1, "footer", "Terms of Use (10 Mar 2001)", "Terms of Use (10 Mar 2001)", "the footer line"),
]

# http://www.iana.org/, 2014-01-26 (pywb-iana-2014/iana.warc.gz): HTML5 landmarks; its content panels link
# "Domain Names", "Number Resources" ... as the footer's site map does, and must stay content.
IANA_HOME = [
    Run(1, "header", "Learn more.", "Learn more.", "the intro paragraph in the page's <header>"),
    Run(14, "main", "Domain Names", "This report", "the three home panels and the news item"),
    Run(17, "nav", "Domain Names", "Contact IANA", "the site map table (class=navigation) in the <footer>"),
    Run(1, "footer", "Internet Corporation for Assigned Names and Numbers",
        "Internet Corporation for Assigned Names and Numbers", "the custodian line"),
]


@pytest.fixture(scope="module")
def built(crawl_samples: Path, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """The models built over the archive.org and iana.org samples, ingested as `linkindex ingest` does."""
    config = Settings(home=tmp_path_factory.mktemp("home"))
    outcomes = ingest([crawl_samples / HERITRIX, crawl_samples / IANA], config)
    assert [o.status for o in outcomes] == ["ok", "ok"]
    con = duckdb.connect()
    load_inputs(con, config, Lake(config.lake))
    run_models(con)
    return con


def placed(con: duckdb.DuckDBPyConnection, url: str) -> list[tuple[str, str]]:
    return [(a, p) for a, p in con.execute(
        "SELECT o.anchor, p.placement FROM int_link_placement AS p JOIN link_observations AS o "
        "USING (file_id, row_number) WHERE o.source_url = ? ORDER BY o.row_number", [url]).fetchall()]


@pytest.mark.parametrize(("url", "runs"), [
    ("http://www.archive.org/about/jobs.php", ARCHIVE_JOBS),
    ("http://www.archive.org/details/zh27814", ARCHIVE_ITEM),
    ("http://www.iana.org/", IANA_HOME),
], ids=["archive-jobs", "archive-item", "iana-home"])
def test_site_template_placement_as_seen(built: duckdb.DuckDBPyConnection, url: str, runs: list[Run]) -> None:
    check(placed(built, url), runs)


def test_archive_terms_of_use_is_a_template_footer(built: duckdb.DuckDBPyConnection) -> None:
    """Issue 9: the "Terms of Use" line closes 78 of the archive's pages; the markup says nothing about it."""
    rows = built.execute(
        "SELECT p.page_placement, p.placement, p.is_template, COUNT(DISTINCT o.source_url) "
        "FROM int_link_placement AS p JOIN link_observations AS o USING (file_id, row_number) "
        "WHERE o.anchor = 'Terms of Use (10 Mar 2001)' GROUP BY ALL").fetchall()
    assert rows == [("main", "footer", True, 78)]


def test_iana_landmarks_are_left_as_stated(built: duckdb.DuckDBPyConnection) -> None:
    """iana.org marks its header, nav and footer: the site-level rule finds their blocks and changes nothing."""
    rows = built.execute(
        "SELECT COUNT(*) FILTER (WHERE p.placement <> p.page_placement), COUNT(*) FILTER (WHERE p.is_template) "
        "FROM int_link_placement AS p JOIN link_observations AS o USING (file_id, row_number) "
        "WHERE o.source_host = 'www.iana.org'").fetchone()
    assert rows is not None and rows[0] == 0 and rows[1] > 400


def test_placement_reaches_backlinks_and_referring_domains(built: duckdb.DuckDBPyConnection) -> None:
    """The item page's licence is linked twice, in the sidebar and in the item's metadata: one backlink, placed
    main (a page linking the target from its content counts as content)."""
    backlinks: list[Any] = built.execute(
        "SELECT placement, COUNT(*) FROM backlinks WHERE source_host = 'www.archive.org' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    licence = built.execute(
        "SELECT placement FROM backlinks WHERE source_url = 'http://www.archive.org/details/zh27814' "
        "AND target_url = 'http://creativecommons.org/licenses/by-nc-sa/2.0/'").fetchall()
    domains = built.execute(
        "SELECT live_backlinks, placed_backlinks, content_backlinks FROM referring_domains "
        "WHERE target_domain = 'deadlists.com' AND referring_domain = 'archive.org'").fetchall()
    assert licence == [("main",)]
    assert {p for p, _ in backlinks} <= {"main", "aside", "header", "footer", "nav"} and backlinks
    # The two deadlists.com links sit in the "Resources" box of two concert pages' sidebars (div#sidebar).
    assert domains == [(2, 2, 0)]


# The span painting (Painter) is an optimisation of the rule "nearest stating ancestor wins"; these check it
# against the rule applied literally, ancestor by ancestor, on every sample page and on generated markup.

def by_walking(tree: LexborHTMLParser) -> list[int]:
    words: dict[str, int] = {}
    placements = []
    for link in tree.css(LINKS):
        chain = []
        node = link.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        state = MAIN
        for element in reversed(chain):
            state = classify(element.tag, element.attributes, state, words)
        placements.append(state & 7)
    return placements


def by_painting(tree: LexborHTMLParser) -> list[int]:
    painter = Painter({})
    links = 0
    for node in tree.css(f"{LINKS}, :is({CANDIDATES}):not(a, area)"):
        if node.tag in ("a", "area"):
            links += "href" in node.attributes
        else:
            painter.element(node, node.tag, links)
    return painter.placements(links)


def test_painting_follows_the_rule_on_real_pages(crawl_samples: object) -> None:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    pages = 0
    for path in sorted(CRAWL.rglob("*.warc*")):
        if path.name.endswith((".wat", ".wet", ".wat.gz", ".wet.gz")):
            continue
        for record in ArchiveIterator(path.open("rb"), record_types=WarcRecordType.response):
            if "html" in (record.http_content_type or ""):
                tree = LexborHTMLParser(record.reader.read())
                assert by_painting(tree) == by_walking(tree), (path.name, record.headers.get("WARC-Target-URI"))
                pages += 1
    assert pages > 150


TAGS = ["div", "nav", "header", "footer", "aside", "main", "article", "section", "ul", "li", "p", "span",
        "table", "td", "body", "html"]
ATTRIBUTES = ["", ' class="menu"', ' class="site-header"', ' id="footer"', ' class="sidebar widget"',
              ' class="has-sidebar"', ' role="main"', ' role="navigation"', ' role="banner"',
              ' role="contentinfo"', ' class="entry-header"', ' id="content"', ' class="post"',
              ' class="post-footer"']


def markup() -> st.SearchStrategy[str]:
    leaf = st.sampled_from(['<a href="/x">x</a>', "text", '<area href="/m">', "<a>no href</a>", "<img>"])
    return st.recursive(
        leaf,
        lambda children: st.builds(
            lambda tag, attributes, inner: f"<{tag}{attributes}>{''.join(inner)}</{tag}>",
            st.sampled_from(TAGS), st.sampled_from(ATTRIBUTES), st.lists(children, max_size=4)),
        max_leaves=30,
    )


@settings(max_examples=300, deadline=None)
@given(html=st.lists(markup(), min_size=1, max_size=4))
def test_painting_follows_the_rule_on_generated_markup(html: list[str]) -> None:
    tree = LexborHTMLParser("".join(html))
    assert by_painting(tree) == by_walking(tree)
