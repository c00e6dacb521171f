"""Ingest + build throughput and peak memory at 10^6 / 10^7 observations, against a plain pandas script.

Each measured step runs in its own process so its peak RSS is its own. The pandas baseline does the same
set-level derivations (dedup, referring domains, anchors) over the same files in the same run, and the
figures are reported as ratios to it. Not a test: run it by hand.

    uv run python benchmarks/ingest_build.py --rows 1000000 --rows 10000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines.demo import write_bulk

HERE = Path(__file__).resolve().parent
CLI = str(Path(sys.executable).with_name("linkindex"))


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in GB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise SystemExit(f"{cmd[:3]} failed:\n{proc.stderr.read() if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024 / 1024


def run(rows: int, workdir: Path) -> dict[str, float]:
    landing, home = workdir / f"landing-{rows}", workdir / f"home-{rows}"
    t0 = time.perf_counter()
    files = write_bulk(landing, rows)
    generate_s = time.perf_counter() - t0
    env = {**os.environ, "LINKINDEX_HOME": str(home)}
    ingest_s, ingest_gb = measure([CLI, "ingest", str(landing), "--observed-on", "2026-11-01"], env)
    build_s, build_gb = measure([CLI, "build"], env)
    pandas_s, pandas_gb = measure([sys.executable, str(HERE / "pandas_baseline.py"), *map(str, files)])
    ours = ingest_s + build_s
    return {
        "rows": rows, "generate_s": round(generate_s, 1),
        "ingest_s": round(ingest_s, 1), "ingest_peak_rss_gb": round(ingest_gb, 2),
        "build_s": round(build_s, 1), "build_peak_rss_gb": round(build_gb, 2),
        "linkindex_rows_per_s": round(rows / ours), "pandas_s": round(pandas_s, 1),
        "pandas_peak_rss_gb": round(pandas_gb, 2), "pandas_rows_per_s": round(rows / pandas_s),
        "speed_ratio_vs_pandas": round(pandas_s / ours, 2),
        "memory_ratio_vs_pandas": round(max(ingest_gb, build_gb) / pandas_gb, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, action="append", help="observations (repeatable)")
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder [default: a temp dir]")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "ingest_build.json")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="linkindex-bench-"))
    results = []
    for rows in args.rows or [1_000_000]:
        print(f"== {rows:,} observations (scratch {workdir})", file=sys.stderr)
        result = run(rows, workdir)
        print(json.dumps(result), flush=True)
        results.append(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
