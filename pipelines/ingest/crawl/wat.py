"""One WAT metadata record (ia-web-commons JSON, as Common Crawl publishes it) into a page row and links.

A WAT record describes one record of the source WARC in `Envelope`. Only envelopes of captures (response,
revisit, resource with an http(s) WARC-Target-URI) are page observations; envelopes of warcinfo, request
and metadata records are counted as other records (a warcinfo envelope still gives the crawl's isPartOf).
Those are two WAT records in three; their compact JSON names their type, so they are counted unparsed.

From `Envelope.Payload-Metadata.HTTP-Response-Metadata`: the status (`Response-Message.Status`), the
headers (Location, Link, X-Robots-Tag, Content-Type, read case-insensitively), and `HTML-Metadata`:
`Head.Base` (the `<base href>`, resolved against the page URL), `Head.Metas` (meta robots), `Head.Link`
(`<link rel=canonical>`), and `Links`. In `Links`, only `A@/href` and `AREA@/href` entries are hyperlinks;
IMG, SCRIPT, FORM, STYLE (whose URL key is `href`) and the rest are not. An `A@/href` without text that
directly follows an `IMG@/src` entry is an image link with that image's alt text as anchor: ia-web-commons
writes an anchor when it closes, after the images inside it. AREA entries carry no alt text (null anchor).

Two generations of the writer differ (dated by the build stamp in the WAT's warcinfo `Software-Info`, or by
the WAT record's date when there is none):
- before 2019-06-19 attribute values and anchor texts keep their HTML character references (`&amp;`): the
  complete references are decoded here, as the writer does since then;
- before 2017-08-23 links carry no `rel`: nofollow/ugc/sponsored are null, except nofollow from a page-level
  meta robots, which is known.
WAT records hold no HTML tree, so placement is null. Each link row's metrics carry the WAT `path`.
"""

from __future__ import annotations

import html as entities
import re
from typing import Any, Final

import orjson
from fastwarc.warc import WarcRecord

from pipelines.ingest.crawl import payload as http
from pipelines.ingest.crawl.html import rel_bits
from pipelines.ingest.crawl.records import (
    BAD_HTTP_HEADERS,
    BAD_JSON,
    TRUNCATED_RECORD,
    Context,
    http_status,
    is_http_target,
    target_uri,
    warc_date,
)
from pipelines.ingest.crawl.resolve import Resolver, is_root_relative
from pipelines.ingest.crawl.rows import CANONICAL, IMAGE, NOFOLLOW, REDIRECT, REL_UNKNOWN, Page

_ENTITY_DECODING_SINCE: Final = "20190619"
_REL_SINCE: Final = "20170823"
_CAPTURES: Final = frozenset({"response", "revisit", "resource"})
_GENERATOR: Final = re.compile(r"ia-web-commons[^\s]*?-(\d{8,14})")
_COMMON_REFERENCES: Final = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&nbsp;": "\xa0"}
_REFERENCE: Final = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# ia-web-commons writes compact JSON; a key with another spacing just takes the parsing path.
_TYPE_KEY: Final = b'"WARC-Type":"'
_RESPONSE_KEY: Final = b'"WARC-Type":"response"'
_REVISIT_KEY: Final = b'"WARC-Type":"revisit"'
_RESOURCE_KEY: Final = b'"WARC-Type":"resource"'
_WARCINFO_KEY: Final = b'"WARC-Type":"warcinfo"'
_A: Final = "A@/href"
_AREA: Final = "AREA@/href"
_HYPERLINK_PATHS: Final = frozenset({_A, _AREA})
_IMG: Final = "IMG@/src"


def note_warcinfo(text: str, context: Context) -> None:
    """The WAT's own warcinfo: its writer's build stamp dates the JSON generation."""
    found = _GENERATOR.search(text)
    if found and context.wat_generator is None:
        context.wat_generator = found.group(1)[:8]


def _unescape(value: str) -> str:
    """Complete HTML character references decoded; a bare `&` stays (as ia-web-commons does since 2019)."""
    if "&" not in value:
        return value
    if value.count("&") == value.count("&amp;"):  # the usual case, in one pass that rescans nothing
        return value.replace("&amp;", "&")
    return _REFERENCE.sub(_decode_reference, value)


