"""Read one export: bytes and file name in, typed contract rows and quarantined rows out.

The records are parsed once by pyarrow's CSV reader as strings (rows with a wrong field count are caught by
its invalid-row handler); every value check and conversion then runs column-wise. Per-row Python runs only
for quarantined rows. A row is quarantined once, with its first reason in this order: column_count, nul_byte,
missing_value, then the first bad value in header order. Records are numbered from 1 after the header; blank
lines are not records, and a quoted field may span lines within one record.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from pipelines.contracts import contract
from pipelines.ingest.vendors import names, sniff
from pipelines.ingest.vendors.errors import ReportError
from pipelines.ingest.vendors.registry import Detection, detect
from pipelines.ingest.vendors.specs import Frame, ReportSpec
from pipelines.ingest.vendors.values import Checked, Enum, Parsed, as_mask, normalise_name

RAW_CAP = 4000
_BLOCK = 1 << 20  # measured: 1 MiB blocks parse 2-3x faster than one whole-file block
_MAX_BLOCK = (1 << 31) - 1
_ANY_CONTENT = re.compile(rb"\S")
_QUARANTINE_SCHEMA = contract("quarantine").arrow_schema({"reader"})


@dataclass(frozen=True)
class ReadResult:
    """One export file read: its kept rows, its quarantined rows, and what was detected about it."""

    source_system: str
    report: str
    table_name: str
    encoding: str
    compression: str | None
    delimiter: str | None
    rows_read: int
    rows: pa.Table
    quarantine: pa.Table
    target_hint: str | None
    exported_at: datetime | None


@dataclass(frozen=True)
class Layout:
    """Where each spec column, metric and extra column sits in this file's header."""

    mapped: dict[str, int]  # Col.key -> position
    metrics: list[int]
    extra: list[int]
    keys: list[str]  # map key of each position: normalised name, made unique
    target_from_header: str | None


@dataclass(frozen=True)
class Records:
    """The records of a file as string columns, and the records that had a wrong field count."""

    table: pa.Table
    numbers: np.ndarray  # data record number of each table row
    bad_width: list[tuple[int, int, str]]  # (record number, fields found, text as written)


def _unique_keys(header: Sequence[str]) -> list[str]:
    keys: list[str] = []
    for name in header:
        key = normalise_name(name)
        base, n = key, 1
        while key in keys:
            n += 1
            key = f"{base} ({n})"
        keys.append(key)
    return keys


def _layout(spec: ReportSpec, header: Sequence[str], file_name: str) -> Layout:
    normalised = [normalise_name(h) for h in header]
    # Columns named after the target (Majestic BackLinks_<target>): one target fills the contract columns and
    # is the file's target hint; an export comparing several targets leaves them all as metrics.
    suffixes = {
        i: header[i].strip()[len(col.display) :]
        for col in spec.columns
        if col.prefix
        for i, name in enumerate(normalised)
        if col.matches(name)
    }
    targets = {suffix.casefold() for suffix in suffixes.values()}
    ambiguous = set(suffixes) if len(targets) > 1 else set()
    mapped: dict[str, int] = {}
    for col in spec.columns:
        hits = [
            i
            for i, name in enumerate(normalised)
            if col.matches(name) and i not in mapped.values() and i not in ambiguous
        ]
        if hits:
            mapped[col.key] = hits[0]
    missing = [c.display for c in spec.columns if c.required and c.key not in mapped]
    if missing:
        raise ReportError(
            file_name, "missing_column", f"{spec.title}: missing required column {missing[0]!r}"
        )
    metrics = [i for i, name in enumerate(normalised) if spec.is_metric(name) or i in ambiguous]
    taken = set(mapped.values()) | set(metrics)
    extra = [i for i in range(len(header)) if i not in taken]
    target = next(iter(suffixes.values())) if len(targets) == 1 else None
    return Layout(mapped, metrics, extra, _unique_keys(header), target or None)


