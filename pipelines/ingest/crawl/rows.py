"""Row accumulators for one archive and their Arrow tables, typed exactly as the lake contracts' reader columns.

Per-link values are packed into one int (rel flags, link type, placement) so that the hot loops append three
values per link; the columns are decoded with numpy when a batch is converted. Link batches are converted to
Arrow every `LINK_BATCH` links, between records, so that a link-dense archive is held as Arrow buffers rather
than as Python objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import numpy as np
import pyarrow as pa

from pipelines.contracts import contract
from pipelines.ingest.crawl import placement

PAGE_SCHEMA: Final = contract("page_observations").arrow_schema({"reader"})
LINK_SCHEMA: Final = contract("link_observations").arrow_schema({"reader", "crawl"})
ERROR_SCHEMA: Final = contract("quarantine").arrow_schema({"reader"})
RAW_CAP: Final = 4000
LINK_BATCH: Final = 1 << 16

# Link code bits.
NOFOLLOW: Final = 1
UGC: Final = 2
SPONSORED: Final = 4
REL_UNKNOWN: Final = 8  # the source records no rel (WATs before 2017): ugc/sponsored null, nofollow unless set
TYPE_SHIFT: Final = 4  # link type: index into LINK_TYPES (0, text, needs no bit)
IMAGE: Final = 1 << TYPE_SHIFT
REDIRECT: Final = 2 << TYPE_SHIFT
CANONICAL: Final = 3 << TYPE_SHIFT
PLACEMENT_SHIFT: Final = 6
LINK_TYPES: Final = ("text", "image", "redirect", "canonical")


@dataclass(slots=True)
class Page:
    """One considered capture that parsed: a page observation row, minus the file-level columns."""

    row_number: int
    url: str
    fetched_at: datetime | None
    record_type: str
    http_status: int | None
    ip: str | None
    digest: str | None
    content_type: str | None
    robots_noindex: bool | None = None
    robots_nofollow: bool | None = None
    canonical: str | None = None
    redirect: str | None = None
    links: int = 0


class Rows:
    """Pages, links and errors of one archive, in record order."""

    def __init__(self) -> None:
        self.pages: list[Page] = []
        self.errors: list[tuple[int, str, str, str]] = []  # row_number, reason, detail, raw
        # Links not yet converted (they belong to self.pages[self._pending_page:], in order): target, anchor,
        # code and WAT path of each.
        self._pending_page = 0
        self.targets: list[str] = []
        self.anchors: list[str | None] = []
        self.codes: list[int] = []
        self.paths: list[str | None] = []
        self._batches: list[pa.RecordBatch] = []
        self._links_done = 0

    def add_page(self, page: Page, targets: list[str], anchors: list[str | None], codes: list[int],
                 paths: list[str | None] | None = None) -> None:
        """A page row and its link observations (parallel lists)."""
        page.links = len(targets)
        self.pages.append(page)
        if targets:
            self.targets.extend(targets)
            self.anchors.extend(anchors)
            self.codes.extend(codes)
            self.paths.extend(paths if paths is not None else [None] * len(targets))

    def add_error(self, row_number: int, reason: str, detail: str, raw: str) -> None:
        self.errors.append((row_number, reason, detail, raw[:RAW_CAP]))

    def drop_last_page(self) -> Page | None:
        """Remove the most recent page row and its links (its record turned out to be cut short).

        Only a page whose links are still pending can go: links are converted between records, so the last
        record's page always is.
        """
        if len(self.pages) <= self._pending_page:
            return None
        page = self.pages.pop()
        if page.links:
            del self.targets[-page.links :], self.anchors[-page.links :]
            del self.codes[-page.links :], self.paths[-page.links :]
        return page

    def last_page_row(self) -> int | None:
        return self.pages[-1].row_number if self.pages else None

    def flush_links(self) -> None:
        """Convert the pending links to Arrow (between records: a record's links stay pending until it is
        known to be whole)."""
        if not self.targets:
            return
        self._batches.append(self._link_batch())
        self._links_done += len(self.targets)
        self._pending_page = len(self.pages)
        self.targets, self.anchors, self.codes, self.paths = [], [], [], []

    def _link_batch(self) -> pa.RecordBatch:
        n = len(self.targets)
        # Per-page values are taken once per page and broadcast to its links.
        span = self.pages[self._pending_page :]
        local = pa.array(np.repeat(np.arange(len(span)), [p.links for p in span]))
        codes = np.asarray(self.codes, dtype=np.int64)
        rel_unknown = (codes & REL_UNKNOWN) > 0
        nofollow = (codes & NOFOLLOW) > 0
        placement_code = (codes >> PLACEMENT_SHIFT) & 7
        paths = [p for p in self.paths if p is not None]
        offsets = np.zeros(n + 1, dtype=np.int32)
        if paths:
            np.cumsum(np.fromiter((p is not None for p in self.paths), dtype=bool, count=n), out=offsets[1:])
        return pa.record_batch(
            {
                "row_number": pa.array(np.arange(self._links_done + 1, self._links_done + n + 1, dtype=np.int64)),
                "source_url_raw": pa.array([p.url for p in span], pa.string()).take(local),
                "target_url_raw": pa.array(self.targets, pa.string()),
                "anchor_raw": pa.array(self.anchors, pa.string()),
                # A page-level nofollow is known even where the source records no rel.
                "nofollow": pa.array(nofollow, mask=rel_unknown & ~nofollow),
                "ugc": pa.array((codes & UGC) > 0, mask=rel_unknown),
                "sponsored": pa.array((codes & SPONSORED) > 0, mask=rel_unknown),
                "link_type": pa.array(list(LINK_TYPES), pa.string()).take(pa.array((codes >> TYPE_SHIFT) & 3)),
                "last_seen_claim": pa.array([p.fetched_at for p in span], pa.timestamp("us")).take(local),
                "metrics": pa.MapArray.from_arrays(
                    pa.array(offsets), pa.array(["path"] * len(paths), pa.string()), pa.array(paths, pa.string())
                ),
                "placement": pa.array(list(placement.NAMES), pa.string()).take(pa.array(placement_code)),
                "source_ip": pa.array([p.ip for p in span], pa.string()).take(local),
            }
        )

    def tables(self, source_system: str, report: str, crawl_id: str | None) -> tuple[pa.Table, pa.Table, pa.Table]:
        """(pages, links, errors) with exactly the contracts' reader columns."""
        self.flush_links()
        return (
            self._page_table(source_system, report, crawl_id),
            self._link_table(source_system, report, crawl_id),
            self._error_table(source_system, report),
        )

    def _page_table(self, source_system: str, report: str, crawl_id: str | None) -> pa.Table:
        pages = self.pages
        n = len(pages)
        columns = {
            "source_system": pa.array([source_system] * n, pa.string()),
            "report": pa.array([report] * n, pa.string()),
            "row_number": pa.array([p.row_number for p in pages], pa.int64()),
            "url_raw": pa.array([p.url for p in pages], pa.string()),
            "fetched_at": pa.array([p.fetched_at for p in pages], pa.timestamp("us")),
            "record_type": pa.array([p.record_type for p in pages], pa.string()),
            "http_status": pa.array([p.http_status for p in pages], pa.int64()),
            "ip": pa.array([p.ip for p in pages], pa.string()),
            "content_digest": pa.array([p.digest for p in pages], pa.string()),
            "content_type": pa.array([p.content_type for p in pages], pa.string()),
            "crawl_id": pa.array([crawl_id] * n, pa.string()),
            "robots_noindex": pa.array([p.robots_noindex for p in pages], pa.bool_()),
            "robots_nofollow": pa.array([p.robots_nofollow for p in pages], pa.bool_()),
            "canonical_url_raw": pa.array([p.canonical for p in pages], pa.string()),
            "redirect_url_raw": pa.array([p.redirect for p in pages], pa.string()),
            "links": pa.array([p.links for p in pages], pa.int64()),
        }
        return pa.Table.from_pydict(columns, schema=PAGE_SCHEMA)

    def _link_table(self, source_system: str, report: str, crawl_id: str | None) -> pa.Table:
        n = self._links_done
        if not self._batches:
            return LINK_SCHEMA.empty_table()
        built = pa.Table.from_batches(self._batches)
        empty_map = pa.MapArray.from_arrays(
            pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], pa.string()), pa.array([], pa.string())
        )
        columns: dict[str, pa.Array | pa.ChunkedArray] = {
            "source_system": pa.repeat(pa.scalar(source_system), n),
            "report": pa.repeat(pa.scalar(report), n),
            "extra": empty_map,
            "crawl_id": pa.nulls(n, pa.string()) if crawl_id is None else pa.repeat(pa.scalar(crawl_id), n),
        }
        arrays = []
        for field in LINK_SCHEMA:
            if field.name in columns:
                arrays.append(columns[field.name])
            elif field.name in built.column_names:
                arrays.append(built.column(field.name))
            else:
                arrays.append(pa.nulls(n, field.type))
        return pa.Table.from_arrays(arrays, schema=LINK_SCHEMA)

    def _error_table(self, source_system: str, report: str) -> pa.Table:
        errors = sorted(self.errors)
        n = len(errors)
        return pa.Table.from_pydict(
            {
                "source_system": [source_system] * n,
                "report": [report] * n,
                "row_number": [e[0] for e in errors],
                "reason": [e[1] for e in errors],
                "detail": [e[2] for e in errors],
                "raw": [e[3] for e in errors],
            },
            schema=ERROR_SCHEMA,
        )
