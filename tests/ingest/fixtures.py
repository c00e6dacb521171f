"""Byte-exact builders of vendor export files, written from the headers and byte layouts in VENDOR_FORMATS.md.

Each builder renders a header and rows (dicts by column name; missing columns get a plausible default) in the
vendor's own layout: encoding and BOM, delimiter, quoting, line ends, final newline, preamble, compression.

Evidence behind each layout (VENDOR_FORMATS.md): Ahrefs Backlinks, Semrush (all six reports), Majestic
Referring domains, Ahrefs Referring IPs and GSC (all seven exports) were measured on real files. No real file
was available to us for Ahrefs Referring domains and Anchors (headers from a third-party parser), Majestic
Backlinks (parser + documentation) or Moz (parser only for the legacy report; Link Explorer columns are
documentation-level guesses): those builders follow the documented layout and say so in their docstrings.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

Row = Mapping[str, str]

# ---------------------------------------------------------------------------------------------- rendering


def quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def render(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str = ",",
    quoting: str = "minimal",  # all | minimal | none | strings (quote all but bare numbers and dates)
    newline: str = "\n",
    final_newline: bool = True,
    encoding: str = "utf-8",
    bom: bool = False,
    preamble: Sequence[str] = (),
    gzipped: bool = False,
) -> bytes:
    """A delimited file exactly as a vendor writes it."""

    def cell(value: str, is_header: bool) -> str:
        if quoting == "all":
            return quote(value)
        if quoting == "strings":
            bare = value == "" or _looks_numeric_or_date(value)
            return value if bare and not is_header else quote(value)
        needs = any(ch in value for ch in (delimiter, '"', "\n", "\r"))
        if quoting == "minimal" and needs:
            return quote(value)
        return value

    lines = [*preamble, delimiter.join(cell(h, True) for h in header)]
    lines += [delimiter.join(cell(v, False) for v in row) for row in rows]
    text = newline.join(lines) + (newline if final_newline else "")
    data = text.encode(encoding)
    if bom:
        data = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding] + data
    return gzip.compress(data, mtime=0) if gzipped else data


def _looks_numeric_or_date(value: str) -> bool:
    return all(ch.isdigit() or ch in "-./: " for ch in value)


def table_rows(header: Sequence[str], defaults: Row, rows: Sequence[Row]) -> list[list[str]]:
    """Rows in header order: each row's values over the report's defaults."""
    return [[{**defaults, **row}.get(col, "") for col in header] for row in rows]


@dataclass(frozen=True)
class Export:
    """One export before rendering: its header, its rows over per-column defaults, and the vendor layout."""

    header: tuple[str, ...]
    rows: tuple[Row, ...]
    defaults: Row
    layout: Mapping[str, Any] = field(default_factory=dict)

    def bytes(self, **layout: Any) -> bytes:
        """The file's bytes; `layout` overrides the vendor layout (newline, delimiter, gzipped, ...)."""
        body = table_rows(self.header, self.defaults, self.rows)
        return render(self.header, body, **{**self.layout, **layout})

    def with_header(self, header: Sequence[str]) -> Export:
        """The same rows under another header: reordered, renamed or with columns removed."""
        return replace(self, header=tuple(header))

    def with_column(self, name: str, value: str) -> Export:
        """An extra column appended to the header, holding `value` in every row."""
        return replace(self, header=(*self.header, name), defaults={**self.defaults, name: value})

    def with_rows(self, *rows: Row) -> Export:
        return replace(self, rows=(*self.rows, *rows))


# ------------------------------------------------------------------------------------------------- Ahrefs

