"""Where a link sits on its page: main content, or navigation, header, footer or sidebar boilerplate.

The rule: a link takes the placement of its nearest ancestor element that states one, and "main" when none
does. An element states a placement by its tag, its ARIA role, or its class and id:

- `nav`, role=navigation → nav; `aside`, role=complementary → aside; role=banner → header;
  role=contentinfo → footer; `main`, role=main → main (so a nav inside main is nav again, but main content
  inside a sidebar-classed wrapper is main).
- `header` → header and `footer` → footer only outside sectioning content (`article`, `section`, `main`,
  `aside`, `nav`): as in HTML-AAM, an article's own header or footer (its title, byline, tags) is part of
  that article, not the page's banner or content-info.
- class and id are split into words at non-letters and camelCase humps ("site-header", "mainNav",
  "footer_widgets"). A word from the nav list (nav, navbar, navigation, menu, breadcrumb, pagination, ...)
  → nav; else from the aside list (sidebar, widget, aside) → aside; else footer words (footer, copyright,
  colophon) → footer, header words (header, masthead) → header, both scoped like the tags above. A word
  such as has/no/with/without in the same value cancels the match ("has-sidebar" describes the layout of a
  wrapper, not a sidebar). `html` and `body` are never read: their classes describe the whole page.
- A class or id naming a unit of content (post, entry, article, hentry) and no nav or aside word makes the
  element sectioning content, as `article` is: `<div class="post"><header class="post-header">` is the
  post's title block (al-folio, WordPress themes), not the page's banner, and "entry-footer" is the post's
  tags and byline, not the page's footer.
The link element itself is not read, only its ancestors.

How it is computed (walking each link's ancestors in Python cost more than parsing the page): one CSS query
returns, in document order, the links and every element that may state something (landmark tags, [role],
[class], [id]). An element's subtree is a contiguous run of that order, so the links inside it are the next
k links, k being its own count of descendant links; an element is therefore a span of link indexes, spans
nest like the elements, and a stack of open spans gives each element its parent's state. Only elements
whose state differs from their parent's are counted (one C-level query each) and painted over their span,
inner spans after outer ones, so the nearest ancestor wins.
"""

from __future__ import annotations

import re
from typing import Final

from selectolax.lexbor import LexborNode

MAIN: Final = 1
NAV: Final = 2
HEADER: Final = 3
FOOTER: Final = 4
ASIDE: Final = 5
NAMES: Final[tuple[str | None, ...]] = (None, "main", "nav", "header", "footer", "aside")

# What the caller's document-order query must include besides the links themselves.
CANDIDATES: Final = "nav, aside, main, header, footer, article, section, [role], [class], [id]"
LINKS: Final = "a[href], area[href]"

_SECTIONED: Final = 8  # state bit: inside sectioning content, where header/footer are not the page's
_UNIT: Final = 6  # what words_placement gives for a class naming a unit of content; never a placement
_PLACE: Final = 7  # state bits holding the placement code
_ROOT_STATE: Final = MAIN

_NAV_WORDS: Final = frozenset(
    {"nav", "navbar", "navi", "navigation", "navlinks", "menu", "menus", "menubar", "breadcrumb",
     "breadcrumbs", "topnav", "subnav", "sitenav", "navbox", "pagination", "pager", "toc"}
)
_ASIDE_WORDS: Final = frozenset({"sidebar", "sidebars", "widget", "widgets", "aside"})
_FOOTER_WORDS: Final = frozenset({"footer", "copyright", "colophon"})
_HEADER_WORDS: Final = frozenset({"header", "masthead"})
_UNIT_WORDS: Final = frozenset({"post", "entry", "article", "hentry"})
_NEGATING_WORDS: Final = frozenset({"has", "no", "with", "without"})
_WORD: Final = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")

