"""HTTP-level helpers: de-chunking, content decoding, charset labels, robots directives, Link headers."""

from __future__ import annotations

import gzip
import io
import zlib

import pytest
from fastwarc.stream_io import BrotliWriter

from pipelines.ingest.crawl import payload

HTML = b"<html><body>" + b"<a href='/x'>x</a>" * 200 + b"</body></html>"


def test_dechunk() -> None:
    chunked = b"a\r\n0123456789\r\n5;ext=1\r\nabcde\r\n0\r\n\r\n"
    assert payload.dechunk(chunked) == b"0123456789abcde"
    assert payload.dechunk(b"A\n0123456789\n0\n\n") == b"0123456789"  # bare LF, upper-case hex
    assert payload.dechunk(chunked[:-7]) == b"0123456789abcde"  # no last chunk: what was read
    assert payload.dechunk(b"<html>not chunked</html>") == b"<html>not chunked</html>"
    assert payload.dechunk(b"") == b""


def brotli(data: bytes) -> bytes:
    buffer = io.BytesIO()
    writer = BrotliWriter(buffer)
    writer.write(data)
    writer.close()
    return buffer.getvalue()


@pytest.mark.parametrize(("encoded", "coding"), [
    (gzip.compress(HTML), "gzip"),
    (gzip.compress(HTML), "x-gzip"),
    (gzip.compress(HTML), "deflate"),  # mislabelled gzip
    (zlib.compress(HTML), "deflate"),
    (zlib.compress(HTML)[2:-4], "Deflate"),  # raw deflate, as some servers send it
    (brotli(HTML), "br"),
    (HTML, "gzip"),  # the header kept, the payload already decoded (Common Crawl 2014)
    (HTML, "identity"),
    (HTML, None),
])
def test_decode_content(encoded: bytes, coding: str | None) -> None:
    assert payload.decode_content(encoded, coding) == HTML


def test_decode_content_broken_streams() -> None:
    cut = gzip.compress(HTML * 50)
    assert (HTML * 50).startswith(payload.decode_content(cut[: len(cut) // 2], "gzip"))
    assert payload.decode_content(b"\x1f\x8b\x08junk", "gzip") == b"\x1f\x8b\x08junk"
    assert payload.decode_content(b"not brotli", "br") == b"not brotli"


@pytest.mark.parametrize(("label", "codec"), [
    ("utf-8", "utf-8"), ("UTF8", "utf-8"), ('"utf-8"', "utf-8"), ("iso-8859-1", "cp1252"), ("latin1", "cp1252"),
    ("us-ascii", "cp1252"), ("windows-1251", "cp1251"), ("Shift_JIS", "cp932"), ("x-sjis", "cp932"),
    ("gb2312", "gb18030"), ("koi8-r", "koi8-r"), ("base64", None), ("rot13", None), ("bogus", None), ("", None),
    (None, None),
])
def test_codec_for(label: str | None, codec: str | None) -> None:
    assert payload.codec_for(label) == codec


@pytest.mark.parametrize(("value", "flags"), [
    ("noindex, nofollow", (True, True)), ("NOINDEX,NOFOLLOW", (True, True)), ("none", (True, True)),
    ("index, follow", (False, False)), ("all", (False, False)), ("nofollow", (False, True)),
    ("googlebot: noindex", (True, False)), ("max-snippet:-1, noarchive", (False, False)), ("", (False, False)),
    (None, (False, False)),
])
def test_robots_directives(value: str | None, flags: tuple[bool, bool]) -> None:
    assert payload.robots_directives(value) == flags


def test_link_header_canonical() -> None:
    assert payload.link_header_canonical(['<https://e.com/a>; rel="canonical"']) == "https://e.com/a"
    assert payload.link_header_canonical(["</p.css>; rel=preload; as=style, </c>; rel='alternate canonical'"]) == "/c"
    assert payload.link_header_canonical(["</a>; rel=alternate", "</b>; REL=Canonical"]) == "/b"
    assert payload.link_header_canonical(["</a>; rel=alternate", "garbage <"]) is None
    assert payload.link_header_canonical([]) is None


def test_html_detection() -> None:
    assert payload.is_html("text/html", b"") and payload.is_html("application/xhtml+xml", b"")
    assert not payload.is_html("text/plain", b"<html>")
    assert payload.is_html(None, b"\xef\xbb\xbf  <!DOCTYPE html><p>") and payload.is_html(None, b"<!-- c --><p>")
    assert not payload.is_html(None, b"%PDF-1.4")
    assert payload.media_type(" Text/HTML ; charset=UTF-8") == "text/html" and payload.media_type(";") is None