AHREFS_BACKLINKS_34 = [
    "Referring page title",
    "Referring page URL",
    "Language",
    "Platform",
    "Referring page HTTP code",
    "Domain rating",
    "UR",
    "Domain traffic",
    "Referring domains",
    "Linked domains",
    "External links",
    "Page traffic",
    "Keywords",
    "Target URL",
    "Left context",
    "Anchor",
    "Right context",
    "Redirect Chain URLs",
    "Redirect Chain status codes",
    "Type",
    "Content",
    "Nofollow",
    "UGC",
    "Sponsored",
    "Rendered",
    "Raw",
    "Lost status",
    "Drop reason",
    "Discovered status",
    "First seen",
    "Last seen",
    "Lost",
    "Author",
    "Links in group",
]
AHREFS_BACKLINKS_37 = [
    *AHREFS_BACKLINKS_34[: AHREFS_BACKLINKS_34.index("Type") + 1],
    "Is spam",
    *AHREFS_BACKLINKS_34[AHREFS_BACKLINKS_34.index("Type") + 1 : AHREFS_BACKLINKS_34.index("Author") + 1],
    "Page type",
    "Page category",
    *AHREFS_BACKLINKS_34[AHREFS_BACKLINKS_34.index("Author") + 1 :],
]
AHREFS_BACKLINK_DEFAULTS: Row = {
    "Referring page title": "A page about widgets",
    "Referring page URL": "https://blog.example.org/post",
    "Language": "en",
    "Platform": "blog",
    "Referring page HTTP code": "200",
    "Domain rating": "3.7",
    "UR": "12",
    "Domain traffic": "1500",
    "Referring domains": "40",
    "Linked domains": "12",
    "External links": "25",
    "Page traffic": "30",
    "Keywords": "4",
    "Target URL": "https://www.target.example/",
    "Left context": "see",
    "Anchor": "widgets",
    "Right context": "here",
    "Type": "text",
    "Content": "true",
    "Nofollow": "false",
    "UGC": "false",
    "Sponsored": "false",
    "Rendered": "false",
    "Raw": "true",
    "Discovered status": "linkfound",
    "First seen": "2024-03-01 10:20:30",
    "Last seen": "2026-05-01 08:00:00",
    "Links in group": "1",
    "Is spam": "false",
    "Page type": "article",
    "Page category": "Technology",
}


AHREFS_LAYOUT = {"delimiter": "\t", "quoting": "all", "encoding": "utf-16-le", "bom": True}
AHREFS_UTF8_LAYOUT = {"delimiter": ",", "quoting": "minimal"}


def ahrefs(header: Sequence[str], defaults: Row, rows: Sequence[Row], *, utf8_option: bool = False) -> Export:
    """Ahrefs layout: UTF-16LE + BOM, TAB, all fields quoted, LF, final newline; or the UTF-8 comma option."""
    return Export(tuple(header), tuple(rows), defaults, AHREFS_UTF8_LAYOUT if utf8_option else AHREFS_LAYOUT)


def ahrefs_backlinks(*rows: Row, columns: int = 34, utf8_option: bool = False) -> Export:
    """Ahrefs Backlinks (real layout), 34- or 37-column header."""
    header = AHREFS_BACKLINKS_34 if columns == 34 else AHREFS_BACKLINKS_37
    return ahrefs(header, AHREFS_BACKLINK_DEFAULTS, rows, utf8_option=utf8_option)


AHREFS_REFDOMAINS = [
    "Domain",
    "Is spam",
    "DR",
    "Dofollow ref. domains",
    "Dofollow linked domains",
    "Traffic ",
    "Keywords ",
    "Links to target",
    "Dofollow links",
    "First seen",
    "Lost",
]


def ahrefs_referring_domains(*rows: Row) -> Export:
    """Ahrefs Referring domains. No real file was available: header from a third-party parser (note the
    trailing spaces of `Traffic ` and `Keywords `), layout assumed equal to Backlinks."""
    defaults = {
        "Domain": "blog.example.org",
        "Is spam": "false",
        "DR": "41",
        "Dofollow ref. domains": "120",
        "Dofollow linked domains": "80",
        "Traffic ": "5400",
        "Keywords ": "310",
        "Links to target": "7",
        "Dofollow links": "5",
        "First seen": "2023-11-02 04:05:06",
    }
    return ahrefs(AHREFS_REFDOMAINS, defaults, rows)


AHREFS_ANCHORS = [
    "Anchor text",
    "Ref. domains",
    "Top DR",
    "Ref. pages",
    "Links to target",
    "Dofollow links",
    "First seen",
    "Lost",
]


def ahrefs_anchors(*rows: Row) -> Export:
    """Ahrefs Anchors. No real file was available: header from a third-party parser, layout as Backlinks."""
    defaults = {
        "Anchor text": "widgets",
        "Ref. domains": "3",
        "Top DR": "55",
        "Ref. pages": "4",
        "Links to target": "9",
        "Dofollow links": "6",
        "First seen": "2022-01-01 00:00:00",
    }
    return ahrefs(AHREFS_ANCHORS, defaults, rows)


