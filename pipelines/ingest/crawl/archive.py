"""Reading one WARC or WAT archive from bytes: compression, framing, recovery, and dispatch of its records.

Compression is found from the bytes: a gzip stream whose first member ends before the data does is read as
one member per record (FastWARC streams it); a single member holding the whole archive is inflated first
(it then reads as an uncompressed archive); anything else is an uncompressed archive.

FastWARC passes over two kinds of damage silently and stops at a third, so the reader checks for all three:
- a record cut short at the end of the data (its header or payload incomplete, a gzip member unfinished): the
  last record is checked against its declared Content-Length and, with gzip, against its member's end;
- a payload shorter than declared (checked wherever a payload is read);
- a framing error (a bad Content-Length misaligns the next header, a corrupt gzip member): FastWARC raises;
  the reader resumes at the next gzip member or the next line starting with `WARC/`.
Each sets `truncated`. A capture record cut short becomes a `truncated_record` error row; records before the
break, and records found after a resumption, are kept.
"""

from __future__ import annotations

import gc
import io
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final, NamedTuple

import pyarrow as pa
from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from pipelines.ingest.crawl import wat
from pipelines.ingest.crawl.records import CORRUPT_RECORD, TRUNCATED_RECORD, Context, is_http_target, target_uri
from pipelines.ingest.crawl.rows import LINK_BATCH
from pipelines.ingest.crawl.warc import raw_headers, read_capture

SNIFF_BYTES: Final = 1 << 16
_GZIP_MAGIC: Final = b"\x1f\x8b"
_GZIP_MEMBER: Final = b"\x1f\x8b\x08"
_STEP: Final = 1 << 20
_WARC_START: Final = re.compile(rb"[\r\n\t ]*WARC/\d")
_RECORD_LINE: Final = re.compile(rb"(?<=\n)WARC/\d")
_HEADER_END: Final = re.compile(rb"\r?\n\r?\n")
_PADDING: Final = b"\x00\r\n\t "
# FastWARC's record types are singletons, compared by identity (cheaper than by value, and not hashable).
_RESPONSE: Final = WarcRecordType.response
_REVISIT: Final = WarcRecordType.revisit
_RESOURCE: Final = WarcRecordType.resource
_METADATA: Final = WarcRecordType.metadata
_WARCINFO: Final = WarcRecordType.warcinfo


@dataclass(frozen=True)
class CrawlResult:
    """One archive read: page observations, link observations and error rows, with what was found about it."""

    source_system: str  # "commoncrawl" when isPartOf or a file name says CC-MAIN-..., else "crawl"
    report: str  # "warc" | "wat"
    compression: str | None  # "gzip" (per record or whole file) or None
    records_read: int  # capture records considered (WARC response/revisit/resource, WAT capture envelopes)
    records_other: int  # every other record: warcinfo, request, metadata, dns:, conversion...
    pages: pa.Table  # contract("page_observations").arrow_schema({"reader"})
    links: pa.Table  # contract("link_observations").arrow_schema({"reader", "crawl"})
    errors: pa.Table  # contract("quarantine").arrow_schema({"reader"}), one row per unreadable capture
    truncated: bool  # the archive broke off or broke inside: see pipelines.ingest.crawl.archive
    crawl_id: str | None


def is_crawl_archive(head: bytes) -> bool:
    """The first bytes of a file are those of a WARC (or WAT) archive: a WARC/ header, gzipped or not."""
    if head[:2] == _GZIP_MAGIC:
        try:
            head = zlib.decompressobj(31).decompress(head[:SNIFF_BYTES], 1024)
        except zlib.error:
            return False
    return _WARC_START.match(head, 0, 1024) is not None


@dataclass(frozen=True)
class _Source:
    """What FastWARC reads: the archive as is, or a whole-file gzip inflated."""

    buffer: bytes
    members: bool  # gzip with one member per record (or members not aligned to records)
    compression: str | None
    cut: bool  # a whole-file gzip stream that ends early


