"""The compiled WAT Links kernel (native/watlinks.c) against its Python reference.

`watlinks.LinkColumns.add` parses one `HTML-Metadata.Links` JSON array from its bytes and appends a row per
hyperlink to Arrow column buffers. Its rows must be `reference(orjson.loads(data))`, and it must refuse (ValueError,
nothing appended) exactly the inputs orjson refuses, plus every valid JSON value that is not an array.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from watlinks import LinkColumns

from pipelines.demo.wat import LAYOUTS, write_wat

COLUMNS = ("url", "text", "rel", "alt")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Row = tuple[int, str, str | None, str | None, str | None]


def reference(links: list) -> list[Row]:
    """(kind, url, text, rel, alt) per hyperlink of an already-parsed Links array."""
    out = []
    image_alt = None  # the alt of an IMG@/src entry directly before this one; "" when it has none or it is not a string
    for link in links:
        if not isinstance(link, dict):
            image_alt = None
            continue
        path = link.get("path")
        if path == "IMG@/src":
            alt = link.get("alt")
            image_alt = alt if isinstance(alt, str) else ""
            continue
        if path not in ("A@/href", "AREA@/href"):
            image_alt = None
            continue
        url = link.get("url")
        if not isinstance(url, str) or not url:
            image_alt = None
            continue
        text, rel = link.get("text"), link.get("rel")
        out.append((1 if path == "A@/href" else 2, url,
                    text if isinstance(text, str) else None, rel if isinstance(rel, str) else None, image_alt))
        image_alt = None
    return out


def taken_rows(taken: dict[str, bytes]) -> list[tuple[int, int, str, str | None, str | None, str | None]]:
    """The rows of `take()` as (page, kind, url, text, rel, alt), after checking the buffers are valid Arrow."""
    assert set(taken) == {"page", "kind"} | {f"{c}_{b}" for c in COLUMNS for b in ("offsets", "data", "validity")}
    n = len(taken["kind"])
    assert len(taken["page"]) == 4 * n
    pages = pa.Array.from_buffers(pa.int32(), n, [None, pa.py_buffer(taken["page"])]).to_pylist()
    kinds = pa.Array.from_buffers(pa.uint8(), n, [None, pa.py_buffer(taken["kind"])]).to_pylist()
    assert set(kinds) <= {1, 2}
    columns = []
    for c in COLUMNS:
        validity, offsets, data = taken[f"{c}_validity"], taken[f"{c}_offsets"], taken[f"{c}_data"]
        assert len(offsets) == 4 * (n + 1)
        assert len(validity) == (n + 7) // 8
        if n % 8:
            assert validity[-1] >> (n % 8) == 0, "padding bits must be 0"
        bounds = pa.Array.from_buffers(pa.int32(), n + 1, [None, pa.py_buffer(offsets)]).to_pylist()
        assert bounds[0] == 0 and bounds[-1] == len(data)
        array = pa.Array.from_buffers(pa.string(), n, [pa.py_buffer(validity), pa.py_buffer(offsets),
                                                       pa.py_buffer(data)])
        array.validate(full=True)
        values = array.to_pylist()
        for i, value in enumerate(values):
            if value is None:
                assert bounds[i + 1] == bounds[i], "a null takes no bytes"
        columns.append(values)
    assert all(columns[0]), "url is never null or empty"
    return list(zip(pages, kinds, *columns, strict=True))


def expected(data: bytes, page: int) -> list[tuple[int, int, str, str | None, str | None, str | None]]:
    return [(page, *row) for row in reference(orjson.loads(data))]


def check(data: bytes, page: int = 0) -> list:
    """One add() of `data` on a new builder gives the reference's rows; returns them."""
    builder = LinkColumns()
    want = expected(data, page)
    assert builder.add(data, page) == len(want)
    assert builder.rows == len(want)
    got = taken_rows(builder.take())
    assert got == want
    assert builder.rows == 0
    assert taken_rows(builder.take()) == []
    return got


def kernel_accepts(data: bytes) -> bool:
    builder = LinkColumns()
    try:
        builder.add(data, 0)
    except ValueError as exc:
        assert "at byte" in str(exc)
        assert builder.rows == 0
        return False
    return True