AHREFS_REFIPS = [
    "Subnet",
    "Ref. domains",
    "Top DR",
    "Links to target",
    "New links",
    "Lost links",
    "Dofollow links",
    "First seen",
    "Lost",
    "IPs in subnet",
    "Country",
    "ISP",
]


def ahrefs_referring_ips(*rows: Row) -> Export:
    """Ahrefs Referring IPs (real layout; subnets masked as 217.160.0.xxx)."""
    defaults = {
        "Subnet": "217.160.0.xxx",
        "Ref. domains": "2",
        "Top DR": "30",
        "Links to target": "5",
        "New links": "0",
        "Lost links": "1",
        "Dofollow links": "4",
        "First seen": "2021-06-07 08:09:10",
        "IPs in subnet": "2",
        "Country": "DE",
        "ISP": "IONOS SE",
    }
    return ahrefs(AHREFS_REFIPS, defaults, rows)


# ------------------------------------------------------------------------------------------------ Semrush

SEMRUSH_BACKLINKS = [
    "Page ascore",
    "Source title",
    "Source url",
    "Target url",
    "Anchor",
    "External links",
    "Internal links",
    "Nofollow",
    "Sponsored",
    "Ugc",
    "Text",
    "Frame",
    "Form",
    "Image",
    "Sitewide",
    "First seen",
    "Last seen",
    "New link",
    "Lost link",
]
SEMRUSH_BACKLINKS_OLD = [
    "Page score",
    "Page trust score",
    "Source title",
    "Source url",
    "Target url",
    "Anchor",
    "External links",
    "Internal links",
    "Nofollow",
    "Frame",
    "Form",
    "Image",
    "Sitewide",
    "First seen",
    "Last seen",
]
SEMRUSH_BACKLINK_DEFAULTS: Row = {
    "Page ascore": "23",
    "Page score": "4",
    "Page trust score": "2",
    "Source title": "Widgets, reviewed",
    "Source url": "https://news.example.com/a",
    "Target url": "https://www.target.example/",
    "Anchor": "best widgets",
    "External links": "14",
    "Internal links": "80",
    "Nofollow": "false",
    "Sponsored": "false",
    "Ugc": "false",
    "Text": "true",
    "Frame": "false",
    "Form": "false",
    "Image": "false",
    "Sitewide": "false",
    "First seen": "2025-01-02",
    "Last seen": "2026-04-30",
    "New link": "false",
    "Lost link": "false",
}


def semrush(header: Sequence[str], defaults: Row, rows: Sequence[Row]) -> Export:
    """Semrush layout: UTF-8 without BOM, comma, RFC 4180 minimal quoting, LF (CRLF and `;` via layout)."""
    return Export(tuple(header), tuple(rows), defaults)


def semrush_backlinks(*rows: Row, old_header: bool = False) -> Export:
    """Semrush Backlinks (real layout); the older header is from a third-party parser."""
    header = SEMRUSH_BACKLINKS_OLD if old_header else SEMRUSH_BACKLINKS
    return semrush(header, SEMRUSH_BACKLINK_DEFAULTS, rows)


SEMRUSH_REFDOMAINS = [
    "Domain ascore",
    "Domain",
    "Backlinks",
    "IP Address",
    "Country",
    "First seen",
    "Last seen",
]
SEMRUSH_INDEXED = [
    "Source url",
    "Source title",
    "Response code",
    "Backlinks",
    "Domains",
    "External links",
    "Internal links",
    "Last seen",
]
SEMRUSH_OUTBOUND = ["Domain ascore", "Domain", "Links", "First seen", "Last seen"]
SEMRUSH_COMPARISON = [
    "Target",
    "Target type",
    "Authority Score",
    "Backlinks",
    "Domains",
    "IPs",
    "Follow links",
    "Nofollow links",
    "Text links",
    "Image links",
    "Form links",
    "Frame links",
    "Visits",
]
SEMRUSH_AUDIT = [
    "Domain Authority Score",
    "Page Authority Score",
    "Source URL",
    "Source Page Title",
    "Source Domain",
    "Target URL",
    "Anchor",
    "Anchor Type",
    "Link Type",
    "No Follow",
    "Toxic Score",
    "First Seen",
    "Last Seen",
    "Comment",
]


