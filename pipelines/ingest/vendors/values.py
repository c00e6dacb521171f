"""Strict, vectorised parsers of vendor cell values: explicit date formats, booleans, counts, enums.

Every parser takes a column of strings as written and returns the typed column plus a mask of the rows whose
non-empty value did not parse. Nothing is guessed: a date is read only by a format the vendor is known to use,
and a value a format cannot read is reported, never coerced. Vendor timestamps carry no zone; they are read
as UTC and returned as naive ``timestamp[us]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Literal `null` is a sentinel some exports write for a missing typed value; it never stands for a real date,
# flag or count, so it is read as NULL in typed columns (text columns keep it: "null" can be an anchor).
TYPED_NULL_TOKENS = ("", "null")

TIMESTAMP = pa.timestamp("us")


def normalise_name(name: str) -> str:
    """Header name as matched: BOM-free, trimmed, case-folded, inner whitespace collapsed."""
    return " ".join(name.replace("\ufeff", "").casefold().split())


@dataclass(frozen=True)
class Parsed:
    """A typed column and the rows whose value was present but did not parse."""

    values: pa.Array
    bad: np.ndarray  # bool, one per row
    unmapped: pa.Array | None = None  # enums only: raw values outside the mapping, else null


def _trimmed(raw: pa.Array) -> pa.Array:
    return pc.utf8_trim_whitespace(raw)


def _is_typed_null(trimmed: pa.Array) -> np.ndarray:
    """Rows that are NULL for a typed column: empty, or the `null` sentinel in any case."""
    lowered = pc.utf8_lower(trimmed)
    return as_mask(pc.or_(pc.is_null(lowered), pc.is_in(lowered, pa.array(TYPED_NULL_TOKENS))))


def as_mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Boolean Arrow column to a numpy mask, NULL counting as False."""
    filled = pc.fill_null(arr, False)
    if isinstance(filled, pa.ChunkedArray):
        filled = filled.combine_chunks()
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def _per_distinct(raw: pa.Array, parse: Callable[[pa.Array], tuple[pa.Array, np.ndarray]]) -> Parsed:
    """Apply `parse` to the distinct values only and spread the results back over the rows.

    Vendor columns of dates, flags, codes and counts repeat a few values many times: parsing each distinct
    value once makes the strict checks nearly free on large files.
    """
    encoded = pc.dictionary_encode(pc.fill_null(raw, ""))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    values, bad = parse(encoded.dictionary)
    indices = encoded.indices
    return Parsed(values.take(indices), bad[indices.to_numpy(zero_copy_only=False)])


@dataclass(frozen=True)
class DateFormat:
    """One explicit vendor date layout: a full-match regex with named fields and the strptime format."""

    label: str  # how the vendor writes it, e.g. DD/MM/YYYY HH:MM
    regex: str  # named groups Y, m, d and optionally H, M, S
    strptime: str


ISO_DATE = DateFormat("YYYY-MM-DD", r"^(?P<Y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})$", "%Y-%m-%d")
ISO_DATETIME = DateFormat(
    "YYYY-MM-DD HH:MM:SS",
    r"^(?P<Y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2}) (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})$",
    "%Y-%m-%d %H:%M:%S",
)
ISO_T_DATETIME = DateFormat(
    "YYYY-MM-DDTHH:MM:SS",
    r"^(?P<Y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})T(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})$",
    "%Y-%m-%dT%H:%M:%S",
)
ISO_T_DATETIME_Z = DateFormat(
    "YYYY-MM-DDTHH:MM:SSZ",
    r"^(?P<Y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})T(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})Z$",
    "%Y-%m-%dT%H:%M:%SZ",
)
DAY_FIRST_DATETIME = DateFormat(
    "DD/MM/YYYY HH:MM",
    r"^(?P<d>\d{2})/(?P<m>\d{2})/(?P<Y>\d{4}) (?P<H>\d{2}):(?P<M>\d{2})$",
    "%d/%m/%Y %H:%M",
)
DAY_FIRST_DATE = DateFormat("DD/MM/YYYY", r"^(?P<d>\d{2})/(?P<m>\d{2})/(?P<Y>\d{4})$", "%d/%m/%Y")

_COMPONENTS = (
    ("Y", pc.year),
    ("m", pc.month),
    ("d", pc.day),
    ("H", pc.hour),
    ("M", pc.minute),
    ("S", pc.second),
)


def _parse_one_format(trimmed: pa.Array, fmt: DateFormat) -> pa.Array:
    """Timestamps of the values written exactly in `fmt`, null for every other value."""
    parts = pc.extract_regex(trimmed, fmt.regex)
    shaped = as_mask(parts.is_valid())
    stamps = pc.strptime(trimmed, format=fmt.strptime, unit="us", error_is_null=True)
    # strptime normalises impossible dates (31/02 becomes 02/03): each written field must read back the same.
    exact = pc.is_valid(stamps)
    for name, extract in _COMPONENTS:
        if f"(?P<{name}>" in fmt.regex:
            written = pc.cast(pc.struct_field(parts, name), pa.int64(), safe=False)
            exact = pc.and_(exact, pc.equal(extract(stamps), written))
    ok = as_mask(exact) & shaped
    # Year 0 exists in Arrow but not in Python's datetime: no export means it.
    ok &= as_mask(pc.greater_equal(pc.year(stamps), 1))
    return pc.if_else(pa.array(ok), stamps, pa.nulls(len(trimmed), TIMESTAMP))


