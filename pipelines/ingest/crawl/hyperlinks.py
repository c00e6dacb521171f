"""WAT hyperlinks in batches: the rows the `watlinks` kernel cuts out of many pages' `HTML-Metadata.Links`,
resolved and coded by the `wathrefs` kernel (native/) in one pass, with Python for the few rows it hands back.

Per row the first kernel gives the page (an index into the batch's `PageLinks`), the kind (A or AREA), the
url, text and rel as written, and the alt of an `IMG@/src` entry directly before it ("" for an image without
one): ia-web-commons writes an anchor when it closes, after the images inside it. The rules per row (`link`
is their Python statement, and the reference the tests hold wathrefs to):

- writers before 2019 left HTML character references in values: complete ones are decoded (`unescape`);
  wathrefs decodes `&amp;` and hands a row with any other reference back;
- the href is resolved exactly as `Resolver` does (the resolver of WARC pages): ASCII absolute, root- and
  scheme-relative hrefs as strings, `javascript:`/`mailto:`/`tel:`/`data:` and fragment-only hrefs
  dropped; wathrefs also appends a plain relative path (no dot segment, nothing WHATWG would encode or
  rewrite) to the base's directory, and hands every other href back for ada's join;
- the anchor is the text with whitespace collapsed as `" ".join(text.split())` does (Python's whitespace set,
  `WHITESPACE`); an A without text after an image is an image link with the alt as anchor; AREA entries
  carry no alt (null anchor) and are image links;
- rel tokens to NOFOLLOW/UGC/SPONSORED bits, once per distinct rel value, plus the page's own bits.
"""

from __future__ import annotations

import html as entities
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import wathrefs

from pipelines.ingest.crawl.codes import IMAGE, rel_bits
from pipelines.ingest.crawl.resolve import Resolver

A_PATH: Final = "A@/href"
AREA_PATH: Final = "AREA@/href"
A: Final = 1  # kinds the kernel writes
AREA: Final = 2
# Every character for which str.isspace() holds: what str.split() splits on (a test checks the list).
WHITESPACE: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_COMMON_REFERENCES: Final = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&nbsp;": "\xa0"}
_REFERENCE: Final = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape(value: str) -> str:
    """Complete HTML character references decoded; a bare `&` stays (as ia-web-commons does since 2019)."""
    if "&" not in value:
        return value
    if value.count("&") == value.count("&amp;"):  # the usual case, in one pass that rescans nothing
        return value.replace("&amp;", "&")
    return _REFERENCE.sub(_decode_reference, value)


def _decode_reference(match: re.Match[str]) -> str:
    reference = match.group()
    return _COMMON_REFERENCES.get(reference) or entities.unescape(reference)


@dataclass(frozen=True, slots=True)
class PageLinks:
    """What resolving one page's hyperlinks needs: its base (see Resolver) and page-level facts."""

    root: bytes  # scheme://authority of the base, empty when the base is no http(s) URL
    scheme: bytes  # "http:" or "https:"
    directory: bytes  # the base up to the last "/" of its path
    base: bytes | None  # the base URL for ada joins
    bits: int  # NOFOLLOW from page-level robots, REL_UNKNOWN for writers before rel
    legacy_entities: bool  # values keep HTML character references (writers before 2019)
    rel_unknown: bool


def _strings(columns: dict[str, bytes], name: str, rows: int) -> pa.Array:
    return pa.Array.from_buffers(
        pa.string(),
        rows,
        [pa.py_buffer(columns[f"{name}_validity"]), pa.py_buffer(columns[f"{name}_offsets"]),
         pa.py_buffer(columns[f"{name}_data"])],
    )


def link(kind: int, url: str, text: str | None, alt: str | None, page: PageLinks, resolver: Resolver
         ) -> tuple[str, str | None, bool] | None:
    """(target, anchor, image link) of one row, or None when its href names no web page: the per-link rules
    that wathrefs applies to a batch, for the rows it hands back (joins, legacy references) and for tests."""
    target = resolver(unescape(url) if page.legacy_entities else url)
    if target is None:
        return None
    if kind == AREA:
        return target, None, True
    anchor = _collapse(text, page.legacy_entities) if text else None
    if not anchor and alt is not None:
        return target, _collapse(alt, page.legacy_entities), True
    return target, anchor or "", False


def _collapse(value: str, legacy_entities: bool) -> str:
    return " ".join((unescape(value) if legacy_entities else value).split())


@dataclass(frozen=True, slots=True)
class Resolved:
    """A batch's hyperlink rows, in kernel order. Per row: page, code, kind (A or AREA) and keep (its href
    names a web page); its target and anchor are the values at `source` in the chunks of `target` and
    `anchor` taken as one (the kernel's values, then those Python computed for the rows handed back)."""

    page: np.ndarray
    code: np.ndarray
    kind: np.ndarray
    keep: np.ndarray
    source: np.ndarray
    target: list[pa.Array]
    anchor: list[pa.Array]


def resolve(columns: dict[str, bytes], rows: int, pages: Sequence[PageLinks], rel_cache: dict[str, int]) -> Resolved:
    """The rows of `watlinks.LinkColumns.take()` resolved and coded."""
    out = wathrefs.resolve(columns, rows, [(p.root, p.scheme, p.directory, p.legacy_entities) for p in pages])
    page = np.frombuffer(columns["page"], np.int32)
    kind = np.frombuffer(columns["kind"], np.uint8)
    flags = np.frombuffer(out["flags"], np.uint8)
    target_chunks = [_strings(out, "target", rows)]
    anchor_chunks = [_strings(out, "anchor", rows)]
    image = (flags & wathrefs.FLAG_IMAGE) > 0
    keep = target_chunks[0].is_valid().to_numpy(zero_copy_only=False)
    source = np.arange(rows, dtype=np.int64)
    handed_back = np.flatnonzero(flags & (wathrefs.FLAG_JOIN | wathrefs.FLAG_PYTHON))
    if handed_back.size:
        targets, anchors = [], []
        resolvers: dict[int, Resolver] = {}
        values = (_strings(columns, name, rows).take(handed_back).to_pylist() for name in ("url", "text", "alt"))
        rows_back = zip(kind[handed_back].tolist(), page[handed_back].tolist(), *values, strict=True)
        for at, (k, p, url, text, alt) in zip(handed_back.tolist(), rows_back, strict=True):
            context = pages[p]
            resolver = resolvers.get(p)
            if resolver is None:
                resolver = resolvers[p] = Resolver(context.base.decode() if context.base else None)
            found = link(k, url, text, alt, context, resolver)
            targets.append(found[0] if found else None)
            anchors.append(found[1] if found else None)
            image[at] = bool(found and found[2])
            keep[at] = found is not None
        source[handed_back] = rows + np.arange(handed_back.size)
        target_chunks.append(pa.array(targets, pa.string()))
        anchor_chunks.append(pa.array(anchors, pa.string()))
    rel = pc.dictionary_encode(_strings(columns, "rel", rows))
    rel_values = [rel_bits(r, rel_cache) for r in rel.dictionary.to_pylist()]
    rel_code = np.asarray([*rel_values, 0], dtype=np.int64)[rel.indices.fill_null(len(rel_values)).to_numpy()]
    rel_known = ~np.fromiter((p.rel_unknown for p in pages), bool, len(pages))[page]
    bits = np.fromiter((p.bits for p in pages), np.int64, len(pages))[page]
    code = bits | np.where(rel_known, rel_code, 0) | np.where(image, IMAGE, 0)
    return Resolved(page=page, code=code, kind=kind, keep=keep, source=source, target=target_chunks,
                    anchor=anchor_chunks)