def semrush_referring_domains(*rows: Row) -> Export:
    """Semrush Referring domains (real layout; country lower-case ISO-2, often empty)."""
    defaults = {
        "Domain ascore": "35",
        "Domain": "example.org",
        "Backlinks": "12",
        "IP Address": "93.184.216.34",
        "Country": "us",
        "First seen": "2024-05-06",
        "Last seen": "2026-05-01",
    }
    return semrush(SEMRUSH_REFDOMAINS, defaults, rows)


def semrush_indexed_pages(*rows: Row) -> Export:
    """Semrush Indexed pages (real layout): `Source url` is the target page on the analysed site."""
    defaults = {
        "Source url": "https://www.target.example/pricing",
        "Source title": "Pricing",
        "Response code": "200",
        "Backlinks": "31",
        "Domains": "9",
        "External links": "3",
        "Internal links": "45",
        "Last seen": "2026-05-02",
    }
    return semrush(SEMRUSH_INDEXED, defaults, rows)


def semrush_outbound_domains(*rows: Row) -> Export:
    """Semrush Outbound domains (real layout)."""
    defaults = {
        "Domain ascore": "60",
        "Domain": "wikipedia.org",
        "Links": "4",
        "First seen": "2023-07-08",
        "Last seen": "2026-04-01",
    }
    return semrush(SEMRUSH_OUTBOUND, defaults, rows)


def semrush_comparison(*rows: Row) -> Export:
    """Semrush Comparison (real layout)."""
    defaults = {
        "Target": "target.example",
        "Target type": "root domain",
        "Authority Score": "41",
        "Backlinks": "5200",
        "Domains": "640",
        "IPs": "590",
        "Follow links": "4100",
        "Nofollow links": "1100",
        "Text links": "5000",
        "Image links": "180",
        "Form links": "0",
        "Frame links": "20",
        "Visits": "12000",
    }
    return semrush(SEMRUSH_COMPARISON, defaults, rows)


def semrush_backlink_audit(*rows: Row) -> Export:
    """Semrush Backlink Audit (real layout; different capitalisation from Backlinks)."""
    defaults = {
        "Domain Authority Score": "18",
        "Page Authority Score": "9",
        "Source URL": "https://dir.example.net/l",
        "Source Page Title": "Directory",
        "Source Domain": "dir.example.net",
        "Target URL": "https://www.target.example/",
        "Anchor": "Target",
        "Anchor Type": "branded",
        "Link Type": "a",
        "No Follow": "false",
        "Toxic Score": "12",
        "First Seen": "2024-02-03",
        "Last Seen": "2026-03-04",
        "Comment": "",
    }
    return semrush(SEMRUSH_AUDIT, defaults, rows)


# ----------------------------------------------------------------------------------------------- Majestic

MAJESTIC_BACKLINKS = [
    "Target URL",
    "Source URL",
    "Anchor Text",
    "Source Crawl Date",
    "Source First Found Date",
    "FlagNoFollow",
    "FlagImageLink",
    "FlagRedirect",
    "FlagFrame",
    "FlagOldCrawl",
    "FlagAltText",
    "FlagMention",
    "SourceCitationFlow",
    "SourceTrustFlow",
    "TargetCitationFlow",
    "TargetTrustFlow",
    "SourceTopicalTrustFlow_Topic_0",
    "SourceTopicalTrustFlow_Value_0",
    "RefDomainTopicalTrustFlow_Topic_0",
    "RefDomainTopicalTrustFlow_Value_0",
]


