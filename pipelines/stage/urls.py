"""URL canonicalization for link rows: WHATWG parsing by ada plus the policy in schemas/README.md."""

from __future__ import annotations

import re
from typing import Any, Final, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
from ada_url import HostType, SchemeType

# ada's C API (ada_c.h) through the binding's own cffi module: the Python wrapper looks every getter up by
# name and costs about 5x more per URL, and the vendor readers hand over hundreds of thousands of URLs.
from ada_url._ada_wrapper import ffi, lib

UNPARSEABLE_URL: Final = "unparseable_url"
UNSUPPORTED_SCHEME: Final = "unsupported_scheme"
MISSING_VALUE: Final = "missing_value"

# Query parameters that only say how a visitor arrived (ad clicks, newsletters, analytics hand-offs), never
# which resource the URL names. Names compare case-insensitively, as written (not percent-decoded).
TRACKING_PARAM_PREFIXES: Final[tuple[str, ...]] = ("utm_",)
TRACKING_PARAMS: Final[frozenset[str]] = frozenset(
    {
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "fbclid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "igshid",
        "ref_src",
    }
)

_TRACKING_NAME = re.compile(
    "|".join(
        [
            *(re.escape(prefix) + ".*" for prefix in TRACKING_PARAM_PREFIXES),
            *map(re.escape, sorted(TRACKING_PARAMS)),
        ]
    ),
    re.IGNORECASE | re.DOTALL,
)
# Cheap pre-check so that the common query without tracking parameters is not split at all.
_MAYBE_TRACKING = re.compile(
    "(?:^\\?|&)(?:" + "|".join(map(re.escape, [*TRACKING_PARAM_PREFIXES, *TRACKING_PARAMS])) + ")",
    re.IGNORECASE,
)

# WHATWG strips C0 controls and space at both ends; vendor cells also carry NBSP and other Unicode spaces,
# and a byte order mark or zero-width space left over from a decoder or a copy-paste.
_STRIP: Final = "".join(c for c in map(chr, range(0x3001)) if c <= " " or c.isspace()) + "\ufeff\u200b"
# WHATWG removes ASCII tab and newline anywhere; doing it first keeps the scheme test below exact.
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")
# The WHATWG scheme state: a letter, then letters, digits, "+", "-", "." up to the first ":".
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# What follows "host.name:" when the "scheme" is really a host with a port: digits, then the path or the end.
_PORT_TAIL = re.compile(r"\d+(?:[/?#\\]|$)|$")
_AUTHORITY_END = re.compile(r"[/?#\\]")
_SLASH_PAIRS: Final = frozenset({"//", "\\\\", "/\\", "\\/"})
_SCHEMES: Final = {int(SchemeType.HTTP): "http", int(SchemeType.HTTPS): "https"}
_DOMAIN_HOST: Final = int(HostType.DEFAULT)


class Canon(NamedTuple):
    """One canonical http(s) URL and the host facts derived while parsing it."""

    url: str  # canonical URL
    scheme: str  # "http" | "https"
    host: str  # lower-case ASCII host (punycode), no trailing dot; IPv6 in brackets as WHATWG serialises it
    is_ip: bool  # IPv4 or IPv6 literal


def canonicalize(raw: str) -> Canon | str:
    """Canonical form of one URL as a vendor states it, or the reason code why it has none; never raises."""
    text = raw.strip(_STRIP)
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.translate(_TAB_NEWLINE)
    scheme = _SCHEME.match(text)
    if scheme is None or ("." in scheme.group() and _PORT_TAIL.match(text, scheme.end())):
        with_scheme = _assume_http(text)
        if with_scheme is None:
            return UNPARSEABLE_URL
        text = with_scheme
    elif scheme.group()[:-1].lower() not in ("http", "https"):
        return UNSUPPORTED_SCHEME
    return _canonicalize_absolute(text)


def _assume_http(text: str) -> str | None:
    """The schemeless text as an http URL when it starts with a host (vendors list bare hosts), else None."""
    if text[:2] in _SLASH_PAIRS:
        return "http:" + text
    authority = _AUTHORITY_END.split(text, maxsplit=1)[0]
    # A bare name with a dot, or an IPv6 literal, reads as a host; a schemeless "x@y.z" is an e-mail address.
    if ("." in authority or authority.startswith("[")) and "@" not in authority:
        return "http://" + text
    return None


