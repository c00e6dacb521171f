"""Crawl archive readers: the bytes of one WARC or WAT file in, typed Arrow tables for the lake contracts out.

`read_archive(data, file_name)` reads a WARC (WARC/0.17 to 1.1, gzip per record, whole-file gzip or
uncompressed) or a Common Crawl WAT, and returns one page observation per capture record that parsed, the
link observations found in it, and one error row per capture that did not. `is_crawl_archive(head)` tells
such a file from its first bytes, never from its name. Both are pure functions of their arguments (no
filesystem, no clock, no state kept between calls), so they run as they are inside Spark's `mapInArrow`.

What is a link and how it is described: pipelines.ingest.crawl.warc (captures), .html (hyperlinks, anchors,
rel, robots, canonical), .placement (main/nav/header/footer/aside), .wat (WAT JSON), .resolve (URLs);
damaged archives: .archive. Invariant: `pages.num_rows + errors.num_rows == records_read`. Error reasons:
bad_http_headers, truncated_record, corrupt_record, bad_json (see .records). A read pauses Python's cyclic
garbage collector and restores it (see .archive): reading creates no cycles.
"""

from pipelines.ingest.crawl.archive import SNIFF_BYTES, CrawlResult, is_crawl_archive, read_archive

__all__ = ["SNIFF_BYTES", "CrawlResult", "is_crawl_archive", "read_archive"]
