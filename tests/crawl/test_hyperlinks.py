"""WAT hyperlinks resolved in batches (hyperlinks.resolve) equal the per-link rules they replace: Resolver for
the href (the same resolver WARC pages use), str.split() whitespace collapsing for anchors, rel tokens."""

from __future__ import annotations

import sys

import numpy as np
import orjson
import pyarrow as pa
import pytest
import wathrefs
from hypothesis import given, settings
from hypothesis import strategies as st
from watlinks import LinkColumns

from pipelines.ingest.crawl.codes import IMAGE, NOFOLLOW, REL_UNKNOWN, SPONSORED, UGC, rel_bits
from pipelines.ingest.crawl.hyperlinks import A_PATH, AREA_PATH, WHITESPACE, PageLinks, resolve, unescape
from pipelines.ingest.crawl.resolve import Resolver


def test_whitespace_is_what_str_split_splits_on() -> None:
    assert set(WHITESPACE) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}
    assert len(set(WHITESPACE)) == len(WHITESPACE)
    # wathrefs collapses exactly these (its own UTF-8 table), and keeps their neighbours in the code space.
    page = context("https://example.org/")
    spaces = [{"path": "A@/href", "url": "/x", "text": f" a{c}{c}b{c}"} for c in WHITESPACE]
    others = [chr(ord(c) + 1) for c in WHITESPACE if not chr(ord(c) + 1).isspace()]
    kept = [{"path": "A@/href", "url": "/x", "text": f"a{c}b"} for c in others]
    (rows,) = batch([(spaces + kept, page)])
    assert [anchor for _, anchor, _, _ in rows] == ["a b"] * len(spaces) + [f"a{c}b" for c in others]


def oracle(entries: list[dict[str, str]], base: str, *, nofollow: bool, legacy: bool, rel_unknown: bool
           ) -> list[tuple[str, str | None, int, str]]:
    """The per-link rules, one link at a time: (target, anchor, code, path)."""
    resolver = Resolver(base)
    out = []
    image_alt: str | None = None
    for link in entries:
        path = link.get("path")
        if path == "IMG@/src":
            image_alt = link.get("alt") or ""
            continue
        href = link.get("url")
        if path not in (A_PATH, AREA_PATH) or not href:
            image_alt = None
            continue
        target = resolver(unescape(href) if legacy else href)
        if target is None:
            image_alt = None
            continue
        code = (NOFOLLOW if nofollow else 0) | (REL_UNKNOWN if rel_unknown else 0)
        rel = link.get("rel")
        if rel and not rel_unknown:
            code |= rel_bits(rel, {})
        anchor: str | None = None
        if path == A_PATH:
            text = link.get("text")
            if text:
                anchor = " ".join((unescape(text) if legacy else text).split())
            if not anchor and image_alt is not None:
                anchor = " ".join((unescape(image_alt) if legacy else image_alt).split())
                code |= IMAGE
            elif anchor is None:
                anchor = ""
        else:
            code |= IMAGE
        out.append((target, anchor, code, path))
        image_alt = None
    return out


def batch(pages: list[tuple[list[dict[str, str]], PageLinks]]) -> list[list[tuple[str, str | None, int, str]]]:
    """Each page's links through the kernel and one `resolve` call, grouped back by page."""
    kernel = LinkColumns()
    for number, (entries, _) in enumerate(pages):
        kernel.add(orjson.dumps(entries), number)
    rows = kernel.rows
    found = resolve(kernel.take(), rows, [context for _, context in pages], {})
    targets = pa.chunked_array(found.target).take(pa.array(found.source)).to_pylist()
    anchors = pa.chunked_array(found.anchor).take(pa.array(found.source)).to_pylist()
    grouped: list[list[tuple[str, str | None, int, str]]] = [[] for _ in pages]
    for row in range(rows):
        if found.keep[row]:
            path = A_PATH if found.kind[row] == 1 else AREA_PATH
            grouped[found.page[row]].append((targets[row], anchors[row], int(found.code[row]), path))
    return grouped


def context(base: str, *, nofollow: bool = False, legacy: bool = False, rel_unknown: bool = False) -> PageLinks:
    resolver = Resolver(base)
    bits = (NOFOLLOW if nofollow else 0) | (REL_UNKNOWN if rel_unknown else 0)
    return PageLinks(root=resolver.root.encode(), scheme=resolver.scheme.encode(),
                     directory=resolver.directory.encode(), base=resolver.base, bits=bits, legacy_entities=legacy,
                     rel_unknown=rel_unknown)


HREF_PARTS = st.sampled_from([
    "/", "//", "\\", "#", "?", "http://", "HTTPS://", "https:///", "hTtp:\\\\", "javascript:", "mailto:", "tel:",
    "data:", "ftp://", "a", "b/c", "..", "./", "\t", "\n", " ", "\x00", "\x1f", "é", "ü", "%20", "&amp;",
    "&lt;", "&", "&#x41;", "&bogus;", "example.com", ":", "@", "[::1]", "xn--", "\u3000", "\xa0",
])
HREFS = st.lists(HREF_PARTS, max_size=6).map("".join) | st.text(max_size=12)
TEXTS = st.none() | st.text(max_size=10) | st.lists(st.sampled_from([" ", "\t", "\n", "\x1c", "\x85", "\u2028",
                                                                      "a", "&amp;", "é", "\u3000"]),
                                                     max_size=6).map("".join)
