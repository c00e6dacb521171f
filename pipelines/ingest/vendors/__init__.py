"""Vendor export readers: the bytes of one export file in, typed Arrow tables for the lake contracts out.

`read_export(data, file_name)` detects the report from the BOM, the delimiter and the header (never the file
name), reads every record as strings in one vectorised pass, checks and converts values strictly per vendor,
and returns the kept rows (exactly the contract's `reader` columns) and the quarantined rows with a reason
each. The file name only supplies hints: the export's target and timestamp, and GSC's report label where two
GSC exports share one header. A reader is a pure function: no filesystem, no URL canonicalization, no clock.

Reports covered (see the specs in ahrefs.py, semrush.py, majestic.py, moz.py, gsc.py): Ahrefs backlinks,
referring_domains, anchors, referring_ips; Semrush backlinks, referring_domains, indexed_pages,
outbound_domains, comparison, backlink_audit; Majestic backlinks, referring_domains; Moz ose_legacy,
inbound_links, linking_domains; GSC latest_links, more_sample_links, pages_linking_to_page, top_linking_sites,
top_linking_text, top_linked_pages_external, top_linked_pages_internal.

Empty cells are NULL, with one exception: an empty anchor from a source that gives anchors per link is the
empty string, because the contract keeps NULL for "this source has no per-link anchor".
"""

from pipelines.ingest.vendors.errors import ReportError
from pipelines.ingest.vendors.reader import ReadResult, read_export
from pipelines.ingest.vendors.registry import REPORTS

__all__ = ["REPORTS", "ReadResult", "ReportError", "read_export"]