def _decode_reference(match: re.Match[str]) -> str:
    reference = match.group()
    return _COMMON_REFERENCES.get(reference) or entities.unescape(reference)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def read_wat_record(record: WarcRecord, body: bytes, row_number: int, context: Context) -> None:
    """Append the page row and links of one WAT record (its JSON `body`), its error row, or count it as
    another record."""
    context.wat = True
    cut = len(body) < record.content_length
    if cut:
        context.truncated = True
    if (_TYPE_KEY in body and _RESPONSE_KEY not in body and _REVISIT_KEY not in body and _RESOURCE_KEY not in body
            and (context.fields_known or _WARCINFO_KEY not in body)):
        # The envelope of a request, metadata or (known) warcinfo record, as its compact JSON says: no
        # observation in it, so it is counted without parsing (two WAT records in three, in a real WAT).
        context.records_other += 1
        return
    try:
        envelope = orjson.loads(body).get("Envelope")
    except (orjson.JSONDecodeError, AttributeError):
        envelope = None
    if not isinstance(envelope, dict):
        if is_http_target(target_uri(record.headers.get("WARC-Target-URI"))):
            context.count_read(row_number)
            reason = TRUNCATED_RECORD if cut else BAD_JSON
            detail = f"payload has {len(body)} of {record.content_length} declared bytes" if cut else (
                "the JSON does not parse or has no Envelope object")
            context.rows.add_error(row_number, reason, detail, str(record.headers))
        else:
            context.records_other += 1
        return
    warc_headers = envelope.get("WARC-Header-Metadata")
    payload_meta = envelope.get("Payload-Metadata")
    if not isinstance(warc_headers, dict) or not isinstance(payload_meta, dict):
        warc_headers, payload_meta = _dict(warc_headers), _dict(payload_meta)
    warc_type = warc_headers.get("WARC-Type")
    url = target_uri(_text(warc_headers.get("WARC-Target-URI")))
    if warc_type not in _CAPTURES or not is_http_target(url):
        context.records_other += 1
        if warc_type == "warcinfo" and not context.fields_known:
            info = _dict(payload_meta.get("WARC-Info-Metadata"))
            context.note_warcinfo_fields("\n".join(f"{k}: {v}" for k, v in info.items() if isinstance(v, str)))
            context.note_file_name(_text(warc_headers.get("WARC-Filename")))
        return
    context.count_read(row_number)
    response = payload_meta.get("HTTP-Response-Metadata")
    status: int | None = None
    http_headers: dict[str, str] = {}
    html_meta: dict[str, Any] | None = None
    if isinstance(response, dict):
        status = http_status(_dict(response.get("Response-Message")).get("Status"))
        http_headers = {k.lower(): v for k, v in _dict(response.get("Headers")).items() if isinstance(v, str)}
        html_meta = _dict(response.get("HTML-Metadata"))
    if warc_type == "response" and status is None:
        context.rows.add_error(row_number, BAD_HTTP_HEADERS, "the envelope has no parseable HTTP status",
                               str(record.headers) + orjson.dumps(warc_headers).decode())
        return
    generation = context.wat_generator or (record.headers.get("WARC-Date") or "").replace("-", "")[:8]
    _page(context, row_number, warc_type, url, warc_headers, status, http_headers, html_meta,
          legacy_entities=generation < _ENTITY_DECODING_SINCE, rel_unknown=generation < _REL_SINCE)


def _page(
    context: Context,
    row_number: int,
    warc_type: str,
    url: str,
    warc_headers: dict[str, Any],
    status: int | None,
    http_headers: dict[str, str],
    html_meta: dict[str, Any] | None,
    *,
    legacy_entities: bool,
    rel_unknown: bool,
) -> None:
    page = Page(
        row_number=row_number,
        url=url,
        fetched_at=warc_date(_text(warc_headers.get("WARC-Date"))),
        record_type="metadata",
        http_status=status,
        ip=_text(warc_headers.get("WARC-IP-Address")) or None,
        digest=_text(warc_headers.get("WARC-Payload-Digest")) or None,
        content_type=http.media_type(http_headers.get("content-type")),
    )
    targets: list[str] = []
    anchors: list[str | None] = []
    codes: list[int] = []
    paths: list[str | None] = []
    resolve = Resolver(url)
    if "x-robots-tag" in http_headers:
        page.robots_noindex, page.robots_nofollow = http.robots_directives(http_headers["x-robots-tag"])
    if status is not None and 300 <= status < 400 and (location := http_headers.get("location")):
        page.redirect = resolve(location)
        if page.redirect:
            targets.append(page.redirect)
            anchors.append(None)
            codes.append(REDIRECT)
            paths.append(None)
    linked = http.link_header_canonical([http_headers["link"]]) if "link" in http_headers else None
    page.canonical = resolve(linked) if linked else None
    if page.canonical:
        targets.append(page.canonical)
        anchors.append(None)
        codes.append(CANONICAL)
        paths.append(None)
    if html_meta and warc_type != "revisit" and (status is None or 200 <= status < 300):
        head = _dict(html_meta.get("Head"))
        nofollow = bool(page.robots_nofollow)
        page.robots_noindex, page.robots_nofollow = _meta_robots(head.get("Metas"), bool(page.robots_noindex),
                                                                 nofollow)
        nofollow = bool(page.robots_nofollow)
        base = _text(head.get("Base"))
        if base and (based := resolve(_unescape(base) if legacy_entities else base)):
            resolve = Resolver(based)
        found = _canonical(head.get("Link"))
        if found is not None:
            canonical = resolve(_unescape(found[0]) if legacy_entities else found[0])
            if canonical and canonical != page.canonical:
                page.canonical = page.canonical or canonical
                targets.append(canonical)
                anchors.append(None)
                codes.append(CANONICAL)
                paths.append(found[1])
        link_bits = (NOFOLLOW if nofollow else 0) | (REL_UNKNOWN if rel_unknown else 0)
        links = html_meta.get("Links")
        if isinstance(links, list):
            _hyperlinks(links, resolve, legacy_entities, link_bits, rel_unknown, context,
                        targets, anchors, codes, paths)
    context.rows.add_page(page, targets, anchors, codes, paths)


