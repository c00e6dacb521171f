"""Ingest step: read export files into the lake, one outcome row per file, never stopping on a bad file."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.config import Settings
from pipelines.contracts import contract
from pipelines.ingest.crawl import SNIFF_BYTES, is_crawl_archive, read_archive
from pipelines.ingest.vendors import ReadResult, ReportError, read_export
from pipelines.load.lake import FileUnit, Lake
from pipelines.stage.aggregates import stage_aggregates
from pipelines.stage.domains import DomainResolver
from pipelines.stage.links import stage_links
from pipelines.stage.pages import stage_pages
from pipelines.stage.urls import canonicalize

if TYPE_CHECKING:  # importing Great Expectations costs seconds; only files that are staged pay for it
    from pipelines.quality.expectations import RowCheck

log = logging.getLogger(__name__)

# Vendors cut exports at account limits; a file of exactly this many rows is probably incomplete.
ROW_CAPS = (10_000, 50_000)
_LAST_SEEN_COLUMNS = ("last_seen_claim", "last_seen")
# Reports that list linking pages of a whole site without naming the page they link to.
SITE_LEVEL_REPORTS = {("gsc", "latest_links"), ("gsc", "more_sample_links")}


class IngestInputError(ValueError):
    """An input that cannot be ingested as given; the message names the file and the reason."""


@dataclass(frozen=True)
class Outcome:
    file_name: str
    status: str
    rows_read: int
    rows_kept: int
    rows_quarantined: int
    error: str | None
    row: dict[str, object]


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus every non-hidden file under named folders, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found.append(path)
    return found


def target_domain(value: str, resolver: DomainResolver) -> str | None:
    """Registrable domain of a target given as a domain, host or URL; None if it is not one."""
    canon = canonicalize(value.strip())
    if isinstance(canon, str):
        return None
    return resolver.resolve(canon.host).registrable_domain


def ingest(
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    target: str | None = None,
    observed_on: date | None = None,
    today: date | None = None,
    on_file: Callable[[Path, int], None] | None = None,
    batch: str | None = None,
) -> list[Outcome]:
    """Ingest every file under `paths` into the lake; return one Outcome per file.

    `batch` names a landing batch (the nightly run's landing day). Rerunning a batch replaces that batch's
    files only: a file it ingested before but no longer holds is removed from the lake, while every other
    batch's files stay.
    """
    resolver = DomainResolver(include_private=settings.include_private_suffixes)
    target_dom = None
    if target is not None:
        target_dom = target_domain(target, resolver)
        if target_dom is None:
            raise IngestInputError(f"--target {target!r} is not a domain, host or URL")
    lake = Lake(settings.lake)
    run_day = today or datetime.now(UTC).date()
    outcomes = []
    for path in expand_paths(paths):
        outcomes.append(
            _ingest_file(path, lake, settings, resolver, target_dom, target, observed_on, run_day, batch)
        )
        if on_file is not None:
            on_file(path, path.stat().st_size if path.exists() else 0)
    if batch is not None:
        _replace_batch(lake, batch, outcomes)
    return outcomes


def _replace_batch(lake: Lake, batch: str, outcomes: list[Outcome]) -> None:
    """Record what `batch` holds now, and remove the files only an earlier run of it held."""
    table = contract("landing_batches")
    held = {str(o.row["file_id"]): o.file_name for o in outcomes}
    before: set[str] = set()
    elsewhere: set[str] = set()
    for part in lake.files("landing_batches"):
        ids = set(pq.read_table(part, columns=["file_id"])["file_id"].to_pylist())
        if part.stem == batch:
            before = ids
        else:
            elsewhere |= ids
    for file_id in sorted(before - set(held) - elsewhere):
        log.info("landing batch %s no longer holds file %s: removing its rows", batch, file_id)
        lake.remove_file(file_id)
    rows = [{"landing_batch": batch, "file_id": k, "file_name": v} for k, v in sorted(held.items())]
    lake.write_part(table, pa.Table.from_pylist(rows, schema=table.arrow_schema()), batch)


def _ingest_file(
    path: Path,
    lake: Lake,
    settings: Settings,
    resolver: DomainResolver,
    target_dom: str | None,
    target_raw: str | None,
    observed_on: date | None,
    today: date,
    batch: str | None,
) -> Outcome:
    row: dict[str, object] = {
        "landing_batch": batch, "file_name": path.name, "file_path": str(path), "file_bytes": 0, "status": "failed",
        "rows_read": 0, "rows_kept": 0, "rows_quarantined": 0, "anchors_truncated": 0,
        "links_kept": 0, "links_quarantined": 0, "truncated": False,
        "suspected_row_cap": False, "ingested_at": datetime.now(UTC).replace(tzinfo=None),
    }
    try:
        data = path.read_bytes()
    except OSError as exc:
        row["file_id"] = hashlib.sha256(str(path).encode()).hexdigest()
        row["error"] = f"{path}: cannot read file: {exc.strerror or exc}"
        with lake.file_unit(str(row["file_id"])) as unit:
            return _record(unit, row)
    file_id = hashlib.sha256(data).hexdigest()
    row.update(file_id=file_id, file_bytes=len(data))
    # A failed file commits its outcome alone, which removes every part an earlier ingest of it left.
    with lake.file_unit(file_id) as unit:
        try:
            if is_crawl_archive(data[:SNIFF_BYTES]):
                parts = _load_crawl(data, path, row, resolver, observed_on, today, settings)
            else:
                parts = _load_export(data, path, row, resolver, target_dom, target_raw, observed_on, today, settings)
            for name, table in parts.items():
                unit.write(contract(name), table)
        except (ReportError, IngestInputError) as exc:
            row.update(status="failed", rows_kept=0, rows_quarantined=0, error=str(exc))
            unit.discard()
        except Exception as exc:  # one bad file must never stop the others; the outcome names it
            log.exception("ingest of %s failed", path)
            row.update(status="failed", rows_kept=0, rows_quarantined=0,
                       error=f"{path.name}: {type(exc).__name__}: {exc}")
            unit.discard()
        return _record(unit, row)


def _load_export(
    data: bytes, path: Path, row: dict[str, object], resolver: DomainResolver,
    target_dom: str | None, target_raw: str | None, observed_on: date | None, today: date, settings: Settings,
) -> dict[str, pa.Table]:
    """A vendor export: reader, staging for link reports, then its rows per lake table, rows balanced."""
    file_id = str(row["file_id"])
    result = read_export(data, path.name)
    row.update(
        source_system=result.source_system, report=result.report, table_name=result.table_name,
        encoding=result.encoding, compression=result.compression, delimiter=result.delimiter,
        rows_read=result.rows_read, suspected_row_cap=result.rows_read in ROW_CAPS,
    )
    day, day_source = _observed_on(result, observed_on, path, today)
    export_target = target_dom or _hinted_target(result, resolver)
    row.update(observed_on=day, observed_on_source=day_source)
    ingest_cols = {"file_id": file_id, "file_name": path.name, "observed_on": day}
    quarantine = _with_columns(result.quarantine, {**ingest_cols, "unit": "row"}, "quarantine")
    if result.table_name == "link_observations":
        raw = result.rows
        raw = _fill_target(raw, target_raw or result.target_hint, path)
        raw = _with_columns(raw, {
            **ingest_cols, "export_target": export_target,
            "export_complete": not row["suspected_row_cap"],
            "target_scope": "site" if (result.source_system, result.report) in SITE_LEVEL_REPORTS
            else "page",
        }, "link_observations")
        kept, staged_q = stage_links(
            raw, resolver=resolver, today=today, anchor_max_chars=settings.anchor_max_chars
        )
        if export_target is None:
            export_target = _dominant(kept["target_domain"])
            kept = kept.set_column(
                kept.schema.get_field_index("export_target"), "export_target",
                pa.array([export_target] * kept.num_rows, pa.string()),
            )
        quarantine = pa.concat_tables([contract("quarantine").conform(quarantine), staged_q])
        row["anchors_truncated"] = pc.sum(kept["anchor_truncated"].cast(pa.int64())).as_py() or 0
    else:
        raw = _with_columns(result.rows, {**ingest_cols, "export_target": export_target}, result.table_name)
        kept, staged_q = stage_aggregates(raw, result.table_name, resolver=resolver)
        export_target = export_target or _dominant(kept["export_target"])
        quarantine = pa.concat_tables([contract("quarantine").conform(quarantine), staged_q])
    row.update(export_target=export_target)
    kept, broken, checks = _screen(result.table_name, kept, "row")
    quarantine = pa.concat_tables([quarantine, broken])
    _balance(path, result.rows_read, kept.num_rows, quarantine.num_rows, "rows")
    row.update(
        rows_kept=kept.num_rows, rows_quarantined=quarantine.num_rows,
        links_kept=kept.num_rows if result.table_name == "link_observations" else 0,
        status="partial" if quarantine.num_rows else "ok",
    )
    parts = {
        result.table_name: kept, "quarantine": quarantine,
        "row_validations": _validations(file_id, path.name, checks),
    }
    if result.table_name == "link_observations":
        parts["export_snapshots"] = _snapshot(row, result.rows_read, kept.num_rows)
    return parts


def _load_crawl(
    data: bytes, path: Path, row: dict[str, object], resolver: DomainResolver,
    observed_on: date | None, today: date, settings: Settings,
) -> dict[str, pa.Table]:
    """A WARC or WAT archive: pages and links, each row partitioned by the day it was captured."""
    file_id = str(row["file_id"])
    result = read_archive(data, path.name)
    row.update(
        source_system=result.source_system, report=result.report, table_name="page_observations",
        compression=result.compression, rows_read=result.records_read, truncated=result.truncated,
        observed_on_source="capture",
    )
    fallback = observed_on or today
    base = {"file_id": file_id, "file_name": path.name}
    pages = _with_columns(result.pages, base, "page_observations")
    page_days = _capture_days(pages["fetched_at"], fallback)
    pages = pages.append_column("observed_on", page_days)
    pages = stage_pages(pages, resolver)
    links = _with_columns(result.links, {
        **base, "export_target": None, "export_complete": False, "target_scope": "page",
    }, "link_observations")
    links = links.append_column("observed_on", _capture_days(links["last_seen_claim"], fallback))
    kept, link_q = stage_links(
        links, resolver=resolver, today=today, anchor_max_chars=settings.anchor_max_chars, unit="link"
    )
    errors = result.errors.append_column("unit", pa.array(["record"] * result.errors.num_rows, pa.string()))
    errors = _with_columns(errors, base, "quarantine")
    errors = errors.append_column("observed_on", pa.array([fallback] * errors.num_rows, pa.date32()))
    days = pc.min(page_days).as_py() if pages.num_rows else fallback
    pages, broken_pages, page_checks = _screen("page_observations", pages, "record")
    kept, broken_links, link_checks = _screen("link_observations", kept, "link")
    quarantine = pa.concat_tables([contract("quarantine").conform(errors), link_q, broken_pages, broken_links])
    records_quarantined = result.errors.num_rows + broken_pages.num_rows
    _balance(path, result.records_read, pages.num_rows, records_quarantined, "records")
    row.update(
        observed_on=days, rows_kept=pages.num_rows, rows_quarantined=records_quarantined,
        links_kept=kept.num_rows, links_quarantined=link_q.num_rows + broken_links.num_rows,
        anchors_truncated=pc.sum(kept["anchor_truncated"].cast(pa.int64())).as_py() or 0,
        status="partial" if quarantine.num_rows or result.truncated else "ok",
    )
    return {
        "page_observations": pages, "link_observations": kept, "quarantine": quarantine,
        "row_validations": _validations(file_id, path.name, page_checks + link_checks),
    }


def _screen(name: str, staged: pa.Table, unit: str) -> tuple[pa.Table, pa.Table, list[RowCheck]]:
    """The contract's row-level expectations on staged rows: (rows kept, rows quarantined, the checks).

    A row breaking a rule is quarantined as `breaks_rule` with the first rule it breaks, as any other bad row
    is quarantined once with its first reason.
    """
    from pipelines.quality.expectations import validate_rows

    checks = validate_rows(contract(name), staged)
    first: dict[int, RowCheck] = {}
    for check in checks:
        for at in check.failing_at:
            first.setdefault(at, check)
    schema = contract("quarantine").arrow_schema()
    if not first:
        return staged, schema.empty_table(), checks
    positions = sorted(first)
    broken = staged.take(positions)
    keep = np.ones(staged.num_rows, dtype=bool)
    keep[positions] = False
    details = [f"{first[at].check}: {staged[first[at].column][at].as_py()!r}"[:4000] for at in positions]
    quarantined = pa.table({
        "source_system": broken["source_system"], "report": broken["report"], "row_number": broken["row_number"],
        "reason": pa.array(["breaks_rule"] * len(positions), pa.string()), "detail": pa.array(details, pa.string()),
        "raw": pa.nulls(len(positions), pa.string()), "unit": pa.array([unit] * len(positions), pa.string()),
        "file_id": broken["file_id"], "file_name": broken["file_name"], "observed_on": broken["observed_on"],
    }).select(schema.names).cast(schema)
    return staged.filter(pa.array(keep)), quarantined, checks


def _validations(file_id: str, file_name: str, checks: list[RowCheck]) -> pa.Table:
    rows = [
        {"file_id": file_id, "file_name": file_name, "table_name": c.table, "check_name": c.check,
         "column_name": c.column, "severity": c.severity, "rows_checked": c.rows_checked,
         "failing_rows": c.failing_rows}
        for c in checks
    ]
    return pa.Table.from_pylist(rows, schema=contract("row_validations").arrow_schema())


def _snapshot(row: Mapping[str, object], rows_read: int, rows_kept: int) -> pa.Table:
    """The fact that this export was taken, kept even when no row of it survives (see export_snapshots)."""
    fact = {"file_id": row["file_id"], "file_name": row["file_name"], "source_system": row["source_system"],
            "report": row["report"], "export_target": row["export_target"], "observed_on": row["observed_on"],
            "complete": not row["suspected_row_cap"], "rows_read": rows_read, "rows_kept": rows_kept}
    return pa.Table.from_pylist([fact], schema=contract("export_snapshots").arrow_schema())


def _balance(path: Path, read: int, kept: int, quarantined: int, unit: str) -> None:
    """Every row read is kept or quarantined; checked before any part of the file is written."""
    if kept + quarantined != read:
        raise AssertionError(f"{path}: {read} {unit} read but {kept} kept + {quarantined} quarantined")


def _capture_days(stamps: pa.ChunkedArray, fallback: date) -> pa.Array:
    """The UTC day of each capture, or the fallback day where the archive states none."""
    return pc.fill_null(pc.cast(stamps, pa.date32()), pa.scalar(fallback, pa.date32())).combine_chunks()

def _record(unit: FileUnit, row: dict[str, object]) -> Outcome:
    """Commit the file: its staged parts, then this outcome row, which makes them visible."""
    schema = contract("ingest_outcomes").arrow_schema()
    table = pa.Table.from_pylist([{name: row.get(name) for name in schema.names}], schema=schema)
    unit.commit(contract("ingest_outcomes"), table)
    written = table.to_pylist()[0]  # typed by the contract, unlike the row being filled in
    return Outcome(
        file_name=written["file_name"], status=written["status"], rows_read=written["rows_read"],
        rows_kept=written["rows_kept"], rows_quarantined=written["rows_quarantined"], error=written["error"],
        row=written,
    )


def _observed_on(result: ReadResult, given: date | None, path: Path, today: date) -> tuple[date, str]:
    """What the file vouches for: the option, else the export time in its name, else its newest last-seen.

    Some reports state no date at all (Semrush Comparison, Ahrefs Referring IPs). A folder of mixed exports
    must still ingest, so such a file is dated by its modification time (the day the export was saved, as
    long as it is not copied with a new mtime), else by the ingest day, and the outcome says which.
    """
    if given is not None:
        return given, "option"
    if result.exported_at is not None:
        return result.exported_at.date(), "file_name"
    for column in _LAST_SEEN_COLUMNS:
        if column in result.rows.column_names:
            newest = pc.max(result.rows[column]).as_py()
            if newest is not None:
                return newest.date(), "last_seen"
    try:
        day, source = datetime.fromtimestamp(path.stat().st_mtime, UTC).date(), "file_mtime"
    except OSError:
        day, source = today, "ingest_time"
    log.warning("%s: %s %s states no date; dated %s by its %s (pass --observed-on to set it)",
                path.name, result.source_system, result.report, day.isoformat(),
                "modification time" if source == "file_mtime" else "ingest day")
    return day, source


def _hinted_target(result: ReadResult, resolver: DomainResolver) -> str | None:
    return target_domain(result.target_hint, resolver) if result.target_hint else None


def _fill_target(raw: pa.Table, target: str | None, path: Path) -> pa.Table:
    """GSC link lists name no target page; the property (file name or --target) stands in for it."""
    column = raw["target_url_raw"]
    if column.null_count == 0:
        return raw
    if target is None:
        raise IngestInputError(
            f"{path.name}: the export names no target and its file name gives none: pass --target DOMAIN"
        )
    filled = pc.fill_null(column, pa.scalar(target))
    return raw.set_column(raw.schema.get_field_index("target_url_raw"), "target_url_raw", filled)


def _dominant(column: pa.ChunkedArray) -> str | None:
    """The most frequent value (ties broken by the smaller value, so reruns agree)."""
    counted = pc.value_counts(column.drop_null())
    pairs = zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True)
    best = min(pairs, key=lambda vc: (-vc[1], vc[0]), default=None)
    return best[0] if best else None


def _with_columns(table: pa.Table, values: Mapping[str, object], table_name: str) -> pa.Table:
    """Append constant ingest columns, typed by the table's contract (an empty file still has types)."""
    target = contract(table_name)
    for name, value in values.items():
        table = table.append_column(
            name, pa.array([value] * table.num_rows, target.column(name).arrow_type)
        )
    return table
