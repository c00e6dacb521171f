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

Reading: msgspec decodes the few envelope fields used here and skips the rest; the `Links` array, most of a
record, is handed as raw JSON to the compiled `watlinks` kernel (native/), which keeps only the hyperlinks'
url, text, rel and the preceding image's alt as column buffers, with no Python object per link; they are
resolved a batch of pages at a time (hyperlinks.py). A record whose JSON does not parse, or holds invalid
UTF-8 or a lone surrogate escape in a value that is read, is a `bad_json` error row; a value that is skipped
(outside the envelope fields and the Links array) is not validated. An `HTML-Metadata` object, even an
empty one, means the page was parsed as HTML: its robots flags are then known (false unless set).
"""

from __future__ import annotations

import re
from typing import Any, Final

import msgspec
import orjson
from fastwarc.warc import WarcRecord

from pipelines.ingest.crawl import payload as http
from pipelines.ingest.crawl.codes import CANONICAL, NOFOLLOW, REDIRECT, REL_UNKNOWN
from pipelines.ingest.crawl.hyperlinks import PageLinks, unescape
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
from pipelines.ingest.crawl.resolve import Resolver
from pipelines.ingest.crawl.rows import Page

_ENTITY_DECODING_SINCE: Final = "20190619"
_REL_SINCE: Final = "20170823"
_CAPTURES: Final = frozenset({"response", "revisit", "resource"})
_GENERATOR: Final = re.compile(r"ia-web-commons[^\s]*?-(\d{8,14})")
# ia-web-commons writes compact JSON; a key with another spacing just takes the parsing path.
_TYPE_KEY: Final = b'"WARC-Type":"'
_RESPONSE_KEY: Final = b'"WARC-Type":"response"'
_REVISIT_KEY: Final = b'"WARC-Type":"revisit"'
_RESOURCE_KEY: Final = b'"WARC-Type":"resource"'
_WARCINFO_KEY: Final = b'"WARC-Type":"warcinfo"'
_JSON_SPACE: Final = b" \t\r\n"


# The record's JSON as far as linkindex reads it. Links stay raw JSON for the watlinks kernel; everything
# else is small and read leniently (Any), as in the dict path below, which takes over when the JSON has
# another shape than this (a ValidationError), so that both give the same rows.
class _Html(msgspec.Struct, gc=False):
    Head: Any = None
    Links: msgspec.Raw = msgspec.Raw(b"")


class _Response(msgspec.Struct, gc=False, rename={"message": "Response-Message", "html": "HTML-Metadata"}):
    message: Any = None
    Headers: Any = None
    html: _Html | None = None


class _Payload(msgspec.Struct, gc=False, rename={"response": "HTTP-Response-Metadata", "info": "WARC-Info-Metadata"}):
    response: _Response | None = None
    info: Any = None


class _Envelope(msgspec.Struct, gc=False, rename={"warc": "WARC-Header-Metadata", "payload": "Payload-Metadata"}):
    warc: Any = None
    payload: _Payload | None = None


class _Record(msgspec.Struct, gc=False):
    Envelope: _Envelope | None = None


_DECODER: Final = msgspec.json.Decoder(_Record)


class _Capture(msgspec.Struct, gc=False):
    """What the rows need from one WAT record, from either path."""

    warc: dict[str, Any]
    info: dict[str, Any]
    response: bool  # HTTP-Response-Metadata is an object
    status: Any
    headers: dict[str, Any]
    html: bool  # HTML-Metadata is an object: the page was parsed as HTML
    head: dict[str, Any]
    links: bytes | None  # the JSON of an HTML-Metadata.Links array


def note_warcinfo(text: str, context: Context) -> None:
    """The WAT's own warcinfo: its writer's build stamp dates the JSON generation."""
    found = _GENERATOR.search(text)
    if found and context.wat_generator is None:
        context.wat_generator = found.group(1)[:8]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _decode(body: bytes) -> _Capture | None:
    """The record's fields, or None when the JSON does not parse or has no Envelope object."""
    try:
        record = _DECODER.decode(body)
    except msgspec.ValidationError:
        return _decode_dicts(body)
    except (msgspec.DecodeError, UnicodeDecodeError):  # the latter: bad UTF-8 in a string msgspec decodes
        return None
    envelope = record.Envelope
    if envelope is None:
        return None
    payload = envelope.payload
    response = payload.response if payload is not None else None
    html = response.html if response is not None else None
    links = bytes(html.Links) if html is not None else b""
    return _Capture(
        warc=_dict(envelope.warc),
        info=_dict(payload.info) if payload is not None else {},
        response=response is not None,
        status=_dict(response.message).get("Status") if response is not None else None,
        headers=_dict(response.Headers) if response is not None else {},
        html=html is not None,
        head=_dict(html.Head) if html is not None else {},
        links=links if links.lstrip(_JSON_SPACE)[:1] == b"[" else None,
    )


