"""The lake: Hive-partitioned Parquet under <home>/lake, one input file at a time, all of it or nothing.

Every part is written to a temporary name and renamed, so no reader sees half a Parquet file. One input file
writes a part to several tables (its rows, its quarantine, its row validations, its snapshot fact) and one
row to `ingest_outcomes`; `FileUnit` makes those one unit. The parts are first written in full to
`lake/.staging/<file id>/` (a hidden folder, which Hive and Spark skip too), then published in a fixed order:

1. remove the file's outcome part: from here on the file counts as not ingested;
2. remove the file's earlier parts in every table (a re-ingest under another `observed_on`, or a table the
   file no longer writes);
3. rename each staged data part into place, in sorted order;
4. rename the outcome part into place, last.

`Lake.files` lists a file's parts only while its outcome part exists, and the build reads the lake only
through it. So a process killed at any point leaves either the earlier ingest of the file whole (killed
before step 1), or a file without an outcome whose parts nobody reads (killed in steps 1-3), or the new
ingest whole (after step 4). A rerun of the file replaces whatever parts a killed run left, because step 2
removes every part named by the file id, and a killed run's staging folder is cleared when the file is next
staged. Staged parts are fsynced before the renames, so no rename publishes bytes still only in memory.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.contracts import Contract

OUTCOMES = "ingest_outcomes"
# Parts not named by an input file: landing batches (by batch) and gate results (by run); always readable.
_NOT_FILE_PARTS = frozenset({OUTCOMES, "landing_batches", "quality_results"})
_STAGING = ".staging"
# Ingest names a file's parts by the sha256 of its bytes (of its path, for a file that could not be read).
_FILE_ID = re.compile(r"[0-9a-f]{64}")


def _partition_value(value: object) -> str:
    text = str(value)
    # Hive partition values are path segments: refuse anything that could escape the table folder.
    if not text or "/" in text or "\\" in text or text in {".", ".."} or "=" in text:
        raise ValueError(f"bad partition value {text!r}")
    return text


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside `final`; rename it over `final` only if the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_file(final: Path) -> Iterator[BinaryIO]:
    """A binary file handle whose contents appear at `final` only if the block succeeds."""
    with atomic_path(final) as tmp, tmp.open("wb") as fh:
        yield fh


def atomic_write_bytes(final: Path, data: bytes) -> None:
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)


def _split(contract: Contract, table: pa.Table, part_name: str) -> list[tuple[Path, pa.Table]]:
    """One file's rows as (path under the lake, rows) per Hive partition; partition columns in the path only."""
    table = contract.conform(table, produced_by=None)
    keys = contract.partition_by
    if not keys:
        return [(Path(contract.name) / f"{part_name}.parquet", table)]
    parts = []
    for group in table.group_by(list(keys)).aggregate([]).to_pylist():
        mask = None
        for key in keys:
            cond = pc.equal(table[key], pa.scalar(group[key], table.schema.field(key).type))
            mask = cond if mask is None else pc.and_(mask, cond)
        folder = Path(contract.name).joinpath(*(f"{k}={_partition_value(group[k])}" for k in keys))
        parts.append((folder / f"{part_name}.parquet", table.filter(mask).drop_columns(list(keys))))
    return parts


def _write(final: Path, table: pa.Table, *, durable: bool = False) -> Path:
    with atomic_path(final) as tmp:
        pq.write_table(table, tmp, compression="zstd")
        if durable:
            with tmp.open("rb") as fh:
                os.fsync(fh.fileno())
    return final


class Lake:
    """Owns every path under <home>/lake; transforms never see them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def table_dir(self, table: str) -> Path:
        return self.root / table

    def write_part(self, contract: Contract, table: pa.Table, part_name: str) -> Path:
        """Write a part not named by an input file (a landing batch, a gate run), replacing any earlier copy."""
        written = {_write(self.root / rel, part) for rel, part in _split(contract, table, part_name)}
        for stale in self.table_dir(contract.name).rglob(f"{part_name}.parquet"):
            if stale not in written:
                stale.unlink()
        return self.table_dir(contract.name)

    @contextmanager
    def file_unit(self, file_id: str) -> Iterator[FileUnit]:
        """Stage one input file's parts; they reach the lake only through `FileUnit.commit`."""
        unit = FileUnit(self, file_id)
        try:
            yield unit
        finally:
            shutil.rmtree(unit.staging, ignore_errors=True)

    def remove_file(self, file_id: str) -> None:
        """Withdraw an input file: its outcome first, so that it is not ingested while its parts go."""
        self._unlink_parts(file_id, {OUTCOMES})
        self._unlink_parts(file_id, self._tables() - {OUTCOMES})

    def files(self, table: str) -> list[Path]:
        """Every published Parquet file of a table, in a stable order: temp files and the parts of input
        files without an outcome row (not ingested, or killed before their outcome was published) excluded.

        A part not named by a file id was not written by ingest at all; it is listed, so that the gate
        judges what it holds rather than the build silently ignoring it.
        """
        parts = self._published(table)
        if table in _NOT_FILE_PARTS:
            return parts
        ingested = {p.stem for p in self._published(OUTCOMES)}
        return [p for p in parts if p.stem in ingested or not _FILE_ID.fullmatch(p.stem)]

    def _published(self, table: str) -> list[Path]:
        folder = self.table_dir(table)
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.rglob("*.parquet") if not p.name.startswith("."))

    def _tables(self) -> set[str]:
        if not self.root.is_dir():
            return set()
        return {d.name for d in self.root.iterdir() if d.is_dir() and d.name != _STAGING}

    def _unlink_parts(self, file_id: str, tables: set[str]) -> None:
        for table in sorted(tables - (_NOT_FILE_PARTS - {OUTCOMES})):
            for part in self.table_dir(table).rglob(f"{file_id}.parquet"):
                part.unlink()


class FileUnit:
    """The parts of one input file, staged until `commit` publishes them all, outcome last."""

    def __init__(self, lake: Lake, file_id: str) -> None:
        self.lake = lake
        self.file_id = file_id
        self.staging = lake.root / _STAGING / file_id
        shutil.rmtree(self.staging, ignore_errors=True)  # a killed run's leftovers
        self._staged: list[Path] = []

    def write(self, contract: Contract, table: pa.Table) -> None:
        """Stage the file's rows of one table (nothing is visible until the commit)."""
        if contract.name in _NOT_FILE_PARTS:
            raise ValueError(f"{contract.name} is not written per input file")
        for rel, part in _split(contract, table, self.file_id):
            self._staged.append(_write(self.staging / rel, part, durable=True))

    def discard(self) -> None:
        """Drop what was staged: the file will commit with its outcome only, leaving no rows behind."""
        shutil.rmtree(self.staging, ignore_errors=True)
        self._staged.clear()

    def commit(self, outcomes: Contract, outcome: pa.Table) -> None:
        """Publish the staged parts and then the outcome row, in the order the module docstring argues for."""
        [(outcome_rel, outcome_part)] = _split(outcomes, outcome, self.file_id)
        staged_outcome = _write(self.staging / outcome_rel, outcome_part, durable=True)
        finals = {self.lake.root / p.relative_to(self.staging): p for p in self._staged}
        self.lake._unlink_parts(self.file_id, {OUTCOMES})
        self.lake._unlink_parts(self.file_id, self.lake._tables() - {OUTCOMES})
        for final in sorted(finals):
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(finals[final], final)
        final_outcome = self.lake.root / outcome_rel
        final_outcome.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged_outcome, final_outcome)
        self._staged.clear()
