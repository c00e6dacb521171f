"""Generated WARCs of distinct HTML pages, for the WARC side of crawl_extract.py.

The demo writes WATs (`pipelines.demo.wat`) but no WARC, and the real WARC samples hold only ~60k links in
all. `write_warc` writes a WARC in the record layout Common Crawl uses (a `warcinfo` record, then per capture
a `request`, a `response` and a `metadata` record, WARC/1.0, one gzip member per record), of pages that
differ from each other: every URL once, its own text and its own content links, the way a real crawl file
mixes many sites' pages.

Sites follow a power law (a few hosts hold most pages); each site has one page template used on all its
pages, so what really repeats across a site's pages repeats here too (its navigation and footer links, its
class names), and nothing else does. Templates: HTML5 landmarks (`header`, `nav`, `main`, `aside`,
`footer`); divs with the usual ids and classes (`#header`, `.menu`, `#content`, `.sidebar`, `#footer`);
divs with site-specific class names that say nothing. Content links go to other sites and pages, absolute,
root-relative and relative, some `rel=nofollow`/`ugc`/`sponsored`, some image links, some `<area>` links in a
`<map>`, some pages with `<base href>` or a canonical. One capture in ten is a redirect, a 404, or not HTML.

Every `a[href]`/`area[href]` written is an http(s) link that resolves, so `hyperlinks` is what a reader of
2xx HTML pages finds. Deterministic for a seed.
"""

from __future__ import annotations

import gzip
import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from typing import BinaryIO, Final

from pipelines.demo.world import NAME_TAILS, SYLLABLES, WORDS

_TLDS: Final = ("com",) * 8 + ("org", "net", "de", "fr", "co.uk", "nl", "io", "info", "pl", "com.br")
_WORDS: Final = WORDS["en"]
_ANCHORS: Final = ("Read more", "Continue reading", "Source", "here", "this article", "Click here", "Learn more",
                   "official site", "see the report", "Download", "Next »", "« Previous", "Comments (3)", "Reply")
_RELS: Final = ("nofollow", "noopener", "noopener noreferrer", "nofollow noopener", "ugc", "sponsored",
                "nofollow ugc", "external")
_LANDMARKS: Final = "landmarks"
_CLASSES: Final = "classes"
_OPAQUE: Final = "opaque"
_TEMPLATES: Final = (_LANDMARKS, _CLASSES, _OPAQUE)


@dataclass(frozen=True)
class Written:
    """What `write_warc` wrote."""

    bytes: int
    captures: int  # response records
    html_pages: int  # 2xx HTML responses
    hyperlinks: int  # a[href] and area[href] in those pages, all resolvable http(s) links
    redirects: int  # 3xx responses with a Location


@dataclass(frozen=True)
class _Site:
    host: str
    scheme: str
    template: str
    classes: tuple[str, str, str, str, str]  # header, menu, content, sidebar, footer
    nav: tuple[tuple[str, str], ...]  # (href, text), the same on every page of the site
    footer: tuple[tuple[str, str], ...]


def _words(rng: random.Random, n: int, sep: str = " ") -> str:
    return sep.join(rng.choice(_WORDS) for _ in range(n))