def _absent_byte(body: bytes, file_name: str) -> str:
    """A control character absent from the body: the field separator of a one-column file."""
    for code in (0x1F, 0x1E, 0x1D, 0x1C, *range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x1C)):
        if bytes([code]) not in body:
            return chr(code)
    raise ReportError(file_name, "malformed_csv", "malformed_csv: a one-column file using every control byte")


def _read_csv(
    body: bytes, names_: list[str], separator: str, bad_width: list[tuple[int, int, str]], block_size: int
) -> pa.Table:
    """All records as string columns; records with a wrong field count are skipped into `bad_width`."""

    def on_invalid(row: pcsv.InvalidRow) -> str:
        bad_width.append((row.number, row.actual_columns, row.text))
        return "skip"

    return pcsv.read_csv(
        io.BytesIO(body),
        # One thread keeps invalid-row numbers known (the parallel reader reports none).
        read_options=pcsv.ReadOptions(use_threads=False, column_names=names_, block_size=block_size),
        parse_options=pcsv.ParseOptions(
            delimiter=separator,
            quote_char='"',
            double_quote=True,
            newlines_in_values=True,
            ignore_empty_lines=True,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={n: pa.string() for n in names_},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,  # validated while sniffing the encoding
        ),
    )


def _records(body: bytes, width: int, delimiter: str | None, file_name: str) -> Records:
    names_ = [f"c{i}" for i in range(width)]
    if _ANY_CONTENT.search(body) is None:
        empty = pa.table({n: pa.array([], pa.string()) for n in names_})
        return Records(empty, np.zeros(0, dtype=np.int64), [])
    separator = delimiter or _absent_byte(body, file_name)
    bad_width: list[tuple[int, int, str]] = []
    try:
        table = _read_csv(body, names_, separator, bad_width, _BLOCK)
    except pa.ArrowInvalid as exc:
        if "straddle" not in str(exc):
            raise ReportError(file_name, "malformed_csv", f"malformed_csv: {exc}") from exc
        # A record longer than a block (a huge or unterminated quoted field): read the body as one block.
        bad_width.clear()
        try:
            table = _read_csv(body, names_, separator, bad_width, min(len(body) + 1, _MAX_BLOCK))
        except pa.ArrowInvalid as again:
            raise ReportError(file_name, "malformed_csv", f"malformed_csv: {again}") from again
    table = table.combine_chunks()
    total = table.num_rows + len(bad_width)
    bad_numbers = np.array([n for n, _, _ in bad_width], dtype=np.int64)
    numbers = np.setdiff1d(np.arange(1, total + 1, dtype=np.int64), bad_numbers, assume_unique=True)
    return Records(table, numbers, bad_width)


@dataclass(frozen=True)
class Rejection:
    """Rows of the string table failing one check, with the reason and a detail per row."""

    rows: np.ndarray
    reason: str
    details: list[str]


def _column(table: pa.Table, position: int) -> pa.Array:
    chunked = table.column(position)
    return chunked.chunk(0) if chunked.num_chunks == 1 else chunked.combine_chunks()


def _checks(
    spec: ReportSpec,
    header: Sequence[str],
    layout: Layout,
    table: pa.Table,
    parsed: dict[str, Parsed],
    nul: bool,
) -> list[Rejection]:
    """Every row-level check in priority order; a row's first failing check is its reason."""
    out: list[Rejection] = []
    if nul:
        for position in range(table.num_columns):
            rows = np.nonzero(as_mask(pc.match_substring(_column(table, position), "\x00")))[0]
            if rows.size:
                out.append(
                    Rejection(
                        rows, "nul_byte", [f"column {header[position]!r} contains a NUL byte"] * rows.size
                    )
                )
    for col in spec.columns:
        if col.not_empty and col.key in layout.mapped:
            position = layout.mapped[col.key]
            raw = _column(table, position)
            rows = np.nonzero(as_mask(pc.equal(pc.utf8_trim_whitespace(raw), "")))[0]
            if rows.size:
                out.append(
                    Rejection(rows, "missing_value", [f"column {header[position]!r} is empty"] * rows.size)
                )
    by_position = sorted((layout.mapped[c.key], c) for c in spec.columns if c.key in layout.mapped)
    for position, col in by_position:
        result = parsed[col.key]
        if isinstance(col.value, Checked) and result.bad.any():
            rows = np.nonzero(result.bad)[0]
            values = _column(table, position).take(pa.array(rows)).to_pylist()
            expected = col.value.expected
            details = [f"column {header[position]!r}: {v!r} is not {expected}" for v in values]
            out.append(Rejection(rows, col.value.reason, details))
    return out


