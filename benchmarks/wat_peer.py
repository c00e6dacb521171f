"""WAT -> links on a large generated WAT: the bare loop, our reader and cc-pyspark, in the same run.

1. `pipelines.demo.wat.write_wat` writes a WAT of `--links` hyperlinks (default 2.5M, about 65 MB) in the
   exact layout of Common Crawl's, into a scratch directory.
2. (a) the bare loop: FastWARC iteration, orjson parsing of every record, one key read per entry of
   `HTML-Metadata.Links`; (b) `read_archive` (Arrow page and link tables): each on one core, CPU seconds of
   this process, alternated, best of `--repeat`.
3. (c) cc-pyspark's `wat_extract_links.py` (warcio, its own JSON loop, then dropDuplicates and a Parquet
   write) through `spark-submit --master 'local[2]' ... --num_input_partitions 2 --num_output_partitions 1`
   on the same file: wall time end to end (Spark start-up included), and its steady-state rate from two runs,
   one on a small WAT and one on the large one: (links_large - links_small) / (time_large - time_small), which
   cancels the fixed start-up cost. One input file is one Spark task: one core does the parsing.

Every rate is the number of A/AREA hyperlinks in the file (what `write_wat` returns) per second, so the three
are comparable; the bare loop touches every Links entry (images and scripts too) and cc-pyspark emits pairs
for every kind of link (its own count is printed too). Ratios compare times over the same input.

cc-pyspark is never part of this repository: pass a checkout of https://github.com/commoncrawl/cc-pyspark with
`--cc-pyspark DIR`. Its virtual environment (pyspark, warcio, fastwarc<2, requests, orjson, boto3) is built under the
scratch directory unless `--peer-venv` names one; Java 17 must be on PATH. Without `--cc-pyspark`, (c) is
skipped. Not a test: run it by hand.

    uv run python benchmarks/wat_peer.py --cc-pyspark /path/to/cc-pyspark [--links 2500000] [--scratch DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from crawl_extract import bare_wat  # the sibling script: this one runs from benchmarks/ like it

from pipelines.demo.wat import write_wat
from pipelines.ingest.crawl import read_archive

PEER_PACKAGES = ("pyspark", "warcio", "fastwarc<2", "requests", "orjson", "idna", "boto3")  # sparkcc imports boto3
_PAIRS = re.compile(r"non-unique link pairs = (\d+)")


def bare(data: bytes) -> int:
    """The bare loop of crawl_extract.py, over one file."""
    return bare_wat([("generated.warc.wat.gz", data)])


def ours(data: bytes) -> int:
    return read_archive(data, "generated.warc.wat.gz").links.num_rows


def best_of(runs: list[tuple[float, int]]) -> tuple[float, int]:
    return min(runs)


def measure(data: bytes, repeat: int) -> tuple[tuple[float, int], tuple[float, int]]:
    """(CPU seconds, count) of the bare loop and of read_archive, alternated, best of `repeat` each."""
    def timed(run: Callable[[bytes], int]) -> tuple[float, int]:
        start = time.process_time()
        count = run(data)
        return time.process_time() - start, count

    ours(data[: 1 << 20])  # warm-up: imports and first-call caches (a cut archive reads fine)
    bare_runs, our_runs = [], []
    for _ in range(repeat):
        bare_runs.append(timed(bare))
        our_runs.append(timed(ours))
    return best_of(bare_runs), best_of(our_runs)


def peer_env(scratch: Path, venv: Path | None) -> Path:
    """The python of cc-pyspark's own virtual environment, built under the scratch directory if needed."""
    if venv is None:
        venv = scratch / "ccvenv"
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"building cc-pyspark's environment in {venv} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    return python