@dataclass(frozen=True)
class Stamp:
    """Timestamp column written in one of the vendor's explicit formats (naive UTC)."""

    formats: tuple[DateFormat, ...]
    reason = "bad_date"

    @property
    def expected(self) -> str:
        return " or ".join(f.label for f in self.formats)

    def parse(self, raw: pa.Array) -> Parsed:
        return _per_distinct(raw, self._parse_distinct)

    def _parse_distinct(self, raw: pa.Array) -> tuple[pa.Array, np.ndarray]:
        trimmed = _trimmed(raw)
        null = _is_typed_null(trimmed)
        out = pa.nulls(len(raw), TIMESTAMP)
        for fmt in self.formats:
            out = pc.coalesce(out, _parse_one_format(trimmed, fmt))
        return out, ~null & ~as_mask(pc.is_valid(out))


@dataclass(frozen=True)
class Bool:
    """Boolean column in one vendor spelling: word pairs (any case) or flags (empty false, else true)."""

    true: tuple[str, ...] = ()
    false: tuple[str, ...] = ()
    flag: bool = False
    reason = "bad_boolean"

    @property
    def expected(self) -> str:
        return "empty or non-empty flag" if self.flag else "/".join((*self.true, *self.false))

    def parse(self, raw: pa.Array) -> Parsed:
        return _per_distinct(raw, self._parse_distinct)

    def _parse_distinct(self, raw: pa.Array) -> tuple[pa.Array, np.ndarray]:
        if self.flag:
            return pc.not_equal(raw, ""), np.zeros(len(raw), dtype=bool)
        trimmed = _trimmed(raw)
        lowered = pc.utf8_lower(trimmed)
        is_true = as_mask(pc.is_in(lowered, pa.array(self.true)))
        is_false = as_mask(pc.is_in(lowered, pa.array(self.false)))
        null = _is_typed_null(trimmed)
        values = pa.array(is_true, pa.bool_())
        values = pc.if_else(pa.array(is_true | is_false), values, pa.nulls(len(raw), pa.bool_()))
        return values, ~(is_true | is_false | null)


TRUE_FALSE = Bool(true=("true",), false=("false",))
YES_NO = Bool(true=("yes",), false=("no",))
FLAG = Bool(flag=True)

_PLAIN_INT = r"^-?\d{1,18}$"
_GROUPED_INT = r"^\d{1,3}(,\d{3}){1,5}$"


@dataclass(frozen=True)
class Int:
    """Integer count; `grouped` also reads thousands separators (GSC's "1,240"); `sentinels` mean NULL."""

    grouped: bool = False
    sentinels: tuple[str, ...] = ()
    reason = "bad_number"

    @property
    def expected(self) -> str:
        return "an integer" + (" (thousands may be comma-grouped)" if self.grouped else "")

    def parse(self, raw: pa.Array) -> Parsed:
        return _per_distinct(raw, self._parse_distinct)

    def _parse_distinct(self, raw: pa.Array) -> tuple[pa.Array, np.ndarray]:
        trimmed = _trimmed(raw)
        null = _is_typed_null(trimmed)
        if self.sentinels:
            null |= as_mask(pc.is_in(trimmed, pa.array(self.sentinels)))
        ok = as_mask(pc.match_substring_regex(trimmed, _PLAIN_INT))
        digits = trimmed
        if self.grouped:
            grouped = as_mask(pc.match_substring_regex(trimmed, _GROUPED_INT))
            digits = pc.if_else(pa.array(grouped), pc.replace_substring(trimmed, ",", ""), trimmed)
            ok |= grouped
        ok &= ~null
        keep = pa.array(ok)
        values = pc.cast(pc.if_else(keep, digits, pa.nulls(len(raw), pa.string())), pa.int64())
        return values, ~ok & ~null


@dataclass(frozen=True)
class Text:
    """String as written; empty is NULL unless `keep_empty` (an empty anchor is a value, not a gap)."""

    keep_empty: bool = False
    lower: bool = False
    empty_token: str | None = None  # a literal the vendor writes for the empty value, e.g. GSC's "(empty)"

    def parse(self, raw: pa.Array) -> Parsed:
        values = pc.fill_null(raw, "")
        if self.empty_token is not None:
            values = pc.if_else(pc.equal(values, self.empty_token), "", values)
        if not self.keep_empty:
            values = pc.if_else(pc.equal(values, ""), pa.nulls(len(raw), pa.string()), values)
        if self.lower:
            values = pc.utf8_lower(values)
        return Parsed(values, np.zeros(len(raw), dtype=bool))


@dataclass(frozen=True)
class Enum:
    """Vendor code mapped to a linkindex code (case-insensitive); unmapped values give `default`.

    Unmapped non-empty values are returned separately so the reader can keep them in `metrics` as written:
    an unknown code is information, not an error.
    """

    mapping: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None

    def parse(self, raw: pa.Array) -> Parsed:
        encoded = pc.dictionary_encode(pc.fill_null(raw, ""))
        distinct = encoded.dictionary
        trimmed = _trimmed(distinct)
        keys = pa.array(list(self.mapping), pa.string())
        codes = pa.array(list(self.mapping.values()), pa.string())
        index = pc.index_in(pc.utf8_lower(trimmed), value_set=keys)
        values = pc.take(codes, index)
        if self.default is not None:
            values = pc.fill_null(values, self.default)
        unmapped = pc.if_else(
            pc.and_(pc.is_null(index), pc.not_equal(trimmed, "")),
            distinct,
            pa.nulls(len(distinct), pa.string()),
        )
        rows = encoded.indices
        return Parsed(values.take(rows), np.zeros(len(raw), dtype=bool), unmapped.take(rows))


Value = Stamp | Bool | Int | Text | Enum
Checked = Stamp | Bool | Int  # the parsers that can reject a value
