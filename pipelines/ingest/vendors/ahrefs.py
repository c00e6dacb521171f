"""Ahrefs report specs: Backlinks (34/37 columns; UTF-16LE TAB or UTF-8 comma), Referring domains, Anchors,
Referring IPs.

Ahrefs writes `YYYY-MM-DD HH:MM:SS` without a zone (read as UTC); a bare `YYYY-MM-DD` is also accepted since
it cannot be misread. A lost link has a `Lost` timestamp and either a `Lost status` (mapped to the
LINK_SEMANTICS reasons) or a `Drop reason` (the page fell out of the index: `page_dropped`, with the raw
reason kept in `metrics`).
"""

from __future__ import annotations

import functools

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.ingest.vendors.specs import Col, Frame, ReportSpec
from pipelines.ingest.vendors.values import ISO_DATE, ISO_DATETIME, TRUE_FALSE, Enum, Int, Stamp, Text

STAMP = Stamp((ISO_DATETIME, ISO_DATE))

LOST_STATUS = {
    "removedfromhtml": "link_removed",
    "pageerror": "page_error",
    "notfound": "page_not_found",
    "pageredirected": "page_redirected",
    "lostredirect": "lost_redirect",
    "noindex": "noindex",
    "notcanonical": "not_canonical",
}
DROP_REASONS = {"tooold": "page_dropped", "disallowed": "page_dropped", "nxdomain": "page_dropped"}
DISCOVERED_STATUS = {"linkfound": "linkfound", "linkrestored": "linkrestored", "pagefound": "pagefound"}
LINK_TYPES = {t: t for t in ("text", "image", "redirect", "canonical", "frame", "form")}


def _lost(frame: Frame) -> dict[str, pa.Array]:
    """Lost reason from `Lost status`, else `Drop reason`; lost flag when any of the lost fields is set."""
    reason = pa.nulls(frame.n, pa.string())
    for key in ("lost_status", "drop_reason"):
        if (mapped := frame.get(key)) is not None:
            reason = pc.coalesce(reason, mapped)
    out = {"lost_reason_claim": reason}
    evidence = [pc.is_valid(a) for a in (frame.get("lost_at_claim"),) if a is not None]
    evidence += [frame.non_empty(key) for key in ("lost_status", "drop_reason") if frame.get(key) is not None]
    if evidence:
        out["lost_flag_claim"] = functools.reduce(pc.or_, evidence)
    return out


BACKLINKS = ReportSpec(
    source_system="ahrefs",
    report="backlinks",
    table="link_observations",
    signature=(
        ("referring page url", "referring page title", "referring page http code"),
        ("target url", "anchor", "left context", "right context"),
    ),
    columns=(
        Col(("Referring page URL",), "source_url_raw", required=True, not_empty=True),
        Col(("Target URL",), "target_url_raw", required=True, not_empty=True),
        Col(("Anchor",), "anchor_raw", Text(keep_empty=True)),
        Col(("Nofollow",), "nofollow", TRUE_FALSE),
        Col(("UGC",), "ugc", TRUE_FALSE),
        Col(("Sponsored",), "sponsored", TRUE_FALSE),
        Col(("Type",), "link_type", Enum(LINK_TYPES, default="unknown")),
        Col(("First seen",), "first_seen_claim", STAMP),
        Col(("Last seen",), "last_seen_claim", STAMP),
        Col(("Lost",), "lost_at_claim", STAMP),
        Col(("Lost status",), "lost_status", Enum(LOST_STATUS)),
        Col(("Drop reason",), "drop_reason", Enum(DROP_REASONS)),
        Col(("Discovered status",), "new_reason_claim", Enum(DISCOVERED_STATUS)),
    ),
    metrics=(
        "Domain rating",
        "DR",
        "UR",
        "Domain traffic",
        "Referring domains",
        "Linked domains",
        "External links",
        "Page traffic",
        "Keywords",
        "Referring page HTTP code",
        "Links in group",
        "Is spam",
        "Drop reason",
    ),
    context=(
        "Referring page title",
        "Language",
        "Platform",
        "Left context",
        "Right context",
        "Redirect Chain URLs",
        "Redirect Chain status codes",
        "Content",
        "Rendered",
        "Raw",
        "Author",
        "Page type",
        "Page category",
    ),
    constants={"link_type": "unknown"},  # when the export has no Type column
    derive=_lost,
)

REFERRING_DOMAINS = ReportSpec(
    source_system="ahrefs",
    report="referring_domains",
    table="vendor_referring_domains",
    signature=(("dr", "domain rating"), ("links to target", "dofollow ref. domains")),
    columns=(
        Col(("Domain",), "referring_domain_raw", required=True, not_empty=True),
        Col(("Links to target",), "backlinks", Int()),
        Col(("Dofollow links",), "dofollow_backlinks", Int()),
        Col(("First seen",), "first_seen", STAMP),
        Col(("Last seen",), "last_seen", STAMP),
        Col(("Lost",), "lost_at", STAMP),
    ),
    metrics=(
        "DR",
        "Domain rating",
        "Is spam",
        "Dofollow ref. domains",
        "Dofollow linked domains",
        "Traffic",
        "Keywords",
        "New links",
        "Lost links",
    ),
    context=("#",),
)

ANCHORS = ReportSpec(
    source_system="ahrefs",
    report="anchors",
    table="vendor_anchors",
    signature=(("anchor text", "ref. pages"), ("ref. domains",)),
    columns=(
        Col(("Anchor text", "Anchor"), "anchor_raw", Text(keep_empty=True), required=True),
        Col(("Ref. domains",), "referring_domains", Int()),
        Col(("Ref. pages",), "referring_pages", Int()),
        Col(("Links to target",), "backlinks", Int()),
        Col(("Dofollow links",), "dofollow_backlinks", Int()),
        Col(("First seen",), "first_seen", STAMP),
        Col(("Lost",), "lost_at", STAMP),
    ),
    metrics=("Top DR", "New links", "Lost links", "Traffic", "Keywords"),
    context=("#",),
)

REFERRING_IPS = ReportSpec(
    source_system="ahrefs",
    report="referring_ips",
    table="vendor_referring_ips",
    signature=(("subnet", "ips in subnet"), ("ref. domains",)),
    columns=(
        Col(("Subnet",), "subnet", required=True, not_empty=True),
        Col(("Ref. domains",), "referring_domains", Int()),
        Col(("Links to target",), "backlinks", Int()),
        Col(("Dofollow links",), "dofollow_backlinks", Int()),
        Col(("IPs in subnet",), "ips_in_subnet", Int()),
        Col(("First seen",), "first_seen", STAMP),
        Col(("Lost",), "lost_at", STAMP),
        Col(("Country",), "country"),
        Col(("ISP",), "isp"),
    ),
    metrics=("Top DR", "New links", "Lost links"),
    context=("#",),
)

SPECS = (BACKLINKS, REFERRING_DOMAINS, ANCHORS, REFERRING_IPS)
