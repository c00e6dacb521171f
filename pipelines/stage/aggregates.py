"""Row-level staging of vendor aggregate reports: their domains and pages keyed as link rows key them.

A pure function from an Arrow table (reader + ingest columns of one vendor_* contract) to (kept rows,
quarantined rows). The domain a report row names (a referring domain, an outbound domain, a compared target)
and the page it lists go through the same canonicalisation (pipelines.stage.urls) and PSL resolver
(pipelines.stage.domains) as link rows, so `Bücher.de`, `XN--BCHER-KVA.DE` and `www.bücher.de` are all the
`referring_domain` `xn--bcher-kva.de`, which referring_domains joins on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contracts import contract
from pipelines.stage.domains import DomainResolver
from pipelines.stage.urls import canonicalize_array

NOT_A_DOMAIN: Final = "not_a_domain"


@dataclass(frozen=True)
class _Staged:
    """The raw column of a report that names a site, and the staged columns made from it."""

    raw: str
    host: str
    domain: str
    # False: the column holds a domain, so a path, query or port means it is something else. True: it may
    # hold any URL (a page of the analysed site, a compared target of type URL).
    url_allowed: bool = False
    url: str | None = None  # staged canonical URL column, for page reports


# Reports naming no site (anchors, referring IPs) pass through with only their ingest columns.
_STAGED: Final[dict[str, _Staged]] = {
    "vendor_referring_domains": _Staged("referring_domain_raw", "referring_host", "referring_domain"),
    "vendor_outbound_domains": _Staged("domain_raw", "host", "domain"),
    "vendor_domain_summary": _Staged("target_raw", "target_host", "target_domain", url_allowed=True),
    "vendor_target_pages": _Staged(
        "target_url_raw", "target_host", "target_domain", url_allowed=True, url="target_url"
    ),
}


def stage_aggregates(raw: pa.Table, table: str, *, resolver: DomainResolver) -> tuple[pa.Table, pa.Table]:
    """Stage one batch of the aggregate report `table`; return (its contract's rows, quarantine rows).

    A domain column must hold a host (a scheme and a trailing `/` are tolerated); anything else is
    quarantined as `not_a_domain`. A URL column takes what link staging takes, and its rejects keep link
    staging's reason (`unparseable_url`, `unsupported_scheme`). Where `export_target` is null, a target-page
    report's own pages name it: their most common registrable domain.
    """
    target = contract(table)
    staged = _STAGED.get(table)
    if staged is None:
        return target.conform(raw), contract("quarantine").arrow_schema().empty_table()
    values = raw[staged.raw]
    canon = canonicalize_array(values)
    reason = canon["error"]
    if not staged.url_allowed:
        bare = pc.equal(pc.replace_substring_regex(canon["url"], "^https?://", ""),
                        pc.binary_join_element_wise(canon["host"], "/", ""))
        reason = pc.if_else(pc.fill_null(bare, False), pa.scalar(None, pa.string()), pa.scalar(NOT_A_DOMAIN))
    bad = pc.is_valid(reason)
    quarantine = _quarantine(raw.filter(bad), reason.filter(bad), staged)

    keep = pc.invert(bad)
    hosts = canon["host"].filter(keep)
    domains = resolver.resolve_array(hosts)["registrable_domain"]
    kept = raw.filter(keep).append_column(staged.host, hosts).append_column(staged.domain, domains)
    if staged.url is not None:
        kept = kept.append_column(staged.url, canon["url"].filter(keep))
        if kept.num_rows and kept["export_target"].null_count == kept.num_rows:
            kept = kept.set_column(
                kept.schema.get_field_index("export_target"), "export_target",
                pa.repeat(pa.scalar(_most_common(domains), pa.string()), kept.num_rows),
            )
    kept = target.conform(kept)
    assert kept.num_rows + quarantine.num_rows == raw.num_rows
    return kept, quarantine


def _most_common(values: pa.Array) -> str | None:
    """The most frequent value, ties broken by the smaller one, so reruns agree."""
    counted = pc.value_counts(values.drop_null())
    pairs = zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True)
    best = min(pairs, key=lambda vc: (-vc[1], vc[0]), default=None)
    return best[0] if best else None


def _quarantine(bad: pa.Table, reason: pa.Array, staged: _Staged) -> pa.Table:
    what = "a URL" if staged.url_allowed else "a domain"
    details = [
        f"column {staged.raw}: {value!r} is not {what}" + ("" if code == NOT_A_DOMAIN else f" ({code})")
        for value, code in zip(bad[staged.raw].to_pylist(), reason.to_pylist(), strict=True)
    ]
    rows = bad.select(["source_system", "report", "row_number", "file_id", "file_name", "observed_on"])
    rows = rows.append_column("reason", reason).append_column("detail", pa.array(details, pa.string()))
    rows = rows.append_column("raw", bad[staged.raw]).append_column("unit", pa.repeat(pa.scalar("row"), bad.num_rows))
    return contract("quarantine").conform(rows)
