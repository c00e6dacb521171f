"""WAT records in the current ia-web-commons layout (keys and paths as ExtractingParseObserver writes them),
built in memory, and the writer-generation rules: entity decoding before 2019, rel only from 2017."""

from __future__ import annotations

import json
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest.crawl import read_archive, wat
from tests.crawl import build
from tests.crawl.checks import check

PAGE = "https://www.example.org/blog/post"


def wat_info(stamp: str) -> bytes:
    fields = f"Software-Info: ia-web-commons.1.1.10-SNAPSHOT-{stamp}\r\nExtracted-Date: Fri, 31 May 2024\r\n"
    return build.record("warcinfo", None, fields.encode(), content_type="application/warc-fields",
                        extra=[("WARC-Filename", "CC-MAIN-20240517233122-20240518023122-00000.warc.wat.gz")])


def envelope(warc_type: str, url: str, response: dict[str, Any] | None = None, **payload: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"Actual-Content-Type": f"application/http; msgtype={warc_type}", **payload}
    if response is not None:
        meta["HTTP-Response-Metadata"] = response
    return {"Container": {"Filename": "CC-MAIN-20240517233122-20240518023122-00000.warc.gz", "Compressed": True},
            "Envelope": {"Format": "WARC/1.0", "WARC-Header-Length": "600",
                         "WARC-Header-Metadata": {"WARC-Type": warc_type, "WARC-Date": "2024-05-18T01:58:11Z",
                                                  "WARC-Target-URI": url, "WARC-IP-Address": "198.51.100.7",
                                                  "WARC-Payload-Digest": "sha1:ABCDEF"},
                         "Payload-Metadata": meta}}


def wat_record(doc: dict[str, Any] | bytes, url: str = PAGE) -> bytes:
    block = doc if isinstance(doc, bytes) else orjson.dumps(doc)
    return build.record("metadata", url, block, content_type="application/json",
                        date="2024-05-31T01:17:49Z", extra=[("WARC-Refers-To", "<urn:uuid:x>")])


def response(status: str = "200", headers: dict[str, str] | None = None, html: dict[str, Any] | None = None
             ) -> dict[str, Any]:
    doc: dict[str, Any] = {"Response-Message": {"Version": "HTTP/1.1", "Status": status, "Reason": "OK"},
                           "Headers": headers if headers is not None else {"Content-Type": "text/html; charset=UTF-8"},
                           "Headers-Length": "200", "Entity-Length": "5000"}
    if html is not None:
        doc["HTML-Metadata"] = html
    return doc


HTML = {
    "Head": {"Title": "A post", "Base": "https://www.example.org/blog/",
             "Metas": [{"name": "viewport", "content": "width=device-width"}],
             "Link": [{"path": "LINK@/href", "url": "style.css", "rel": "stylesheet", "type": "text/css"},
                      {"path": "LINK@/href", "url": "/blog/post?utm_source=x", "rel": "canonical"}],
             "Scripts": [{"path": "SCRIPT@/src", "url": "app.js", "type": "text/javascript"}]},
    "Links": [
        {"path": "A@/href", "url": "other-post", "text": "Another  post"},
        {"path": "IMG@/src", "url": "/img/logo.png", "alt": "Example logo"},
        {"path": "A@/href", "url": "/"},
        {"path": "A@/href", "url": "https://partner.example.com/", "text": "Partner", "rel": "sponsored nofollow"},
        {"path": "A@/href", "url": "https://forum.example.net/t/1", "text": "Forum", "rel": "UGC"},
        {"path": "A@/href", "url": "?a=1&amp;b=2", "text": "Fish &amp; chips"},
        {"path": "AREA@/href", "url": "/map/north", "rel": "nofollow"},
        {"path": "A@/href", "url": "#comments", "text": "Comments"},
        {"path": "A@/href", "url": "javascript:void(0)", "text": "Menu"},
        {"path": "A@/href", "url": "mailto:me@example.org", "text": "Mail"},
        {"path": "FORM@/action", "url": "/search", "method": "get"},
        {"path": "IFRAME@/src", "url": "https://video.example.com/embed/1"},
        {"path": "STYLE/#text", "href": "bg.png"},
        {"path": "IMG@/src", "url": "/img/alone.png", "alt": "alone"},
        {"path": "A@/href", "url": "/after-alone", "text": "After"},
    ],
}


def read(*records: bytes) -> Any:
    result = read_archive(build.archive(*records, gzip_members=True), "test.warc.wat.gz")
    check(result)
    assert result.report == "wat"
    return result


