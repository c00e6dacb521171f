"""Reader throughput on generated files.

Run `uv run python -m tests.ingest.bench_readers [semrush_rows ahrefs_rows]`.

Each file is read once to warm the process (pyarrow imports pandas lazily on first use), then timed over
three reads; the best time is reported as rows per second on one core.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from pipelines.ingest.vendors import read_export
from tests.ingest.fixtures import ahrefs_backlinks_large, semrush_backlinks_large


def measure(label: str, build: Callable[[int], bytes], rows: int) -> None:
    data = build(rows)
    read_export(data, "warm-up.csv")
    best = min(_timed(data) for _ in range(3))
    print(f"{label}: {rows:,} rows, {len(data) / 1e6:.0f} MB in {best:.2f} s = {rows / best:,.0f} rows/s")


def _timed(data: bytes) -> float:
    start = time.perf_counter()
    result = read_export(data, "bench.csv")
    elapsed = time.perf_counter() - start
    assert result.rows.num_rows == result.rows_read
    return elapsed


if __name__ == "__main__":
    semrush_rows, ahrefs_rows = (int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (500_000, 200_000)
    measure("semrush backlinks (UTF-8, comma)", semrush_backlinks_large, semrush_rows)
    measure("ahrefs backlinks (UTF-16LE, TAB, all quoted, 37 columns)", ahrefs_backlinks_large, ahrefs_rows)
