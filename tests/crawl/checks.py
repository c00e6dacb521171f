"""Properties every CrawlResult must have, whatever the input: the contracts' schemas and the row invariants."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contracts import contract
from pipelines.ingest.crawl import CrawlResult

PAGE_SCHEMA = contract("page_observations").arrow_schema({"reader"})
LINK_SCHEMA = contract("link_observations").arrow_schema({"reader", "crawl"})
ERROR_SCHEMA = contract("quarantine").arrow_schema({"reader"})
REASONS = {"bad_http_headers", "truncated_record", "corrupt_record", "bad_json"}


def no_nulls_where_required(table: pa.Table) -> None:
    for field in table.schema:
        if not field.nullable:
            assert table[field.name].null_count == 0, field.name


def check(result: CrawlResult) -> None:
    """Schemas are exactly the contracts' reader columns; every considered record is a page or an error."""
    assert result.pages.schema == PAGE_SCHEMA
    assert result.links.schema == LINK_SCHEMA
    assert result.errors.schema == ERROR_SCHEMA
    for table in (result.pages, result.links, result.errors):
        no_nulls_where_required(table)
    assert result.pages.num_rows + result.errors.num_rows == result.records_read
    assert result.report in ("warc", "wat")
    assert result.source_system in ("commoncrawl", "crawl")
    assert result.compression in (None, "gzip")
    numbers = result.pages["row_number"].to_pylist() + result.errors["row_number"].to_pylist()
    assert len(set(numbers)) == len(numbers)
    assert all(1 <= n <= result.records_read + result.records_other for n in numbers)
    assert result.links["row_number"].to_pylist() == list(range(1, result.links.num_rows + 1))
    assert sum(result.pages["links"].to_pylist()) == result.links.num_rows
    assert set(result.errors["reason"].to_pylist()) <= REASONS
    assert all(len(raw) <= 4000 for raw in result.errors["raw"].to_pylist() if raw is not None)
    if result.links.num_rows:
        page_urls = set(result.pages["url_raw"].to_pylist())
        assert set(result.links["source_url_raw"].to_pylist()) <= page_urls
        assert pc.all(pc.starts_with(pc.utf8_lower(result.links["target_url_raw"]), "http")).as_py()
        assert set(result.links["link_type"].to_pylist()) <= {"text", "image", "redirect", "canonical"}
        assert set(result.links["placement"].to_pylist()) <= {None, "main", "nav", "header", "footer", "aside"}
    for column in ("source_system", "report"):
        values = set(result.pages[column].to_pylist() + result.links[column].to_pylist()
                     + result.errors[column].to_pylist())
        assert values <= {result.source_system if column == "source_system" else result.report}
