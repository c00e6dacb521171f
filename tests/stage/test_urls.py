"""URL canonicalization on URLs as vendor exports give them, and its properties on generated input."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.stage.urls import (
    TRACKING_PARAM_PREFIXES,
    TRACKING_PARAMS,
    Canon,
    canonicalize,
    canonicalize_array,
    encode_distinct,
)


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        # IDN host, raw Unicode path, tracking parameter and fragment in one.
        ("http://Bücher.DE/straße?utm_source=x#top", "http://xn--bcher-kva.de/stra%C3%9Fe"),
        # GSC writes raw Unicode; Ahrefs writes the same page percent-encoded: one key for both.
        (
            "https://www.example.de/über-uns/käse?q=grüße",
            "https://www.example.de/%C3%BCber-uns/k%C3%A4se?q=gr%C3%BC%C3%9Fe",
        ),
        (
            "https://www.example.de/%C3%BCber-uns/k%C3%A4se?q=gr%C3%BC%C3%9Fe",
            "https://www.example.de/%C3%BCber-uns/k%C3%A4se?q=gr%C3%BC%C3%9Fe",
        ),
        ("https://пример.рф/статья", "https://xn--e1afmkfd.xn--p1ai/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F"),
        ("https://例子.中国/", "https://xn--fsqu00a.xn--fiqs8s/"),
        # www and the scheme are kept.
        ("https://www.example.com/", "https://www.example.com/"),
        ("http://example.com/", "http://example.com/"),
        # Userinfo and fragments go; default ports go, other ports stay.
        ("https://user:secret@example.com/a#section-2", "https://example.com/a"),
        ("http://example.com:80/", "http://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com:80/", "https://example.com:80/"),
        # Tracking parameters go; the rest keep their order and their encoding.
        (
            "https://shop.example.com/p?id=7&utm_source=nl&UTM_Campaign=Spring&color=red&gclid=abc&fbclid=z",
            "https://shop.example.com/p?id=7&color=red",
        ),
        (
            "https://example.com/?q=a%20b&utm_medium=email&r=%2F&_ga=2.1&ref_src=twsrc",
            "https://example.com/?q=a%20b&r=%2F",
        ),
        ("https://example.com/a?utm_source=x&utm_medium=y", "https://example.com/a"),
        ("https://example.com/a?", "https://example.com/a"),
        (
            "https://example.com/a?utm=1&xgclid=2&gclid_x=3&b=",
            "https://example.com/a?utm=1&xgclid=2&gclid_x=3&b=",
        ),
        # Trailing slashes: the root is "/", other paths as given.
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a", "https://example.com/a"),
        ("https://example.com/a/", "https://example.com/a/"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        # Bare hosts and protocol-relative URLs (Majestic, GSC "Top linking sites").
        ("example.com", "http://example.com/"),
        ("www.x.de", "http://www.x.de/"),
        ("example.com/page?id=1", "http://example.com/page?id=1"),
        ("//x.com/a", "http://x.com/a"),
        ("example.com:8080/x", "http://example.com:8080/x"),
        ("Bücher.ch:8080", "http://xn--bcher-kva.ch:8080/"),
        ("192.0.2.7/x", "http://192.0.2.7/x"),
        # Host trailing dot, case, whitespace around the cell (NBSP included), tabs and newlines inside.
        ("http://www.Example.COM./a", "http://www.example.com/a"),
        ("  https://example.com/a \n", "https://example.com/a"),
        ("\xa0https://example.com/\xa0", "https://example.com/"),
        ("\ufeffhttps://example.com/a\u200b", "https://example.com/a"),
        ("https://exam\tple.com/a\nb", "https://example.com/ab"),
        # Majestic source URLs with spaces and "@".
        ("http://example.com/some page/@handle?ref=a b", "http://example.com/some%20page/@handle?ref=a%20b"),
        (
            "http://forum.example.com/member.php?u=7&email=a@b.c",
            "http://forum.example.com/member.php?u=7&email=a@b.c",
        ),
        # Percent-escapes and their case are kept as written (WHATWG does not decode them).
        ("http://example.com/%7euser/%2Fx", "http://example.com/%7euser/%2Fx"),
    ],
)
def test_canonical_url(raw: str, url: str) -> None:
    result = canonicalize(raw)
    assert isinstance(result, Canon), result
    assert result.url == url


@pytest.mark.parametrize(
    ("raw", "host", "is_ip"),
    [
        ("http://192.168.0.1:8080/x", "192.168.0.1", True),
        ("http://3279880203/blah", "195.127.0.11", True),
        ("http://0x7f.1/", "127.0.0.1", True),
        ("https://[2001:DB8::1]:8443/", "[2001:db8::1]", True),
        ("https://www.Example.com./", "www.example.com", False),
        ("https://xn--bcher-kva.de/", "xn--bcher-kva.de", False),
    ],
)
def test_host_and_ip(raw: str, host: str, is_ip: bool) -> None:
    result = canonicalize(raw)
    assert isinstance(result, Canon)
    assert (result.host, result.is_ip) == (host, is_ip)


@pytest.mark.parametrize(("raw", "scheme"), [("HTTPS://example.com", "https"), ("example.com", "http")])
def test_scheme(raw: str, scheme: str) -> None:
    result = canonicalize(raw)
    assert isinstance(result, Canon)
    assert result.scheme == scheme


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:void(0)",
        "mailto:info@example.com",
        "tel:+49301234",
        "ftp://files.example.com/a.zip",
        "data:text/html,hi",
        "about:blank",
        "android-app://com.example/http/example.com",
        "localhost:3000/x",
    ],
)
def test_unsupported_scheme(raw: str) -> None:
    assert canonicalize(raw) == "unsupported_scheme"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "N/A",
        "-",
        "not a url",
        "/relative/path",
        "?q=1",
        "#top",
        "http://",
        "http:// example.com",
        "http://exa mple.com/",
        "http://./",
        "user@example.com",
        "http://ex<am>ple.com/",
        "http://[::1/",
        "http://999.1.1.1/",
        "http//example.com",
    ],
)
def test_unparseable(raw: str) -> None:
    assert canonicalize(raw) == "unparseable_url"


def test_lone_surrogates_read_as_replacement_characters() -> None:
    result = canonicalize("https://example.com/a\ud800b")
    assert isinstance(result, Canon)
    assert result.url == "https://example.com/a%EF%BF%BDb"


def test_canonicalize_array_keeps_rows_and_marks_missing_values() -> None:
    values = pa.chunked_array(
        [["https://a.com/x#f", None, "mailto:x@y.z"], ["https://a.com/x", "", "a.com"]], pa.large_string()
    )
    table = canonicalize_array(values)
    assert table.schema == pa.schema(
        [("url", pa.string()), ("host", pa.string()), ("is_ip", pa.bool_()), ("error", pa.string())]
    )
    assert table.to_pylist() == [
        {"url": "https://a.com/x", "host": "a.com", "is_ip": False, "error": None},
        {"url": None, "host": None, "is_ip": None, "error": "missing_value"},
        {"url": None, "host": None, "is_ip": None, "error": "unsupported_scheme"},
        {"url": "https://a.com/x", "host": "a.com", "is_ip": False, "error": None},
        {"url": None, "host": None, "is_ip": None, "error": "unparseable_url"},
        {"url": "http://a.com/", "host": "a.com", "is_ip": False, "error": None},
    ]


@pytest.mark.parametrize(
    "values",
    [
        pa.array([], pa.string()),
        pa.array([None, None], pa.null()),
        pa.array(["b.com", None, "b.com"], pa.string()).dictionary_encode(),
        pa.array(["b.com", None], pa.string_view()),
        pa.chunked_array([], pa.string()),
    ],
)
def test_canonicalize_array_input_types(values: pa.Array | pa.ChunkedArray) -> None:
    table = canonicalize_array(values)
    assert table.num_rows == len(values)
    assert table["error"].to_pylist() == [None if v else "missing_value" for v in values.to_pylist()]


@pytest.mark.parametrize("values", [pa.array([1, 2]), pa.array([1, 2]).dictionary_encode()])
def test_canonicalize_array_rejects_non_strings(values: pa.Array) -> None:
    with pytest.raises(TypeError, match="string"):
        canonicalize_array(values)


def test_each_distinct_value_once() -> None:
    distinct, indices = encode_distinct(pa.chunked_array([["a", "b", "a"], [None, "b", "a"]]))
    assert distinct == ["a", "b"]
    assert indices.to_pylist() == [0, 1, 0, None, 1, 0]


# --- properties ---------------------------------------------------------------------------------------------

_LABEL = st.one_of(
    st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?", fullmatch=True),
    st.sampled_from(["www", "WWW", "bücher", "пример", "例子", "xn--bcher-kva", "xn--p1ai", "ß", "a_b", "%41"]),
)
_HOST = st.one_of(
    st.lists(_LABEL, min_size=1, max_size=4).map(".".join),
    st.builds(lambda h: h + ".", st.lists(_LABEL, min_size=1, max_size=3).map(".".join)),
    st.tuples(*[st.integers(0, 255)] * 4).map(lambda q: ".".join(map(str, q))),
    st.sampled_from(["[::1]", "[2001:DB8::1]", "3279880203", "0x7f.1", "[v1.x]", "a..b", ".", ""]),
)
_SEGMENT = st.lists(st.sampled_from([*"aZ09-._~!$&'()*+,;=:@ %/?#\\ßü中", "%2F", "%7e", "..", "%2e"]), max_size=6).map(
    "".join
)
_PARAM_NAME = st.one_of(
    st.sampled_from(sorted(TRACKING_PARAMS) + [p + "source" for p in TRACKING_PARAM_PREFIXES] + ["UTM_Medium"]),
    st.from_regex(r"[a-z_]{1,6}", fullmatch=True),
)
_QUERY = st.lists(st.tuples(_PARAM_NAME, _SEGMENT), max_size=4).map(
    lambda pairs: "&".join(f"{name}={value}" for name, value in pairs)
)
_URLS = st.builds(
    lambda scheme, user, host, port, path, query, fragment: f"{scheme}{user}{host}{port}{path}{query}{fragment}",
    st.sampled_from(["http://", "https://", "HTTP://", "hTTps:", "", "//", "\\\\", "ftp://", "javascript:", " \t"]),
    st.sampled_from(["", "user@", "user:pass@", "a b:c@"]),
    _HOST,
    st.sampled_from(["", ":80", ":443", ":8080", ":", ":99999"]),
    st.lists(_SEGMENT, max_size=4).map(lambda s: "/" + "/".join(s) if s else ""),
    st.one_of(st.just(""), _QUERY.map(lambda q: "?" + q)),
    st.sampled_from(["", "#", "#frag", "#a?b"]),
)
_TRACKING_NAME = re.compile(
    "|".join([*(re.escape(p) + ".*" for p in TRACKING_PARAM_PREFIXES), *map(re.escape, TRACKING_PARAMS)]),
    re.IGNORECASE,
)


@settings(max_examples=500)
@given(st.one_of(st.text(), _URLS))
def test_never_raises_and_is_idempotent(raw: str) -> None:
    result = canonicalize(raw)
    if isinstance(result, str):
        assert result in ("unparseable_url", "unsupported_scheme")
    else:
        assert canonicalize(result.url) == result


@settings(max_examples=500)
@given(_URLS)
def test_canonical_urls_hold_no_fragment_userinfo_or_tracking(raw: str) -> None:
    result = canonicalize(raw)
    if isinstance(result, Canon):
        assert "#" not in result.url
        rest = result.url.removeprefix(f"{result.scheme}://")
        authority = rest[: rest.index("/")]
        assert "@" not in authority
        assert authority == result.host or authority.startswith(result.host + ":")
        assert result.host == result.host.lower() and result.host.isascii() and not result.host.endswith(".")
        query = result.url.partition("?")[2]
        assert not any(_TRACKING_NAME.fullmatch(p.partition("=")[0]) for p in query.split("&") if query)


@settings(max_examples=200)
@given(st.lists(st.one_of(st.none(), _URLS, st.text(max_size=10)), max_size=30))
def test_array_agrees_with_rows(values: list[str | None]) -> None:
    table = canonicalize_array(pa.array(values, pa.string()))
    assert table.num_rows == len(values)
    for value, row in zip(values, table.to_pylist(), strict=True):
        if value is None:
            assert row == {"url": None, "host": None, "is_ip": None, "error": "missing_value"}
            continue
        result = canonicalize(value)
        if isinstance(result, Canon):
            assert row == {"url": result.url, "host": result.host, "is_ip": result.is_ip, "error": None}
        else:
            assert row == {"url": None, "host": None, "is_ip": None, "error": result}