def _hosts(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        label = "".join(rng.choice(SYLLABLES) for _ in range(2 + rng.randrange(2)))
        if rng.random() < 0.5:
            label += rng.choice(NAME_TAILS)
        host = f"{'www.' if rng.random() < 0.6 else ''}{label}.{rng.choice(_TLDS)}"
        if host not in seen:
            seen.add(host)
            names.append(host)
    return names


def _site(rng: random.Random, host: str) -> _Site:
    template = _TEMPLATES[rng.randrange(len(_TEMPLATES))]
    if template == _OPAQUE:
        names = [f"{rng.choice('abcdefghkmnpqrstvwxz')}{rng.getrandbits(24):06x}" for _ in range(5)]
    else:
        names = [rng.choice(("header", "site-header", "masthead", "top")),
                 rng.choice(("menu", "nav", "navigation", "main-menu", "topnav")),
                 rng.choice(("content", "main", "article", "post", "entry-content")),
                 rng.choice(("sidebar", "widget-area", "side", "rail")),
                 rng.choice(("footer", "site-footer", "bottom", "colophon"))]
    classes = (names[0], names[1], names[2], names[3], names[4])
    sections = [rng.choice(_WORDS) for _ in range(5 + rng.randrange(30))]
    nav = tuple((f"/{s}/" if rng.random() < 0.8 else f"https://{host}/{s}", s.title()) for s in sections)
    footer = tuple((f"/{w}" if rng.random() < 0.7 else f"https://{host}/{w}.html", w.title())
                   for w in ("about", "contact", "privacy", "terms", "careers", "press")[: 2 + rng.randrange(5)])
    return _Site(host, "https" if rng.random() < 0.8 else "http", template, classes, nav, footer)


def _links_html(links: list[tuple[str, str]]) -> str:
    return "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in links)


class _Page:
    """One HTML page: its markup and the number of hyperlinks in it."""

    def __init__(self, rng: random.Random, site: _Site, sites: list[_Site], url: str) -> None:
        self.rng, self.site, self.sites, self.url = rng, site, sites, url
        self.hyperlinks = 0

    def _href(self) -> str:
        """A content link: another site (most), this site, absolute, root-relative or relative."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            other = self.sites[min(int(len(self.sites) * rng.random() ** 2.5), len(self.sites) - 1)]
            return f"{other.scheme}://{other.host}/{_words(rng, 1 + rng.randrange(3), '/')}/{rng.randrange(10**6)}"
        if roll < 0.75:
            return f"/{_words(rng, 1 + rng.randrange(2), '/')}/{_words(rng, 3, '-')}-{rng.randrange(10**5)}.html"
        if roll < 0.9:
            return f"{_words(rng, 2, '-')}-{rng.randrange(10**4)}/"
        return f"//{self.site.host}/tag/{rng.choice(_WORDS)}?page={rng.randrange(50)}"

    def _link(self) -> str:
        rng = self.rng
        self.hyperlinks += 1
        href = escape(self._href())
        rel = f' rel="{rng.choice(_RELS)}"' if rng.random() < 0.15 else ""
        if rng.random() < 0.06:
            alt = f' alt="{escape(_words(rng, 2))}"' if rng.random() < 0.7 else ""
            return f'<a href="{href}"{rel}><img src="/img/{rng.getrandbits(32):08x}.jpg"{alt}></a>'
        anchor = rng.choice(_ANCHORS) if rng.random() < 0.3 else _words(rng, 1 + rng.randrange(5))
        return f'<a href="{href}"{rel}>{escape(anchor)}</a>'

    def _paragraph(self, links: int) -> str:
        rng = self.rng
        parts = []
        for _ in range(links):
            parts.append(_words(rng, 5 + rng.randrange(40)))
            parts.append(self._link())
        parts.append(_words(rng, 5 + rng.randrange(60)) + ".")
        return "<p>" + " ".join(parts) + "</p>"

    def html(self) -> str:
        rng, site = self.rng, self.site
        header_c, menu_c, content_c, sidebar_c, footer_c = site.classes
        content_links = min(int(rng.lognormvariate(3.0, 1.0)), 600)
        per_paragraph = [0] * (3 + content_links // 6)
        for _ in range(content_links):
            per_paragraph[rng.randrange(len(per_paragraph))] += 1
        body = "".join(self._paragraph(n) for n in per_paragraph)
        if rng.random() < 0.05:
            self.hyperlinks += 2
            body += (f'<img src="/map.png" usemap="#m"><map name="m"><area href="/{rng.choice(_WORDS)}/" alt="a">'
                     f'<area href="https://{site.host}/{rng.choice(_WORDS)}" alt="b"></map>')
        related = [self._link() for _ in range(rng.randrange(12))]
        self.hyperlinks += len(site.nav) + len(site.footer)
        title = escape(_words(rng, 3 + rng.randrange(5)).title())
        head = [f"<meta charset=utf-8><title>{title}</title>",
                f'<link rel="stylesheet" href="/static/{menu_c}.css">',
                f'<meta name="description" content="{escape(_words(rng, 20))}">']
        if rng.random() < 0.3:
            head.append(f'<link rel="canonical" href="{escape(self.url)}">')
        if rng.random() < 0.03:
            head.append(f'<base href="{site.scheme}://{site.host}/{rng.choice(_WORDS)}/">')
        if rng.random() < 0.02:
            head.append('<meta name="robots" content="noindex,nofollow">')
        head.append(f"<script>var {content_c.replace('-', '_')} = {{id: {rng.getrandbits(40)}}};</script>")
        nav, footer = _links_html(list(site.nav)), _links_html(list(site.footer))
        aside = "<ul>" + "".join(f"<li>{r}</li>" for r in related) + "</ul>"
        article = f"<h1>{title}</h1>{body}"
        if site.template == _LANDMARKS:
            page = (f'<header class="{header_c}"><nav><ul>{nav}</ul></nav></header><main><article>{article}'
                    f'</article></main><aside>{aside}</aside><footer><ul>{footer}</ul></footer>')
        else:
            page = (f'<div id="{header_c}"><div class="{menu_c}"><ul>{nav}</ul></div></div><div id="{content_c}">'
                    f'{article}</div><div class="{sidebar_c}">{aside}</div><div id="{footer_c}"><ul>{footer}</ul>'
                    "</div>")
        return f"<!DOCTYPE html><html lang=en><head>{''.join(head)}</head><body>{page}</body></html>"


class _Warc:
    """The records being written, one gzip member each."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.size = out, 0

    def record(self, warc_type: str, head: list[tuple[str, str]], block: bytes) -> None:
        lines = ["WARC/1.0", f"WARC-Type: {warc_type}", *(f"{k}: {v}" for k, v in head),
                 f"Content-Length: {len(block)}"]
        data = gzip.compress(("\r\n".join(lines) + "\r\n\r\n").encode() + block + b"\r\n\r\n", 6, mtime=0)
        self.out.write(data)
        self.size += len(data)


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"<urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}>"


def _digest(data: bytes) -> str:
    return "sha1:" + hashlib.sha1(data).hexdigest().upper()


def write_warc(path: Path, *, megabytes: float, seed: int = 3) -> Written:
    """Write captures to `path` until it holds about `megabytes` (compressed)."""
    rng = random.Random(seed)
    hosts = _hosts(rng, max(50, int(megabytes * 40)))
    sites = [_site(rng, h) for h in hosts]
    clock = datetime(2024, 5, 17, 23, 31, 22)
    captures = html_pages = hyperlinks = redirects = 0
    with path.open("wb") as out:
        warc = _Warc(out)
        info_id = _uuid(rng)
        warc.record("warcinfo", [("WARC-Date", f"{clock:%Y-%m-%dT%H:%M:%SZ}"), ("WARC-Record-ID", info_id),
                                 ("WARC-Filename", path.name), ("Content-Type", "application/warc-fields")],
                    b"isPartOf: linkindex-benchmark\r\npublisher: linkindex\r\nformat: WARC File Format 1.0\r\n")
        page_no = 0
        while warc.size < megabytes * 1e6:
            page_no += 1
            clock += timedelta(seconds=rng.randrange(3))
            site = sites[min(int(len(sites) * rng.random() ** 2.5), len(sites) - 1)]
            page_path = f"/{_words(rng, 1 + rng.randrange(3), '/')}/{page_no}.html"
            url = f"{site.scheme}://{site.host}{page_path}"
            date = f"{clock:%Y-%m-%dT%H:%M:%SZ}"
            request_id, response_id = _uuid(rng), _uuid(rng)
            request = (f"GET {page_path} HTTP/1.1\r\nUser-Agent: CCBot/2.0 (https://commoncrawl.org/faq/)\r\n"
                       f"Accept: text/html\r\nHost: {site.host}\r\n\r\n").encode()
            warc.record("request", [("WARC-Date", date), ("WARC-Record-ID", request_id), ("WARC-Target-URI", url),
                                    ("WARC-Warcinfo-ID", info_id),
                                    ("Content-Type", "application/http; msgtype=request")], request)
            roll = rng.random()
            if roll < 0.9:
                page = _Page(rng, site, sites, url)
                body = page.html().encode()
                status, headers = "200 OK", [("Content-Type", "text/html; charset=UTF-8")]
                html_pages += 1
                hyperlinks += page.hyperlinks
            elif roll < 0.95:
                body = b"<html><body>Moved</body></html>"
                status, headers = "301 Moved Permanently", [("Location", f"https://{site.host}{page_path}/"),
                                                            ("Content-Type", "text/html")]
                redirects += 1
            elif roll < 0.98:
                body = b"<html><body><h1>Not Found</h1></body></html>"
                status, headers = "404 Not Found", [("Content-Type", "text/html")]
            else:
                body = rng.randbytes(2000 + rng.randrange(20000))
                status, headers = "200 OK", [("Content-Type", "image/jpeg")]
            http = (f"HTTP/1.1 {status}\r\nDate: {clock:%a, %d %b %Y %H:%M:%S} GMT\r\nServer: nginx\r\n"
                    + "".join(f"{k}: {v}\r\n" for k, v in headers)
                    + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
            ip = f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            warc.record("response", [("WARC-Date", date), ("WARC-Record-ID", response_id), ("WARC-Target-URI", url),
                                     ("WARC-Warcinfo-ID", info_id), ("WARC-Concurrent-To", request_id),
                                     ("WARC-IP-Address", ip), ("WARC-Payload-Digest", _digest(body)),
                                     ("Content-Type", "application/http; msgtype=response")], http)
            captures += 1
            fields = f"fetchTimeMs: {20 + rng.randrange(3000)}\r\ncharset-detected: UTF-8\r\n".encode()
            warc.record("metadata", [("WARC-Date", date), ("WARC-Record-ID", _uuid(rng)), ("WARC-Target-URI", url),
                                     ("WARC-Warcinfo-ID", info_id), ("WARC-Concurrent-To", response_id),
                                     ("Content-Type", "application/warc-fields")], fields)
    return Written(warc.size, captures, html_pages, hyperlinks, redirects)