def test_current_layout() -> None:
    result = read(wat_info("20240513074037"), wat_record(envelope("response", PAGE, response(html=HTML))))
    assert (result.records_read, result.records_other, result.source_system) == (1, 1, "commoncrawl")
    page = result.pages.to_pylist()[0]
    assert {k: page[k] for k in ("row_number", "url_raw", "record_type", "http_status", "ip", "content_digest",
                                 "content_type", "robots_noindex", "robots_nofollow", "canonical_url_raw")} == {
        "row_number": 2, "url_raw": PAGE, "record_type": "metadata", "http_status": 200, "ip": "198.51.100.7",
        "content_digest": "sha1:ABCDEF", "content_type": "text/html", "robots_noindex": False,
        "robots_nofollow": False, "canonical_url_raw": "https://www.example.org/blog/post?utm_source=x"}
    assert str(page["fetched_at"]) == "2024-05-18 01:58:11"  # the capture's date, not the WAT's
    rows = [(r["target_url_raw"], r["anchor_raw"], r["link_type"], r["nofollow"], r["ugc"], r["sponsored"],
             r["metrics"], r["placement"]) for r in result.links.to_pylist()]
    assert rows == [
        ("https://www.example.org/blog/post?utm_source=x", None, "canonical", False, False, False,
         [("path", "LINK@/href")], None),
        ("https://www.example.org/blog/other-post", "Another post", "text", False, False, False,
         [("path", "A@/href")], None),
        ("https://www.example.org/", "Example logo", "image", False, False, False, [("path", "A@/href")], None),
        ("https://partner.example.com/", "Partner", "text", True, False, True, [("path", "A@/href")], None),
        ("https://forum.example.net/t/1", "Forum", "text", False, True, False, [("path", "A@/href")], None),
        # Since 2019 the writer decodes references itself: a "&amp;" left in the JSON was "&amp;amp;".
        ("https://www.example.org/blog/?a=1&amp;b=2", "Fish &amp; chips", "text", False, False, False,
         [("path", "A@/href")], None),
        ("https://www.example.org/map/north", None, "image", True, False, False, [("path", "AREA@/href")], None),
        ("https://www.example.org/after-alone", "After", "text", False, False, False, [("path", "A@/href")], None),
    ]


def test_robots_redirects_and_header_canonical() -> None:
    robots = dict(HTML, Head={"Metas": [{"name": "Robots", "content": "noindex,nofollow"}]},
                  Links=[{"path": "A@/href", "url": "/a", "text": "a"}])
    moved = response("301", {"location": "/new", "content-type": "text/html",
                             "Link": '<https://www.example.org/canon>; rel="canonical"'})
    tagged = response(headers={"Content-Type": "application/pdf", "X-Robots-Tag": "noindex"})
    result = read(wat_info("20240513074037"),
                  wat_record(envelope("response", PAGE, response(html=robots))),
                  wat_record(envelope("response", "http://www.example.org/old", moved)),
                  wat_record(envelope("response", "https://www.example.org/doc.pdf", tagged)))
    pages = result.pages.to_pylist()
    assert [(p["robots_noindex"], p["robots_nofollow"], p["redirect_url_raw"], p["canonical_url_raw"])
            for p in pages] == [(True, True, None, None),
                                (None, None, "http://www.example.org/new", "https://www.example.org/canon"),
                                (True, False, None, None)]
    links = [(r["source_url_raw"], r["target_url_raw"], r["link_type"], r["nofollow"])
             for r in result.links.to_pylist()]
    assert links == [(PAGE, "https://www.example.org/a", "text", True),
                     ("http://www.example.org/old", "http://www.example.org/new", "redirect", False),
                     ("http://www.example.org/old", "https://www.example.org/canon", "canonical", False)]


def test_legacy_writer_decodes_entities_and_knows_no_rel() -> None:
    html = {"Head": {"Metas": [{"name": "robots", "content": "nofollow"}]},
            "Links": [{"path": "A@/href", "url": "/p?a=1&amp;b=2&copy=3", "text": "&lt; Back &amp; forth"}]}
    plain = {"Links": [{"path": "A@/href", "url": "/q", "text": "q", "rel": "nofollow"}]}
    result = read(wat_info("20160301000000"),
                  wat_record(envelope("response", PAGE, response(html=html))),
                  wat_record(envelope("response", PAGE + "2", response(html=plain))))
    rows = [(r["target_url_raw"], r["anchor_raw"], r["nofollow"], r["ugc"], r["sponsored"])
            for r in result.links.to_pylist()]
    assert rows == [
        # Page-level nofollow is known even without rel; "&copy=" is no complete reference and stays.
        ("https://www.example.org/p?a=1&b=2&copy=3", "< Back & forth", True, None, None),
        ("https://www.example.org/q", "q", None, None, None),
    ]


def test_generation_from_record_date_without_software_info() -> None:
    html = {"Links": [{"path": "A@/href", "url": "/x?a&amp;b", "text": "x", "rel": "nofollow"}]}
    result = read(wat_record(envelope("response", PAGE, response(html=html))))  # WAT record dated 2024
    assert result.links.to_pylist()[0]["target_url_raw"] == "https://www.example.org/x?a&amp;b"
    assert result.links.to_pylist()[0]["nofollow"] is True