def orjson_accepts(data: bytes) -> bool:
    """Whether the kernel must accept `data`: orjson parses it and it is an array."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    return isinstance(value, list)


# --- JSON written by hand, so that escapes, whitespace and duplicate keys vary --------------------------------

SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def u_escape(code: int, rnd: random.Random) -> str:
    text = f"\\u{code:04x}"
    return text.upper().replace("\\U", "\\u") if rnd.random() < 0.5 else text


def encode_string(s: str, rnd: random.Random) -> str:
    """A JSON string for `s`: as orjson writes it, as json.dumps(ensure_ascii=True) does, or each character
    escaped at random (\\uXXXX in either case, surrogate pairs, \\/, short escapes)."""
    style = rnd.random()
    if style < 0.3:
        return orjson.dumps(s).decode()
    if style < 0.5:
        return json.dumps(s, ensure_ascii=True)
    out = ['"']
    for ch in s:
        code = ord(ch)
        if rnd.random() < 0.6 and code >= 0x20 and ch not in '"\\':
            out.append(ch)
        elif ch in SHORT_ESCAPES and rnd.random() < 0.7:
            out.append(SHORT_ESCAPES[ch])
        elif ch == "/" and rnd.random() < 0.7:
            out.append("\\/")
        elif code >= 0x10000:
            code -= 0x10000
            out.append(u_escape(0xD800 + (code >> 10), rnd) + u_escape(0xDC00 + (code & 0x3FF), rnd))
        else:
            out.append(u_escape(code, rnd))
    out.append('"')
    return "".join(out)


def space(rnd: random.Random) -> str:
    return "".join(rnd.choice(" \t\n\r") for _ in range(rnd.choice((0, 0, 0, 1, 2))))


def encode(value: Any, rnd: random.Random) -> str:
    """JSON text of a value; a dict given as a list of (key, value) pairs may repeat keys."""
    if isinstance(value, str):
        return encode_string(value, rnd)
    if isinstance(value, Pairs):
        members = [f"{space(rnd)}{encode_string(k, rnd)}{space(rnd)}:{space(rnd)}{encode(v, rnd)}{space(rnd)}"
                   for k, v in value]
        return "{" + (",".join(members) or space(rnd)) + "}"
    if isinstance(value, dict):
        return encode(Pairs(value.items()), rnd)
    if isinstance(value, list):
        return "[" + (",".join(f"{space(rnd)}{encode(v, rnd)}{space(rnd)}" for v in value) or space(rnd)) + "]"
    return json.dumps(value)


class Pairs(list):
    """An object's members in order, keys possibly repeated."""


SPECIAL = ["", '"', "\\", "/", "\\/", "\x00", "\x01", "\x1f", "\n", "\t", "\x7f", "é", "\u2028", "\ufeff", "\uffff",
           "\U0001f600", "\U0010ffff", "𝄞", "&amp;", " ", "A@/href", "IMG@/src"]
CHARS = st.characters(codec="utf-8")  # every code point but the surrogates
TEXTS = st.one_of(
    st.text(CHARS, max_size=12),
    st.sampled_from(SPECIAL),
    st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(CHARS, max_size=3)), max_size=4).map("".join),
)
PATHS = ["A@/href", "AREA@/href", "IMG@/src", "LINK@/href", "STYLE/#text", "FORM@/action", "IMG@/srcset", "A@/hre",
         "a@/href", "A@/href ", "AREA@/hre", "", "IMG@/src\x00"]
NUMBERS = st.one_of(st.integers(-(2**63), 2**64 - 1), st.floats(allow_nan=False, allow_infinity=False))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXTS)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(TEXTS, inner, max_size=3)), max_leaves=6)
KEYS = st.one_of(st.sampled_from(["path", "url", "text", "rel", "alt", "title", "href", "target", "Path", "url ",
                                  "alt\x00"]), TEXTS)


@st.composite
def members(draw: st.DrawFn) -> tuple[str, Any]:
    key = draw(KEYS)
    if key == "path":
        value = draw(st.one_of(st.sampled_from(PATHS), st.sampled_from(PATHS), VALUES))
    elif key in ("url", "text", "rel", "alt"):
        value = draw(st.one_of(TEXTS, TEXTS, VALUES))
    else:
        value = draw(VALUES)
    return key, value


