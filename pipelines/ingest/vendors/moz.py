"""Moz report specs: legacy Open Site Explorer inbound links (two headers) and Link Explorer inbound links and
linking domains.

Evidence is code only for the legacy report (a title block of about six lines, then the header; `Yes`/`No`
booleans) and documentation only for Link Explorer, whose column names are expected, not verified: its specs
accept the likely names, keep every other column in `extra`, and read dates only in unambiguous ISO layouts
(a slashed date is rejected, never guessed). DA/PA columns alone do not make a file Moz (Ubersuggest uses the
same names): every Moz signature needs a Moz-only column (`Spam Score`, `Origin`, `Number of Domains Linking
to Domain`).

Legacy rows are (linking page, target) pairs that may stand for several links: `Only rel=nofollow` = Yes is
nofollow, `Only follow` = Yes is followed, and both No (mixed) leaves nofollow unknown; the older header's
`Followable` is the negation. `301` = Yes is a redirect link; otherwise Moz does not say text or image.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.ingest.vendors.specs import Col, Frame, ReportSpec
from pipelines.ingest.vendors.values import (
    ISO_DATE,
    ISO_DATETIME,
    ISO_T_DATETIME,
    ISO_T_DATETIME_Z,
    YES_NO,
    Int,
    Stamp,
    Text,
)

STAMP = Stamp((ISO_DATE, ISO_DATETIME, ISO_T_DATETIME, ISO_T_DATETIME_Z))


def _legacy_rel_and_type(frame: Frame) -> dict[str, pa.Array]:
    """nofollow from Only rel=nofollow / Only follow (or not Followable); redirect from the 301 column."""
    only_nofollow, only_follow, followable = (
        frame.get(k) for k in ("only_nofollow", "only_follow", "followable")
    )
    nofollow = pa.nulls(frame.n, pa.bool_())
    if only_nofollow is not None:
        if only_follow is None:
            nofollow = only_nofollow
        else:
            mixed = pc.and_(pc.invert(only_nofollow), pc.invert(only_follow))
            nofollow = pc.if_else(mixed, pa.nulls(frame.n, pa.bool_()), only_nofollow)
    elif followable is not None:
        nofollow = pc.invert(followable)
    redirect = frame.get("is_redirect")
    link_type = pa.array(["unknown"] * frame.n, pa.string())
    if redirect is not None:
        link_type = pc.if_else(pc.fill_null(redirect, False), "redirect", link_type)
    return {"nofollow": nofollow, "link_type": link_type}


OSE_LEGACY = ReportSpec(
    source_system="moz",
    report="ose_legacy",
    table="link_observations",
    signature=(("url", "target url"), ("origin",), ("number of domains linking to domain",)),
    columns=(
        Col(("URL",), "source_url_raw", required=True, not_empty=True),
        Col(("Target URL",), "target_url_raw", required=True, not_empty=True),
        Col(("Anchor Text",), "anchor_raw", Text(keep_empty=True)),
        Col(("Only rel=nofollow",), "only_nofollow", YES_NO),
        Col(("Only follow",), "only_follow", YES_NO),
        Col(("Followable",), "followable", YES_NO),
        Col(("301",), "is_redirect", YES_NO),
    ),
    metrics=(
        "Spam Score",
        "Page Authority",
        "Domain Authority",
        "Number of Domains Linking to this Page",
        "Number of Domains Linking to Domain",
        "Number of Links",
    ),
    context=("Title", "Origin", "Link Equity", "No Link Equity"),
    derive=_legacy_rel_and_type,
    preamble=10,
)

INBOUND_LINKS = ReportSpec(
    source_system="moz",
    report="inbound_links",
    table="link_observations",
    signature=(
        ("source url", "url", "target url"),
        ("spam score",),
        ("source url", "target url", "anchor text"),
    ),
    columns=(
        Col(("Source URL", "URL"), "source_url_raw", required=True, not_empty=True),
        Col(("Target URL",), "target_url_raw", required=True, not_empty=True),
        Col(("Anchor Text",), "anchor_raw", Text(keep_empty=True)),
        Col(("First Seen",), "first_seen_claim", STAMP),
        Col(("Last Seen",), "last_seen_claim", STAMP),
        Col(("Lost Date", "Date Lost"), "lost_at_claim", STAMP),
    ),
    metrics=("Spam Score", "Domain Authority", "Page Authority", "DA", "PA"),
    context=("Title", "Source Title"),
    constants={"link_type": "unknown"},
    preamble=10,
)

LINKING_DOMAINS = ReportSpec(
    source_system="moz",
    report="linking_domains",
    table="vendor_referring_domains",
    signature=(
        ("root domain", "linking domain", "domain", "links to target"),
        ("spam score",),
        ("domain authority", "da"),
    ),
    columns=(
        Col(
            ("Root Domain", "Linking Domain", "Domain"), "referring_domain_raw", required=True, not_empty=True
        ),
        Col(("Links to Target", "Inbound Links", "Links"), "backlinks", Int()),
        Col(("First Seen",), "first_seen", STAMP),
        Col(("Last Seen",), "last_seen", STAMP),
        Col(("Lost Date", "Date Lost"), "lost_at", STAMP),
    ),
    metrics=("Domain Authority", "DA", "Spam Score"),
    preamble=10,
)

SPECS = (OSE_LEGACY, INBOUND_LINKS, LINKING_DOMAINS)
