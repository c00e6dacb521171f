"""Byte-level sniffing: gzip by magic bytes, encoding by BOM, and the leading lines where a header may be.

Everything downstream reads UTF-8: UTF-16 exports (Ahrefs) are transcoded in one pass, and UTF-8 is validated
strictly, so a cp1252 file saved as `.csv` fails with the offset of its first bad byte instead of being read
with replaced characters.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from dataclasses import dataclass

from pipelines.ingest.vendors.errors import ReportError

GZIP_MAGIC = b"\x1f\x8b"
BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
DELIMITERS = ("\t", ",", ";")
HEADER_SCAN_BYTES = 1 << 20  # a header and any title block above it sit well inside the first megabyte
_NON_BLANK = re.compile(rb"\S")


@dataclass(frozen=True)
class Decoded:
    """A file's text as UTF-8 bytes without BOM, with how it was stored."""

    text: bytes
    encoding: str
    compression: str | None


@dataclass(frozen=True)
class Line:
    """One non-blank line near the top of the file."""

    index: int  # among non-blank lines, 0 = first
    text: str
    end: int  # byte offset just past the line's newline: where the records after it start


def _utf16_without_bom(data: bytes) -> str | None:
    """utf-16-le/-be when the first characters are ASCII with NUL high bytes (a BOM-less UTF-16 export)."""
    head = data[:64]
    if len(head) < 4 or len(head) % 2:
        return None
    if all(b == 0 for b in head[1::2]) and all(b != 0 for b in head[0::2]):
        return "utf-16-le"
    if all(b == 0 for b in head[0::2]) and all(b != 0 for b in head[1::2]):
        return "utf-16-be"
    return None


def _undecodable(
    file_name: str,
    data: bytes,
    error: UnicodeDecodeError,
    skipped: int,
    encoding: str,
    compression: str | None,
) -> ReportError:
    offset = error.start + skipped
    where = f"offset {offset}" + (" of the decompressed data" if compression else "")
    byte = data[offset : offset + 1].hex() or "end of data"
    hint = " (the file may be cp1252 / Latin-1)" if encoding == "utf-8" else ""
    return ReportError(
        file_name, "undecodable", f"undecodable: byte 0x{byte} at {where} is not valid {encoding}{hint}"
    )


def decode(data: bytes, file_name: str) -> Decoded:
    """Decompress and decode one export to UTF-8 bytes; raise ReportError when that is impossible."""
    compression = None
    if data[:2] == GZIP_MAGIC:
        compression = "gzip"
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ReportError(file_name, "undecodable", f"undecodable: corrupt gzip stream ({exc})") from exc
    encoding, skip = "utf-8", 0
    for bom, name in BOMS:
        if data.startswith(bom):
            encoding, skip = name, len(bom)
            break
    else:
        encoding = _utf16_without_bom(data) or "utf-8"
    body = data[skip:]
    if encoding.startswith("utf-16"):
        try:
            text = body.decode(encoding).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise _undecodable(file_name, data, exc, skip, encoding, compression) from exc
    else:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _undecodable(file_name, data, exc, skip, "utf-8", compression) from exc
        text = body
    if _NON_BLANK.search(text) is None:
        raise ReportError(file_name, "empty_file", "empty_file: the file holds no header and no records")
    return Decoded(text, encoding, compression)


def leading_lines(text: bytes, count: int) -> list[Line]:
    """The first `count` non-blank lines (trailing CR removed) and where each ends."""
    head = text[:HEADER_SCAN_BYTES]
    lines: list[Line] = []
    start = 0
    while start < len(head) and len(lines) < count:
        newline = head.find(b"\n", start)
        if newline < 0:
            if len(head) < len(text):  # the line goes on past the scanned prefix: not a header
                break
            newline = len(head)
        raw = head[start:newline].rstrip(b"\r")
        if raw.strip():
            lines.append(Line(len(lines), raw.decode("utf-8"), min(newline + 1, len(text))))
        start = newline + 1
    return lines


def split_fields(text: str, delimiter: str) -> list[str]:
    """The fields of one record under one delimiter, honouring quotes (a field too long for csv: no split)."""
    try:
        return next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    except csv.Error:
        return [text]
