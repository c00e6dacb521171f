"""Links of one HTML page (selectolax/lexbor): hyperlinks with anchors, rel flags and placement, plus the
page's base URL, robots directives and canonical URL.

- Hyperlinks are `<a href>` and `<area href>`, resolved against the first `<base href>` (itself resolved
  against the page URL) or else the page URL; hrefs naming no other web page are skipped (see resolve.py).
- Anchor: the element's text with whitespace collapsed. An `<a>` with no text but an `<img>` is an image
  link whose anchor is the image's alt text; an `<area>` is an image link whose anchor is its alt.
- rel tokens nofollow, ugc, sponsored (case-insensitive). Page-level nofollow (`<meta name=robots>` or the
  X-Robots-Tag header) makes every hyperlink nofollow.
- Canonical: the first `<link rel=canonical href>`, resolved like a hyperlink.
- Charset: the HTTP header's charset when it names a text codec (as browsers, a byte-order mark wins), else
  what the document declares in its first 1,024 bytes (lexbor's prescan), else UTF-8. Bytes invalid in the
  chosen charset become U+FFFD; nothing here raises on content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipelines.ingest.crawl import payload as http
from pipelines.ingest.crawl.codes import IMAGE, NOFOLLOW, PLACEMENT_SHIFT, rel_bits
from pipelines.ingest.crawl.placement import CANDIDATES, LINKS, Painter
from pipelines.ingest.crawl.resolve import Resolver, is_root_relative

# One selector, one walk of the tree: hyperlinks, the head elements that qualify them, and the elements that
# may state a placement, in document order. lexbor lists an element once per selector of a list that it
# matches; within :is() it is listed once, so every element comes once, and an a/area only as a link.
_SELECTOR: Final = (
    f"{LINKS}, base[href], meta[name][content], link[rel][href], :is({CANDIDATES}):not(a, area, base, meta, link)"
)
_BOMS: Final = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class HtmlLinks:
    """What one HTML page says about links: page-level flags and its hyperlinks as parallel lists."""

    robots_noindex: bool
    robots_nofollow: bool
    canonical: str | None
    targets: list[str]
    anchors: list[str | None]
    codes: list[int]


class Caches:
    """Values that repeat across the pages of one archive (rel strings, class/id words)."""

    __slots__ = ("rel_bits", "words")

    def __init__(self) -> None:
        self.rel_bits: dict[str, int] = {}
        self.words: dict[str, int] = {}


def parse_tree(body: bytes, charset: str | None) -> LexborHTMLParser:
    """The document parsed as the HTTP charset says, else as it declares itself, else as UTF-8."""
    codec = http.codec_for(charset)
    if codec is None or body.startswith(_BOMS):
        return LexborHTMLParser(body, encoding=True)  # BOM, else <meta charset> in the first 1,024 bytes
    if codec == "utf-8":
        return LexborHTMLParser(body)
    return LexborHTMLParser(body.decode(codec, "replace"))


def _first_image(node: LexborNode) -> LexborNode | None:
    """The first <img> inside an element (a walk of its few descendants: cheaper than a CSS query)."""
    for descendant in node.traverse():
        if descendant.tag == "img":
            return descendant
    return None


def extract(body: bytes, page_url: str, charset: str | None, page_nofollow: bool, caches: Caches) -> HtmlLinks:
    """Links of an HTML payload fetched from `page_url`; `page_nofollow` comes from the HTTP headers."""
    tree = parse_tree(body, charset)
    links: list[tuple[LexborNode, bool]] = []  # every <a href> and <area href>: what placement.LINKS counts
    painter = Painter(caches.words)
    base_href: str | None = None
    canonical_href: str | None = None
    noindex = False
    nofollow = page_nofollow
    for node in tree.css(_SELECTOR):
        tag = node.tag
        if tag == "a":
            links.append((node, True))
        elif tag == "area":
            links.append((node, False))
        elif tag == "meta":
            attributes = node.attributes
            if (attributes.get("name") or "").strip().lower() == "robots":
                meta_noindex, meta_nofollow = http.robots_directives(attributes.get("content"))
                noindex |= meta_noindex
                nofollow |= meta_nofollow
        elif tag == "link":
            if canonical_href is None:
                attributes = node.attributes
                if "canonical" in (attributes.get("rel") or "").lower().split():
                    canonical_href = attributes.get("href")
        elif tag == "base":
            if base_href is None:
                base_href = node.attributes.get("href")
        else:
            painter.element(node, tag, len(links))
    resolve = Resolver(page_url)
    if base_href and (based := resolve(base_href)):
        resolve = Resolver(based)
    canonical = resolve(canonical_href) if canonical_href else None
    targets: list[str] = []
    anchors: list[str | None] = []
    codes: list[int] = []
    rel_cache = caches.rel_bits
    root = resolve.root
    page_bits = NOFOLLOW if nofollow else 0
    for (node, is_a), placement in zip(links, painter.placements(len(links)), strict=True):
        attributes = node.attributes
        href = attributes.get("href")
        if not href:
            continue
        target: str | None
        if root and is_root_relative(href):
            target = root + href
        else:
            target = resolve(href)
            if target is None:
                continue
        code = page_bits | placement << PLACEMENT_SHIFT
        rel = attributes.get("rel")
        if rel:
            bits = rel_cache.get(rel)
            code |= rel_bits(rel, rel_cache) if bits is None else bits
        if is_a:
            text = node.text_lexbor()  # lexbor's textContent: same string as text(), at half the cost
            anchor = " ".join(text.split()) if text else ""
            if not anchor and (image := _first_image(node)) is not None:
                anchor = " ".join((image.attributes.get("alt") or "").split())
                code |= IMAGE
        else:
            anchor = " ".join((attributes.get("alt") or "").split())
            code |= IMAGE
        targets.append(target)
        anchors.append(anchor)
        codes.append(code)
    return HtmlLinks(noindex, nofollow, canonical, targets, anchors, codes)