def _canonicalize_absolute(text: str) -> Canon | str:
    """Canonical form of an absolute URL string, stable under a second canonicalization."""
    result, settled = _parse(text)
    # Parsing the canonical URL again can change a host we rewrote ("1.2.3.4.." is a domain, "1.2.3.4" is
    # IPv4) or a Punycode host (UTS #46 does not read back some labels it wrote, e.g. "ßxn--"): keep a URL
    # only once parsing it again changes nothing, so that canonicalize is idempotent.
    for _ in range(3):
        if settled or isinstance(result, str):
            return result
        again, _ = _parse(result.url)
        settled, result = again == result, again
    return UNPARSEABLE_URL


def _parse(text: str) -> tuple[Canon | str, bool]:
    """The URL parsed by ada with the policy applied, and False when its host may read differently again."""
    try:
        data = text.encode()
    except UnicodeEncodeError:
        # Lone surrogates: read the text as UTF-16 like a browser's USVString, which turns them into U+FFFD.
        data = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode()
    parsed = lib.ada_parse(data, len(data))
    try:
        if not lib.ada_is_valid(parsed):
            return UNPARSEABLE_URL, True
        scheme = _SCHEMES.get(lib.ada_get_scheme_type(parsed))
        if scheme is None:
            return UNSUPPORTED_SCHEME, True
        host = _text(lib.ada_get_hostname(parsed))
        port = _text(lib.ada_get_port(parsed))
        path = _text(lib.ada_get_pathname(parsed))
        search = _text(lib.ada_get_search(parsed))
        is_ip = lib.ada_get_host_type(parsed) != _DOMAIN_HOST
    finally:
        lib.ada_free(parsed)
    settled = "xn--" not in host
    if host.endswith("."):
        host, settled = host.rstrip("."), False
    if not host:
        return UNPARSEABLE_URL, True
    authority = f"{host}:{port}" if port else host
    return Canon(f"{scheme}://{authority}{path}{_strip_tracking(search)}", scheme, host, is_ip), settled


def _text(value: Any) -> str:
    """A string owned by an ada URL, copied out."""
    return ffi.unpack(value.data, value.length).decode() if value.length else ""


def _strip_tracking(search: str) -> str:
    """The query ("?..." or "") without tracking parameters, the rest as written; "" when nothing is left."""
    if not search or _MAYBE_TRACKING.search(search) is None:
        return search
    kept = "&".join(p for p in search[1:].split("&") if not _TRACKING_NAME.fullmatch(p.partition("=")[0]))
    return "?" + kept if kept else ""


def encode_distinct(values: pa.Array | pa.ChunkedArray) -> tuple[list[str | None], pa.Array]:
    """The distinct values of a string array and, per row, the index of its value (null for a null row)."""
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if pa.types.is_null(array.type):
        array = array.cast(pa.string())
    dictionary = pa.types.is_dictionary(array.type)
    value_type = array.type.value_type if dictionary else array.type
    if not (
        pa.types.is_string(value_type) or pa.types.is_large_string(value_type) or pa.types.is_string_view(value_type)
    ):
        raise TypeError(f"expected a string array, got {array.type}")
    if not dictionary:
        array = pc.dictionary_encode(array)
    return array.dictionary.to_pylist(), array.indices


def canonicalize_array(values: pa.Array | pa.ChunkedArray) -> pa.Table:
    """One row per input value: url, host, is_ip, and error (null when ok, else the reason code)."""
    distinct, indices = encode_distinct(values)
    results = [MISSING_VALUE if value is None else canonicalize(value) for value in distinct]
    canons = [result if isinstance(result, Canon) else None for result in results]
    per_value = pa.table(
        {
            "url": pa.array([c.url if c else None for c in canons], pa.string()),
            "host": pa.array([c.host if c else None for c in canons], pa.string()),
            "is_ip": pa.array([c.is_ip if c else None for c in canons], pa.bool_()),
            "error": pa.array([r if isinstance(r, str) else None for r in results], pa.string()),
        }
    )
    rows = per_value.take(indices)
    error = pc.if_else(pc.is_null(indices), pa.scalar(MISSING_VALUE), rows["error"])
    return rows.set_column(3, "error", error)