class _Last(NamedTuple):
    """The most recent record, to check once the data ends that it is all there."""

    record: WarcRecord
    position: int
    row_number: int


def _open(data: bytes) -> _Source:
    if data[:2] != _GZIP_MAGIC:
        return _Source(data, False, None, False)
    decoder = zlib.decompressobj(31)
    out: list[bytes] = []
    end = 0
    for start in range(0, len(data), _STEP):
        end = min(start + _STEP, len(data))
        try:
            out.append(decoder.decompress(data[start:end]))
        except zlib.error:
            return _Source(data, True, "gzip", False)  # FastWARC reads up to the damage, then we resume
        if decoder.eof:
            break
    if not decoder.eof:
        return _Source(b"".join(out), False, "gzip", True)
    rest = len(data) - (end - len(decoder.unused_data))
    if rest == 0 or (rest <= 1024 and not data[-rest:].strip(_PADDING)):
        return _Source(b"".join(out), False, "gzip", False)
    return _Source(data, True, "gzip", False)


def _resume_point(source: _Source, after: int) -> int | None:
    """Where reading can start again after damage: the next gzip member, or the next WARC/ line."""
    if source.members:
        found = source.buffer.find(_GZIP_MEMBER, after)
        return found if found >= 0 else None
    match = _RECORD_LINE.search(source.buffer, after)
    return match.start() if match else None


def _inflate_tail(data: bytes, position: int) -> tuple[bytes, bool]:
    """The gzip members from `position` on, inflated up to the first one that is cut short or corrupt, and
    whether all of them were whole."""
    out: list[bytes] = []
    rest: bytes | memoryview = memoryview(data)[position:]
    while rest:
        decoder = zlib.decompressobj(31)
        try:
            out.append(decoder.decompress(rest))
        except zlib.error:
            return b"".join(out), False
        if not decoder.eof:
            out.append(decoder.flush())
            return b"".join(out), False
        rest = decoder.unused_data
        if not rest.strip(_PADDING):
            break
    return b"".join(out), True


def _check_last(source: _Source, last: _Last) -> tuple[bool, bool]:
    """(the last record's header and declared content are all there, only padding follows it)."""
    declared = _declared_length(last.record)
    if declared is None:
        return False, False
    buffer, position, whole = source.buffer, last.position, True
    if source.members:
        buffer, whole = _inflate_tail(buffer, position)
        position = 0
    start = buffer.find(b"WARC/", position)
    header_end = _HEADER_END.search(buffer, start) if start >= 0 else None
    if header_end is None:
        return False, False
    stop = header_end.end() + declared
    if stop > len(buffer):
        return False, False
    return True, whole and not buffer[stop:].strip(_PADDING)


def _declared_length(record: WarcRecord) -> int | None:
    try:
        return int(record.headers.get("Content-Length") or "")
    except ValueError:
        return None


def _declares_json(record: WarcRecord) -> bool:
    return (record.headers.get("Content-Type") or "").lower().startswith("application/json")


def _capture_type(record_type: WarcRecordType) -> str | None:
    if record_type is _RESPONSE:
        return "response"
    if record_type is _REVISIT:
        return "revisit"
    return "resource" if record_type is _RESOURCE else None


def _considered(record: WarcRecord) -> bool:
    """A capture record or a WAT record, with an http(s) target: what records_read counts (slow path)."""
    return (_capture_type(record.record_type) is not None or _declares_json(record)) and is_http_target(
        target_uri(record.headers.get("WARC-Target-URI")))


