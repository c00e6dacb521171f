"""Semrush report specs: Backlinks (current and older header), Referring domains, Indexed pages, Outbound
domains, Comparison and Backlink Audit.

Semrush writes `YYYY-MM-DD` and `true`/`false`. `New link` and `Lost link` are relative to the export's
window, not states, and carry no date: they become flags and `lost_at_claim` stays null. Backlinks name the
link type by exactly one true of Text/Image/Frame/Form; the older header has no Text column, so a link that is
none of Image/Frame/Form there is a text link. Backlink Audit capitalises differently and names the type in
`Link Type`.
"""

from __future__ import annotations

import pyarrow as pa

from pipelines.ingest.vendors.specs import Col, Frame, ReportSpec, one_true
from pipelines.ingest.vendors.values import ISO_DATE, TRUE_FALSE, Enum, Int, Stamp, Text

DATE = Stamp((ISO_DATE,))


def _link_type(frame: Frame) -> dict[str, pa.Array]:
    """The one true type flag; none true means text only when the export has no Text column to say so."""
    choices = (("is_text", "text"), ("is_image", "image"), ("is_frame", "frame"), ("is_form", "form"))
    when_none = "unknown" if frame.get("is_text") is not None else "text"
    return {"link_type": one_true(frame, choices, when_none)}


BACKLINKS = ReportSpec(
    source_system="semrush",
    report="backlinks",
    table="link_observations",
    signature=(
        ("source url", "source title"),
        ("anchor",),
        ("nofollow", "sitewide", "page ascore", "page score"),
    ),
    columns=(
        Col(("Source url",), "source_url_raw", required=True, not_empty=True),
        Col(("Target url",), "target_url_raw", required=True, not_empty=True),
        Col(("Anchor",), "anchor_raw", Text(keep_empty=True)),
        Col(("Nofollow",), "nofollow", TRUE_FALSE),
        Col(("Sponsored",), "sponsored", TRUE_FALSE),
        Col(("Ugc",), "ugc", TRUE_FALSE),
        Col(("Text",), "is_text", TRUE_FALSE),
        Col(("Image",), "is_image", TRUE_FALSE),
        Col(("Frame",), "is_frame", TRUE_FALSE),
        Col(("Form",), "is_form", TRUE_FALSE),
        Col(("Sitewide",), "is_sitewide_claim", TRUE_FALSE),
        Col(("First seen",), "first_seen_claim", DATE),
        Col(("Last seen",), "last_seen_claim", DATE),
        Col(("New link",), "new_flag_claim", TRUE_FALSE),
        Col(("Lost link",), "lost_flag_claim", TRUE_FALSE),
    ),
    metrics=("Page ascore", "Page score", "Page trust score", "External links", "Internal links"),
    context=("Source title",),
    derive=_link_type,
)

BACKLINK_AUDIT = ReportSpec(
    source_system="semrush",
    report="backlink_audit",
    table="link_observations",
    signature=(
        ("source url", "source domain"),
        # Semrush-only names: "Source Page Title" and DA/PA-like names also occur in other tools' exports.
        ("no follow", "toxic score", "anchor type", "domain authority score", "page authority score"),
    ),
    columns=(
        Col(("Source URL",), "source_url_raw", required=True, not_empty=True),
        Col(("Target URL",), "target_url_raw", required=True, not_empty=True),
        Col(("Anchor",), "anchor_raw", Text(keep_empty=True)),
        Col(("No Follow",), "nofollow", TRUE_FALSE),
        Col(
            ("Link Type",),
            "link_type",
            Enum({"a": "text", "img": "image", "iframe": "frame"}, default="unknown"),
        ),
        Col(("First Seen",), "first_seen_claim", DATE),
        Col(("Last Seen",), "last_seen_claim", DATE),
    ),
    metrics=("Domain Authority Score", "Page Authority Score", "Toxic Score"),
    context=("Source Page Title", "Source Domain", "Anchor Type", "Comment"),
    constants={"link_type": "unknown"},  # when the export has no Link Type column
)

REFERRING_DOMAINS = ReportSpec(
    source_system="semrush",
    report="referring_domains",
    table="vendor_referring_domains",
    signature=(("domain ascore",), ("backlinks",)),
    columns=(
        Col(("Domain",), "referring_domain_raw", required=True, not_empty=True),
        Col(("Backlinks",), "backlinks", Int()),
        Col(("IP Address",), "ip"),
        Col(("Country",), "country", Text(lower=True)),
        Col(("First seen",), "first_seen", DATE),
        Col(("Last seen",), "last_seen", DATE),
    ),
    metrics=("Domain ascore",),
)

OUTBOUND_DOMAINS = ReportSpec(
    source_system="semrush",
    report="outbound_domains",
    table="vendor_outbound_domains",
    signature=(("domain ascore",), ("links",)),
    columns=(
        Col(("Domain",), "domain_raw", required=True, not_empty=True),
        Col(("Links",), "links", Int()),
        Col(("First seen",), "first_seen", DATE),
        Col(("Last seen",), "last_seen", DATE),
    ),
    metrics=("Domain ascore",),
)

INDEXED_PAGES = ReportSpec(
    source_system="semrush",
    report="indexed_pages",
    table="vendor_target_pages",
    signature=(("response code",), ("domains",)),
    columns=(
        # In this report `Source url` is the page on the analysed site, i.e. the link target.
        Col(("Source url",), "target_url_raw", required=True, not_empty=True),
        Col(("Response code",), "http_status", Int()),
        Col(("Backlinks",), "backlinks", Int()),
        Col(("Domains",), "referring_domains", Int()),
        Col(("External links",), "external_links", Int()),
        Col(("Internal links",), "internal_links", Int()),
        Col(("Last seen",), "last_seen", DATE),
    ),
    context=("Source title",),
)

COMPARISON = ReportSpec(
    source_system="semrush",
    report="comparison",
    table="vendor_domain_summary",
    signature=(("target type",), ("backlinks", "domains", "ips")),
    columns=(
        Col(("Target",), "target_raw", required=True, not_empty=True),
        Col(("Target type",), "target_type"),
        Col(("Backlinks",), "backlinks", Int()),
        Col(("Domains",), "referring_domains", Int()),
        Col(("IPs",), "referring_ips", Int()),
        Col(("Follow links",), "follow_links", Int()),
        Col(("Nofollow links",), "nofollow_links", Int()),
    ),
    metrics=("Authority Score", "Text links", "Image links", "Form links", "Frame links", "Visits"),
)

SPECS = (BACKLINKS, BACKLINK_AUDIT, REFERRING_DOMAINS, OUTBOUND_DOMAINS, INDEXED_PAGES, COMPARISON)
