"""Small WARC archives built in memory for the crawl reader's tests: records as a WARC writer lays them out."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable

WARCINFO = b"software: linkindex tests\r\nformat: WARC File Format 1.1\r\nisPartOf: tests-crawl\r\n"


def record(
    warc_type: str,
    target: str | None,
    block: bytes,
    *,
    date: str = "2024-05-18T01:58:10Z",
    content_type: str | None = None,
    extra: Iterable[tuple[str, str]] = (),
    version: str = "1.1",
) -> bytes:
    """One WARC record: header block, blank line, content block, and the two CRLF that end a record."""
    lines = [f"WARC/{version}", f"WARC-Type: {warc_type}", f"WARC-Date: {date}",
             f"WARC-Record-ID: <urn:sha1:{hashlib.sha1(block).hexdigest()}>"]
    if target is not None:
        lines.append(f"WARC-Target-URI: {target}")
    if content_type is None and warc_type in ("response", "revisit", "request"):
        content_type = f"application/http; msgtype={'request' if warc_type == 'request' else 'response'}"
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines += [f"{name}: {value}" for name, value in extra]
    lines.append(f"Content-Length: {len(block)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + block + b"\r\n\r\n"


def http_response(body: bytes, status: str = "200 OK", headers: Iterable[tuple[str, str]] = (
        ("Content-Type", "text/html; charset=utf-8"),)) -> bytes:
    """An HTTP/1.1 response message: status line, headers, blank line, body."""
    head = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def page(url: str, html: str | bytes, *, status: str = "200 OK", headers: Iterable[tuple[str, str]] | None = None,
         ip: str = "192.0.2.1", date: str = "2024-05-18T01:58:10Z") -> bytes:
    """A response record for an HTML page."""
    body = html.encode() if isinstance(html, str) else html
    block = http_response(body, status, headers) if headers is not None else http_response(body, status)
    return record("response", url, block, date=date,
                  extra=[("WARC-IP-Address", ip), ("WARC-Payload-Digest", "sha1:TESTDIGEST")])


def warcinfo(fields: bytes = WARCINFO) -> bytes:
    return record("warcinfo", None, fields, content_type="application/warc-fields")


def archive(*records: bytes, gzip_members: bool = False) -> bytes:
    """Records concatenated: uncompressed, or one gzip member per record as crawlers write them."""
    if gzip_members:
        return b"".join(gzip.compress(r, mtime=0) for r in records)
    return b"".join(records)