def _map_column(pairs: Sequence[tuple[str, pa.Array]], n: int) -> pa.Array:
    """map<string,string> per row from named string columns; null or empty values are left out."""
    if not pairs:
        return pa.MapArray.from_arrays(
            pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], pa.string()), pa.array([], pa.string())
        )
    k = len(pairs)
    valid = np.vstack([as_mask(pc.not_equal(pc.fill_null(arr, ""), "")) for _, arr in pairs])  # k x n
    row_major = np.arange(k * n, dtype=np.int64).reshape(k, n).T.ravel()
    keep = valid.T.ravel()
    values = pa.concat_arrays([arr.cast(pa.string()) for _, arr in pairs]).take(pa.array(row_major[keep]))
    key_ids = np.tile(np.arange(k, dtype=np.int32), n)[keep]
    keys = pa.array([key for key, _ in pairs], pa.string()).take(pa.array(key_ids))
    offsets = np.concatenate([[0], np.cumsum(valid.sum(axis=0))]).astype(np.int32)
    return pa.MapArray.from_arrays(pa.array(offsets), keys, values)


def _quarantine(
    spec: ReportSpec,
    report: str,
    records: Records,
    rejections: list[Rejection],
    delimiter: str | None,
) -> tuple[pa.Table, np.ndarray]:
    """Quarantine table (sorted by row number) and the mask of table rows that stay."""
    n = records.table.num_rows
    taken = np.zeros(n, dtype=bool)
    rows: list[np.ndarray] = []
    reasons: list[str] = []
    details: list[str] = []
    for rejection in rejections:
        first = ~taken[rejection.rows]
        chosen = rejection.rows[first]
        taken[chosen] = True
        rows.append(chosen)
        reasons += [rejection.reason] * chosen.size
        details += [d for d, keep in zip(rejection.details, first, strict=True) if keep]
    picked = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    separator = delimiter or ""
    columns = [records.table.column(i).take(pa.array(picked)) for i in range(records.table.num_columns)]
    raw = pc.binary_join_element_wise(*columns, separator).to_pylist()
    numbers = records.numbers[picked].tolist()
    for number, found, text in records.bad_width:
        fields = sniff.split_fields(text, delimiter or ",")
        numbers.append(number)
        reasons.append("column_count")
        details.append(f"expected {records.table.num_columns} fields, found {found}")
        raw.append(separator.join(fields) if delimiter else text)
    order = np.argsort(np.array(numbers, dtype=np.int64), kind="stable")
    table = pa.table(
        {
            "source_system": pa.array([spec.source_system] * len(numbers), pa.string()),
            "report": pa.array([report] * len(numbers), pa.string()),
            "row_number": pa.array(numbers, pa.int64()),
            "reason": pa.array(reasons, pa.string()),
            "detail": pa.array(details, pa.string()),
            "raw": pc.utf8_slice_codeunits(pa.array(raw, pa.string()), 0, RAW_CAP),
        },
        schema=_QUARANTINE_SCHEMA,
    ).take(pa.array(order))
    return table, ~taken


def _parse(spec: ReportSpec, layout: Layout, table: pa.Table) -> dict[str, Parsed]:
    return {
        c.key: c.value.parse(_column(table, layout.mapped[c.key]))
        for c in spec.columns
        if c.key in layout.mapped
    }


