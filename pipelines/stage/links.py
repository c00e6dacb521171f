"""Row-level staging of link observations: canonical URLs, domains, anchors, and row validation.

A pure function from an Arrow table (reader + ingest columns) to (kept rows, quarantined rows), so the same
code runs in the CLI, in Airflow and inside Spark's mapInArrow.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pyarrow as pa

from pipelines.contracts import contract
from pipelines.stage.anchors import clean_anchor_expr, normalize_anchor_array
from pipelines.stage.domains import DomainResolver
from pipelines.stage.urls import canonicalize_array

# Dates before the web existed are typing errors or sentinels, never link history.
EARLIEST_PLAUSIBLE = datetime(1991, 1, 1)
_CLAIMS = ("first_seen_claim", "last_seen_claim", "lost_at_claim")


def stage_links(
    raw: pa.Table, *, resolver: DomainResolver, today: date, anchor_max_chars: int, unit: str = "row"
) -> tuple[pa.Table, pa.Table]:
    """Stage one batch of link observations; return (link_observations rows, quarantine rows).

    `unit` names what a row is in the quarantine: a vendor file's record ("row") or an archive's link ("link").
    """
    obs = contract("link_observations")
    n = raw.num_rows
    src = canonicalize_array(raw["source_url_raw"])
    tgt = canonicalize_array(raw["target_url_raw"])
    latest_ok = datetime.combine(today + timedelta(days=1), datetime.min.time())

    frame = pl.from_arrow(raw)
    assert isinstance(frame, pl.DataFrame)
    frame = frame.with_columns(
        pl.Series("source_url", src["url"]),
        pl.Series("source_host", src["host"]),
        pl.Series("source_is_ip", src["is_ip"]),
        pl.Series("_src_err", src["error"]),
        pl.Series("target_url", tgt["url"]),
        pl.Series("target_host", tgt["host"]),
        pl.Series("target_is_ip", tgt["is_ip"]),
        pl.Series("_tgt_err", tgt["error"]),
    )
    # First failing reason wins, in the order a person would fix them.
    rules: list[tuple[pl.Expr, pl.Expr, pl.Expr]] = [
        (pl.col("_src_err").is_not_null(), pl.col("_src_err"),
         pl.format("source URL {}: {}", pl.col("_src_err"), pl.col("source_url_raw"))),
        (pl.col("_tgt_err").is_not_null(), pl.col("_tgt_err"),
         pl.format("target URL {}: {}", pl.col("_tgt_err"), pl.col("target_url_raw").fill_null(""))),
    ]
    for claim in _CLAIMS:
        outside = pl.format("{} {} is outside 1991-01-01..{}", pl.lit(claim), pl.col(claim), pl.lit(str(today)))
        rules.append((pl.col(claim) > latest_ok, pl.lit("future_date"), outside))
        rules.append((pl.col(claim) < EARLIEST_PLAUSIBLE, pl.lit("bad_date"), outside))
    for later in ("last_seen_claim", "lost_at_claim"):
        rules.append((
            pl.col(later) < pl.col("first_seen_claim"), pl.lit("dates_out_of_order"),
            pl.format("{} {} is before first_seen_claim {}", pl.lit(later), pl.col(later),
                      pl.col("first_seen_claim")),
        ))
    frame = frame.with_columns(
        pl.coalesce([pl.when(cond).then(reason) for cond, reason, _ in rules]).alias("_reason"),
        pl.coalesce([pl.when(cond).then(detail) for cond, _, detail in rules]).alias("_detail"),
    )

    bad = frame.filter(pl.col("_reason").is_not_null())
    good = frame.filter(pl.col("_reason").is_null())
    quarantine = _quarantine_rows(bad, unit)

    good = good.with_columns(clean_anchor_expr("anchor_raw", anchor_max_chars))
    good_arrow = good.to_arrow()
    norm, key = normalize_anchor_array(good_arrow["anchor"])
    src_dom = resolver.resolve_array(good_arrow["source_host"])
    tgt_dom = resolver.resolve_array(good_arrow["target_host"])
    good = good.with_columns(
        pl.Series("anchor_norm", norm),
        pl.Series("anchor_key", key),
        pl.Series("source_domain", src_dom["registrable_domain"]),
        pl.Series("source_subdomain", src_dom["subdomain"]),
        pl.Series("target_domain", tgt_dom["registrable_domain"]),
        pl.Series("target_subdomain", tgt_dom["subdomain"]),
        pl.Series("target_domain_label", tgt_dom["label"]),
    ).with_columns((pl.col("source_domain") == pl.col("target_domain")).alias("is_internal"))

    # Vendor rows carry no crawl columns (placement, fetch IP, crawl id): they are null there.
    absent = [c for c in obs.columns if c.produced_by == "crawl" and c.name not in good.columns]
    good = good.with_columns(pl.lit(None, dtype=pl.String).alias(c.name) for c in absent)
    kept = obs.conform(good.to_arrow(), produced_by=None)
    assert kept.num_rows + quarantine.num_rows == n
    return kept, quarantine


def _quarantine_rows(bad: pl.DataFrame, unit: str) -> pa.Table:
    raw_record = pl.concat_str(
        [pl.col("source_url_raw"), pl.col("target_url_raw"), pl.col("anchor_raw")],
        separator="\t",
        ignore_nulls=True,
    ).str.slice(0, 4000)
    rows = bad.select(
        "source_system", "report", "row_number",
        pl.col("_reason").alias("reason"), pl.col("_detail").alias("detail"), raw_record.alias("raw"),
        pl.lit(unit).alias("unit"), "file_id", "file_name", "observed_on",
    )
    return contract("quarantine").conform(rows.to_arrow(), produced_by=None)