@st.composite
def entries(draw: st.DrawFn) -> Any:
    """A Links entry: mostly an object (its members possibly repeating keys), sometimes any other value."""
    if draw(st.integers(0, 9)) == 0:
        return draw(VALUES)
    path = draw(st.sampled_from(PATHS))
    pairs = Pairs([("path", path)] if path in ("A@/href", "AREA@/href", "IMG@/src") or draw(st.booleans()) else [])
    if path in ("A@/href", "AREA@/href"):
        pairs.append(("url", draw(st.one_of(TEXTS.filter(bool), TEXTS, VALUES))))
    pairs += draw(st.lists(members(), max_size=4))
    draw(st.randoms(use_true_random=False)).shuffle(pairs)
    return pairs


@st.composite
def documents(draw: st.DrawFn, max_entries: int = 12) -> bytes:
    """A Links array as JSON text written by hand (escapes, whitespace and duplicate keys at random)."""
    links = draw(st.lists(entries(), max_size=max_entries))
    rnd = draw(st.randoms(use_true_random=False))
    return (space(rnd) + encode(links, rnd) + space(rnd)).encode()


# --- rows ------------------------------------------------------------------------------------------------------


@SETTINGS
@given(data=documents(), page=st.integers(-(2**31), 2**31 - 1))
def test_hand_written_documents(data: bytes, page: int) -> None:
    check(data, page)


def plain(value: Any) -> Any:
    """A value without duplicate keys (the last wins), for the serializers."""
    if isinstance(value, Pairs | dict):
        items = value.items() if isinstance(value, dict) else value
        return {k: plain(v) for k, v in items}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@SETTINGS
@given(links=st.lists(entries(), max_size=12))
def test_orjson_and_ascii_json_dumps(links: list) -> None:
    links = plain(links)
    assert check(orjson.dumps(links)) == check(json.dumps(links, ensure_ascii=True).encode())
    assert check(json.dumps(links, ensure_ascii=False, indent=2).encode()) == check(orjson.dumps(links))


@settings(SETTINGS, max_examples=100)
@given(docs=st.lists(st.tuples(documents(), st.integers(-(2**31), 2**31 - 1)), max_size=6), data=st.data())
def test_adds_accumulate_truncate_and_take(docs: list[tuple[bytes, int]], data: st.DataObject) -> None:
    builder = LinkColumns()
    want: list = []
    for doc, page in docs:
        rows = expected(doc, page)
        assert builder.add(doc, page) == len(rows)
        want += rows
        assert builder.rows == len(want)
        if data.draw(st.booleans()):
            keep = data.draw(st.integers(0, len(want)))
            builder.truncate(keep)
            del want[keep:]
            assert builder.rows == keep
    assert taken_rows(builder.take()) == want
    assert builder.rows == 0
    for doc, page in docs:  # the builder works as new after take()
        builder.add(doc, page)
    assert taken_rows(builder.take()) == [row for doc, page in docs for row in expected(doc, page)]


