"""Row accumulators for one archive and their Arrow tables, typed exactly as the lake contracts' reader columns.

Per-link values are packed into one int (codes.py) so that the hot loops append three values per link; the
columns are decoded with numpy when a batch is converted. A WAT page's hyperlinks go to the `watlinks`
kernel's column buffers instead and are resolved a batch at a time (hyperlinks.py). Link batches are
converted to Arrow every `LINK_BATCH` links, between records, so that a link-dense archive is held as Arrow
buffers rather than as Python objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import numpy as np
import pyarrow as pa
from watlinks import LinkColumns

from pipelines.contracts import contract
from pipelines.ingest.crawl import hyperlinks, placement
from pipelines.ingest.crawl.codes import LINK_TYPES, NOFOLLOW, PLACEMENT_SHIFT, REL_UNKNOWN, SPONSORED, TYPE_SHIFT, UGC
from pipelines.ingest.crawl.hyperlinks import PageLinks

PAGE_SCHEMA: Final = contract("page_observations").arrow_schema({"reader"})
LINK_SCHEMA: Final = contract("link_observations").arrow_schema({"reader", "crawl"})
ERROR_SCHEMA: Final = contract("quarantine").arrow_schema({"reader"})
RAW_CAP: Final = 4000
LINK_BATCH: Final = 1 << 16


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
    links: int = 0  # link rows, known once its batch is converted
    head: int = 0  # pending links given as lists (all of a WARC page's; a WAT page's redirect and canonicals)
    wat_start: int = -1  # the kernel's row count before this page's hyperlinks were added; -1: none added


class Rows:
    """Pages, links and errors of one archive, in record order."""

    def __init__(self) -> None:
        self.pages: list[Page] = []
        self.errors: list[tuple[int, str, str, str]] = []  # row_number, reason, detail, raw
        # Links not yet converted (they belong to self.pages[self._pending_page:], in order): target, anchor,
        # code and WAT path of each; a WAT page's hyperlinks are in the kernel's buffers, with the page's
        # resolution context at the same index in _wat_pages and its index in self.pages in _wat_owners.
        self._pending_page = 0
        self.targets: list[str] = []
        self.anchors: list[str | None] = []
        self.codes: list[int] = []
        self.paths: list[str | None] = []
        self._wat = LinkColumns()
        self._wat_pages: list[PageLinks] = []
        self._wat_owners: list[int] = []
        self._rel_cache: dict[str, int] = {}
        self._batches: list[pa.RecordBatch] = []
        self._links_done = 0

    def add_page(self, page: Page, targets: list[str], anchors: list[str | None], codes: list[int],
                 paths: list[str | None] | None = None, wat_links: bytes | None = None,
                 wat_page: PageLinks | None = None) -> None:
        """A page row and its link observations (parallel lists), and for a WAT page the raw JSON of its
        `Links` array, resolved in `wat_page`'s context. ValueError (nothing added) when that JSON is bad."""
        if wat_links is not None and wat_page is not None:
            start = self._wat.rows
            if self._wat.add(wat_links, len(self._wat_pages)):
                page.wat_start = start
                self._wat_pages.append(wat_page)
                self._wat_owners.append(len(self.pages))
        page.head = len(targets)
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
        if page.head:
            del self.targets[-page.head :], self.anchors[-page.head :]
            del self.codes[-page.head :], self.paths[-page.head :]
        if page.wat_start >= 0:
            self._wat.truncate(page.wat_start)
            self._wat_pages.pop()
            self._wat_owners.pop()
        return page

    def last_page_row(self) -> int | None:
        return self.pages[-1].row_number if self.pages else None

    def pending_links(self) -> int:
        return len(self.targets) + self._wat.rows

    def flush_links(self) -> None:
        """Convert the pending links to Arrow (between records: a record's links stay pending until it is
        known to be whole)."""
        if not self.pending_links():
            return
        batch = self._link_batch()
        self._batches.append(batch)
        self._links_done += batch.num_rows
        self._pending_page = len(self.pages)
        self.targets, self.anchors, self.codes, self.paths = [], [], [], []
        self._wat_pages, self._wat_owners = [], []

    def _pending_links(self) -> tuple[np.ndarray, pa.Array, pa.Array, np.ndarray, pa.Array]:
        """The pending links in row order: page (index into the pending pages), target, anchor, code, path."""
        span = self.pages[self._pending_page :]
        page = np.repeat(np.arange(len(span), dtype=np.int64), [p.head for p in span])
        target = pa.array(self.targets, pa.string())
        anchor = pa.array(self.anchors, pa.string())
        code = np.asarray(self.codes, dtype=np.int64)
        path = pa.array(self.paths, pa.string())
        if self._wat.rows:
            rows = self._wat.rows  # before take(), which empties the kernel
            found = hyperlinks.resolve(self._wat.take(), rows, self._wat_pages, self._rel_cache)
            kept = np.flatnonzero(found.keep)
            wat_page = (np.asarray(self._wat_owners, dtype=np.int64) - self._pending_page)[found.page[kept]]
            # A WAT page's redirect and canonical rows (the list rows) come before its hyperlinks; both are in
            # page order, so a list row's place is the hyperlinks of earlier pages plus the list rows before it.
            heads = len(page)
            at_head = np.searchsorted(wat_page, page, side="left") + np.arange(heads)
            is_head = np.zeros(heads + len(kept), dtype=bool)
            is_head[at_head] = True
            values = np.empty(heads + len(kept), dtype=np.int64)  # into [list values, then found's values]
            values[at_head] = np.arange(heads)
            values[~is_head] = heads + found.source[kept]
            order_rows = np.empty(heads + len(kept), dtype=np.int64)  # into [list rows, then found's kept rows]
            order_rows[at_head] = np.arange(heads)
            order_rows[~is_head] = heads + np.arange(len(kept))
            order = pa.array(values)
            target = pa.chunked_array([target, *found.target], pa.string()).take(order).combine_chunks()
            anchor = pa.chunked_array([anchor, *found.anchor], pa.string()).take(order).combine_chunks()
            page = np.concatenate([page, wat_page])[order_rows]
            code = np.concatenate([code, found.code[kept]])[order_rows]
            path_of = np.concatenate([np.arange(heads), heads - 1 + found.kind[kept].astype(np.int64)])
            path = pa.concat_arrays([path, pa.array([hyperlinks.A_PATH, hyperlinks.AREA_PATH])]).take(
                pa.array(path_of[order_rows]))
        for page_row, count in zip(span, np.bincount(page, minlength=len(span)).tolist(), strict=True):
            page_row.links = count
        return page, target, anchor, code, path

    def _link_batch(self) -> pa.RecordBatch:
        span = self.pages[self._pending_page :]
        page, target, anchor, codes, path = self._pending_links()
        n = len(page)
        # Per-page values are taken once per page and broadcast to its links.
        local = pa.array(page)
        rel_unknown = (codes & REL_UNKNOWN) > 0
        nofollow = (codes & NOFOLLOW) > 0
        placement_code = (codes >> PLACEMENT_SHIFT) & 7
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(path.is_valid().to_numpy(zero_copy_only=False), out=offsets[1:])
        paths = path.drop_null()
        return pa.record_batch(
            {
                "row_number": pa.array(np.arange(self._links_done + 1, self._links_done + n + 1, dtype=np.int64)),
                "source_url_raw": pa.array([p.url for p in span], pa.string()).take(local),
                "target_url_raw": target,
                "anchor_raw": anchor,
                # A page-level nofollow is known even where the source records no rel.
                "nofollow": pa.array(nofollow, mask=rel_unknown & ~nofollow),
                "ugc": pa.array((codes & UGC) > 0, mask=rel_unknown),
                "sponsored": pa.array((codes & SPONSORED) > 0, mask=rel_unknown),
                "link_type": pa.array(list(LINK_TYPES), pa.string()).take(pa.array((codes >> TYPE_SHIFT) & 3)),
                "last_seen_claim": pa.array([p.fetched_at for p in span], pa.timestamp("us")).take(local),
                "metrics": pa.MapArray.from_arrays(
                    pa.array(offsets), pa.repeat(pa.scalar("path"), len(paths)), paths
                ),
                # WAT rows have no placement: no column to build then.
                "placement": pa.array(list(placement.NAMES), pa.string()).take(pa.array(placement_code))
                if placement_code.any() else pa.nulls(n, pa.string()),
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
        # The claims no crawl makes are all-null columns: they share one zeroed buffer (calloc'ed, so its pages
        # cost nothing until read) for validity, values and offsets, where pa.nulls would fill one per column.
        zeros = pa.py_buffer(np.zeros(8 * (n + 1), dtype=np.uint8))
        arrays = []
        for field in LINK_SCHEMA:
            if field.name in columns:
                arrays.append(columns[field.name])
            elif field.name in built.column_names:
                arrays.append(built.column(field.name))
            elif pa.types.is_string(field.type):
                arrays.append(pa.Array.from_buffers(field.type, n, [zeros, zeros, zeros], null_count=n))
            elif pa.types.is_boolean(field.type) or pa.types.is_integer(field.type) or pa.types.is_timestamp(
                    field.type):
                arrays.append(pa.Array.from_buffers(field.type, n, [zeros, zeros], null_count=n))
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