def majestic_backlinks(*rows: Row) -> Export:
    """Majestic Backlinks. No real file was available: header from a third-party parser and the API docs;
    layout assumed UTF-8, comma, minimal quoting, LF; delivered gzipped when `gzipped=True`."""
    defaults = {
        "Target URL": "https://www.target.example/",
        "Source URL": "http://forum.example.net/t/123",
        "Anchor Text": "target widgets",
        "Source Crawl Date": "2026-04-20",
        "Source First Found Date": "2019-08-09",
        "SourceCitationFlow": "21",
        "SourceTrustFlow": "14",
        "TargetCitationFlow": "33",
        "TargetTrustFlow": "29",
        "SourceTopicalTrustFlow_Topic_0": "Computers/Internet",
        "SourceTopicalTrustFlow_Value_0": "12",
        "RefDomainTopicalTrustFlow_Topic_0": "Business",
        "RefDomainTopicalTrustFlow_Value_0": "9",
    }
    return Export(tuple(MAJESTIC_BACKLINKS), rows, defaults)


def majestic_refdomains_header(target: str) -> list[str]:
    return [
        "Position",
        "Domain",
        "RefDomains",
        "AlexaRank",
        "Matches",
        "MatchedLinks",
        "ExtBackLinks",
        "IndexedURLs",
        "CrawledURLs",
        "FirstCrawled",
        "LastSuccessfulCrawl",
        "IP",
        "SubNet",
        "CountryCode",
        "TLD",
        "CitationFlow",
        "TrustFlow",
        f"BackLinks_{target}",
        f"FirstLinkDate_{target}",
        f"LastLinkDate_{target}",
    ]


def majestic_referring_domains(*rows: Row, target: str = "target.example") -> Export:
    """Majestic Referring domains (real 2013 layout): UTF-8 with BOM, CRLF, strings quoted and numbers and
    day-first `DD/MM/YYYY HH:MM` dates bare; three column names end with the target."""
    header = majestic_refdomains_header(target)
    defaults = {
        "Position": "1",
        "Domain": "example.org",
        "RefDomains": "5400",
        "AlexaRank": "-1",
        "Matches": "3",
        "MatchedLinks": "3",
        "ExtBackLinks": "120000",
        "IndexedURLs": "90000",
        "CrawledURLs": "85000",
        "FirstCrawled": "03/02/2011 00:00",
        "LastSuccessfulCrawl": "28/05/2013 00:00",
        "IP": "93.184.216.34",
        "SubNet": "93.184.216",
        "CountryCode": "US",
        "TLD": "org",
        "CitationFlow": "45",
        "TrustFlow": "38",
        f"BackLinks_{target}": "3",
        f"FirstLinkDate_{target}": "13/01/2012 00:00",
        f"LastLinkDate_{target}": "25/05/2013 14:30",
    }
    return Export(tuple(header), rows, defaults, {"quoting": "strings", "newline": "\r\n", "bom": True})


# ---------------------------------------------------------------------------------------------------- Moz

MOZ_OSE = [
    "URL",
    "Title",
    "Anchor Text",
    "Spam Score",
    "Page Authority",
    "Domain Authority",
    "Number of Domains Linking to this Page",
    "Number of Domains Linking to Domain",
    "Origin",
    "Target URL",
    "Link Equity",
    "No Link Equity",
    "Only rel=nofollow",
    "Only follow",
    "301",
]
MOZ_OSE_OLD = [
    "URL",
    "Title",
    "Anchor Text",
    "Page Authority",
    "Domain Authority",
    "Number of Links",
    "Number of Domains Linking to Domain",
    "Followable",
    "301",
    "Origin",
    "Target URL",
]
MOZ_OSE_PREAMBLE = [
    "Open Site Explorer Inbound Links Report",
    "Target: http://www.target.example/",
    "Generated: 2014-05-06",
    "Filter: all pages, only external, all links",
    "Rows exported: 2",
    "",
    "Note: Followed links pass link equity",
]


def moz_ose(*rows: Row, old_header: bool = False) -> Export:
    """Moz legacy Open Site Explorer. No real file was available: header from a third-party parser that skips
    six lines; the preamble text here is invented (six non-blank lines plus one blank), layout comma + LF."""
    header = MOZ_OSE_OLD if old_header else MOZ_OSE
    defaults = {
        "URL": "http://www.qingdaonews.com/gb/node/mspd.htm",
        "Title": "美食频道",
        "Anchor Text": "39健康网",
        "Spam Score": "2",
        "Page Authority": "37",
        "Domain Authority": "86",
        "Number of Links": "1",
        "Number of Domains Linking to this Page": "4",
        "Number of Domains Linking to Domain": "32199",
        "Origin": "External",
        "Target URL": "http://www.target.example/",
        "Link Equity": "Yes",
        "No Link Equity": "No",
        "Only rel=nofollow": "No",
        "Only follow": "Yes",
        "Followable": "Yes",
        "301": "No",
    }
    return Export(tuple(header), rows, defaults, {"preamble": MOZ_OSE_PREAMBLE})