_SECTIONING_TAGS: Final = frozenset({"article", "section"})
_HEADER_FOOTER_TAGS: Final[dict[str | None, int]] = {"header": HEADER, "footer": FOOTER}
_SECTIONING_PLACEMENTS: Final = frozenset({MAIN, NAV, ASIDE})  # they also scope header/footer below them
# Tags whose state is fixed whatever their attributes; -1: never read (they describe the whole page).
_TAG_STATES: Final[dict[str | None, int]] = {
    "main": MAIN | _SECTIONED,
    "nav": NAV | _SECTIONED,
    "aside": ASIDE | _SECTIONED,
    "html": -1,
    "body": -1,
    None: -1,
}
_ROLE_PLACEMENT: Final = {
    "main": MAIN,
    "navigation": NAV,
    "complementary": ASIDE,
    "banner": HEADER,
    "contentinfo": FOOTER,
}


def words_placement(value: str) -> int:
    """Placement a class or id value states by its words (0 when none, _UNIT for a unit of content): see the
    module docstring."""
    words = {w.lower() for w in _WORD.findall(value)}
    if not words or not words.isdisjoint(_NEGATING_WORDS):
        return 0
    if not words.isdisjoint(_NAV_WORDS):
        return NAV
    if not words.isdisjoint(_ASIDE_WORDS):
        return ASIDE
    if not words.isdisjoint(_UNIT_WORDS):
        return _UNIT
    if not words.isdisjoint(_FOOTER_WORDS):
        return FOOTER
    if not words.isdisjoint(_HEADER_WORDS):
        return HEADER
    return 0


def classify(tag: str | None, attributes: dict[str, str | None], state: int, words: dict[str, int]) -> int:
    """State of an element (placement code, plus the sectioned bit) given its parent's state.

    `words` caches words_placement by class/id value; pass the same dict for every page of an archive.
    """
    fixed = _TAG_STATES.get(tag)
    if fixed is not None:
        return state if fixed < 0 else fixed
    sectioned = state & _SECTIONED
    landmark = _HEADER_FOOTER_TAGS.get(tag)
    role = attributes.get("role")
    roles = role.split() if role else None
    if roles:
        placement = _ROLE_PLACEMENT.get(roles[0].lower(), 0)
        if placement in _SECTIONING_PLACEMENTS:
            return placement | _SECTIONED
        if placement:
            return placement | sectioned
    by_class = attributes.get("class")
    by_id = attributes.get("id")
    stated = (_stated(by_class, words) if by_class else 0, _stated(by_id, words) if by_id else 0)
    if tag in _SECTIONING_TAGS or _UNIT in stated:
        state |= _SECTIONED
        sectioned = _SECTIONED
    if landmark is not None and not sectioned:
        return landmark
    for placement in stated:
        if placement in _SECTIONING_PLACEMENTS:
            return placement | _SECTIONED
        if placement and placement != _UNIT and not sectioned:
            return placement
    return state


def _stated(value: str, words: dict[str, int]) -> int:
    stated = words.get(value)
    if stated is None:
        stated = words[value] = words_placement(value)
    return stated


class Painter:
    """Placements of one page's links, fed the page's query results in document order (see the docstring)."""

    __slots__ = ("_open", "_spans", "_words")

    def __init__(self, words: dict[str, int]) -> None:
        self._words = words
        self._open: list[tuple[int, int]] = []  # (end link index, state) of the enclosing spans
        self._spans: list[tuple[int, int, int]] = []  # (start, end, placement) to paint, outer first

    def element(self, node: LexborNode, tag: str | None, links_before: int) -> None:
        """A candidate element met after `links_before` links of the page."""
        enclosing = self._open
        while enclosing and enclosing[-1][0] <= links_before:
            # An element after the last link of an open span is outside it or holds no links: either way
            # nothing after it is inside that span any more (subtrees are contiguous).
            enclosing.pop()
        parent = enclosing[-1][1] if enclosing else _ROOT_STATE
        state = classify(tag, node.attributes, parent, self._words)
        if state == parent:
            return
        count = len(node.css(LINKS))
        if not count:
            return
        end = links_before + count
        enclosing.append((end, state))
        if state & _PLACE != parent & _PLACE:
            self._spans.append((links_before, end, state & _PLACE))

    def placements(self, links: int) -> list[int]:
        """Placement code (MAIN..ASIDE) of each of the page's `links` links."""
        codes = [MAIN] * links
        for start, end, placement in self._spans:
            codes[start:end] = [placement] * (end - start)
        return codes