ENTRY = st.one_of(
    st.fixed_dictionaries({"path": st.sampled_from([A_PATH, A_PATH, AREA_PATH]), "url": HREFS},
                          optional={"text": TEXTS.filter(lambda t: t is not None),
                                    "rel": st.sampled_from(["nofollow", "UGC sponsored", "", "noopener", "x  Nofollow"]
                                                           )}),
    st.fixed_dictionaries({"path": st.just("IMG@/src"), "url": HREFS},
                          optional={"alt": TEXTS.filter(lambda t: t is not None)}),
    st.fixed_dictionaries({"path": st.sampled_from(["LINK@/href", "SCRIPT@/src", "FORM@/action"]), "url": HREFS}),
)
BASES = st.sampled_from([
    "https://www.example.org/blog/post?x=1", "http://example.com", "http://user:pw@h.example:8080/a/b/",
    "https://例え.jp/パス/", "not a url", "ftp://files.example.org/", "http://[::1]/x",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(ENTRY, max_size=8), BASES, st.booleans(), st.booleans(), st.booleans()),
                min_size=1, max_size=5))
def test_batch_equals_the_per_link_rules(pages: list[tuple[list[dict[str, str]], str, bool, bool, bool]]) -> None:
    built = [(entries, context(base, nofollow=nofollow, legacy=legacy, rel_unknown=rel_unknown))
             for entries, base, nofollow, legacy, rel_unknown in pages]
    expected = [oracle(entries, base, nofollow=nofollow, legacy=legacy, rel_unknown=rel_unknown)
                for entries, base, nofollow, legacy, rel_unknown in pages]
    assert batch(built) == expected


def test_examples() -> None:
    page = context("https://www.example.org/a/b?q", nofollow=True)
    legacy = context("http://old.example.com/x/", legacy=True, rel_unknown=True)
    links = [
        {"path": "A@/href", "url": "/root", "text": "  Root \n link "},
        {"path": "A@/href", "url": "//cdn.example.net/x", "text": "Scheme-relative", "rel": "UGC Sponsored"},
        {"path": "A@/href", "url": "sibling.html", "text": "Sibling"},
        {"path": "A@/href", "url": "https://other.example.com", "text": ""},
        {"path": "IMG@/src", "url": "/logo.png", "alt": " The\u2003logo "},
        {"path": "A@/href", "url": "https://img.example.com/", "text": " "},
        {"path": "AREA@/href", "url": "/map", "rel": "nofollow"},
        {"path": "A@/href", "url": "#top", "text": "Top"},
        {"path": "A@/href", "url": " javascript:void(0)", "text": "JS"},
    ]
    old = [{"path": "A@/href", "url": "?a=1&amp;b=2", "text": "Fish &amp; chips", "rel": "nofollow"}]
    assert batch([(links, page), (old, legacy)]) == [
        [
            ("https://www.example.org/root", "Root link", NOFOLLOW, A_PATH),
            ("https://cdn.example.net/x", "Scheme-relative", NOFOLLOW | UGC | SPONSORED, A_PATH),
            ("https://www.example.org/a/sibling.html", "Sibling", NOFOLLOW, A_PATH),
            ("https://other.example.com", "", NOFOLLOW, A_PATH),
            ("https://img.example.com/", "The logo", NOFOLLOW | IMAGE, A_PATH),
            ("https://www.example.org/map", None, NOFOLLOW | IMAGE, AREA_PATH),
        ],
        [("http://old.example.com/x/?a=1&b=2", "Fish & chips", REL_UNKNOWN, A_PATH)],
    ]


def test_wathrefs_refuses_inconsistent_input() -> None:
    kernel = LinkColumns()
    kernel.add(orjson.dumps([{"path": "A@/href", "url": "/a"}, {"path": "A@/href", "url": "b"}]), 1)
    columns = kernel.take()
    page = context("https://example.org/x/")
    as_tuple = (page.root, page.scheme, page.directory, False)
    out = wathrefs.resolve(columns, 2, [as_tuple, as_tuple])
    assert out["target_data"] == b"https://example.org/ahttps://example.org/x/b"
    with pytest.raises(ValueError, match="row 0 names page 1 of 1"):
        wathrefs.resolve(columns, 2, [as_tuple])
    with pytest.raises(ValueError, match="fewer than"):
        wathrefs.resolve(columns, 3, [as_tuple, as_tuple])
    with pytest.raises(KeyError, match="url_data"):
        wathrefs.resolve({k: v for k, v in columns.items() if k != "url_data"}, 2, [as_tuple, as_tuple])
    with pytest.raises(TypeError, match=r"pages\[0\]"):
        wathrefs.resolve(columns, 2, [("https://example.org", b"https:", b"", False), as_tuple])
    broken = dict(columns, url_offsets=np.array([0, 5, 3], dtype=np.int32).tobytes())
    with pytest.raises(ValueError, match="not a valid offsets array"):
        wathrefs.resolve(broken, 2, [as_tuple, as_tuple])