def test_semantics() -> None:
    img = b'{"path":"IMG@/src","url":"/a.png","alt":"Logo"}'
    a = b'{"path":"A@/href","url":"/x","text":"Home","rel":"nofollow","title":"t"}'
    cases = {
        b"[]": [],
        b" \t\r\n[ \n ]\n": [],
        b"[" + a + b"]": [(1, "/x", "Home", "nofollow", None)],
        b'[{"path":"AREA@/href","url":"/m"}]': [(2, "/m", None, None, None)],
        b"[" + img + b"," + a + b"]": [(1, "/x", "Home", "nofollow", "Logo")],
        b'[{"path":"IMG@/src"},' + a + b"]": [(1, "/x", "Home", "nofollow", "")],
        b'[{"path":"IMG@/src","alt":7},' + a + b"]": [(1, "/x", "Home", "nofollow", "")],
        b"[" + img + b",1," + a + b"]": [(1, "/x", "Home", "nofollow", None)],
        b"[" + img + b',{"path":"STYLE/#text","href":"/b.css"},' + a + b"]": [(1, "/x", "Home", "nofollow", None)],
        b"[" + img + b',{"path":"A@/href","url":""},' + a + b"]": [(1, "/x", "Home", "nofollow", None)],
        b"[" + img + b"," + a + b"," + a + b"]":
            [(1, "/x", "Home", "nofollow", "Logo"), (1, "/x", "Home", "nofollow", None)],
        b'[{"path":"IMG@/src","alt":"1"},{"path":"IMG@/src","alt":"2"},' + a + b"]":
            [(1, "/x", "Home", "nofollow", "2")],
        # escapes in keys and values: compared and kept unescaped
        b'[{"p\\u0061th":"A@\\/href","\\u0075rl":"\\/\\u00e9\\ud83d\\ude00","te\\u0078t":"a\\"b\\\\c\\u0000"}]':
            [(1, "/é\U0001f600", 'a"b\\c\x00', None, None)],
        b'[{"path":"IMG@/src","alt":"\\u004cogo\\n"},{"path":"IMG@/src","alt":"\\u0031"},' + a + b"]":
            [(1, "/x", "Home", "nofollow", "1")],
        b'[{"path":"IMG@/src","alt":"\\u004cogo"},{"path":"A@/href","url":"/y","alt":"\\u0078"}]':
            [(1, "/y", None, None, "Logo")],
        # duplicate keys: the last one wins, a non-string value too
        b'[{"path":"A@/href","url":"/x","url":null}]': [],
        b'[{"url":1,"url":"/x","path":"IMG@/src","path":"A@/href","text":"a","text":["b"]}]':
            [(1, "/x", None, None, None)],
        b'[{"path":"A@/href","path":"IMG@/src","alt":"z"},' + a + b"]": [(1, "/x", "Home", "nofollow", "z")],
        # non-string kept fields
        b'[{"path":"A@/href","url":"/x","text":1,"rel":{"a":[1,{}]}},{"path":["A@/href"],"url":"/y"}]':
            [(1, "/x", None, None, None)],
        b'[{"path":"A@/href ","url":"/x"},{"path":"a@/href","url":"/x"},{"Path":"A@/href","url":"/x"}]': [],
        b'[{},[],"A@/href",null,true,false,-0.5e-3,{"path":"AREA@/href","url":" "}]': [(2, " ", None, None, None)],
    }
    for data, rows in cases.items():
        assert [row[1:] for row in check(data, 5)] == rows, data
        assert reference(orjson.loads(data)) == rows, data


def test_page_values_round_trip() -> None:
    builder = LinkColumns()
    doc = b'[{"path":"A@/href","url":"/x"},{"path":"AREA@/href","url":"/y"}]'
    pages = [0, -1, 1, -(2**31), 2**31 - 1, 123456789]
    for page in pages:
        assert builder.add(doc, page) == 2
    assert [row[0] for row in taken_rows(builder.take())] == [p for p in pages for _ in range(2)]
    for page in (2**31, -(2**31) - 1):
        with pytest.raises(OverflowError):
            builder.add(doc, page)
    with pytest.raises(TypeError):
        builder.add(doc, "1")
    with pytest.raises(TypeError):
        builder.add("[]", 1)
    assert builder.add(data=bytearray(doc), page=3) == 2
    assert builder.add(memoryview(b" " + doc + b" ")[1:], 4) == 2
    assert [row[0] for row in taken_rows(builder.take())] == [3, 3, 4, 4]