def test_other_envelopes_and_broken_records() -> None:
    info = {"Envelope": {"WARC-Header-Metadata": {"WARC-Type": "warcinfo"},
                         "Payload-Metadata": {"WARC-Info-Metadata": {"isPartOf": "CC-MAIN-2024-22",
                                                                     "operator": "Common Crawl Admin"}}}}
    records = [
        wat_info("20240513074037"),
        wat_record(info, url="CC-MAIN-20240517233122-20240518023122-00000.warc.gz"),
        wat_record(envelope("request", PAGE)),
        wat_record(envelope("metadata", PAGE)),
        wat_record(envelope("response", "dns:example.org", response())),
        wat_record(envelope("response", PAGE, {"Headers": {}})),  # no status
        wat_record(b'{"Envelope": {"WARC-Header-Metadata": '),  # cut JSON
        wat_record(b"[1, 2, 3]"),
        wat_record(envelope("revisit", PAGE)),
        wat_record(envelope("response", PAGE, response("200 OK"))),  # not a number
    ]
    result = read(*records)
    assert (result.records_read, result.records_other, result.crawl_id) == (5, 5, "CC-MAIN-2024-22")
    assert result.errors.select(["row_number", "reason"]).to_pylist() == [
        {"row_number": 6, "reason": "bad_http_headers"}, {"row_number": 7, "reason": "bad_json"},
        {"row_number": 8, "reason": "bad_json"}, {"row_number": 10, "reason": "bad_http_headers"}]
    assert result.pages.select(["row_number", "http_status", "links"]).to_pylist() == [
        {"row_number": 9, "http_status": None, "links": 0}]


def test_cut_wat_record() -> None:
    whole = wat_record(envelope("response", PAGE, response(html=HTML)))
    data = build.archive(wat_info("20240513074037"), whole, gzip_members=True)
    result = read_archive(data[: len(data) - 200], "cut.warc.wat.gz")
    check(result)
    assert result.truncated
    assert result.errors.select(["row_number", "reason"]).to_pylist() == [
        {"row_number": 2, "reason": "truncated_record"}]


def test_json_layout_does_not_decide() -> None:
    """Envelopes are skipped unparsed only when their compact JSON names a non-capture type: spaced JSON, or
    a capture whose HTTP headers carry a "WARC-Type" of their own, is parsed and read."""
    spaced = json.dumps(envelope("response", PAGE, response(html={"Links": [{"path": "A@/href", "url": "/s"}]})))
    faked = envelope("response", PAGE, response(headers={"WARC-Type": "request", "Content-Type": "text/html"},
                                                 html={"Links": [{"path": "A@/href", "url": "/f"}]}))
    result = read(wat_info("20240513074037"), wat_record(spaced.encode()), wat_record(faked),
                  wat_record(json.dumps(envelope("request", PAGE)).encode()))
    assert (result.records_read, result.records_other) == (2, 2)
    assert result.links["target_url_raw"].to_pylist() == ["https://www.example.org/s", "https://www.example.org/f"]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_both_readings_of_a_record_agree(data: st.DataObject) -> None:
    """msgspec reads the expected shape; any other shape falls back on plain dicts: the two must give the same
    fields for every record, whatever value sits where an object is expected."""
    doc = envelope("response", PAGE, response(html=HTML))
    paths = [("Envelope",), ("Envelope", "WARC-Header-Metadata"), ("Envelope", "Payload-Metadata"),
             ("Envelope", "Payload-Metadata", "HTTP-Response-Metadata"),
             ("Envelope", "Payload-Metadata", "HTTP-Response-Metadata", "Headers"),
             ("Envelope", "Payload-Metadata", "HTTP-Response-Metadata", "Response-Message"),
             ("Envelope", "Payload-Metadata", "HTTP-Response-Metadata", "HTML-Metadata"),
             ("Envelope", "Payload-Metadata", "HTTP-Response-Metadata", "HTML-Metadata", "Head"),
             ("Envelope", "Payload-Metadata", "HTTP-Response-Metadata", "HTML-Metadata", "Links")]
    for path in data.draw(st.lists(st.sampled_from(paths), max_size=3, unique=True)):
        node = doc
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node[path[-1]] = data.draw(JSON_VALUES)
    body = orjson.dumps(doc)
    fast, plain = wat._decode(body), wat._decode_dicts(body)
    assert (fast is None) == (plain is None)
    if fast is not None and plain is not None:
        assert (fast.links is None and plain.links is None) or orjson.loads(fast.links) == orjson.loads(plain.links)
        fast.links = plain.links = None
        assert fast == plain


def test_links_the_kernel_refuses_make_a_bad_json_row() -> None:
    """Invalid UTF-8 in a Links value (msgspec skips the array unchecked; the kernel checks it): orjson refuses
    the record, and so does the reader, naming the byte; the next record is read."""
    good = orjson.dumps(envelope("response", PAGE, response(html={"Links": [{"path": "A@/href", "url": "/ok"}]})))
    bad = good.replace(b'"url":"/ok"', b'"url":"/\xff"')
    result = read(wat_info("20240513074037"), wat_record(bad), wat_record(good))
    assert result.errors.select(["row_number", "reason"]).to_pylist() == [{"row_number": 2, "reason": "bad_json"}]
    assert "HTML-Metadata.Links" in result.errors["detail"][0].as_py()
    assert result.links["target_url_raw"].to_pylist() == ["https://www.example.org/ok"]