MOZ_INBOUND = [
    "Source URL",
    "Title",
    "Anchor Text",
    "Spam Score",
    "Domain Authority",
    "Page Authority",
    "Target URL",
    "First Seen",
    "Last Seen",
]
MOZ_LINKING_DOMAINS = ["Root Domain", "Domain Authority", "Spam Score", "Links to Target", "First Seen"]


def moz_inbound_links(*rows: Row) -> Export:
    """Moz Link Explorer inbound links. No real file was available: the columns are documented guesses."""
    defaults = {
        "Source URL": "https://news.example.com/story",
        "Title": "Story",
        "Anchor Text": "target",
        "Spam Score": "1",
        "Domain Authority": "71",
        "Page Authority": "40",
        "Target URL": "https://www.target.example/",
        "First Seen": "2025-02-03",
        "Last Seen": "2026-05-01",
    }
    return Export(tuple(MOZ_INBOUND), rows, defaults)


def moz_linking_domains(*rows: Row) -> Export:
    """Moz Link Explorer linking domains. No real file was available: the columns are documented guesses."""
    defaults = {
        "Root Domain": "example.com",
        "Domain Authority": "93",
        "Spam Score": "1",
        "Links to Target": "14",
        "First Seen": "2024-09-10",
    }
    return Export(tuple(MOZ_LINKING_DOMAINS), rows, defaults)


# ---------------------------------------------------------------------------------------------------- GSC

GSC_HEADERS = {
    "latest_links": ["Linking page", "Last crawled"],
    "more_sample_links": ["Linking page"],
    "top_linking_sites": ["Site", "Linking pages", "Target pages"],
    "top_linking_text": ["Rank", "Link text"],
    "top_linked_pages_external": ["Target page", "Incoming links", "Linking sites"],
    "top_linked_pages_internal": ["Target page", "Internal links"],
    "pages_linking_to_page": ["Linking page"],
}
GSC_DEFAULTS: Row = {
    "Linking page": "https://blog.example.org/2020/01/post",
    "Last crawled": "2026-05-01",
    "Site": "example.org",
    "Linking pages": "12",
    "Target pages": "3",
    "Rank": "1",
    "Link text": "target widgets",
    "Target page": "https://www.target.example/",
    "Incoming links": "31",
    "Linking sites": "9",
    "Internal links": "140",
}


def gsc(export: str, *rows: Row, old: bool = False) -> Export:
    """A GSC Links export (real layout): UTF-8, comma, unquoted except grouped counts, no final newline,
    LF for new exports and CRLF for old ones."""
    header = GSC_HEADERS[export]
    layout = {"quoting": "minimal", "final_newline": False, "newline": "\r\n" if old else "\n"}
    return Export(tuple(header), rows, GSC_DEFAULTS, layout)


# ------------------------------------------------------------------------------------------ large files


def semrush_backlinks_large(n: int) -> bytes:
    """n distinct Semrush Backlinks rows (speed measurement)."""
    lines = [",".join(SEMRUSH_BACKLINKS)]
    for i in range(n):
        lines.append(
            f'{i % 100},"Widgets, part {i}",https://site{i % 5000}.example.com/p/{i},https://www.target.example/'
            f"page{i % 300},anchor text {i % 977},{i % 50},{i % 200},"
            f"{'true' if i % 7 == 0 else 'false'},false,"
            f"false,true,false,false,false,{'true' if i % 11 == 0 else 'false'},2024-{1 + i % 12:02d}-"
            f"{1 + i % 28:02d},2026-04-{1 + i % 28:02d},{'true' if i % 3 == 0 else 'false'},false"
        )
    return ("\n".join(lines) + "\n").encode()


