"""What every record handler needs: the per-archive context, WARC header values read leniently, reason codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from pipelines.ingest.crawl.html import Caches
from pipelines.ingest.crawl.rows import Rows

# Quarantine reason codes of the crawl reader.
BAD_HTTP_HEADERS: Final = "bad_http_headers"  # the HTTP status line or header block does not parse
TRUNCATED_RECORD: Final = "truncated_record"  # the archive ends inside this record: its content is partial
CORRUPT_RECORD: Final = "corrupt_record"  # the archive's bytes break inside this record (gzip or framing damage)
BAD_JSON: Final = "bad_json"  # a WAT record whose JSON does not parse or has no Envelope object

_CC_CRAWL: Final = re.compile(r"CC-MAIN-\d{4}-\d{2}(?!\d)")
_WARC_FIELD: Final = re.compile(r"^(isPartOf|operator)\s*:\s*(.*?)\s*$", re.IGNORECASE | re.MULTILINE)
_COMPACT_DATE: Final = re.compile(r"\d{14}")


@dataclass
class Context:
    """State of one archive read: its rows, caches and what its warcinfo records say."""

    rows: Rows = field(default_factory=Rows)
    caches: Caches = field(default_factory=Caches)
    records_read: int = 0
    records_other: int = 0
    read_row: int = 0  # row number of the last record counted as read
    truncated: bool = False
    is_part_of: str | None = None
    operator: str | None = None
    says_common_crawl: bool = False
    wat: bool = False
    wat_generator: str | None = None  # build stamp (YYYYMMDDhhmmss) of the ia-web-commons that wrote a WAT

    def count_read(self, row_number: int) -> None:
        """Count a considered record (a capture, or a WAT record of one): it must end as a page or an error."""
        self.records_read += 1
        self.read_row = row_number

    @property
    def fields_known(self) -> bool:
        """A further warcinfo can add nothing: the first isPartOf and operator are kept, and CC is CC."""
        return self.is_part_of is not None and self.operator is not None and self.says_common_crawl

    def note_warcinfo_fields(self, text: str) -> None:
        """isPartOf / operator of a warcinfo block (application/warc-fields); the first of each is kept."""
        for match in _WARC_FIELD.finditer(text):
            key, value = match.group(1).lower(), match.group(2)
            if not value:
                continue
            if key == "ispartof" and self.is_part_of is None:
                self.is_part_of = value
            elif key == "operator" and self.operator is None:
                self.operator = value
            if _CC_CRAWL.match(value):
                self.says_common_crawl = True

    def note_file_name(self, name: str | None) -> None:
        """A WARC-Filename or the archive's own name: Common Crawl's files are named CC-MAIN-*."""
        if name and "CC-MAIN-" in name:
            self.says_common_crawl = True

    def crawl_id(self, file_name: str) -> str | None:
        """isPartOf, else the CC-MAIN-YYYY-WW id in the file name, else the operator."""
        if self.is_part_of:
            return self.is_part_of
        named = _CC_CRAWL.search(file_name)
        return named.group() if named else self.operator

    def source_system(self, file_name: str) -> str:
        """commoncrawl when a warcinfo, a WARC-Filename or the file name says CC-MAIN, else crawl."""
        if self.says_common_crawl or "CC-MAIN-" in file_name:
            return "commoncrawl"
        return "crawl"


def target_uri(value: str | None) -> str:
    """WARC-Target-URI as written, without wget's <...> wrapping (WARC 1.1 grammar read by wget 1.19+)."""
    if not value:
        return ""
    text = value.strip()
    if len(text) > 1 and text[0] == "<" and text[-1] == ">":
        return text[1:-1].strip()
    return text


def is_http_target(url: str) -> bool:
    """The target is an http(s) URL (not dns:, file:, metadata:, urn:...)."""
    head = url[:8].lower()
    return head.startswith("http://") or head.startswith("https://")


def warc_date(value: str | None) -> datetime | None:
    """A WARC-Date (ISO 8601, or the 14-digit form of ARC-era writers) as naive UTC; None when unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        if _COMPACT_DATE.fullmatch(text):
            return datetime.strptime(text, "%Y%m%d%H%M%S")
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def http_status(value: object) -> int | None:
    """An HTTP status code (100-599) from a parsed status or a WAT string; None when it is not one."""
    try:
        status = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return status if 100 <= status <= 599 else None
