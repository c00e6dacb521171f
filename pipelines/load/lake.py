"""The lake: Hive-partitioned Parquet under <home>/lake, written atomically (temp name, then rename)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.contracts import Contract


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


class Lake:
    """Owns every path under <home>/lake; transforms never see them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def table_dir(self, table: str) -> Path:
        return self.root / table

    def write_part(self, contract: Contract, table: pa.Table, part_name: str) -> Path:
        """Write one file's rows as `<table>/<k=v>/.../<part_name>.parquet`, replacing any earlier copy.

        Partition columns live in the path only, as Hive and Spark expect. An earlier copy of the same part
        under other partition values (the same file re-ingested with another observed_on) is removed after
        the new one is in place, so a re-ingest never duplicates rows.
        """
        table = contract.conform(table, produced_by=None)
        keys = contract.partition_by
        written: set[Path] = set()
        if keys:
            groups = table.group_by(list(keys)).aggregate([]).to_pylist()
            for group in groups:
                mask = None
                for key in keys:
                    cond = pa.compute.equal(table[key], pa.scalar(group[key], table.schema.field(key).type))
                    mask = cond if mask is None else pa.compute.and_(mask, cond)
                part = table.filter(mask).drop_columns(list(keys))
                folder = self.table_dir(contract.name).joinpath(
                    *(f"{k}={_partition_value(group[k])}" for k in keys)
                )
                written.add(self._write(folder / f"{part_name}.parquet", part))
        else:
            written.add(self._write(self.table_dir(contract.name) / f"{part_name}.parquet", table))
        for stale in self.table_dir(contract.name).rglob(f"{part_name}.parquet"):
            if stale not in written:
                stale.unlink()
        return self.table_dir(contract.name)

    def remove_part(self, table: str, part_name: str) -> None:
        for stale in self.table_dir(table).rglob(f"{part_name}.parquet"):
            stale.unlink()

    @staticmethod
    def _write(final: Path, table: pa.Table) -> Path:
        with atomic_path(final) as tmp:
            pq.write_table(table, tmp, compression="zstd")
        return final

    def files(self, table: str) -> list[Path]:
        """Every published Parquet file of a table, in a stable order (temp files excluded)."""
        folder = self.table_dir(table)
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.rglob("*.parquet") if not p.name.startswith("."))