def ahrefs_backlinks_large(n: int) -> bytes:
    """n distinct Ahrefs Backlinks rows in the real UTF-16LE/TAB/all-quoted layout (speed measurement)."""
    rows = [
        {
            "Referring page URL": f"https://site{i % 7000}.example.net/a/{i}",
            "Target URL": f"https://www.target.example/p{i % 400}",
            "Anchor": f"anchor {i % 1311}",
            "Referring page title": f"Title {i} – überall ✓",
            "Nofollow": "true" if i % 5 == 0 else "false",
            "Lost": "2026-04-02 03:04:05" if i % 13 == 0 else "",
            "Lost status": "removedfromhtml" if i % 13 == 0 else "",
        }
        for i in range(n)
    ]
    return ahrefs_backlinks(*rows, columns=37).bytes()


# ---------------------------------------------------------------------------------- one sample per report


@dataclass(frozen=True)
class Sample:
    """A small export of one report: two good rows, then one row the reader must quarantine for `reason`."""

    id: str
    export: Export
    file_name: str
    source_system: str
    report: str
    table: str
    reason: str


def _sample(
    key: str,
    build: Callable[[], Export],
    bad: Row,
    reason: str,
    file_name: str,
    source: str,
    report: str,
    table: str,
) -> Sample:
    return Sample(key, build().with_rows({}, {}, bad), file_name, source, report, table, reason)


AHREFS_NAME = "target.example-backlinks-subdomains_2026-05-10_08-09-10.csv"
GSC_NAME = "https___www.target.example_-{}-2026-05-10.csv"