def _decode_dicts(body: bytes) -> _Capture | None:
    """`_decode` for JSON of another shape, read through plain dicts."""
    try:
        envelope = orjson.loads(body).get("Envelope")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    if not isinstance(envelope, dict):
        return None
    payload = _dict(envelope.get("Payload-Metadata"))
    response = payload.get("HTTP-Response-Metadata")
    html = response.get("HTML-Metadata") if isinstance(response, dict) else None
    links = html.get("Links") if isinstance(html, dict) else None
    return _Capture(
        warc=_dict(envelope.get("WARC-Header-Metadata")),
        info=_dict(payload.get("WARC-Info-Metadata")),
        response=isinstance(response, dict),
        status=_dict(response.get("Response-Message")).get("Status") if isinstance(response, dict) else None,
        headers=_dict(response.get("Headers")) if isinstance(response, dict) else {},
        html=isinstance(html, dict),
        head=_dict(html.get("Head")) if isinstance(html, dict) else {},
        links=orjson.dumps(links) if isinstance(links, list) else None,
    )


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
    capture = _decode(body)
    if capture is None:
        if is_http_target(target_uri(record.headers.get("WARC-Target-URI"))):
            context.count_read(row_number)
            reason = TRUNCATED_RECORD if cut else BAD_JSON
            detail = f"payload has {len(body)} of {record.content_length} declared bytes" if cut else (
                "the JSON does not parse or has no Envelope object")
            context.rows.add_error(row_number, reason, detail, str(record.headers))
        else:
            context.records_other += 1
        return
    warc_type = capture.warc.get("WARC-Type")
    url = target_uri(_text(capture.warc.get("WARC-Target-URI")))
    if warc_type not in _CAPTURES or not is_http_target(url):
        context.records_other += 1
        if warc_type == "warcinfo" and not context.fields_known:
            context.note_warcinfo_fields("\n".join(f"{k}: {v}" for k, v in capture.info.items() if isinstance(v, str)))
            context.note_file_name(_text(capture.warc.get("WARC-Filename")))
        return
    context.count_read(row_number)
    status = http_status(capture.status) if capture.response else None
    if warc_type == "response" and status is None:
        context.rows.add_error(row_number, BAD_HTTP_HEADERS, "the envelope has no parseable HTTP status",
                               str(record.headers) + orjson.dumps(capture.warc).decode())
        return
    generation = context.wat_generator or (record.headers.get("WARC-Date") or "").replace("-", "")[:8]
    try:
        _page(context, row_number, warc_type, url, capture, status,
              legacy_entities=generation < _ENTITY_DECODING_SINCE, rel_unknown=generation < _REL_SINCE)
    except ValueError as exc:  # the watlinks kernel refused the Links JSON: nothing of the page was added
        context.rows.add_error(row_number, TRUNCATED_RECORD if cut else BAD_JSON, f"HTML-Metadata.Links: {exc}",
                               str(record.headers))


def _page(
    context: Context,
    row_number: int,
    warc_type: str,
    url: str,
    capture: _Capture,
    status: int | None,
    *,
    legacy_entities: bool,
    rel_unknown: bool,
) -> None:
    http_headers = {k.lower(): v for k, v in capture.headers.items() if isinstance(v, str)}
    page = Page(
        row_number=row_number,
        url=url,
        fetched_at=warc_date(_text(capture.warc.get("WARC-Date"))),
        record_type="metadata",
        http_status=status,
        ip=_text(capture.warc.get("WARC-IP-Address")) or None,
        digest=_text(capture.warc.get("WARC-Payload-Digest")) or None,
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
    links: PageLinks | None = None
    if capture.html and warc_type != "revisit" and (status is None or 200 <= status < 300):
        head = capture.head
        page.robots_noindex, page.robots_nofollow = _meta_robots(head.get("Metas"), bool(page.robots_noindex),
                                                                 bool(page.robots_nofollow))
        base = _text(head.get("Base"))
        if base and (based := resolve(unescape(base) if legacy_entities else base)):
            resolve = Resolver(based)
        found = _canonical(head.get("Link"))
        if found is not None:
            canonical = resolve(unescape(found[0]) if legacy_entities else found[0])
            if canonical and canonical != page.canonical:
                page.canonical = page.canonical or canonical
                targets.append(canonical)
                anchors.append(None)
                codes.append(CANONICAL)
                paths.append(found[1])
        if capture.links is not None:
            bits = (NOFOLLOW if page.robots_nofollow else 0) | (REL_UNKNOWN if rel_unknown else 0)
            links = PageLinks(root=resolve.root.encode(), scheme=resolve.scheme.encode(),
                              directory=resolve.directory.encode(), base=resolve.base, bits=bits,
                              legacy_entities=legacy_entities, rel_unknown=rel_unknown)
    context.rows.add_page(page, targets, anchors, codes, paths, wat_links=capture.links if links else None,
                          wat_page=links)


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