def _rows(
    spec: ReportSpec,
    report: str,
    layout: Layout,
    table: pa.Table,
    parsed: dict[str, Parsed],
    numbers: np.ndarray,
    target_hint: str | None,
) -> pa.Table:
    """Contract rows from the kept string rows and their parsed values."""
    n = table.num_rows
    typed = {key: p.values for key, p in parsed.items()}
    raw = {c.key: _column(table, layout.mapped[c.key]) for c in spec.columns if c.key in layout.mapped}
    derived = spec.derive(Frame(n, typed, raw, target_hint)) if spec.derive else {}
    sentinels = {normalise_name(k): v for k, v in spec.metric_sentinels.items()}
    metric_pairs = []
    for position in layout.metrics:
        values = _column(table, position)
        if (nulls := sentinels.get(layout.keys[position])) is not None:
            is_sentinel = pc.is_in(pc.utf8_trim_whitespace(values), pa.array(nulls))
            values = pc.if_else(is_sentinel, pa.scalar(None, pa.string()), values)
        metric_pairs.append((layout.keys[position], values))
    for col in spec.columns:
        value = parsed.get(col.key)
        if isinstance(col.value, Enum) and value is not None and value.unmapped is not None:
            metric_pairs.append((layout.keys[layout.mapped[col.key]], value.unmapped))
    extra_pairs = [(layout.keys[p], _column(table, p)) for p in layout.extra]
    schema = contract(spec.table).arrow_schema({"reader"})
    columns: dict[str, pa.Array] = {
        "source_system": pa.repeat(pa.scalar(spec.source_system), n),
        "report": pa.repeat(pa.scalar(report), n),
        "row_number": pa.array(numbers, pa.int64()),
        "metrics": _map_column(metric_pairs, n),
        "extra": _map_column(extra_pairs, n),
    }
    for f in schema:
        if f.name in columns:
            continue
        if f.name in derived:
            columns[f.name] = derived[f.name]
        elif f.name in typed:
            columns[f.name] = typed[f.name]
        elif f.name in spec.constants:
            columns[f.name] = pa.repeat(pa.scalar(spec.constants[f.name]), n)
        else:
            columns[f.name] = pa.nulls(n, f.type)
    return contract(spec.table).conform(pa.table(columns), {"reader"})


def read_export(data: bytes, file_name: str) -> ReadResult:
    """Read one vendor export file; raise ReportError when the file as a whole cannot be read."""
    decoded = sniff.decode(data, file_name)
    found: Detection = detect(decoded.text, file_name)
    spec = found.spec
    layout = _layout(spec, found.header, file_name)
    hints = names.hints(file_name, spec.source_system)
    report = spec.name_labels.get(hints.report_label or "", spec.report)
    target_hint = layout.target_from_header or hints.target
    body = decoded.text[found.body_start :]
    records = _records(body, len(found.header), found.delimiter, file_name)
    parsed = _parse(spec, layout, records.table)
    rejections = _checks(spec, found.header, layout, records.table, parsed, b"\x00" in body)
    quarantine, keep = _quarantine(spec, report, records, rejections, found.delimiter)
    table, numbers = records.table, records.numbers
    if not keep.all():
        kept = pa.array(keep)
        table, numbers = table.filter(kept), numbers[keep]
        parsed = {
            key: Parsed(
                p.values.filter(kept), p.bad[keep], None if p.unmapped is None else p.unmapped.filter(kept)
            )
            for key, p in parsed.items()
        }
    rows = _rows(spec, report, layout, table, parsed, numbers, target_hint)
    return ReadResult(
        source_system=spec.source_system,
        report=report,
        table_name=spec.table,
        encoding=decoded.encoding,
        compression=decoded.compression,
        delimiter=found.delimiter,
        rows_read=rows.num_rows + quarantine.num_rows,
        rows=rows,
        quarantine=quarantine,
        target_hint=target_hint,
        exported_at=hints.exported_at,
    )