SAMPLES = [
    _sample(
        "ahrefs_backlinks_34",
        ahrefs_backlinks,
        {"First seen": "2024-13-01 00:00:00"},
        "bad_date",
        AHREFS_NAME,
        "ahrefs",
        "backlinks",
        "link_observations",
    ),
    _sample(
        "ahrefs_backlinks_37",
        lambda: ahrefs_backlinks(columns=37),
        {"Nofollow": "maybe"},
        "bad_boolean",
        AHREFS_NAME,
        "ahrefs",
        "backlinks",
        "link_observations",
    ),
    _sample(
        "ahrefs_backlinks_utf8",
        lambda: ahrefs_backlinks(utf8_option=True),
        {"Referring page URL": ""},
        "missing_value",
        AHREFS_NAME,
        "ahrefs",
        "backlinks",
        "link_observations",
    ),
    _sample(
        "ahrefs_referring_domains",
        ahrefs_referring_domains,
        {"Links to target": "many"},
        "bad_number",
        "target.example-refdomains-subdomains_2026-05-10_08-09-10.csv",
        "ahrefs",
        "referring_domains",
        "vendor_referring_domains",
    ),
    _sample(
        "ahrefs_anchors",
        ahrefs_anchors,
        {"First seen": "01/02/2024"},
        "bad_date",
        "target.example-anchors-subdomains_2026-05-10_08-09-10.csv",
        "ahrefs",
        "anchors",
        "vendor_anchors",
    ),
    _sample(
        "ahrefs_referring_ips",
        ahrefs_referring_ips,
        {"Subnet": ""},
        "missing_value",
        "target.example-referring-ips-subdomains_2026-05-10_08-09-10.csv",
        "ahrefs",
        "referring_ips",
        "vendor_referring_ips",
    ),
    _sample(
        "semrush_backlinks",
        semrush_backlinks,
        {"Last seen": "2024-02-30"},
        "bad_date",
        "target.example-backlinks.csv",
        "semrush",
        "backlinks",
        "link_observations",
    ),
    _sample(
        "semrush_backlinks_old",
        lambda: semrush_backlinks(old_header=True),
        {"Sitewide": "yes"},
        "bad_boolean",
        "target.example-backlinks.csv",
        "semrush",
        "backlinks",
        "link_observations",
    ),
    _sample(
        "semrush_referring_domains",
        semrush_referring_domains,
        {"Backlinks": "1.5"},
        "bad_number",
        "target.example-backlinks_refdomains.csv",
        "semrush",
        "referring_domains",
        "vendor_referring_domains",
    ),
    _sample(
        "semrush_indexed_pages",
        semrush_indexed_pages,
        {"Response code": "OK"},
        "bad_number",
        "target.example-backlinks_pages.csv",
        "semrush",
        "indexed_pages",
        "vendor_target_pages",
    ),
    _sample(
        "semrush_outbound_domains",
        semrush_outbound_domains,
        {"First seen": "2024/01/01"},
        "bad_date",
        "target.example-outbound.csv",
        "semrush",
        "outbound_domains",
        "vendor_outbound_domains",
    ),
    _sample(
        "semrush_comparison",
        semrush_comparison,
        {"IPs": "n/a"},
        "bad_number",
        "comparison.csv",
        "semrush",
        "comparison",
        "vendor_domain_summary",
    ),
    _sample(
        "semrush_backlink_audit",
        semrush_backlink_audit,
        {"No Follow": "1"},
        "bad_boolean",
        "backlink_audit.csv",
        "semrush",
        "backlink_audit",
        "link_observations",
    ),
    _sample(
        "majestic_backlinks",
        majestic_backlinks,
        {"Source Crawl Date": "20/04/2026"},
        "bad_date",
        "target.example_backlinks.csv",
        "majestic",
        "backlinks",
        "link_observations",
    ),
    _sample(
        "majestic_referring_domains",
        majestic_referring_domains,
        {"FirstLinkDate_target.example": "2012-01-13 00:00"},
        "bad_date",
        "target.example_refdomains.csv",
        "majestic",
        "referring_domains",
        "vendor_referring_domains",
    ),
    _sample(
        "moz_ose",
        moz_ose,
        {"Only rel=nofollow": "True"},
        "bad_boolean",
        "ose-links.csv",
        "moz",
        "ose_legacy",
        "link_observations",
    ),
    _sample(
        "moz_ose_old",
        lambda: moz_ose(old_header=True),
        {"URL": ""},
        "missing_value",
        "ose-links.csv",
        "moz",
        "ose_legacy",
        "link_observations",
    ),
    _sample(
        "moz_inbound_links",
        moz_inbound_links,
        {"First Seen": "02/03/2025"},
        "bad_date",
        "moz-inbound-links.csv",
        "moz",
        "inbound_links",
        "link_observations",
    ),
    _sample(
        "moz_linking_domains",
        moz_linking_domains,
        {"Links to Target": "x"},
        "bad_number",
        "moz-linking-domains.csv",
        "moz",
        "linking_domains",
        "vendor_referring_domains",
    ),
    _sample(
        "gsc_latest_links",
        lambda: gsc("latest_links"),
        {"Last crawled": "Sep 15, 2026"},
        "bad_date",
        GSC_NAME.format("Latest links"),
        "gsc",
        "latest_links",
        "link_observations",
    ),
    _sample(
        "gsc_more_sample_links",
        lambda: gsc("more_sample_links"),
        {"Linking page": " "},
        "missing_value",
        GSC_NAME.format("More sample links"),
        "gsc",
        "more_sample_links",
        "link_observations",
    ),
    _sample(
        "gsc_pages_linking_to_page",
        lambda: gsc("pages_linking_to_page"),
        {"Linking page": "\t"},
        "missing_value",
        GSC_NAME.format("Your pages linking to this page"),
        "gsc",
        "pages_linking_to_page",
        "link_observations",
    ),
    _sample(
        "gsc_top_linking_sites",
        lambda: gsc("top_linking_sites"),
        {"Linking pages": "1.240"},
        "bad_number",
        GSC_NAME.format("Top linking sites"),
        "gsc",
        "top_linking_sites",
        "vendor_referring_domains",
    ),
    _sample(
        "gsc_top_linking_text",
        lambda: gsc("top_linking_text"),
        {"Rank": "first"},
        "bad_number",
        GSC_NAME.format("Top linking text"),
        "gsc",
        "top_linking_text",
        "vendor_anchors",
    ),
    _sample(
        "gsc_top_linked_pages_external",
        lambda: gsc("top_linked_pages_external"),
        {"Incoming links": "12,34"},
        "bad_number",
        GSC_NAME.format("Top target pages"),
        "gsc",
        "top_linked_pages_external",
        "vendor_target_pages",
    ),
    _sample(
        "gsc_top_linked_pages_internal",
        lambda: gsc("top_linked_pages_internal"),
        {"Target page": ""},
        "missing_value",
        GSC_NAME.format("Top target pages").replace(".csv", " (1).csv"),
        "gsc",
        "top_linked_pages_internal",
        "vendor_target_pages",
    ),
]
