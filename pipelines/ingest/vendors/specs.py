"""Report specs: what one vendor report's header looks like and how its columns map onto a lake contract.

A spec is data: the columns that identify the report (`signature`), the columns it reads into contract
columns (`columns`, some `required`), the known metric and context columns, and an optional `derive` step for
contract columns computed from several vendor columns (a link type from four flags, a lost reason from two).
Columns no spec names go to the `extra` map, so nothing in a file is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.ingest.vendors.values import Text, Value, as_mask, normalise_name

PLAIN = Text()


@dataclass(frozen=True)
class Col:
    """One vendor column read into a contract column or a derive input (`key`)."""

    names: tuple[str, ...]  # as the vendor writes them; the first is the one error messages quote
    key: str
    value: Value = PLAIN
    required: bool = False  # the column must be in the header
    not_empty: bool = False  # an empty value sends the row to quarantine (missing_value)
    prefix: bool = False  # names are prefixes whose suffix names the target (Majestic BackLinks_<target>)

    @property
    def display(self) -> str:
        return self.names[0]

    def matches(self, name: str) -> bool:
        """Whether a normalised header name is this column."""
        wanted = (normalise_name(n) for n in self.names)
        if self.prefix:
            return any(name.startswith(w) and len(name) > len(w) for w in wanted)
        return name in wanted


@dataclass(frozen=True)
class Frame:
    """One file's parsed columns by `Col.key` (columns absent from the file have no key), for `derive`."""

    n: int
    columns: Mapping[str, pa.Array]  # typed values by key
    raw: Mapping[str, pa.Array]  # the same columns as written
    target_hint: str | None

    def get(self, key: str) -> pa.Array | None:
        return self.columns.get(key)

    def non_empty(self, key: str) -> pa.Array:
        """Rows whose cell for `key` holds anything but blanks."""
        return pc.not_equal(pc.utf8_trim_whitespace(self.raw[key]), "")


Derive = Callable[[Frame], dict[str, pa.Array]]


@dataclass(frozen=True)
class ReportSpec:
    """How to recognise and read one vendor report."""

    source_system: str
    report: str
    table: str  # contract the rows go to
    signature: tuple[tuple[str, ...], ...]  # each group: one of these header names must be present
    columns: tuple[Col, ...]
    metrics: tuple[str, ...] = ()  # known metric columns, kept as written in `metrics`
    metric_prefixes: tuple[str, ...] = ()  # families of metric columns (Majestic topical trust flow)
    context: tuple[str, ...] = ()  # known descriptive columns with no contract column, kept in `extra`
    # metric values that mean NULL, e.g. Majestic's AlexaRank -1
    metric_sentinels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # contract columns with one value for the whole file, unless a column or `derive` gives one per row
    constants: Mapping[str, str] = field(default_factory=dict)
    derive: Derive | None = None
    preamble: int = 0  # non-blank lines allowed before the header (Moz's legacy report title block)
    name_labels: Mapping[str, str] = field(default_factory=dict)  # file-name report segment -> report label

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{self.source_system} {self.report}: duplicate column keys {keys}")

    @property
    def title(self) -> str:
        return f"{self.source_system} {self.report}"

    def is_metric(self, name: str) -> bool:
        return name in {normalise_name(m) for m in self.metrics} or any(
            name.startswith(normalise_name(p)) for p in self.metric_prefixes
        )

    def is_known(self, name: str) -> bool:
        return (
            any(c.matches(name) for c in self.columns)
            or self.is_metric(name)
            or name in {normalise_name(c) for c in self.context}
        )

    def score(self, names: Sequence[str]) -> tuple[bool, int] | None:
        """(all required columns present, known columns) if the header carries the signature, else None."""
        present = set(names)
        if not all(any(normalise_name(n) in present for n in group) for group in self.signature):
            return None
        required_ok = all(any(c.matches(n) for n in names) for c in self.columns if c.required)
        return required_ok, sum(1 for n in names if self.is_known(n))


def one_true(frame: Frame, choices: Sequence[tuple[str, str]], when_none: str) -> pa.Array:
    """Link type from per-type boolean columns: the one that is true; `when_none` if none; unknown if several.

    `choices` pairs a frame key with the link type it stands for; absent columns count as false.
    """
    codes = [code for _, code in choices]
    dictionary = pa.array([*codes, when_none, "unknown"], pa.string())
    flags = np.zeros((len(choices), frame.n), dtype=bool)
    for i, (key, _) in enumerate(choices):
        if (column := frame.get(key)) is not None:
            flags[i] = as_mask(column)
    count = flags.sum(axis=0)
    indices = np.where(count == 1, flags.argmax(axis=0), np.where(count == 0, len(codes), len(codes) + 1))
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)), dictionary).dictionary_decode()
