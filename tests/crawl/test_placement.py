"""The span-painting placement (placement.Painter) against the rule applied literally: walk each link's
ancestors from the root down with placement.classify. Same results on every real sample page and on
generated nested markup."""

from __future__ import annotations

import io

from fastwarc.warc import ArchiveIterator, WarcRecordType
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from pipelines.ingest.crawl.placement import CANDIDATES, LINKS, MAIN, Painter, classify
from tests.crawl.conftest import CRAWL


def by_walking(tree: LexborHTMLParser) -> list[int]:
    """Placement of each link by the rule's definition: every ancestor classified, root first."""
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
    """Placement of each link as html.extract computes it: one document-order query, spans painted."""
    painter = Painter({})
    links = 0
    for node in tree.css(f"{LINKS}, :is({CANDIDATES}):not(a, area)"):
        if node.tag in ("a", "area"):
            links += "href" in node.attributes
        else:
            painter.element(node, node.tag, links)
    return painter.placements(links)


def test_real_pages(crawl_samples: object) -> None:
    pages = 0
    for path in sorted(CRAWL.rglob("*.warc*")):
        if path.name.endswith((".wat", ".wet", ".wat.gz", ".wet.gz")):
            continue
        for record in ArchiveIterator(io.BytesIO(path.read_bytes()), record_types=WarcRecordType.response):
            if "html" in (record.http_content_type or ""):
                tree = LexborHTMLParser(record.reader.read())
                assert by_painting(tree) == by_walking(tree), (path.name, record.headers.get("WARC-Target-URI"))
                pages += 1
    assert pages > 150


TAGS = ["div", "nav", "header", "footer", "aside", "main", "article", "section", "ul", "li", "p", "span",
        "table", "td", "body", "html"]
ATTRIBUTES = ["", ' class="menu"', ' class="site-header"', ' id="footer"', ' class="sidebar widget"',
              ' class="has-sidebar"', ' role="main"', ' role="navigation"', ' role="banner"',
              ' role="contentinfo"', ' class="entry-header"', ' id="content"']


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
def test_generated_markup(html: list[str]) -> None:
    tree = LexborHTMLParser("".join(html))
    assert by_painting(tree) == by_walking(tree)
