"""Google Search Console Links report specs: the seven exports of the Links page.

GSC files never name the site: the target is the property in the file name (see `names.py`). Counts of a
thousand and more may be written `"1,240"`; the empty anchor is the literal `(empty)`; dates are `YYYY-MM-DD`.
GSC gives no rel flags, anchor or link type per link, so those stay null / `unknown`.

Mapping choices:
- Latest links and More sample links are external link lists: `link_observations` whose `target_url_raw` is
  the property root (`https://www.example.com/` for a URL-prefix property, `https://example.com/` for a domain
  property; null without a hint, and the ingest layer fills it from --target).
- "Your pages linking to this page" is an internal drill-down with the same one-column header as More sample
  links, so the header cannot tell them apart. It is read the same way (the linking pages share the target's
  domain, so staging marks them internal); only its report label comes from the file name's report segment,
  because the bytes are identical in shape. The page it was drilled into is not in the file: the target is
  again the property root.
- Top linked pages (internal) is a per-page internal link count: `vendor_target_pages.internal_links`.
- Top linking sites' `Linking pages` is GSC's count of links from that site: `backlinks`.
"""

from __future__ import annotations

import pyarrow as pa

from pipelines.ingest.vendors.specs import Col, Frame, ReportSpec
from pipelines.ingest.vendors.values import ISO_DATE, Int, Stamp, Text

COUNT = Int(grouped=True)


def property_root(hint: str | None) -> str | None:
    """URL of the property's root: the hint for a URL-prefix property, https://<domain>/ for a domain one."""
    if hint is None:
        return None
    return hint if "://" in hint else f"https://{hint}/"


def _target_is_property(frame: Frame) -> dict[str, pa.Array]:
    return {"target_url_raw": pa.repeat(pa.scalar(property_root(frame.target_hint), pa.string()), frame.n)}


LINKING_PAGE = Col(("Linking page",), "source_url_raw", required=True, not_empty=True)

LATEST_LINKS = ReportSpec(
    source_system="gsc",
    report="latest_links",
    table="link_observations",
    signature=(("linking page",), ("last crawled",)),
    columns=(LINKING_PAGE, Col(("Last crawled",), "last_seen_claim", Stamp((ISO_DATE,)))),
    constants={"link_type": "unknown"},
    derive=_target_is_property,
)

MORE_SAMPLE_LINKS = ReportSpec(
    source_system="gsc",
    report="more_sample_links",
    table="link_observations",
    signature=(("linking page",),),
    columns=(LINKING_PAGE,),
    constants={"link_type": "unknown"},
    derive=_target_is_property,
    name_labels={"your pages linking to this page": "pages_linking_to_page"},
)

TOP_LINKING_SITES = ReportSpec(
    source_system="gsc",
    report="top_linking_sites",
    table="vendor_referring_domains",
    signature=(("site", "linking pages"), ("linking pages", "target pages")),
    columns=(
        Col(("Site",), "referring_domain_raw", required=True, not_empty=True),
        Col(("Linking pages",), "backlinks", COUNT),
        Col(("Target pages",), "target_pages", COUNT),
    ),
)

TOP_LINKING_TEXT = ReportSpec(
    source_system="gsc",
    report="top_linking_text",
    table="vendor_anchors",
    signature=(("link text",),),
    columns=(
        Col(("Link text",), "anchor_raw", Text(keep_empty=True, empty_token="(empty)"), required=True),
        Col(("Rank",), "rank", COUNT),
    ),
)

TOP_LINKED_PAGES_EXTERNAL = ReportSpec(
    source_system="gsc",
    report="top_linked_pages_external",
    table="vendor_target_pages",
    signature=(("target page", "incoming links"), ("incoming links", "linking sites")),
    columns=(
        Col(("Target page",), "target_url_raw", required=True, not_empty=True),
        Col(("Incoming links",), "backlinks", COUNT),
        Col(("Linking sites",), "referring_domains", COUNT),
    ),
)

TOP_LINKED_PAGES_INTERNAL = ReportSpec(
    source_system="gsc",
    report="top_linked_pages_internal",
    table="vendor_target_pages",
    signature=(("target page", "internal links"), ("internal links",)),
    columns=(
        Col(("Target page",), "target_url_raw", required=True, not_empty=True),
        Col(("Internal links",), "internal_links", COUNT),
    ),
)

SPECS = (
    LATEST_LINKS,
    MORE_SAMPLE_LINKS,
    TOP_LINKING_SITES,
    TOP_LINKING_TEXT,
    TOP_LINKED_PAGES_EXTERNAL,
    TOP_LINKED_PAGES_INTERNAL,
)
