"""The bare loops the crawl reader is measured against: iteration and parsing only, nothing kept.

Imports only what the loops use, so a process running one starts as fast as such a loop can.
"""

from __future__ import annotations

import io

import orjson
from fastwarc.warc import ArchiveIterator, WarcRecordType
from selectolax.lexbor import LexborHTMLParser

Files = list[tuple[str, bytes]]


def bare_warc(files: Files) -> int:
    """Hyperlink elements in the 2xx HTML payloads: FastWARC iteration and lexbor parsing only."""
    found = 0
    for _, data in files:
        for record in ArchiveIterator(io.BytesIO(data), record_types=WarcRecordType.response):
            if not record.is_http or not 200 <= (record.http_headers.status_code or 0) < 300:
                continue
            content_type = record.http_content_type
            if content_type and "html" in content_type:
                found += len(LexborHTMLParser(record.reader.read()).css("a[href], area[href]"))
    return found


def bare_wat(files: Files) -> int:
    """Entries of HTML-Metadata.Links: FastWARC iteration, orjson parsing, one key read per entry."""
    found = 0
    for _, data in files:
        for record in ArchiveIterator(io.BytesIO(data), record_types=WarcRecordType.metadata, parse_http=False):
            envelope = orjson.loads(record.reader.read()).get("Envelope", {})
            response = envelope.get("Payload-Metadata", {}).get("HTTP-Response-Metadata", {})
            for link in response.get("HTML-Metadata", {}).get("Links", ()):
                found += link.get("url") is not None
    return found
