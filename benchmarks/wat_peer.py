"""WAT -> links as whole processes on the same file, by wall clock, each writing its output: ours and cc-pyspark.

`pipelines.demo.wat.write_wat` writes a WAT of `--links` hyperlinks (default 1M, about 27 MB) in the exact
layout of Common Crawl's, and a small one of `--small-links`. Then each side runs as its own child process on
the same file, timed from spawn to exit (start-up, imports, reading the file, and writing its output all
included), the sides alternated round after round, best of `--repeat` by wall time:

- bare: the bare loop of crawl_extract.py (FastWARC, orjson, one key read per `HTML-Metadata.Links` entry)
  in a process that imports only what it uses. It writes nothing: a floor, not a peer;
- reader: `read_archive` on the file, its link and page tables written as Parquet (zstd);
- ingest: `linkindex ingest FILE` into a fresh LINKINDEX_HOME: detection, the reader, staging (canonical
  URLs, registrable domains, anchors), row validation, the lake's Parquet files and the ingest outcome;
- cc-pyspark: its page-level `ExtractLinksJob` (wat_extract_links.py; warcio, urljoin of every link of
  every kind, then dropDuplicates, a sort and a gzip Parquet table) under `spark-submit --master local[2]
  --num_input_partitions 2 --num_output_partitions 1`. One input file is one Spark task. Running
  wat_extract_links.py as it is runs `ExtractHostLinksJob` instead (host-level pairs, only links that name
  a host): `--peer-job hostlinks` measures that one.

For each side: wall seconds, hyperlinks per wall second (every rate counts the A/AREA hyperlinks of the file,
what `write_wat` returns, so the rates compare), CPU seconds (user + system of the process and the children
it waited for: the JVM's Python workers are counted), cores used (CPU s / wall s), the per-core rate
(hyperlinks per second divided by cores used, i.e. per CPU second), and peak RSS. The small file gives each
side's fixed cost; (links - small links) / (wall - small wall) is its marginal rate. Each side's output is
counted (rows it wrote) and printed beside its figures.

cc-pyspark is never part of this repository. It needs: a checkout of https://github.com/commoncrawl/cc-pyspark
(`--cc-pyspark DIR`); a Python environment with its requirements (pyspark, warcio, requests, ujson, orjson,
idna, boto3, botocore), built under the scratch directory unless `--peer-venv` names one; and Java 17 on PATH
(Debian: `apt-get install openjdk-17-jre-headless`). Without `--cc-pyspark` the other sides are measured and
the script says what the peer would need. Not a test: run it by hand; results go to
benchmarks/results/wat_peer.json (not committed).

    uv run python benchmarks/wat_peer.py --cc-pyspark /path/to/cc-pyspark [--links 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from processes import Run, run  # the sibling module: this script runs from benchmarks/

HERE = Path(__file__).resolve().parent
CLI = str(Path(sys.executable).with_name("linkindex"))
PEER_PACKAGES = ("pyspark", "warcio", "requests", "ujson", "orjson", "idna", "boto3", "botocore")
PEER_NEEDS = ("cc-pyspark is not measured: pass --cc-pyspark DIR, a checkout of "
              "https://github.com/commoncrawl/cc-pyspark. It also needs Java 17 on PATH (Debian: apt-get install "
              f"openjdk-17-jre-headless) and a venv with {', '.join(PEER_PACKAGES)} (built under the scratch "
              "directory unless --peer-venv names one).")
PEER_JOBS = {"links": "ExtractLinksJob", "hostlinks": "ExtractHostLinksJob"}
_PAIRS = re.compile(r"non-unique link pairs = (\d+)")


def child(side: str, wat: Path, out: Path) -> None:
    """The work of one side, inside its own process: imports here, so each child loads only what it uses."""
    if side == "bare":
        from bare_loops import bare_wat

        print(bare_wat([(wat.name, wat.read_bytes())]))
        return
    import pyarrow.parquet as pq

    from pipelines.ingest.crawl import read_archive

    result = read_archive(wat.read_bytes(), wat.name)
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(result.links, out / "links.parquet", compression="zstd")
    pq.write_table(result.pages, out / "pages.parquet", compression="zstd")
    print(result.links.num_rows)


def parquet_rows(folder: Path, pattern: str = "*.parquet") -> int:
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(p).num_rows for p in folder.rglob(pattern))


@dataclass(frozen=True)
class Side:
    """How to run one side on a file, and how many output rows it wrote."""

    name: str
    label: str

    def command(self, wat: Path, work: Path, peer: Peer | None) -> tuple[list[str], dict[str, str] | None]:
        if self.name in ("bare", "reader"):
            return [sys.executable, str(Path(__file__).resolve()), "--child", self.name, str(wat),
                    str(work / "out")], None
        if self.name == "ingest":
            return [CLI, "ingest", str(wat)], {**os.environ, "LINKINDEX_HOME": str(work / "home")}
        assert peer is not None
        return peer.command(wat, work), peer.env

    def output(self, work: Path, log: Path) -> str:
        if self.name == "bare":
            return f"{int(log.read_text().split()[-1]):,} Links entries touched, nothing written"
        if self.name == "reader":
            return f"{parquet_rows(work / 'out', 'links.parquet'):,} link rows written"
        if self.name == "ingest":
            return f"{parquet_rows(work / 'home' / 'lake' / 'link_observations'):,} link rows in the lake"
        pairs = _PAIRS.findall(log.read_text(errors="replace"))
        return (f"{parquet_rows(work / 'warehouse'):,} distinct pairs written"
                + (f" of {int(pairs[-1]):,}" if pairs else ""))


SIDES = (
    Side("bare", "bare loop (writes nothing)"),
    Side("reader", "read_archive -> Parquet"),
    Side("ingest", "linkindex ingest"),
)


@dataclass(frozen=True)
class Peer:
    """cc-pyspark's job through spark-submit, from a copy of its checkout in the scratch directory."""

    checkout: Path
    python: Path
    job: str

    @property
    def env(self) -> dict[str, str]:
        # spark-submit finds its SPARK_HOME with the first python3 on PATH: the peer venv's must come first.
        return {**os.environ, "PATH": f"{self.python.parent}{os.pathsep}{os.environ.get('PATH', '')}",
                "PYSPARK_PYTHON": str(self.python), "PYSPARK_DRIVER_PYTHON": str(self.python)}

    def command(self, wat: Path, work: Path) -> list[str]:
        work.mkdir(parents=True, exist_ok=True)
        inputs = work / "input_list.txt"
        inputs.write_text(f"file://{wat.resolve()}\n")
        driver = work / "job.py"  # cc-pyspark's own class, run the way its scripts run their main job
        driver.write_text(f"from wat_extract_links import {self.job}\n\n{self.job}().run()\n")
        py_files = ",".join(str(self.checkout / f) for f in ("sparkcc.py", "json_importer.py", "wat_extract_links.py"))
        return [str(self.python.parent / "spark-submit"), "--master", "local[2]",
                "--conf", f"spark.sql.warehouse.dir={work / 'warehouse'}",
                "--conf", f"spark.driver.extraJavaOptions=-Dderby.system.home={work}",
                "--conf", f"spark.local.dir={work / 'tmp'}",
                "--py-files", py_files, str(driver),
                "--num_input_partitions", "2", "--num_output_partitions", "1", str(inputs), "links"]


