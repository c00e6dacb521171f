"""Run the SQL models on small given tables: each test case is input rows and the rows expected out."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipelines.config import ModelSettings, Settings
from pipelines.contracts import contract
from pipelines.models.build import load_inputs, run_models
from pipelines.stage.anchors import anchor_key, normalize_anchor
from pipelines.stage.domains import DomainResolver
from pipelines.stage.urls import Canon, canonicalize

_RESOLVER = DomainResolver()
_ROW_NUMBERS = itertools.count(1)


def observation(**given: Any) -> dict[str, Any]:
    """A full link_observations row from the few fields a test cares about; URLs given canonical or not."""
    src = canonicalize(given.pop("source_url"))
    tgt = canonicalize(given.pop("target_url"))
    assert isinstance(src, Canon) and isinstance(tgt, Canon), given
    sdom, tdom = _RESOLVER.resolve(src.host), _RESOLVER.resolve(tgt.host)
    anchor = given.pop("anchor", None)
    system = given.get("source_system", "ahrefs")
    observed = _day(given.get("observed_on", "2026-10-01"))
    row: dict[str, Any] = {
        "source_system": system, "report": "backlinks", "row_number": next(_ROW_NUMBERS),
        "source_url_raw": src.url, "target_url_raw": tgt.url, "anchor_raw": anchor,
        "nofollow": False, "ugc": False, "sponsored": False, "link_type": "text",
        "first_seen_claim": None, "last_seen_claim": None, "lost_at_claim": None, "lost_flag_claim": None,
        "lost_reason_claim": None, "new_reason_claim": None, "new_flag_claim": None,
        "is_sitewide_claim": None, "metrics": [], "extra": [],
        "file_id": f"{system}-{observed}", "file_name": f"{system}-{observed}.csv", "observed_on": observed,
        "export_target": tdom.registrable_domain, "export_complete": True, "target_scope": "page",
        "source_url": src.url, "target_url": tgt.url, "source_host": src.host,
        "source_domain": sdom.registrable_domain, "source_subdomain": sdom.subdomain, "source_is_ip": src.is_ip,
        "target_host": tgt.host, "target_domain": tdom.registrable_domain, "target_subdomain": tdom.subdomain,
        "target_domain_label": tdom.label, "target_is_ip": tgt.is_ip,
        "is_internal": sdom.registrable_domain == tdom.registrable_domain,
        "anchor": anchor, "anchor_norm": normalize_anchor(anchor),
        "anchor_key": anchor_key(normalize_anchor(anchor)), "anchor_truncated": False,
        "placement": None, "source_ip": None, "crawl_id": None,
    }
    for key, value in given.items():
        if key not in row:
            raise KeyError(f"unknown link_observations column {key!r}")
        row[key] = _day(value) if key == "observed_on" else _ts(value) if key.endswith("_claim") and isinstance(
            value, str | date) and key not in {"lost_reason_claim", "new_reason_claim"} else value
    return row


def page(**given: Any) -> dict[str, Any]:
    """A page_observations row: a fetch of `url` on `fetched_at` with `http_status` (200 by default)."""
    url = canonicalize(given["url"])
    assert isinstance(url, Canon), given
    fetched = _ts(given.get("fetched_at", "2026-10-01"))
    canonical = given.get("canonical_url")
    return {
        "source_system": "crawl", "report": "warc", "row_number": next(_ROW_NUMBERS), "url_raw": url.url,
        "fetched_at": fetched, "record_type": given.get("record_type", "response"),
        "http_status": given.get("http_status", 200), "ip": None, "content_digest": None,
        "content_type": "text/html", "crawl_id": None, "robots_noindex": given.get("robots_noindex", False),
        "robots_nofollow": False, "canonical_url_raw": canonical, "redirect_url_raw": None,
        "links": 0, "file_id": f"crawl-{fetched.date()}", "file_name": "crawl.warc.gz",
        "observed_on": fetched.date(), "url": url.url, "host": url.host,
        "domain": _RESOLVER.resolve(url.host).registrable_domain, "canonical_url": canonical,
    }


def crawl_link(**given: Any) -> dict[str, Any]:
    """A link_observations row as a WARC capture of its source page on `fetched_at` gives it."""
    fetched = given.pop("fetched_at", "2026-10-01")
    return observation(
        source_system="crawl", report="warc", observed_on=fetched, last_seen_claim=fetched,
        export_target=None, export_complete=False, file_id=f"crawl-{fetched}", **given,
    )


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _ts(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(_day(value), datetime.min.time())


def run(observations: list[dict[str, Any]], settings: dict[str, Any] | None = None,
        brand_terms: dict[str, list[str]] | None = None,
        keywords: dict[str, list[str]] | None = None,
        pages: list[dict[str, Any]] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse built from the given observations."""
    base = Settings(home=Path("/nonexistent"), brand_terms=brand_terms or {}, keywords=keywords or {})
    cfg = replace(base, models=ModelSettings(**(settings or {})))
    con = duckdb.connect()
    load_inputs(con, cfg, lake=None)
    table = pa.Table.from_pylist(observations, schema=contract("link_observations").arrow_schema())
    con.register("given_observations", table)
    con.execute("INSERT INTO link_observations SELECT * FROM given_observations")
    fetches = pa.Table.from_pylist(pages or [], schema=contract("page_observations").arrow_schema())
    con.register("given_pages", fetches)
    con.execute("INSERT INTO page_observations SELECT * FROM given_pages")
    run_models(con)
    return con


def rows(con: duckdb.DuckDBPyConnection, query: str, *params: Any) -> list[dict[str, Any]]:
    cur = con.execute(query, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
