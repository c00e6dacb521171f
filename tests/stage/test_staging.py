"""Row-level staging of link observations: canonical fields, quarantine reasons, the row balance."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.contracts import contract
from pipelines.stage.domains import DomainResolver
from pipelines.stage.links import stage_links

RESOLVER = DomainResolver()
TODAY = date(2026, 11, 21)


def _raw(rows: list[dict[str, Any]]) -> pa.Table:
    base = {
        "source_system": "semrush", "report": "backlinks", "target_url_raw": "https://acme.com/",
        "anchor_raw": "acme", "nofollow": False, "ugc": False, "sponsored": False, "link_type": "text",
        "first_seen_claim": None, "last_seen_claim": None, "lost_at_claim": None, "lost_flag_claim": None,
        "lost_reason_claim": None, "new_reason_claim": None, "new_flag_claim": None, "is_sitewide_claim": None,
        "metrics": [], "extra": [], "file_id": "f" * 64, "file_name": "x.csv", "observed_on": date(2026, 11, 1),
        "export_target": "acme.com", "export_complete": True, "target_scope": "page",
    }
    full = [{**base, "row_number": i + 1, **row} for i, row in enumerate(rows)]
    schema = contract("link_observations").arrow_schema({"reader", "ingest"})
    return pa.Table.from_pylist(full, schema=schema)


def _stage(rows: list[dict[str, Any]], cap: int = 1000) -> tuple[pa.Table, pa.Table]:
    return stage_links(_raw(rows), resolver=RESOLVER, today=TODAY, anchor_max_chars=cap)


def test_canonical_fields_and_internal_flag() -> None:
    kept, bad = _stage([
        {"source_url_raw": "HTTP://Blog.Bücher.DE:80/post?utm_source=x&id=3#top", "anchor_raw": "  Hier\tklicken "},
        {"source_url_raw": "https://shop.acme.com/p", "target_url_raw": "https://www.acme.com/"},
    ])
    assert bad.num_rows == 0
    first, second = kept.to_pylist()
    assert first["source_url"] == "http://blog.xn--bcher-kva.de/post?id=3"
    assert (first["source_host"], first["source_domain"], first["source_subdomain"]) == (
        "blog.xn--bcher-kva.de", "xn--bcher-kva.de", "blog")
    assert (first["anchor"], first["anchor_norm"], first["target_domain_label"]) == ("Hier klicken", "hier klicken",
                                                                                      "acme")
    assert first["is_internal"] is False and second["is_internal"] is True


def test_bad_rows_are_quarantined_with_reasons() -> None:
    kept, bad = _stage([
        {"source_url_raw": "https://ok.example.org/"},
        {"source_url_raw": "javascript:alert(1)"},
        {"source_url_raw": "http://"},
        {"source_url_raw": "https://a.example.org/", "target_url_raw": "mailto:x@acme.com"},
        {"source_url_raw": "https://a.example.org/", "last_seen_claim": datetime(2027, 3, 1)},
        {"source_url_raw": "https://a.example.org/", "first_seen_claim": datetime(1970, 1, 1)},
        {"source_url_raw": "https://a.example.org/", "first_seen_claim": datetime(2026, 5, 2),
         "last_seen_claim": datetime(2026, 5, 1)},
    ])
    assert kept.num_rows == 1
    reasons = {r["row_number"]: r["reason"] for r in bad.to_pylist()}
    assert reasons == {2: "unsupported_scheme", 3: "unparseable_url", 4: "unsupported_scheme", 5: "future_date",
                       6: "bad_date", 7: "dates_out_of_order"}
    assert all(r["detail"] and r["file_id"] for r in bad.to_pylist())


def test_overlong_anchor_is_capped_and_flagged_not_dropped() -> None:
    kept, bad = _stage([{"source_url_raw": "https://a.example.org/", "anchor_raw": "x" * 50}], cap=20)
    row = kept.to_pylist()[0]
    assert bad.num_rows == 0 and row["anchor"] == "x" * 20 and row["anchor_truncated"] is True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.text(max_size=40), st.one_of(st.none(), st.text(max_size=30)),
                          st.one_of(st.none(), st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1)))),
                max_size=25))
def test_every_row_is_kept_or_quarantined(rows: list[tuple[str, str | None, datetime | None]]) -> None:
    raw = [{"source_url_raw": s, "anchor_raw": a, "last_seen_claim": d} for s, a, d in rows]
    kept, bad = _stage(raw)
    assert kept.num_rows + bad.num_rows == len(rows)
    assert sorted(kept["row_number"].to_pylist() + bad["row_number"].to_pylist()) == list(range(1, len(rows) + 1))
    assert kept.schema == contract("link_observations").arrow_schema()