def _meta_robots(metas: Any, noindex: bool, nofollow: bool) -> tuple[bool, bool]:
    """(noindex, nofollow) after the `Head.Metas` entries named robots."""
    for meta in metas if isinstance(metas, list) else ():
        name = meta.get("name") if isinstance(meta, dict) else None
        if isinstance(name, str) and name.strip().lower() == "robots":
            meta_noindex, meta_nofollow = http.robots_directives(_text(meta.get("content")))
            noindex |= meta_noindex
            nofollow |= meta_nofollow
    return noindex, nofollow


def _canonical(tags: Any) -> tuple[str, str | None] | None:
    """(url, path) of the first `Head.Link` entry with rel canonical."""
    for tag in tags if isinstance(tags, list) else ():
        if not isinstance(tag, dict):
            continue
        rel, href = tag.get("rel"), tag.get("url")
        if isinstance(rel, str) and isinstance(href, str) and href and "canonical" in rel.lower().split():
            return href, _text(tag.get("path"))
    return None


def _hyperlinks(
    links: list[Any],
    resolve: Resolver,
    legacy_entities: bool,
    link_bits: int,
    rel_unknown: bool,
    context: Context,
    targets: list[str],
    anchors: list[str | None],
    codes: list[int],
    paths: list[str | None],
) -> None:
    """The A and AREA entries of `HTML-Metadata.Links`, appended to the parallel lists."""
    rel_cache = context.caches.rel_bits
    root = resolve.root
    image_alt: Any = None  # alt of an IMG@/src entry right before this one ("" when it has none)
    for link in links:
        if not isinstance(link, dict):
            image_alt = None
            continue
        path = link.get("path")
        if path == _IMG:
            image_alt = link.get("alt") or ""
            continue
        if path not in _HYPERLINK_PATHS:
            image_alt = None
            continue
        href = link.get("url")
        if not isinstance(href, str) or not href:
            image_alt = None
            continue
        if legacy_entities and "&" in href:
            href = _unescape(href)
        target: str | None
        if root and is_root_relative(href):
            target = root + href
        else:
            target = resolve(href)
            if target is None:
                image_alt = None
                continue
        code = link_bits
        rel = link.get("rel")
        if rel and not rel_unknown and isinstance(rel, str):
            bits = rel_cache.get(rel)
            code |= rel_bits(rel, rel_cache) if bits is None else bits
        anchor: str | None = None
        if path == _A:
            text = link.get("text")
            if text and isinstance(text, str):
                anchor = " ".join((_unescape(text) if legacy_entities and "&" in text else text).split())
            if not anchor and image_alt is not None:
                anchor = _collapsed(image_alt, legacy_entities)
                code |= IMAGE
            elif anchor is None:
                anchor = ""
        else:
            code |= IMAGE
        targets.append(target)
        anchors.append(anchor)
        codes.append(code)
        paths.append(path)
        image_alt = None


def _collapsed(value: Any, legacy_entities: bool) -> str:
    """An alt text from the JSON, decoded when the writer left references, whitespace collapsed."""
    if not isinstance(value, str):
        return ""
    return " ".join((_unescape(value) if legacy_entities else value).split())
