"""Row-level staging of page observations."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa

from pipelines.contracts import contract
from pipelines.stage.domains import DomainResolver
from pipelines.stage.pages import stage_pages


def test_pages_get_canonical_url_domain_and_canonical_link() -> None:
    base = {"source_system": "crawl", "report": "warc", "record_type": "response", "links": 0,
            "file_id": "f", "file_name": "x.warc.gz", "observed_on": date(2026, 1, 1)}
    rows = [
        {**base, "row_number": 1, "url_raw": "http://Blog.Bücher.DE/a?utm_medium=x#top",
         "fetched_at": datetime(2026, 1, 1, 5), "http_status": 200, "canonical_url_raw": "https://bücher.de/a"},
        {**base, "row_number": 2, "url_raw": "dns:example.com"},
    ]
    pages = pa.Table.from_pylist(rows, schema=contract("page_observations").arrow_schema({"reader", "ingest"}))
    staged = stage_pages(pages, DomainResolver())
    assert staged.schema == contract("page_observations").arrow_schema()
    first, dns = staged.select(["url", "host", "domain", "canonical_url"]).to_pylist()
    assert first == {"url": "http://blog.xn--bcher-kva.de/a", "host": "blog.xn--bcher-kva.de",
                     "domain": "xn--bcher-kva.de", "canonical_url": "https://xn--bcher-kva.de/a"}
    assert dns == {"url": None, "host": None, "domain": None, "canonical_url": None}
