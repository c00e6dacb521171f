"""The resolver's string fast path names the same URL as ada's WHATWG join, for every href of the real samples
and for generated ones: both canonicalize (pipelines.stage.urls) to the same URL or the same reason."""

from __future__ import annotations

import io

import ada_url
from fastwarc.warc import ArchiveIterator, WarcRecordType
from hypothesis import example, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from pipelines.ingest.crawl.resolve import Resolver
from pipelines.stage.urls import Canon, canonicalize
from tests.crawl.conftest import CRAWL

BASES = ("http://example.com/dir/page.html?q=1#f", "https://user:pw@Example.COM:8443/a/b/", "http://192.0.2.1/")


def joined(base: str, href: str) -> str | None:
    """What ada's join gives for an href that names another http(s) page (the reference)."""
    text = href.strip("".join(map(chr, range(0x21))))
    if not text or text.startswith("#"):
        return None
    try:
        url = ada_url.join_url(base, text)
    except ValueError:
        return None
    return url if url.startswith(("http:", "https:")) else None


def same_url(base: str, href: str) -> None:
    fast, reference = Resolver(base)(href), joined(base, href)
    if reference is None:
        # Only an absolute href is kept without parsing; the stage then rejects it.
        assert fast is None or not isinstance(canonicalize(fast), Canon), (base, href, fast)
        return
    assert fast is not None, (base, href)
    left, right = canonicalize(fast), canonicalize(reference)
    assert (left.url if isinstance(left, Canon) else left) == (right.url if isinstance(right, Canon) else right), (
        base, href, fast, reference)


def test_every_sample_href(crawl_samples: object) -> None:
    checked = 0
    for path in sorted(CRAWL.rglob("*.warc*")):
        if path.name.endswith((".wat", ".wet", ".wat.gz", ".wet.gz")):
            continue
        for record in ArchiveIterator(io.BytesIO(path.read_bytes()), record_types=WarcRecordType.response):
            if "html" not in (record.http_content_type or ""):
                continue
            base = record.headers.get("WARC-Target-URI", "").strip("<>")
            for node in LexborHTMLParser(record.reader.read()).css("a[href], area[href], link[href]"):
                same_url(base, node.attributes.get("href") or "")
                checked += 1
    assert checked > 45_000


HREF_PARTS = st.sampled_from(["/", "//", "\\", "..", ".", "%2e", "%2E", "?", "#", "&", "=", " ", "\t", "\n",
                              "a", "b.c", "é", "\u00a0", "\u3000", "http:", "https:", "HTTP://", "mailto:",
                              "javascript:", "@", ":", "80", "[", "]", "::1", "x.example", "%", "%zz", "~"])


@settings(max_examples=400, deadline=None)
@given(base=st.sampled_from(BASES), parts=st.lists(HREF_PARTS, max_size=8))
@example(base=BASES[0], parts=["/", "\t", "/"])  # WHATWG drops the tab first: scheme-relative, no host
@example(base=BASES[1], parts=["a", "/", "b.c", "?", "a", "=", "%", "&", "~"])  # a plain relative path: a string
@example(base=BASES[1], parts=["a", "/", ".", "/", "b.c"])  # a dot segment: ada
def test_generated_hrefs(base: str, parts: list[str]) -> None:
    same_url(base, "".join(parts))


def test_no_base() -> None:
    resolve = Resolver("not a url")
    assert resolve.base_url is None
    assert resolve("/x") is None and resolve("x") is None and resolve("//h/x") is None
    assert resolve("http://example.com/x") == "http://example.com/x"
    assert resolve("https://example.com/a b") == "https://example.com/a b"
