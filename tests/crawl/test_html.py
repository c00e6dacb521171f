"""Links from hand-written HTML pages in hand-built WARC records: placement, anchors, rel, robots, canonical,
redirects, base URLs, skipped hrefs and charsets."""

from __future__ import annotations

from typing import Any

import pytest

from pipelines.ingest.crawl import read_archive
from pipelines.ingest.crawl.placement import ASIDE, FOOTER, HEADER, NAV, words_placement
from tests.crawl import build
from tests.crawl.checks import check

URL = "http://example.com/dir/page.html"


def read(html: str | bytes, *, status: str = "200 OK", headers: list[tuple[str, str]] | None = None,
         url: str = URL) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(page row, link rows) of one HTML capture."""
    result = read_archive(build.archive(build.page(url, html, status=status, headers=headers)), "t.warc")
    check(result)
    assert result.pages.num_rows == 1, result.errors.to_pylist()
    return result.pages.to_pylist()[0], result.links.to_pylist()


def placements(html: str) -> dict[str, str]:
    """Anchor text → placement of every link of a page."""
    return {link["anchor_raw"]: link["placement"] for link in read(html)[1]}


def test_placement_by_tags_and_roles() -> None:
    html = """<html><body>
      <header><a href="/h">site header</a><nav><a href="/n">header nav</a></nav></header>
      <div role="navigation"><a href="/rn">role nav</a></div>
      <main><p><a href="/m">main text</a></p>
        <article><header><a href="/ah">article header</a></header><p><a href="/ab">article body</a></p>
          <footer><a href="/af">article footer</a></footer></article>
        <aside><a href="/as">aside</a></aside></main>
      <div role="complementary"><a href="/rc">role complementary</a></div>
      <div role="banner"><a href="/rb">role banner</a></div>
      <p><a href="/plain">plain</a></p>
      <footer><a href="/f">site footer</a><div role="main"><a href="/fm">main in footer</a></div></footer>
      <div role="contentinfo"><a href="/ci">contentinfo</a></div>
    </body></html>"""
    assert placements(html) == {
        "site header": "header", "header nav": "nav", "role nav": "nav", "main text": "main",
        "article header": "main", "article body": "main", "article footer": "main", "aside": "aside",
        "role complementary": "aside", "role banner": "header", "plain": "main", "site footer": "footer",
        "main in footer": "main", "contentinfo": "footer",
    }


def test_placement_by_class_and_id_words() -> None:
    html = """<body>
      <div id="masthead"><a href="/1">masthead</a></div>
      <div class="site-header"><a href="/2">site-header</a></div>
      <ul class="mainNav"><li><a href="/3">camelCase nav</a></li></ul>
      <div class="breadcrumbs"><a href="/4">crumbs</a></div>
      <div id="sidebar-left"><div class="widget_text"><a href="/5">widget</a></div></div>
      <div class="footer_links"><a href="/6">footer words</a></div>
      <p class="copyright"><a href="/7">copyright</a></p>
      <div class="has-sidebar"><a href="/8">negated</a></div>
      <div class="navigation-wrapper"><div class="content"><a href="/9">nested</a></div></div>
      <div class="header-menu"><a href="/10">nav beats header</a></div>
      <div class="canvas unavailable navy"><a href="/11">no word</a></div>
      <article><div class="entry-header"><a href="/12">entry header</a></div></article>
    </body>"""
    assert placements(html) == {
        "masthead": "header", "site-header": "header", "camelCase nav": "nav", "crumbs": "nav",
        "widget": "aside", "footer words": "footer", "copyright": "footer", "negated": "main", "nested": "nav",
        "nav beats header": "nav", "no word": "main", "entry header": "main",
    }


def test_body_and_html_classes_are_not_read() -> None:
    html = '<html class="nav-open"><body class="page-header-fixed sidebar"><a href="/x">x</a></body></html>'
    assert placements(html) == {"x": "main"}


def test_nearest_ancestor_wins() -> None:
    html = """<body><footer><table class="navigation"><tr><td><a href="/a">footer nav</a></td></tr></table>
      <p><a href="/b">footer text</a></p></footer>
      <nav><main><a href="/c">main in nav</a><div class="sidebar"><a href="/d">sidebar in main</a></div></main></nav>
    </body>"""
    assert placements(html) == {"footer nav": "nav", "footer text": "footer", "main in nav": "main",
                                "sidebar in main": "aside"}


@pytest.mark.parametrize(("value", "expected"), [
    ("nav", NAV), ("navbar navbar-expand", NAV), ("menu-item", NAV), ("pagination", NAV), ("toc", NAV),
    ("widget-area", ASIDE), ("sidebar", ASIDE), ("site-footer", FOOTER), ("colophon", FOOTER),
    ("siteHeader", HEADER), ("masthead", HEADER), ("header footer", FOOTER), ("no-sidebar", 0),
    ("with-header", 0), ("content", 0), ("heading", 0), ("canvas", 0), ("", 0), ("--", 0),
])
def test_words_placement(value: str, expected: int) -> None:
    assert words_placement(value) == expected


def test_anchors_and_image_links() -> None:
    html = """<body>
      <a href="/t">  Some \n\t <b>bold</b>   text </a>
      <a href="/i"><img src="logo.png" alt="  Company   logo "></a>
      <a href="/p"><picture><source srcset="x.webp"><img src="x.png" alt="Picture"></picture></a>
      <a href="/e"><img src="x.png"></a>
      <a href="/both"><img src="x.png" alt="ignored"> Caption</a>
      <a href="/empty"></a>
      <map name="m"><area href="/area" alt="Region  one" shape="rect"></map>
    </body>"""
    rows = [(link["target_url_raw"], link["anchor_raw"], link["link_type"]) for link in read(html)[1]]
    assert rows == [
        ("http://example.com/t", "Some bold text", "text"),
        ("http://example.com/i", "Company logo", "image"),
        ("http://example.com/p", "Picture", "image"),
        ("http://example.com/e", "", "image"),
        ("http://example.com/both", "Caption", "text"),
        ("http://example.com/empty", "", "text"),
        ("http://example.com/area", "Region one", "image"),
    ]


def test_rel_tokens() -> None:
    html = """<body><a href="/a" rel="NoFollow">a</a><a href="/b" rel="ugc nofollow">b</a>
      <a href="/c" rel=" sponsored ">c</a><a href="/d" rel="nofollowing noopener">d</a><a href="/e">e</a></body>"""
    flags = {link["anchor_raw"]: (link["nofollow"], link["ugc"], link["sponsored"]) for link in read(html)[1]}
    assert flags == {"a": (True, False, False), "b": (True, True, False), "c": (False, False, True),
                     "d": (False, False, False), "e": (False, False, False)}


def test_meta_robots_nofollow_makes_every_link_nofollow() -> None:
    html = """<html><head><meta name="ROBOTS" content="NoIndex, NoFollow"></head>
      <body><a href="/a">a</a><a href="/b" rel="ugc">b</a></body></html>"""
    page, links = read(html)
    assert (page["robots_noindex"], page["robots_nofollow"]) == (True, True)
    assert [(link["nofollow"], link["ugc"]) for link in links] == [(True, False), (True, True)]
    page, links = read('<meta name="robots" content="none"><a href="/a">a</a>')
    assert (page["robots_noindex"], page["robots_nofollow"], links[0]["nofollow"]) == (True, True, True)
    page, links = read('<meta name="robots" content="index, follow"><a href="/a">a</a>')
    assert (page["robots_noindex"], page["robots_nofollow"], links[0]["nofollow"]) == (False, False, False)
    page, links = read('<meta name="googlebot" content="nofollow"><a href="/a">a</a>')
    assert links[0]["nofollow"] is False


def test_x_robots_tag_header() -> None:
    page, links = read('<a href="/a">a</a>', headers=[("Content-Type", "text/html"),
                                                      ("X-Robots-Tag", "googlebot: nofollow")])
    assert (page["robots_noindex"], page["robots_nofollow"], links[0]["nofollow"]) == (False, True, True)
    page, _ = read(b"%PDF-1.4", headers=[("Content-Type", "application/pdf"), ("X-Robots-Tag", "noindex")])
    assert (page["content_type"], page["robots_noindex"], page["robots_nofollow"]) == (
        "application/pdf", True, False)
    page, _ = read(b"%PDF-1.4", headers=[("Content-Type", "application/pdf")])
    assert (page["robots_noindex"], page["robots_nofollow"]) == (None, None)


def test_canonical_from_html_and_header() -> None:
    html = '<head><link rel="Canonical" href="/canon"><link rel="canonical" href="/second"></head><a href="/x">x</a>'
    page, links = read(html)
    assert page["canonical_url_raw"] == "http://example.com/canon"
    assert [(link["target_url_raw"], link["link_type"], link["anchor_raw"], link["placement"]) for link in links] == [
        ("http://example.com/canon", "canonical", None, None), ("http://example.com/x", "text", "x", "main")]
    page, links = read("<p>no html canonical</p>", headers=[
        ("Content-Type", "text/html"), ("Link", '<https://cdn.example.com/a.css>; rel=preload, '
                                                '</dir/other>; rel="canonical"')])
    assert page["canonical_url_raw"] == "http://example.com/dir/other"
    assert [(link["target_url_raw"], link["link_type"]) for link in links] == [
        ("http://example.com/dir/other", "canonical")]
    # Both, different: the header's is the page's canonical; each gives one link observation.
    page, links = read('<link rel=canonical href="/html-one">', headers=[
        ("Content-Type", "text/html"), ("Link", "</header-one>; rel=canonical")])
    assert page["canonical_url_raw"] == "http://example.com/header-one"
    assert [link["target_url_raw"] for link in links] == [
        "http://example.com/header-one", "http://example.com/html-one"]


def test_redirects() -> None:
    page, links = read("<a href='/ignored'>moved</a>", status="301 Moved Permanently",
                       headers=[("Location", "../new/place?q=1"), ("Content-Type", "text/html")])
    assert (page["http_status"], page["redirect_url_raw"], page["robots_nofollow"]) == (
        301, "http://example.com/new/place?q=1", None)
    assert [(link["target_url_raw"], link["link_type"], link["nofollow"], link["anchor_raw"]) for link in links] == [
        ("http://example.com/new/place?q=1", "redirect", False, None)]
    page, links = read("", status="302 Found", headers=[("Location", "mailto:x@example.com")])
    assert (page["redirect_url_raw"], links) == (None, [])


def test_error_pages_give_no_links() -> None:
    page, links = read("<nav><a href='/home'>home</a></nav>", status="404 Not Found")
    assert (page["http_status"], page["links"], links, page["robots_noindex"]) == (404, 0, [], None)


def test_base_href_and_resolution() -> None:
    html = """<head><base href="https://static.example.org/base/"></head><body>
      <a href="rel/x.html">relative</a><a href="/root">root</a><a href="//cdn.example.net/p">scheme-relative</a>
      <a href="../up">up</a><a href="?q=1">query</a><a href="HTTP://Other.Example/A">absolute</a>
      <a href=" https://trim.example/ ">spaces</a><a href="/ü space">non-ascii</a>
      <a href="#top">fragment</a><a href="javascript:void(0)">js</a><a href="mailto:a@b.c">mail</a>
      <a href="tel:+123">tel</a><a href="">empty</a><a href="ftp://files.example/">ftp</a>
      <a href="http://[bad">unparseable</a><a>no href</a>
    </body>"""
    targets = {link["anchor_raw"]: link["target_url_raw"] for link in read(html)[1]}
    assert targets == {
        "relative": "https://static.example.org/base/rel/x.html",
        "root": "https://static.example.org/root",
        "scheme-relative": "https://cdn.example.net/p",
        "up": "https://static.example.org/up",
        "query": "https://static.example.org/base/?q=1",
        "absolute": "HTTP://Other.Example/A",
        "spaces": "https://trim.example/",
        "non-ascii": "https://static.example.org/%C3%BC%20space",
        # Absolute hrefs stay as written: the stage canonicalizer quarantines this one (unparseable_url).
        "unparseable": "http://[bad",
    }


def test_relative_base_href() -> None:
    html = '<base href="sub/"><a href="x">x</a>'
    assert read(html, url="http://example.com/a/b")[1][0]["target_url_raw"] == "http://example.com/a/sub/x"


@pytest.mark.parametrize(("body", "content_type", "anchor"), [
    ("<a href='/x'>café</a>".encode("latin-1"), "text/html; charset=ISO-8859-1", "café"),
    ("<a href='/x'>Привет</a>".encode("cp1251"), "text/html; charset=windows-1251", "Привет"),
    ('<meta charset="windows-1251"><a href="/x">Привет</a>'.encode("cp1251"), "text/html", "Привет"),
    ("<a href='/x'>日本語</a>".encode("shift_jis"), "text/html; charset=Shift_JIS", "日本語"),
    # Declared wrong: read as declared, invalid bytes replaced.
    ("<a href='/x'>café</a>".encode("latin-1"), "text/html; charset=utf-8", "caf\ufffd"),
    ("<a href='/x'>café</a>".encode(), "text/html; charset=no-such-charset", "café"),
    ("<a href='/x'>café</a>".encode(), "text/html; charset=base64", "café"),
    ("\ufeff<a href='/x'>café</a>".encode(), "text/html; charset=iso-8859-1", "café"),  # BOM wins
])
def test_charsets(body: bytes, content_type: str, anchor: str) -> None:
    _, links = read(body, headers=[("Content-Type", content_type)])
    assert [link["anchor_raw"] for link in links] == [anchor]


def test_undeclared_content_type_is_sniffed() -> None:
    page, links = read(b"\n<!DOCTYPE html><a href='/x'>x</a>", headers=[])
    assert (page["content_type"], len(links)) == (None, 1)
    page, links = read(b"just text <a href='/x'>x</a>", headers=[])
    assert (page["content_type"], links, page["robots_noindex"]) == (None, [], None)


def test_page_row_columns() -> None:
    page, links = read("<a href='/x'>x</a>")
    assert {k: v for k, v in page.items() if k not in ("fetched_at",)} == {
        "source_system": "crawl", "report": "warc", "row_number": 1, "url_raw": URL, "record_type": "response",
        "http_status": 200, "ip": "192.0.2.1", "content_digest": "sha1:TESTDIGEST", "content_type": "text/html",
        "crawl_id": None, "robots_noindex": False, "robots_nofollow": False, "canonical_url_raw": None,
        "redirect_url_raw": None, "links": 1,
    }
    assert (links[0]["source_ip"], links[0]["last_seen_claim"], links[0]["first_seen_claim"]) == (
        "192.0.2.1", page["fetched_at"], None)
    assert (links[0]["metrics"], links[0]["extra"], links[0]["is_sitewide_claim"]) == ([], [], None)


def test_record_kinds_and_crawl_id() -> None:
    records = [
        build.warcinfo(),
        build.record("request", "http://example.com/", b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        build.page("http://example.com/", "<a href='/a'>a</a>"),
        build.record("response", "dns:example.com", b"20240518015810\nexample.com. 300 IN A 192.0.2.1\n",
                     content_type="text/dns"),
        build.record("revisit", "http://example.com/", build.http_response(b"")[:-2],
                     extra=[("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest")]),
        build.record("revisit", "http://example.com/old", b""),
        build.record("resource", "http://example.com/r.html", b"<a href='/from-resource'>r</a>",
                     content_type="text/html; charset=utf-8"),
        build.record("resource", "metadata://gnu.org/software/wget/warc/wget.log", b"log",
                     content_type="text/plain"),
        build.record("metadata", "http://example.com/", b"fetchTimeMs: 12\r\n",
                     content_type="application/warc-fields"),
        build.record("conversion", "http://example.com/", b"plain text", content_type="text/plain"),
    ]
    result = read_archive(build.archive(*records, gzip_members=True), "mixed.warc.gz")
    check(result)
    assert (result.records_read, result.records_other, result.crawl_id) == (4, 6, "tests-crawl")
    rows = [(p["row_number"], p["record_type"], p["http_status"], p["links"]) for p in result.pages.to_pylist()]
    assert rows == [(3, "response", 200, 1), (5, "revisit", 200, 0), (6, "revisit", None, 0),
                    (7, "resource", None, 1)]
    assert result.links["target_url_raw"].to_pylist() == ["http://example.com/a",
                                                          "http://example.com/from-resource"]


def test_file_name_names_the_crawl() -> None:
    data = build.archive(build.page("http://example.com/", "<a href='/a'>a</a>"))
    result = read_archive(data, "CC-MAIN-2024-22-segment.warc")
    assert (result.source_system, result.crawl_id) == ("commoncrawl", "CC-MAIN-2024-22")
    assert result.links["crawl_id"].to_pylist() == ["CC-MAIN-2024-22"]
    result = read_archive(data, "CC-MAIN-20240517233122-00000.warc")
    assert (result.source_system, result.crawl_id) == ("commoncrawl", None)


def test_warc_versions_and_dates() -> None:
    for version, date, expected in (("0.17", "2008-04-30T20:48:25Z", "2008-04-30 20:48:25"),
                                    ("1.0", "20080430204825", "2008-04-30 20:48:25"),
                                    ("1.1", "2008-04-30T20:48:25.123456Z", "2008-04-30 20:48:25.123456"),
                                    ("1.0", "not a date", None)):
        record = build.record("response", "http://example.com/", build.http_response(b"<a href=/a>a</a>"),
                              date=date, version=version)
        result = read_archive(build.archive(record), "v.warc")
        check(result)
        fetched = result.pages["fetched_at"][0].as_py()
        assert (str(fetched) if fetched else None) == expected
