"""HTTP-level helpers for one capture: payload decoding, charset labels, robots directives and Link headers.

Everything here is lenient by design: a capture's headers and payload are what some server sent, and a
malformed value degrades to "not stated" instead of failing the record.
"""

from __future__ import annotations

import codecs
import io
import re
import zlib
from typing import Final

from fastwarc.stream_io import BrotliReader

# WHATWG Encoding Standard: labels whose browser decoder is a superset of what Python's codec of that name
# reads (a page labelled latin-1 is decoded as windows-1252 by every browser, and so by us).
_WHATWG_CODECS: Final = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
_LABEL_ALIASES: Final = {"x-sjis": "cp932", "windows-31j": "cp932", "x-euc-jp": "euc_jp", "x-gbk": "gb18030"}
_HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
_HTML_SNIFF: Final = re.compile(rb"\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|body|!--)", re.IGNORECASE)
_LINK_VALUE: Final = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]*)*)")
_REL_PARAM: Final = re.compile(r"""\brel\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;,"']+))""", re.IGNORECASE)
_STEP: Final = 1 << 16
_CHUNK_SIZE: Final = re.compile(rb"[ \t]*([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")


def codec_for(label: str | None) -> str | None:
    """Python codec for a charset label as a browser reads it; None when absent, unknown or not a text codec."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _LABEL_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not info._is_text_encoding:  # base64, rot13, zlib...: not a way to read text
        return None
    return _WHATWG_CODECS.get(info.name, info.name)


def media_type(content_type: str | None) -> str | None:
    """MIME type without parameters, lower-case; None when absent or empty."""
    if not content_type:
        return None
    value = content_type.split(";", 1)[0].strip().lower()
    return value or None


def may_be_html(mime: str | None) -> bool:
    """The payload needs reading to know: declared HTML, or not declared at all."""
    return mime is None or mime in _HTML_TYPES


def is_html(mime: str | None, payload: bytes) -> bool:
    """An HTML payload: declared so, or undeclared and starting like an HTML document."""
    if mime is not None:
        return mime in _HTML_TYPES
    return _HTML_SNIFF.match(payload, 0, 1024) is not None


def dechunk(body: bytes) -> bytes:
    """The body of a chunked HTTP message; the body as is when it is not actually chunked.

    A chunk stream that stops early (no zero-size chunk) yields the chunks read so far.
    """
    parts: list[bytes] = []
    pos, end = 0, len(body)
    while pos < end:
        size_line = _CHUNK_SIZE.match(body, pos)
        if size_line is None:
            return body if not parts else b"".join(parts)
        size = int(size_line.group(1), 16)
        if size == 0:
            break
        start = size_line.end()
        parts.append(body[start : start + size])
        pos = start + size
        if body.startswith(b"\r\n", pos):
            pos += 2
        elif body.startswith(b"\n", pos):
            pos += 1
    return b"".join(parts)


def decode_content(body: bytes, encoding: str | None) -> bytes:
    """The body with its Content-Encoding undone; the body as is when it is not encoded as stated.

    Crawlers often store the decoded payload and keep the header (Common Crawl 2014 does), so the bytes are
    checked before they are decoded; a stream that breaks off yields what decoded before the break.
    """
    if not encoding or not body:
        return body
    coding = encoding.strip().lower()
    if coding in ("gzip", "x-gzip", "deflate"):
        if body[:2] == b"\x1f\x8b":
            wbits = 31
        elif coding != "deflate":
            return body
        elif body[0] & 0x0F == 8 and int.from_bytes(body[:2], "big") % 31 == 0:
            wbits = 15  # zlib-wrapped, as RFC 9110 says "deflate" is
        else:
            wbits = -15  # raw deflate, as some servers send it
        return _inflate(body, wbits)
    if coding == "br":
        return _unbrotli(body)
    return body


def _inflate(body: bytes, wbits: int) -> bytes:
    """A zlib/gzip/deflate stream inflated up to its end or its first corrupt block."""
    decoder = zlib.decompressobj(wbits)
    out: list[bytes] = []
    for start in range(0, len(body), _STEP):
        try:
            out.append(decoder.decompress(body[start : start + _STEP]))
        except zlib.error:
            break
        if decoder.eof:
            break
    return b"".join(out) if out and any(out) else body


def _unbrotli(body: bytes) -> bytes:
    """A brotli stream decoded up to its end or the first error (FastWARC's reader: no extra dependency)."""
    out: list[bytes] = []
    reader = BrotliReader(io.BytesIO(body))
    try:
        while chunk := reader.read(_STEP):
            out.append(chunk)
    except OSError:
        pass
    finally:
        reader.close()
    return b"".join(out) if out else body


def robots_directives(value: str | None) -> tuple[bool, bool]:
    """(noindex, nofollow) stated by a robots meta content or an X-Robots-Tag value.

    Directives are comma-separated and case-insensitive; `none` means both. An X-Robots-Tag directive may be
    scoped to one crawler ("googlebot: noindex"): it is read as stated, since it tells what the page wants
    from search engines.
    """
    if not value:
        return False, False
    noindex = nofollow = False
    for part in value.lower().split(","):
        for token in part.replace(":", " ").split():
            if token == "noindex" or token == "none":
                noindex = True
            if token == "nofollow" or token == "none":
                nofollow = True
    return noindex, nofollow


def link_header_canonical(values: tuple[str, ...] | list[str]) -> str | None:
    """The first URL an HTTP `Link` header marks rel="canonical", as written; None when there is none."""
    for value in values:
        for match in _LINK_VALUE.finditer(value):
            for rel in _REL_PARAM.finditer(match.group(2)):
                tokens = (rel.group(1) or rel.group(2) or rel.group(3) or "").lower().split()
                if "canonical" in tokens:
                    return match.group(1).strip()
    return None