def run_peer(checkout: Path, python: Path, wat: Path, scratch: Path, tag: str) -> tuple[float, int | None]:
    """Wall seconds of one `spark-submit wat_extract_links.py` over `wat`, and its count of link pairs."""
    work = scratch / f"peer-{tag}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    inputs = work / "input_list.txt"
    inputs.write_text(f"file://{wat.resolve()}\n")
    submit = python.parent / "spark-submit"
    env = {**os.environ, "PYSPARK_PYTHON": str(python), "PYSPARK_DRIVER_PYTHON": str(python)}
    command = [
        str(submit), "--master", "local[2]",
        "--conf", f"spark.sql.warehouse.dir={work / 'warehouse'}",
        "--conf", f"spark.driver.extraJavaOptions=-Dderby.system.home={work}",
        "--py-files", f"{checkout / 'sparkcc.py'},{checkout / 'json_importer.py'}",
        str(checkout / "wat_extract_links.py"),
        "--num_input_partitions", "2", "--num_output_partitions", "1",
        str(inputs), f"links_{tag}",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    (work / "spark.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"cc-pyspark failed ({done.returncode}); log: {work / 'spark.log'}\n"
                         + done.stderr[-3000:])
    found = _PAIRS.findall(done.stdout + done.stderr)
    return wall, int(found[-1]) if found else None


def rate(links: int, seconds: float) -> str:
    return f"{links / seconds:>12,.0f}" if seconds > 0 else f"{'n/a':>12}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--links", type=int, default=2_500_000)
    parser.add_argument("--small-links", type=int, default=100_000, help="the small WAT of the steady-state runs")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--layout", choices=("current", "2014"), default="current")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scratch", type=Path, default=None, help="default: a new temporary directory")
    parser.add_argument("--cc-pyspark", type=Path, default=None, help="a checkout of commoncrawl/cc-pyspark")
    parser.add_argument("--peer-venv", type=Path, default=None, help="an existing venv for cc-pyspark")
    args = parser.parse_args()
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="wat_peer-"))
    scratch.mkdir(parents=True, exist_ok=True)

    wat = scratch / f"generated-{args.layout}-{args.links}.warc.wat.gz"
    start = time.perf_counter()
    links = write_wat(wat, links=args.links, seed=args.seed, layout=args.layout)
    written_s = time.perf_counter() - start
    data = wat.read_bytes()
    print(f"generated {wat}: {len(data) / 1e6:.1f} MB, {links:,} A/AREA hyperlinks in {written_s:.1f} s", flush=True)

    (bare_s, bare_entries), (ours_s, our_rows) = measure(data, args.repeat)
    rows: list[tuple[str, float, str]] = [
        ("bare loop (FastWARC + orjson, 1 core, CPU s)", bare_s, f"{bare_entries:,} Links entries touched"),
        ("read_archive (1 core, CPU s)", ours_s, f"{our_rows:,} link rows (redirects, canonicals too)"),
    ]
    print(f"bare loop {bare_s:.2f} s, read_archive {ours_s:.2f} s: {bare_s / ours_s:.0%} of the bare loop", flush=True)
    peer: dict[str, float] = {}
    if args.cc_pyspark is not None:
        checkout = scratch / "cc-pyspark"
        shutil.rmtree(checkout, ignore_errors=True)
        shutil.copytree(args.cc_pyspark, checkout, ignore=shutil.ignore_patterns(".git"))
        python = peer_env(scratch, args.peer_venv)
        small = scratch / f"generated-{args.layout}-{args.small_links}.warc.wat.gz"
        small_links = write_wat(small, links=args.small_links, seed=args.seed + 1, layout=args.layout)
        small_s, small_pairs = run_peer(checkout, python, small, scratch, "small")
        print(f"cc-pyspark on {small_links:,} links: {small_s:.1f} s wall, {small_pairs} pairs", flush=True)
        large_s, large_pairs = run_peer(checkout, python, wat, scratch, "large")
        print(f"cc-pyspark on {links:,} links: {large_s:.1f} s wall, {large_pairs} pairs", flush=True)
        steady_s = (large_s - small_s) * links / max(1, links - small_links)
        peer = {"end_to_end": large_s, "steady": steady_s}
        rows.append(("cc-pyspark end to end (local[2], wall s)", large_s, f"{large_pairs:,} link pairs"
                     if large_pairs is not None else ""))
        rows.append(("cc-pyspark steady state (large - small run)", steady_s,
                     f"start-up and fixed cost {small_s - steady_s * small_links / links:.1f} s"))

    print(f"\n{links:,} hyperlinks, {len(data) / 1e6:.1f} MB ({args.layout} layout); rates in hyperlinks per second")
    print(f"{'':46} {'seconds':>8} {'links/s':>12} {'vs bare':>8} {'vs peer':>8}")
    for label, seconds, note in rows:
        versus_peer = f"{peer['steady'] / seconds:>7.2f}x" if peer and seconds > 0 else f"{'':>8}"
        print(f"{label:46} {seconds:8.2f} {rate(links, seconds)} {bare_s / seconds:>7.0%} {versus_peer}  {note}")
    print(f"\nread_archive runs at {bare_s / ours_s:.0%} of the bare loop (target 60 %)"
          + (f"; {peer['steady'] / ours_s:.1f}x cc-pyspark at steady state, {peer['end_to_end'] / ours_s:.1f}x end "
             "to end" if peer else "; cc-pyspark skipped (no --cc-pyspark)"))
    print(f"scratch: {scratch}")


if __name__ == "__main__":
    main()
