"""Staging of vendor aggregate reports: domains keyed exactly as link staging keys hosts, rejects quarantined."""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipelines.contracts import all_contracts, contract
from pipelines.stage.aggregates import stage_aggregates
from pipelines.stage.domains import DomainResolver
from pipelines.stage.links import stage_links
from pipelines.stage.urls import Canon, canonicalize
from tests.stage.test_staging import _raw as link_rows

RESOLVER = DomainResolver()
AGGREGATES = sorted(name for name in all_contracts() if name.startswith("vendor_"))
_READER_DEFAULTS: dict[str, Any] = {
    "source_system": "majestic", "report": "referring_domains", "metrics": [], "extra": [],
    "referring_domain_raw": "example.org", "domain_raw": "example.org", "target_raw": "target.example",
    "target_url_raw": "https://www.target.example/", "anchor_raw": "widgets", "subnet": "217.160.0.xxx",
    "file_id": "f" * 64, "file_name": "x.csv", "observed_on": date(2026, 5, 10), "export_target": None,
}


def _raw(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = contract(table).arrow_schema({"reader", "ingest"})
    full = [{**{k: v for k, v in _READER_DEFAULTS.items() if k in schema.names}, "row_number": i + 1, **row}
            for i, row in enumerate(rows)]
    return pa.Table.from_pylist(full, schema=schema)


def _referring(values: list[str]) -> tuple[pa.Table, pa.Table]:
    raw = _raw("vendor_referring_domains", [{"referring_domain_raw": v} for v in values])
    return stage_aggregates(raw, "vendor_referring_domains", resolver=RESOLVER)


@pytest.mark.parametrize("table", AGGREGATES)
def test_every_aggregate_report_gets_its_contract(table: str) -> None:
    kept, quarantine = stage_aggregates(_raw(table, [{}, {}]), table, resolver=RESOLVER)
    assert kept.schema == contract(table).arrow_schema()
    assert (kept.num_rows, quarantine.num_rows) == (2, 0)
    assert quarantine.schema == contract("quarantine").arrow_schema()
    empty, _ = stage_aggregates(_raw(table, []), table, resolver=RESOLVER)
    assert empty.schema == kept.schema and empty.num_rows == 0


def test_spellings_of_one_domain_meet() -> None:
    kept, quarantine = _referring([
        "Bücher.de", "XN--BCHER-KVA.DE", "www.bücher.de", " https://Bücher.DE./ ", "blog.xn--bcher-kva.de",
        "192.0.2.7", "[2001:DB8::1]", "foo.blogspot.com", "co.uk",
    ])
    assert quarantine.num_rows == 0
    assert kept.select(["referring_host", "referring_domain"]).to_pylist() == [
        {"referring_host": h, "referring_domain": d} for h, d in [
            ("xn--bcher-kva.de", "xn--bcher-kva.de"), ("xn--bcher-kva.de", "xn--bcher-kva.de"),
            ("www.xn--bcher-kva.de", "xn--bcher-kva.de"), ("xn--bcher-kva.de", "xn--bcher-kva.de"),
            ("blog.xn--bcher-kva.de", "xn--bcher-kva.de"), ("192.0.2.7", "192.0.2.7"),
            ("[2001:db8::1]", "[2001:db8::1]"), ("foo.blogspot.com", "foo.blogspot.com"), ("co.uk", "co.uk"),
        ]
    ]


def test_values_that_are_not_a_domain_are_quarantined() -> None:
    values = ["example.org", "not a domain", "example.com/page", "example.com:8080", "ftp://example.com",
              "name@example.com", "localhost", "(not set)", "example.com?x=1"]
    kept, quarantine = _referring(values)
    assert kept["referring_domain_raw"].to_pylist() == ["example.org"]
    assert quarantine["row_number"].to_pylist() == list(range(2, len(values) + 1))
    assert set(quarantine["reason"].to_pylist()) == {"not_a_domain"}
    assert quarantine["raw"].to_pylist() == values[1:]
    assert quarantine["detail"].to_pylist()[:2] == [
        "column referring_domain_raw: 'not a domain' is not a domain",
        "column referring_domain_raw: 'example.com/page' is not a domain",
    ]
    assert set(quarantine["unit"].to_pylist()) == {"row"}
    assert kept.num_rows + quarantine.num_rows == len(values)


def test_pages_are_canonical_urls_and_name_the_target_when_nothing_else_does() -> None:
    pages = ["https://WWW.Target.example/pricing?utm_source=x#top", "http://target.example:80/a",
             "https://blog.target.example/b", "https://other.example/c", "javascript:void(0)", "/relative"]
    raw = _raw("vendor_target_pages", [{"target_url_raw": p} for p in pages])
    kept, quarantine = stage_aggregates(raw, "vendor_target_pages", resolver=RESOLVER)
    assert kept.select(["target_url", "target_host", "target_domain"]).to_pylist()[:2] == [
        {"target_url": "https://www.target.example/pricing", "target_host": "www.target.example",
         "target_domain": "target.example"},
        {"target_url": "http://target.example/a", "target_host": "target.example", "target_domain": "target.example"},
    ]
    assert set(kept["export_target"].to_pylist()) == {"target.example"}
    assert quarantine.select(["row_number", "reason"]).to_pylist() == [
        {"row_number": 5, "reason": "unsupported_scheme"}, {"row_number": 6, "reason": "unparseable_url"}]

    named = raw.set_column(raw.schema.get_field_index("export_target"), "export_target",
                           pa.array(["other.example"] * raw.num_rows, pa.string()))
    kept, _ = stage_aggregates(named, "vendor_target_pages", resolver=RESOLVER)
    assert set(kept["export_target"].to_pylist()) == {"other.example"}


def test_compared_targets_may_be_urls() -> None:
    raw = _raw("vendor_domain_summary", [{"target_raw": "https://Shop.Bücher.de/de/"},
                                         {"target_raw": "target.example"}])
    kept, quarantine = stage_aggregates(raw, "vendor_domain_summary", resolver=RESOLVER)
    assert quarantine.num_rows == 0
    assert kept.select(["target_host", "target_domain"]).to_pylist() == [
        {"target_host": "shop.xn--bcher-kva.de", "target_domain": "xn--bcher-kva.de"},
        {"target_host": "target.example", "target_domain": "target.example"},
    ]
    assert kept["export_target"].null_count == 2  # several compared targets do not say which one it was for


# --- properties ---------------------------------------------------------------------------------------------

_LABEL = st.one_of(
    st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?", fullmatch=True),
    st.sampled_from(["bücher", "пример", "例子", "xn--bcher-kva", "münchen", "ß", "café", "ελλάδα", "a_b"]),
)
_SUFFIX = st.sampled_from(["com", "de", "co.uk", "рф", "xn--p1ai", "中国", "blogspot.com", "github.io", "example",
                           "com.br", "k12.ak.us"])


@settings(max_examples=200, deadline=None)  # the first example pays for warm-up
@given(st.lists(_LABEL, min_size=1, max_size=3), _SUFFIX)
def test_any_spelling_of_a_link_host_stages_to_its_registrable_domain(labels: list[str], suffix: str) -> None:
    host = ".".join([*labels, suffix])
    canon = canonicalize(f"http://{host}/")
    assume(isinstance(canon, Canon))
    assert isinstance(canon, Canon)
    link, rejected = stage_links(link_rows([{"source_url_raw": f"http://{host}/page"}]), resolver=RESOLVER,
                                 today=date(2026, 11, 21), anchor_max_chars=100)
    assert rejected.num_rows == 0
    source_host, source_domain = link["source_host"][0].as_py(), link["source_domain"][0].as_py()
    own = RESOLVER.resolve(canon.host)
    spellings = [host, canon.host, canon.host.upper(), f"https://{host}/", f" {host}. "]
    if own.registrable_domain != own.suffix:  # www. under a public suffix would be a new registrable domain
        spellings.append(f"www.{host}")
    kept, quarantine = _referring(spellings)
    assert quarantine.num_rows == 0
    assert set(kept["referring_domain"].to_pylist()) == {source_domain}
    assert kept["referring_host"].to_pylist()[:5] == [source_host] * 5
