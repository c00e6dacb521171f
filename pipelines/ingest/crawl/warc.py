"""One WARC capture record (response, revisit or resource with an http(s) target) into a page row and links.

- response: the HTTP status line and headers must parse (else a `bad_http_headers` error row). A 3xx with a
  Location gives one redirect link; an HTTP `Link: <...>; rel=canonical` and the HTML's `<link
  rel=canonical>` give a canonical link (the header's first, as it comes first). Hyperlinks are read from
  2xx HTML payloads only: a 3xx body is not shown by browsers, and a 4xx/5xx page is evidence that the
  page's links are gone, not that they are live.
- revisit: a page row with the status and type of the revisit's own HTTP headers when it has them, no links.
- resource: the payload is the resource itself (no HTTP): its WARC Content-Type, no status; HTML is read.
- Payloads are de-chunked (Transfer-Encoding: chunked) and decoded (Content-Encoding gzip, deflate, br)
  when their bytes are actually so encoded. A payload shorter than declared means the archive ends inside
  the record: the record becomes a `truncated_record` error row.
- robots_noindex/robots_nofollow: meta robots and X-Robots-Tag for HTML that was read; for any other
  capture, the X-Robots-Tag header when there is one, else null.
"""

from __future__ import annotations

from fastwarc.warc import WarcRecord

from pipelines.ingest.crawl import html
from pipelines.ingest.crawl import payload as http
from pipelines.ingest.crawl.codes import CANONICAL, REDIRECT
from pipelines.ingest.crawl.records import BAD_HTTP_HEADERS, TRUNCATED_RECORD, Context, http_status, warc_date
from pipelines.ingest.crawl.resolve import Resolver
from pipelines.ingest.crawl.rows import Page


def raw_headers(record: WarcRecord) -> str:
    """The record's WARC header block and, when parsed, its HTTP header block: the quarantine's raw text."""
    text = str(record.headers)
    if record.is_http_parsed:
        text += str(record.http_headers)
    return text


def read_capture(record: WarcRecord, row_number: int, record_type: str, url: str, context: Context) -> None:
    """Append the page row and links of one capture record, or its error row."""
    headers = record.headers
    status: int | None = None
    mime: str | None = None
    charset: str | None = None
    http_headers = None
    if record_type != "resource" and (record_type == "response" or record.content_length > 0):
        record.is_http = True  # some writers omit or misstate the application/http Content-Type
        try:
            record.parse_http()
        except OSError as exc:
            context.rows.add_error(row_number, BAD_HTTP_HEADERS, f"HTTP header block does not parse: {exc}",
                                   raw_headers(record))
            return
        http_headers = record.http_headers
        status = http_status(http_headers.status_code)
        if status is None:
            context.rows.add_error(
                row_number, BAD_HTTP_HEADERS,
                f"HTTP status line does not parse: {http_headers.status_line!r}", raw_headers(record)
            )
            return
        mime = http.media_type(record.http_content_type)
        charset = record.http_charset
    elif record_type == "resource":
        mime = http.media_type(headers.get("Content-Type"))
        charset = _charset_param(headers.get("Content-Type"))

    page = Page(
        row_number=row_number,
        url=url,
        fetched_at=warc_date(headers.get("WARC-Date")),
        record_type=record_type,
        http_status=status,
        ip=headers.get("WARC-IP-Address") or None,
        digest=headers.get("WARC-Payload-Digest") or None,
        content_type=mime,
    )
    # Page-level links first (redirect, then each distinct canonical), then the hyperlinks in document order.
    targets: list[str] = []
    anchors: list[str | None] = []
    codes: list[int] = []
    header_nofollow = False
    if http_headers is not None:
        robots = http_headers.get_multiple("X-Robots-Tag")
        if robots:
            page.robots_noindex, header_nofollow = http.robots_directives(",".join(robots))
            page.robots_nofollow = header_nofollow
        if status is not None and 300 <= status < 400 and (location := http_headers.get("Location")):
            page.redirect = Resolver(url)(location)
            if page.redirect:
                targets.append(page.redirect)
                anchors.append(None)
                codes.append(REDIRECT)
        linked = http.link_header_canonical(http_headers.get_multiple("Link"))
        page.canonical = Resolver(url)(linked) if linked else None
        if page.canonical:
            targets.append(page.canonical)
            anchors.append(None)
            codes.append(CANONICAL)
    found = None
    if record_type != "revisit" and (status is None or 200 <= status < 300) and http.may_be_html(mime):
        body = record.reader.read()
        if len(body) < record.content_length:
            context.truncated = True
            context.rows.add_error(
                row_number, TRUNCATED_RECORD,
                f"payload has {len(body)} of {record.content_length} declared bytes", raw_headers(record)
            )
            return
        if http_headers is not None:
            if "chunked" in (http_headers.get("Transfer-Encoding") or "").lower():
                body = http.dechunk(body)
            body = http.decode_content(body, http_headers.get("Content-Encoding"))
        if http.is_html(mime, body):
            found = html.extract(body, url, charset, header_nofollow, context.caches)
    if found is not None:
        page.robots_noindex = bool(page.robots_noindex) or found.robots_noindex
        page.robots_nofollow = found.robots_nofollow
        if found.canonical and found.canonical != page.canonical:
            page.canonical = page.canonical or found.canonical
            targets.append(found.canonical)
            anchors.append(None)
            codes.append(CANONICAL)
        targets += found.targets
        anchors += found.anchors
        codes += found.codes
    context.rows.add_page(page, targets, anchors, codes)


def _charset_param(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None
