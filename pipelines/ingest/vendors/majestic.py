"""Majestic report specs: Backlinks (Advanced report / DownloadBackLinks) and Referring domains.

Backlinks (evidence: code and documentation only) write `YYYY-MM-DD` dates and flag columns where empty
means false and anything else true; `Source Crawl Date` is the last time the link was seen, `Source First
Found Date` the first. Referring domains (evidence: one real 2013 export) write day-first `DD/MM/YYYY HH:MM`
dates and name the target in three column names (`BackLinks_<target>`, ...): the suffix is the file's target
hint, and an export comparing several targets keeps those per-target columns in `metrics` instead.
"""

from __future__ import annotations

import pyarrow as pa

from pipelines.ingest.vendors.specs import Col, Frame, ReportSpec, one_true
from pipelines.ingest.vendors.values import (
    DAY_FIRST_DATE,
    DAY_FIRST_DATETIME,
    FLAG,
    ISO_DATE,
    Int,
    Stamp,
    Text,
)

DATE = Stamp((ISO_DATE,))
DAY_FIRST = Stamp((DAY_FIRST_DATETIME, DAY_FIRST_DATE))


def _link_type(frame: Frame) -> dict[str, pa.Array]:
    """Image, redirect or frame from its flag; no flag is a text link; several flags are unknown."""
    choices = (("is_image", "image"), ("is_redirect", "redirect"), ("is_frame", "frame"))
    return {"link_type": one_true(frame, choices, "text")}


BACKLINKS = ReportSpec(
    source_system="majestic",
    report="backlinks",
    table="link_observations",
    signature=(
        ("source url", "target url"),
        ("flagnofollow", "flagimagelink", "flagredirect", "flagframe", "source crawl date"),
    ),
    columns=(
        Col(("Source URL",), "source_url_raw", required=True, not_empty=True),
        Col(("Target URL",), "target_url_raw", required=True, not_empty=True),
        Col(("Anchor Text",), "anchor_raw", Text(keep_empty=True)),
        Col(("Source Crawl Date",), "last_seen_claim", DATE),
        Col(("Source First Found Date",), "first_seen_claim", DATE),
        Col(("FlagNoFollow",), "nofollow", FLAG),
        Col(("FlagImageLink",), "is_image", FLAG),
        Col(("FlagRedirect",), "is_redirect", FLAG),
        Col(("FlagFrame",), "is_frame", FLAG),
    ),
    metrics=("SourceCitationFlow", "SourceTrustFlow", "TargetCitationFlow", "TargetTrustFlow"),
    metric_prefixes=("SourceTopicalTrustFlow_", "RefDomainTopicalTrustFlow_", "TargetTopicalTrustFlow_"),
    context=("FlagOldCrawl", "FlagAltText", "FlagMention"),
    derive=_link_type,
)

REFERRING_DOMAINS = ReportSpec(
    source_system="majestic",
    report="referring_domains",
    table="vendor_referring_domains",
    signature=(("refdomains",), ("trustflow", "citationflow")),
    columns=(
        Col(("Domain",), "referring_domain_raw", required=True, not_empty=True),
        Col(("BackLinks_",), "backlinks", Int(), prefix=True),
        Col(("FirstLinkDate_",), "first_seen", DAY_FIRST, prefix=True),
        Col(("LastLinkDate_",), "last_seen", DAY_FIRST, prefix=True),
        Col(("IP",), "ip"),
        Col(("CountryCode",), "country", Text(lower=True)),
    ),
    metrics=(
        "Position",
        "RefDomains",
        "AlexaRank",
        "Matches",
        "MatchedLinks",
        "ExtBackLinks",
        "IndexedURLs",
        "CrawledURLs",
        "CitationFlow",
        "TrustFlow",
    ),
    context=("FirstCrawled", "LastSuccessfulCrawl", "SubNet", "TLD"),
    metric_sentinels={"AlexaRank": ("-1",)},
)

SPECS = (BACKLINKS, REFERRING_DOMAINS)