def peer_setup(source: Path, scratch: Path, venv: Path | None, job: str) -> Peer:
    if shutil.which("java") is None:
        raise SystemExit("cc-pyspark needs Java 17 on PATH (Debian: apt-get install openjdk-17-jre-headless)")
    if not (source / "wat_extract_links.py").is_file():
        raise SystemExit(f"{source} is not a checkout of commoncrawl/cc-pyspark (no wat_extract_links.py)")
    checkout = scratch / "cc-pyspark"
    shutil.rmtree(checkout, ignore_errors=True)
    shutil.copytree(source, checkout, ignore=shutil.ignore_patterns(".git"))
    venv = venv or scratch / "ccvenv"
    python = venv / "bin" / "python"
    if not (venv / "bin" / "spark-submit").exists():
        print(f"building cc-pyspark's environment in {venv} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    return Peer(checkout, python, PEER_JOBS[job])


@dataclass(frozen=True)
class Result:
    side: str
    file: str
    links: int
    wall_s: float
    cpu_s: float
    cores: float
    peak_rss_gb: float
    output: str


def measure(side: Side, wat: Path, links: int, scratch: Path, peer: Peer | None, tag: str) -> Result:
    work = scratch / f"{side.name}-{tag}"
    shutil.rmtree(work, ignore_errors=True)  # a fresh output each run, removed before the clock starts
    work.mkdir(parents=True)
    cmd, env = side.command(wat, work, peer)
    done: Run = run(cmd, work / "run.log", env=env, cwd=work)
    return Result(side.name, wat.name, links, done.wall_s, done.cpu_s, done.cores, done.peak_rss_gb,
                  side.output(work, done.log))


def report(best: dict[tuple[str, str], Result], sides: list[Side], large: str, small: str) -> list[str]:
    lines = [f"{'':36} {'wall s':>7} {'links/s':>10} {'CPU s':>7} {'cores':>5} {'/core':>10} {'RSS GB':>6}"
             f" {'fixed s':>7} {'marginal/s':>10}  output"]
    for side in sides:
        big, little = best[(side.name, large)], best[(side.name, small)]
        rate = big.links / big.wall_s
        extra_s = big.wall_s - little.wall_s
        marginal = f"{(big.links - little.links) / extra_s:10,.0f}" if extra_s > 0 else f"{'n/a':>10}"
        lines.append(f"{side.label:36} {big.wall_s:7.2f} {rate:10,.0f} {big.cpu_s:7.2f} {big.cores:5.2f}"
                     f" {rate / big.cores:10,.0f} {big.peak_rss_gb:6.2f} {little.wall_s:7.2f} {marginal}"
                     f"  {big.output}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--small-links", type=int, default=20_000, help="the small WAT: each side's fixed cost")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--layout", choices=("current", "2014"), default="current")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scratch", type=Path, default=None, help="default: a new temporary directory")
    parser.add_argument("--cc-pyspark", type=Path, default=None, help="a checkout of commoncrawl/cc-pyspark")
    parser.add_argument("--peer-venv", type=Path, default=None, help="an existing venv for cc-pyspark")
    parser.add_argument("--peer-job", choices=tuple(PEER_JOBS), default="links")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "wat_peer.json")
    parser.add_argument("--child", nargs=3, metavar=("SIDE", "WAT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        side, wat, out = args.child
        child(side, Path(wat), Path(out))
        return

    from pipelines.demo.wat import write_wat

    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="wat_peer-"))
    scratch.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[Path, int]] = {}
    for tag, links, seed in (("large", args.links, args.seed), ("small", args.small_links, args.seed + 1)):
        wat = scratch / f"generated-{args.layout}-{links}.warc.wat.gz"
        start = time.perf_counter()
        files[tag] = wat, write_wat(wat, links=links, seed=seed, layout=args.layout)
        print(f"generated {wat}: {wat.stat().st_size / 1e6:.1f} MB, {files[tag][1]:,} A/AREA hyperlinks"
              f" in {time.perf_counter() - start:.1f} s", flush=True)

    sides = list(SIDES)
    peer = None
    if args.cc_pyspark is None:
        print(PEER_NEEDS, flush=True)
    else:
        peer = peer_setup(args.cc_pyspark, scratch, args.peer_venv, args.peer_job)
        sides.append(Side("peer", f"cc-pyspark {peer.job} local[2]"))

    runs: list[Result] = []
    for round_no in range(1, args.repeat + 1):
        for tag in ("large", "small"):
            wat, links = files[tag]
            for side in sides:
                result = measure(side, wat, links, scratch, peer, tag)
                runs.append(result)
                print(f"round {round_no} {tag:5} {side.name:6} {result.wall_s:7.2f} s wall {result.cpu_s:7.2f} s CPU"
                      f"  {result.output}", flush=True)
    best: dict[tuple[str, str], Result] = {}
    for result in runs:
        key = (result.side, result.file)
        if key not in best or result.wall_s < best[key].wall_s:
            best[key] = result
    large, small = files["large"][0].name, files["small"][0].name
    load = os.getloadavg()
    print(f"\n{files['large'][1]:,} hyperlinks, {files['large'][0].stat().st_size / 1e6:.1f} MB ({args.layout} layout);"
          f" small file {files['small'][1]:,}; best of {args.repeat} by wall time; load average now"
          f" {load[0]:.1f} on {os.cpu_count()} cores")
    print("\n".join(report(best, sides, large, small)))
    reader, ingest = best[("reader", large)], best[("ingest", large)]
    if peer is not None:
        spark = best[("peer", large)]
        print(f"\nwall time, end to end: read_archive -> Parquet {spark.wall_s / reader.wall_s:.2f}x cc-pyspark's"
              f" speed, linkindex ingest {spark.wall_s / ingest.wall_s:.2f}x; per CPU second: "
              f"{spark.cpu_s / reader.cpu_s:.2f}x and {spark.cpu_s / ingest.cpu_s:.2f}x")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"layout": args.layout, "repeat": args.repeat, "load_average": load,
                                    "runs": [asdict(r) for r in runs]}, indent=2) + "\n")
    print(f"scratch: {scratch}; runs: {args.out}")


if __name__ == "__main__":
    main()