def test_many_entries() -> None:
    entry = b'{"path":"IMG@/src","alt":"\\u00e9"},{"path":"A@/href","url":"/p/%d","text":"t\\u00e9xt %d","rel":"x"}'
    n = 200_000
    data = b"[" + b",".join(entry % (i, i) for i in range(n)) + b"]"
    builder = LinkColumns()
    assert builder.add(data, 9) == n
    rows = taken_rows(builder.take())
    assert len(rows) == n
    assert rows[0] == (9, 1, "/p/0", "téxt 0", "x", "é")
    assert rows[-1] == (9, 1, f"/p/{n - 1}", f"téxt {n - 1}", "x", "é")
    assert rows == expected(data, 9)
    builder.add(b'[{"path":"A@/href","url":"/before"}]', 1)
    for cut in (data[:-1], data[:-2], data[: len(data) // 2], data[:-1] + b",]"):  # unterminated or broken
        with pytest.raises(ValueError):
            builder.add(cut, 2)
        assert builder.rows == 1
    assert taken_rows(builder.take()) == [(1, 1, "/before", None, None, None)]


def test_truncate() -> None:
    doc = b'[{"path":"A@/href","url":"/a","text":"t"},{"path":"A@/href","url":"/b"}]'
    builder = LinkColumns()
    for page in range(7):
        builder.add(doc, page)
    assert builder.rows == 14
    with pytest.raises(ValueError):
        builder.truncate(15)
    with pytest.raises(ValueError):
        builder.truncate(-1)
    builder.truncate(14)
    builder.truncate(9)  # inside a validity byte: the dropped rows' bits must not come back
    builder.add(b'[{"path":"A@/href","url":"/c","rel":"r"}]', 99)
    want = [(p, 1, u, t, None, None) for p in range(7) for u, t in (("/a", "t"), ("/b", None))][:9]
    assert taken_rows(builder.take()) == [*want, (99, 1, "/c", None, "r", None)]
    builder.add(doc, 1)
    builder.truncate(0)
    assert builder.rows == 0
    assert taken_rows(builder.take()) == []
    with pytest.raises(AttributeError):
        builder.rows = 3  # type: ignore[misc]


def test_error_rolls_back_only_that_call() -> None:
    builder = LinkColumns()
    good = b'[{"path":"A@/href","url":"/a"},{"path":"IMG@/src","alt":"x"},{"path":"A@/href","url":"/b"}]'
    builder.add(good, 1)
    builder.add(good, 2)
    bad = (b'[{"path":"A@/href","url":"/c"},{"path":"A@/href","url":"/d"},'
           b'{"path":"A@/href","url":"/e","text":"\\x"},{"path":"A@/href","url":"/f"}]')
    at = bad.index(b"\\x")
    with pytest.raises(ValueError, match=f"invalid escape.* at byte {at}$"):
        builder.add(bad, 3)
    assert builder.rows == 4
    builder.add(b'[{"path":"A@/href","url":"/g","text":"g"}]', 4)
    assert taken_rows(builder.take()) == [*expected(good, 1), *expected(good, 2), (4, 1, "/g", "g", None, None)]


def test_error_messages_name_the_reason_and_offset() -> None:
    cases = {
        b"": "empty input at byte 0",
        b"  ": "empty input at byte 2",
        b'{"a":1}': "not an array at byte 0",
        b'["abc': "unterminated string at byte 1",
        b'[1,]': "trailing comma in array at byte 3",
        b'[{"a":1,}]': "trailing comma in object at byte 8",
        b"[1e400]": "out of range",
        b'["\\ud800"]': "lone high surrogate",
        b'["\\udc00"]': "lone low surrogate",
        b'["a\xffb"]': "invalid UTF-8 in string at byte 3",
        b'["a\nb"]': "control character in string at byte 3",
        b"[] x": "unexpected content after the array at byte 3",
        b"[" * 1025 + b"]" * 1025: "nesting deeper than 1024 at byte 1024",
    }
    for data, message in cases.items():
        with pytest.raises(ValueError, match="invalid JSON") as raised:
            LinkColumns().add(data, 0)
        assert message in str(raised.value), (data, str(raised.value))
        assert not orjson_accepts(data)


# --- rejection ---------------------------------------------------------------------------------------------------


def same_verdict(data: bytes) -> None:
    """The kernel refuses `data` exactly when orjson does (or it is not an array), and leaves the builder as it
    was; when it accepts, its rows are the reference's."""
    builder = LinkColumns()
    builder.add(b'[{"path":"A@/href","url":"/before"}]', 1)
    want = orjson_accepts(data)
    try:
        builder.add(data, 2)
    except ValueError as exc:
        assert not want, f"refused valid JSON {data!r}: {exc}"
        assert builder.rows == 1
        assert taken_rows(builder.take()) == [(1, 1, "/before", None, None, None)]
        return
    assert want, f"accepted invalid JSON {data!r}"
    assert taken_rows(builder.take()) == [(1, 1, "/before", None, None, None), *expected(data, 2)]


SNIPPETS = [b'"', b"\\", b"/", b"{", b"}", b"[", b"]", b",", b":", b"0", b"1", b"-", b"+", b".", b"e", b"E", b"t", b"n",
            b" ", b"\t", b"\n", b"\r", b"\x00", b"\x01", b"\x1f", b"\x7f", b"\x80", b"\xbf", b"\xc0", b"\xc1", b"\xc2",
            b"\xdf", b"\xe0", b"\xed", b"\xef", b"\xf0", b"\xf4", b"\xf5", b"\xff", b"\\u", b"\\ud800", b"\\udc00",
            b"\\uDBFF\\uDFFF", b"\\ud83d", b"\\ude00", b"\\u00", b"\xed\xa0\x80", b"\xed\x9f\xbf", b"\xe0\x9f\x80",
            b"\xf0\x8f\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf0\x9f\x98", b"\xc3", b"\xe2\x82\xac", b"1e400", b"1e308",
            b"00", b"-0", b"true", b"nul", b"null", b"false", b"fals", b"[]", b"{}", b'""', b'"a":', b'{"a":1}',
            b"NaN", b"Infinity", b"\xef\xbb\xbf", b"\\\\", b'\\"', b"\\b", b"\\x", b"\\U0041"]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(documents(max_entries=5)))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        what = draw(st.sampled_from(["replace", "insert", "delete", "truncate", "byte"]))
        snippet = draw(st.sampled_from(SNIPPETS))
        if what == "replace":
            data[at:at + len(snippet)] = snippet
        elif what == "insert":
            data[at:at] = snippet
        elif what == "delete":
            del data[at:at + draw(st.integers(1, 4))]
        elif what == "truncate":
            del data[at:]
        else:
            data[at:at + 1] = bytes([draw(st.integers(0, 255))])
    return bytes(data)


@settings(SETTINGS, max_examples=800)
@given(data=mutated())
def test_mutated_documents(data: bytes) -> None:
    same_verdict(data)


TOKENS = [b"[", b"]", b"{", b"}", b",", b":", b" ", b'"path"', b'"url"', b'"A@/href"', b'"IMG@/src"', b'"a\\u00e9"',
          b'"\\ud800"', b'"\\ud800\\udc00"', b'"\xc3\xa9"', b'"\xc3"', b"0", b"-1.5e3", b"01", b"1.", b"-", b"1e400",
          b"true", b"null", b"tru", b'"', b"\\", b"\x00"]


@settings(max_examples=2000, deadline=None)
@given(tokens=st.lists(st.sampled_from(TOKENS), max_size=20))
@example(tokens=[b"[", b"{", b'"path"', b":", b'"A@/href"', b",", b'"url"', b":", b'"a\\u00e9"', b"}", b"]"])
def test_token_soup(tokens: list[bytes]) -> None:
    same_verdict(b"[" + b"".join(tokens))
    same_verdict(b"".join(tokens))


@settings(max_examples=1000, deadline=None)
@given(data=st.binary(max_size=40))
def test_arbitrary_bytes(data: bytes) -> None:
    same_verdict(data)
    same_verdict(b'["' + data + b'"]')
    same_verdict(b'[{"path":"A@/href","url":"' + data + b'"}]')


def test_surrogates() -> None:
    for bad in (b'["\\ud800"]', b'["\\udbff"]', b'["\\udc00"]', b'["\\udfff"]', b'["\\ud800\\u0041"]',
                b'["\\ud800\\ud800"]', b'["\\ud800\\n"]', b'["\\ud800x"]', b'["\\ud800\\', b'["\\ud800\\u',
                b'["\\ud800\\udc0"]', b'["x\\udc00\\ud800"]', b'[{"\\ud800":1}]',
                b'[{"path":"A@/href","url":"/\\ud800"}]', b'[{"path":"A@/href","url":"/x","title":"\\udfff"}]',
                b'[{"path":"A@/href","url":"/x","other":["\\ud800"]}]', b'["\xed\xa0\x80"]', b'["\xed\xbf\xbf"]'):
        assert not orjson_accepts(bad), bad
        assert not kernel_accepts(bad), bad
    pairs = b'[{"path":"A@/href","url":"\\ud800\\udc00\\uDBFF\\uDFFF\\ud83D\\uDE00","text":"\\uD834\\udd1e"}]'
    assert [r[1:] for r in check(pairs)] == [(1, "\U00010000\U0010ffff\U0001f600", "𝄞", None, None)]


def test_invalid_utf8_inside_skipped_values() -> None:
    for raw in (b"\xff", b"\x80", b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xed\xa0\x80",
                b"\xf0\x80\x80\x80", b"\xf0\x8f\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xc3",
                b"\xe2\x82", b"\xf0\x9f\x98", b"\xc3\xc3", b"\xe2\x28\xa1"):
        for doc in (b'[{"path":"A@/href","url":"/x","title":"%s"}]', b'[{"path":"LINK@/href","url":"/x%s"}]',
                    b'[{"path":"A@/href","url":"/x","%s":1}]', b'[{"a":{"b":["%s"]}}]', b'["%s"]', b'[1,"a%s"]',
                    b'[{"path":"A@/href","url":"/x","text":"%s"}]', b'[{"path":"A@/href","url":"%s"}]'):
            data = doc.replace(b"%s", raw)
            assert not orjson_accepts(data), data
            assert not kernel_accepts(data), data
    valid = "\x7f\x80ß\u07ff\u0800\ud7ff\ue000\ufffd\uffff\U00010000\U0010ffff"
    data = b'[{"path":"A@/href","url":"/x","title":"' + valid.encode() + b'","text":"' + valid.encode() + b'"}]'
    assert check(data)[0][3] == valid


def test_depth() -> None:
    for depth, ok in ((1024, True), (1025, False)):
        arrays = b"[" * depth + b"]" * depth
        objects = b"[" + b'{"a":' * (depth - 2) + b"[]" + b"}" * (depth - 2) + b"]"
        in_entry = b'[{"path":"A@/href","url":"/x","text":' + b"[" * (depth - 2) + b"]" * (depth - 2) + b"}]"
        for data in (arrays, objects, in_entry):
            assert orjson_accepts(data) is ok
            assert kernel_accepts(data) is ok
    assert kernel_accepts(b"[" * 100_000) is False


def test_not_arrays_and_trailing_content() -> None:
    for data in (b"{}", b'"x"', b"1", b"null", b"true", b"[] []", b"[]x", b"[]\x00", b"[],", b"\xef\xbb\xbf[]",
                 b"\x0c[]", b"[]\x0b", b"[", b"]", b"[1 2]", b'[{"a" 1}]', b'[{"a":1 "b":2}]', b"[{1:2}]",
                 b"[{'a':1}]", b"['a']", b"[NaN]", b"[Infinity]", b"[-Infinity]", b"[+1]", b"[.5]", b"[1.]", b"[01]",
                 b"[-]", b"[1e]", b"[1e+]", b"[0x10]", b"[True]", b"[nul]", b"[truex]", b"[/*c*/]", b"[1,,2]",
                 b"[,1]", b'["\\x41"]', b'["\\U0041"]', b'["\\u00g0"]', b'["\x00"]', b'["\t"]', b'["\x1f"]'):
        assert not orjson_accepts(data), data
        assert not kernel_accepts(data), data
    for data in (b"[]", b" [ ] ", b'["\x7f"]', b'["\\u0000"]', b"[-0,-0.0,0e0,1E+2,1e-2,-0.0e-0]", b"[{}]",
                 b"[[],{},[[]]]", b'[{"":""}]'):
        assert kernel_accepts(data), data
        check(data)


@pytest.mark.parametrize("number", [
    "1e308", "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e309", "10e308",
    "0.1e310", "0.01e310", "-1e400", "1e-400", "0e99999999999999999999", "-0.0e400", "1e99999999999999999999",
    "1" + "0" * 308, "1" + "0" * 309, "0." + "0" * 400 + "1e401", "0." + "0" * 400 + "1e709",
    str(2**1024 - 2**970), str(2**1024 - 2**970 - 1), str(2**1024 - 2**970 - 1) + ".9999999999",
    str(2**1024 - 2**970 - 1) + ".99999999999999999999e0", "0." + str(2**1024 - 2**970) + "e309",
    "0." + str(2**1024 - 2**970 - 1) + "e309", "1" * 5000 + "e-4800", "1" * 5000 + "e-4000",
    "123456789012345678901234567890", "18446744073709551616", "-9223372036854775809",
])
def test_numbers_out_of_double_range(number: str) -> None:
    data = f'[{number}, {{"path":"A@/href","url":"/x","x":-{number}}}]'.encode()
    assert kernel_accepts(data) is orjson_accepts(data)


@pytest.mark.slow
def test_int32_offsets_do_not_overflow() -> None:
    """A column's data may not pass 2**31 - 1 bytes: the add() that would is refused and rolled back."""
    available = next((int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemAvailable:")), 0)
    if available < 4 * 2**30:
        pytest.skip("needs 4 GiB of free memory")
    head, tail = b'[{"path":"A@/href","url":"/s"},{"path":"A@/href","url":"', b'"}]'
    big = bytearray(len(head) + 2**30 + len(tail))  # written once, in place
    big[:len(head)], big[-len(tail):] = head, tail
    np.frombuffer(big, np.uint8)[len(head):-len(tail)] = ord("u")
    builder = LinkColumns()
    assert builder.add(big, 1) == 2
    with pytest.raises(ValueError, match="url"):
        builder.add(big, 2)
    assert builder.rows == 2
    assert builder.add(b'[{"path":"A@/href","url":"/t"}]', 3) == 1
    builder.truncate(1)
    taken = builder.take()
    assert taken_rows(taken) == [(1, 1, "/s", None, None, None)]


# --- real WAT records --------------------------------------------------------------------------------------------


def real_links(folder: Path) -> list[bytes]:
    """The Links arrays of the real WAT samples, as orjson writes them and as json.dumps(ensure_ascii=True) does."""
    from fastwarc.warc import ArchiveIterator

    found: list[bytes] = []
    for path in sorted(folder.rglob("*.wat*")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, parse_http=False):
                body = record.reader.read()
                if b'"WARC-Type":"response"' not in body:
                    continue
                envelope = orjson.loads(body)["Envelope"]
                links = (envelope.get("Payload-Metadata", {}).get("HTTP-Response-Metadata", {})
                         .get("HTML-Metadata", {}).get("Links"))
                if isinstance(links, list):
                    found += [orjson.dumps(links), json.dumps(links, ensure_ascii=True).encode()]
    return found


# A WAT record's JSON down to HTML-Metadata.Links, kept as raw bytes.
class _Html(msgspec.Struct):
    Links: msgspec.Raw = msgspec.Raw(b"")


class _Response(msgspec.Struct, rename={"html": "HTML-Metadata"}):
    html: _Html | None = None


class _Payload(msgspec.Struct, rename={"response": "HTTP-Response-Metadata"}):
    response: _Response | None = None


class _Envelope(msgspec.Struct, rename={"payload": "Payload-Metadata"}):
    payload: _Payload | None = None


class _Record(msgspec.Struct):
    Envelope: _Envelope


@pytest.mark.parametrize("layout", LAYOUTS)
def test_generated_wat_links(tmp_path: Path, layout: str) -> None:
    """The Links arrays of a generated WAT, as raw bytes cut out of each record (as the reader passes them)."""
    from fastwarc.warc import ArchiveIterator

    decoder = msgspec.json.Decoder(_Record)
    path = tmp_path / "links.wat.gz"
    written = write_wat(path, links=20_000, seed=11, layout=layout)
    builder = LinkColumns()
    want: list = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, parse_http=False):
            body = record.reader.read()
            if b'"WARC-Type":"response"' not in body:
                continue
            payload = decoder.decode(body).Envelope.payload
            if payload is None or payload.response is None or payload.response.html is None:
                continue
            data = bytes(payload.response.html.Links)
            if not data:  # no Links key
                continue
            rows = expected(data, len(want))
            assert builder.add(data, len(want)) == len(rows)
            want += rows
    assert len(want) == written
    assert taken_rows(builder.take()) == want


def test_real_wat_links(crawl_samples: Path) -> None:
    links = real_links(crawl_samples)
    if not links:
        pytest.skip("no WAT sample with Links")
    builder = LinkColumns()
    want: list = []
    for page, data in enumerate(links):
        rows = expected(data, page)
        assert builder.add(data, page) == len(rows)
        want += rows
    assert want
    assert taken_rows(builder.take()) == want