def _dispatch(record: WarcRecord, row_number: int, context: Context) -> None:
    """Count one record as read or other, and read it."""
    record_type = record.record_type
    capture = None if record_type is _METADATA else _capture_type(record_type)
    if capture is not None:
        url = target_uri(record.headers.get("WARC-Target-URI"))
        if is_http_target(url):
            context.count_read(row_number)
            read_capture(record, row_number, capture, url, context)
            return
    elif record_type is _METADATA:
        body = record.reader.read()
        # WAT records are JSON; a WARC's own metadata records are warc-fields text. The body's first byte
        # spares a header lookup per record; a damaged body falls back on the declared type.
        if body.lstrip()[:1] == b"{" or _declares_json(record):
            wat.read_wat_record(record, body, row_number, context)
            return
    context.records_other += 1
    if record_type is _WARCINFO and not (context.fields_known and context.wat_generator):
        text = record.reader.read().decode("utf-8", "replace")
        context.note_warcinfo_fields(text)
        context.note_file_name(record.headers.get("WARC-Filename"))
        wat.note_warcinfo(text, context)


def _failed(record: WarcRecord, row_number: int, context: Context, exc: Exception) -> None:
    """A record whose reading raised: counted once, and an error row if it is a capture without one."""
    if context.records_read + context.records_other < row_number:
        if _considered(record):
            context.count_read(row_number)
        else:
            context.records_other += 1
    rows = context.rows
    has_row = rows.last_page_row() == row_number or (rows.errors and rows.errors[-1][0] == row_number)
    if context.read_row == row_number and not has_row:
        rows.add_error(row_number, CORRUPT_RECORD, f"{type(exc).__name__}: {exc}", raw_headers(record))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one read, then restore it.

    Reading creates no reference cycles (refcounting frees every page at once), but its many small
    allocations trigger collections that traverse the host process's whole heap: about a tenth of the
    read's time in a process that has imported pyarrow and polars.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_archive(data: bytes, file_name: str) -> CrawlResult:
    """Read one WARC/WAT archive; never raises for bad content, ValueError when it is no WARC at all."""
    if not is_crawl_archive(data[:SNIFF_BYTES]):
        raise ValueError(f"{file_name}: not a WARC or WAT archive (no WARC/ header at the start)")
    with _collector_paused():
        return _read(data, file_name)


def _read(data: bytes, file_name: str) -> CrawlResult:
    source = _open(data)
    context = Context(truncated=source.cut)
    context.note_file_name(file_name)
    rows = context.rows
    stream = io.BytesIO(source.buffer)
    start, row_number = 0, 0
    last: _Last | None = None
    while True:
        stream.seek(start)
        position = start  # where to search for a resumption point if this stretch breaks
        record = None
        try:
            for record in ArchiveIterator(stream, parse_http=False, stream_detect=source.members):
                if rows.pending_links() >= LINK_BATCH:
                    rows.flush_links()
                row_number += 1
                position = record.stream_pos
                try:
                    _dispatch(record, row_number, context)
                except Exception as exc:  # one unreadable record must not end the archive
                    _failed(record, row_number, context, exc)
                    if isinstance(exc, OSError):
                        raise  # the stream itself is damaged: reading resumes after it
        except OSError:
            context.truncated = True
            resume = _resume_point(source, position + 1)
        else:
            resume = None
        if record is not None:
            last = _Last(record, position, row_number)
        if resume is None:
            break
        start = resume
    complete, clean = _check_last(source, last) if last is not None else (True, True)
    if not clean:
        context.truncated = True
    if last is not None and not complete and rows.last_page_row() == last.row_number:
        rows.drop_last_page()
        rows.add_error(last.row_number, TRUNCATED_RECORD, "the archive ends inside this record",
                       raw_headers(last.record))
    report = "wat" if context.wat else "warc"
    source_system = context.source_system(file_name)
    crawl_id = context.crawl_id(file_name)
    pages, links, errors = rows.tables(source_system, report, crawl_id)
    return CrawlResult(
        source_system=source_system,
        report=report,
        compression=source.compression,
        records_read=context.records_read,
        records_other=context.records_other,
        pages=pages,
        links=links,
        errors=errors,
        truncated=context.truncated,
        crawl_id=crawl_id,
    )
