"""Ingest + build throughput and peak memory at 10^6 / 10^7 observations, against a plain pandas script.

The demo generator's bulk writer writes N Semrush backlink observations; then one record in `--damage-every`
is damaged the way exports are (a field missing, an impossible date, a flag that is not a boolean, an empty
source URL, last seen before first seen), so that both sides do their quarantine work too. Each measured step
runs in its own process, timed from spawn to exit (processes.run: its output goes to a log file, never to an
undrained pipe), so its peak RSS is its own: `linkindex ingest`, `linkindex build`, and pandas_baseline.py
over the same files. The figures are ratios to the pandas script; both sides' counts of kept and quarantined
records (by reason) are printed side by side, and must agree. What the pandas script leaves out: its
docstring. Not a test: run it by hand.

    uv run python benchmarks/ingest_build.py --rows 1000000 --rows 10000000
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.dataset as ds
from processes import Run, run  # the sibling module: this script runs from benchmarks/

from pipelines.demo import write_bulk

HERE = Path(__file__).resolve().parent
CLI = str(Path(sys.executable).with_name("linkindex"))
FAULTS = ("column_count", "bad_date", "bad_boolean", "missing_value", "dates_out_of_order")


def measure(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in GB) of one child process."""
    done: Run = run(cmd, log, env=env)
    return done.wall_s, done.peak_rss_gb


def damage(path: Path, every: int) -> dict[str, int]:
    """Damage one record in `every` of a Semrush backlinks export in place; the faults made, by reason."""
    made = dict.fromkeys(FAULTS, 0)
    out_path = path.with_suffix(".damaged")
    with path.open(encoding="utf-8", newline="") as src, out_path.open("w", encoding="utf-8", newline="") as out:
        header = next(csv.reader([src.readline()]))
        out.write(",".join(header) + "\n")
        at = {name: header.index(name) for name in ("Source url", "Nofollow", "First seen", "Last seen")}
        for number, line in enumerate(src, 1):
            if number % every:
                out.write(line)
                continue
            fault = FAULTS[(number // every) % len(FAULTS)]
            fields = next(csv.reader([line]))
            if fault == "column_count":
                fields.pop()
            elif fault == "bad_date":
                fields[at["First seen"]] = "2024-02-30"
            elif fault == "bad_boolean":
                fields[at["Nofollow"]] = "maybe"
            elif fault == "missing_value":
                fields[at["Source url"]] = ""
            else:
                first = date.fromisoformat(fields[at["First seen"]])
                fields[at["Last seen"]] = (first - timedelta(days=1)).isoformat()
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow(fields)
            out.write(buffer.getvalue())
            made[fault] += 1
    out_path.replace(path)
    return made


def lake_counts(home: Path) -> tuple[int, dict[str, int]]:
    """Link rows kept in the lake, and quarantined rows by reason."""
    lake = home / "lake"
    kept = ds.dataset(lake / "link_observations", format="parquet", partitioning="hive").count_rows()
    if not (lake / "quarantine").exists():  # written only when a record is quarantined
        return kept, {}
    reasons = ds.dataset(lake / "quarantine", format="parquet", partitioning="hive").to_table(columns=["reason"])
    counts = reasons.column("reason").value_counts().to_pylist()
    return kept, {c["values"]: c["counts"] for c in sorted(counts, key=lambda c: c["values"])}


def run_size(rows: int, workdir: Path, every: int) -> dict[str, object]:
    landing, home = workdir / f"landing-{rows}", workdir / f"home-{rows}"
    logs = workdir / f"logs-{rows}"
    t0 = time.perf_counter()
    files = write_bulk(landing, rows)
    made: dict[str, int] = dict.fromkeys(FAULTS, 0)
    for path in files:
        for fault, n in damage(path, every).items():
            made[fault] += n
    generate_s = time.perf_counter() - t0
    env = {**os.environ, "LINKINDEX_HOME": str(home)}
    today = datetime.now(UTC).date()  # ingest's run day: the day its future_date rule counts from
    ingest_cmd = [CLI, "ingest", str(landing), "--observed-on", "2026-11-01"]
    ingest_s, ingest_gb = measure(ingest_cmd, logs / "ingest.log", env)
    build_s, build_gb = measure([CLI, "build"], logs / "build.log", env)
    pandas_cmd = [sys.executable, str(HERE / "pandas_baseline.py"), "--today", today.isoformat(), *map(str, files)]
    pandas_s, pandas_gb = measure(pandas_cmd, logs / "pandas.log")
    baseline = json.loads((logs / "pandas.log").read_text().strip().splitlines()[-1])
    kept, quarantined = lake_counts(home)
    ours = ingest_s + build_s
    return {
        "rows": rows, "generate_s": round(generate_s, 1), "damaged": made,
        "ingest_s": round(ingest_s, 1), "ingest_peak_rss_gb": round(ingest_gb, 2),
        "build_s": round(build_s, 1), "build_peak_rss_gb": round(build_gb, 2),
        "linkindex_rows_per_s": round(rows / ours), "pandas_s": round(pandas_s, 1),
        "pandas_peak_rss_gb": round(pandas_gb, 2), "pandas_rows_per_s": round(rows / pandas_s),
        "speed_ratio_vs_pandas": round(pandas_s / ours, 2),
        "memory_ratio_vs_pandas": round(max(ingest_gb, build_gb) / pandas_gb, 2),
        "linkindex_kept": kept, "linkindex_quarantined": quarantined,
        "pandas_kept": baseline["kept"], "pandas_quarantined": baseline["quarantined"],
        "pandas_tables": {k: baseline[k] for k in ("backlinks", "referring_domains", "anchors")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, action="append", help="observations (repeatable)")
    parser.add_argument("--damage-every", type=int, default=2000, help="damage one record in this many")
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder [default: a temp dir]")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "ingest_build.json")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="linkindex-bench-"))
    results = []
    for rows in args.rows or [1_000_000]:
        print(f"== {rows:,} observations (scratch {workdir})", file=sys.stderr)
        result = run_size(rows, workdir, args.damage_every)
        print(json.dumps(result), flush=True)
        if (result["linkindex_kept"], result["linkindex_quarantined"]) != (result["pandas_kept"],
                                                                            result["pandas_quarantined"]):
            print("the two sides kept or quarantined different records: see the counts above", file=sys.stderr)
        results.append(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
