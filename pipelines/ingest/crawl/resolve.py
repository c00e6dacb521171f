"""Resolving hrefs against a page's base URL: WHATWG semantics, with a string fast path for common hrefs.

`Resolver(base)(href)` returns the absolute http(s) URL an href names, or None for hrefs that name no other web
page: empty, fragment-only, `javascript:`, `mailto:`, `tel:` and every other non-http(s) scheme, or an href
that does not parse. For an ASCII href that is absolute ("http://..."), root-relative ("/x") or
scheme-relative ("//h/x"), the result is the href as written, or the base's scheme and authority followed by
the href, and for a plain relative path ("a/b.html?x=1": no dot segment, nothing WHATWG would encode) the
base's directory followed by the href: WHATWG parsing reads that string exactly as it reads the href joined
to the base (so the stage canonicalizer gives both the same canonical URL), at a tenth of the cost of a
join; an absolute href that does not parse is therefore kept too, and quarantined by the stage as
unparseable_url. Other hrefs are joined by ada and come out WHATWG-serialised. The `wathrefs` kernel applies
the same rules to WAT hyperlinks (tests hold it to this class).
"""

from __future__ import annotations

import re
from typing import Final

from ada_url import SchemeType

# ada's C API through the binding's own cffi module, as in pipelines.stage.urls: the Python wrapper costs
# several times more per call, and a page has hundreds of hrefs.
from ada_url._ada_wrapper import ffi, lib

_HTTP_SCHEMES: Final = frozenset({int(SchemeType.HTTP), int(SchemeType.HTTPS)})
# WHATWG strips C0 controls and space at both ends of an input URL.
_C0_SPACE: Final = "".join(map(chr, range(0x21)))
# A second character that makes "/x" other than root-relative: another slash (scheme-relative, as a
# backslash is for http), or a tab or newline, which WHATWG removes first (so "/\t/h" is "//h").
_NOT_ROOT: Final = ("/", "\\", "\t", "\n", "\r")
_NOT_PATH: Final = _NOT_ROOT[1:]
_OTHER_SCHEMES: Final = ("javascript:", "mailto:", "tel:", "data:")
_ABSOLUTE: Final = re.compile(r"https?://(?![/\\])", re.IGNORECASE)
# A relative path (and query) that WHATWG parsing appends to the base's directory as written: no scheme
# (no ":"), nothing it percent-encodes or rewrites (space, quotes in a query, backslash, "%2e" as a dot,
# non-ASCII), no fragment; "." or ".." segments are excluded apart (a leading "." or any "/.").
_RELATIVE: Final = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=@/]+(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*)?")


def _unpack(value: object) -> str:
    """A string owned by an ada URL, copied out."""
    return ffi.unpack(value.data, value.length).decode()  # type: ignore[attr-defined]


def join(href: str, base: bytes | None) -> str | None:
    """`href` parsed by ada against `base` (absolute when None): the http(s) URL it names, or None."""
    try:
        data = href.encode()
    except UnicodeEncodeError:  # lone surrogates from a broken decoder: no URL to name
        return None
    if base is None:
        parsed = lib.ada_parse(data, len(data))
    else:
        parsed = lib.ada_parse_with_base(data, len(data), base, len(base))
    try:
        if not lib.ada_is_valid(parsed) or lib.ada_get_scheme_type(parsed) not in _HTTP_SCHEMES:
            return None
        return _unpack(lib.ada_get_href(parsed))
    finally:
        lib.ada_free(parsed)


def is_root_relative(href: str) -> bool:
    """An href that Resolver joins as `root + href` with nothing to strip. Most hrefs are like "/path": the
    link loops test this first and join themselves, sparing the resolver call."""
    return href[:1] == "/" and href[1:2] not in _NOT_ROOT and href[-1] > " " and href.isascii()


class Resolver:
    """Resolves the hrefs of one page against its base URL."""

    __slots__ = ("base", "base_url", "directory", "root", "scheme")

    def __init__(self, base_url: str | None) -> None:
        self.base_url: str | None = None  # the base, WHATWG-serialised; None when it is no http(s) URL
        self.base: bytes | None = None  # base_url encoded, for ada
        self.root = ""  # scheme://[user:pass@]host[:port] of the base: what a root-relative href keeps
        self.scheme = ""  # "http:" or "https:": what a scheme-relative href keeps
        self.directory = ""  # the base up to the last "/" of its path: what a relative path is appended to
        try:
            data = (base_url or "").encode()
        except UnicodeEncodeError:
            return
        parsed = lib.ada_parse(data, len(data))
        try:
            if lib.ada_is_valid(parsed) and lib.ada_get_scheme_type(parsed) in _HTTP_SCHEMES:
                self.base_url = _unpack(lib.ada_get_href(parsed))
                self.base = self.base_url.encode()
                components = lib.ada_get_components(parsed)
                self.root = self.base_url[: components.pathname_start]
                self.scheme = self.base_url[: components.protocol_end]
                # A serialised URL has "?" and "#" only where its query and fragment start.
                path = self.base_url.split("#", 1)[0].split("?", 1)[0]
                self.directory = path[: path.rfind("/") + 1]
        finally:
            lib.ada_free(parsed)

    def __call__(self, href: str) -> str | None:
        """The absolute http(s) URL `href` names on this page, or None (see the module docstring)."""
        text = href.strip(_C0_SPACE)
        if not text or text[0] == "#":
            return None
        # ASCII only: the stage canonicalizer also trims Unicode spaces, which WHATWG keeps inside a URL.
        if text.isascii():
            first = text[0]
            if first == "/":
                if not self.root:
                    return None
                second = text[1:2]
                if second == "/":
                    return self.scheme + text
                if second not in _NOT_PATH:
                    return self.root + text
            elif (first == "h" or first == "H") and _ABSOLUTE.match(text):
                return text
            elif text.startswith(_OTHER_SCHEMES):
                return None  # what the join would conclude, without its cost
            elif self.directory and first != "." and _RELATIVE.fullmatch(text) and "/." not in text:
                return self.directory + text
        return join(text, self.base)
