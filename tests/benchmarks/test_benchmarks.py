"""The benchmarks measure what they say: whole processes timed without blocking on their output, inputs of
distinct pages, and a pandas baseline that keeps and quarantines the same records as linkindex."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest
from fastwarc.warc import ArchiveIterator, WarcRecordType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.config import load_settings
from pipelines.demo import write_bulk
from pipelines.demo.wat import write_wat
from pipelines.ingest.crawl import read_archive
from pipelines.ingest.runner import ingest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import crawl_extract  # noqa: E402  (the benchmarks are scripts beside each other, not a package)
import ingest_build  # noqa: E402
import pandas_baseline  # noqa: E402
import processes  # noqa: E402
import warc_pages  # noqa: E402
import wat_peer  # noqa: E402
from bare_loops import bare_warc  # noqa: E402

DATA = Path("/work/shared/data/crawl")
TODAY = date(2026, 11, 2)
OBSERVED = date(2026, 11, 1)


# --- child processes -------------------------------------------------------------------------------------

CHATTY = "import sys; sys.stderr.write('e' * 2_000_000); sys.stdout.write('o' * 2_000_000)"


def test_a_chatty_child_cannot_block_the_timer(tmp_path: Path) -> None:
    """2 MB on stderr fills any pipe; measure() must still return (run in a process of its own with a
    deadline, so a regression fails instead of hanging the suite)."""
    log = tmp_path / "chatty.log"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(BENCH)!r})
        import ingest_build
        from pathlib import Path
        wall, rss = ingest_build.measure([sys.executable, "-c", {CHATTY!r}], Path({str(log)!r}))
        print(wall, rss)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    wall, rss = map(float, done.stdout.split())
    assert wall > 0 and rss > 0
    text = log.read_text()
    assert text.count("e") == 2_000_000 and text.count("o") == 2_000_000


def test_a_failing_child_is_reported_with_the_end_of_its_output(tmp_path: Path) -> None:
    cmd = [sys.executable, "-c", "import sys; print('x' * 100_000); sys.stderr.write('boom: bad input'); sys.exit(3)"]
    with pytest.raises(SystemExit, match=r"(?s)exit 3.*boom: bad input"):
        processes.run(cmd, tmp_path / "fail.log")


@pytest.mark.parametrize("waits", [True, False], ids=["waited", "never-waited"])
def test_cpu_time_and_memory_are_the_whole_process_trees(tmp_path: Path, waits: bool) -> None:
    """spark-submit's CPU lives in Python workers that its JVM exits without waiting for: a child's children
    count whether or not it waits for them."""
    burn = ("import time\nblock = b'x' * 200_000_000\n"  # resident: every page written
            "t = time.process_time()\nwhile time.process_time() - t < 0.8: pass")
    start = f"subprocess.Popen([sys.executable, '-c', {burn!r}])"
    parent = (f"import os, subprocess, sys, time; child = {start}; "
              + ("child.wait()" if waits else "time.sleep(1.5); os._exit(0)"))
    done = processes.run([sys.executable, "-c", parent], tmp_path / "tree.log")
    assert done.cpu_s >= 0.7
    assert done.peak_rss_gb >= 0.18
    assert done.wall_s >= 0.75 and 0 < done.cores <= 2.5


# --- crawl_extract inputs: distinct pages -----------------------------------------------------------------

def _records(data: bytes) -> int:
    return sum(1 for _ in ArchiveIterator(io.BytesIO(data), parse_http=False))


@pytest.mark.parametrize("names", [crawl_extract.WARC_SAMPLES, crawl_extract.WAT_SAMPLES], ids=["warc", "wat"])
def test_the_real_input_holds_each_sample_record_once(names: tuple[str, ...]) -> None:
    [(name, joined)] = crawl_extract.concatenated(DATA, names)
    parts = [(DATA / n).read_bytes() for n in names]
    assert _records(joined) == sum(_records(p) for p in parts)  # FastWARC inflates gzip members itself
    whole = read_archive(joined, name)
    each = [read_archive(p, n) for n, p in zip(names, parts, strict=True)]
    assert not whole.truncated and whole.errors.num_rows == 0
    assert whole.links.num_rows == sum(r.links.num_rows for r in each) > 0
    assert whole.pages.num_rows == sum(r.pages.num_rows for r in each)


def test_generated_warc_pages_are_distinct_and_read_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "pages.warc.gz"
    written = warc_pages.write_warc(path, megabytes=1.5, seed=8)
    data = path.read_bytes()
    urls, bodies = [], []
    for record in ArchiveIterator(io.BytesIO(data), record_types=WarcRecordType.response):
        urls.append(record.headers.get("WARC-Target-URI"))
        bodies.append(record.reader.read())
    assert len(urls) == written.captures and len(set(urls)) == len(urls)
    pages = [body for body in bodies if body.startswith(b"<!DOCTYPE html>")]
    assert len(pages) == written.html_pages and len(set(pages)) == len(pages)  # no page twice
    assert bare_warc([(path.name, data)]) == written.hyperlinks
    result = read_archive(data, path.name)
    assert result.errors.num_rows == 0 and result.pages.num_rows == written.captures
    kinds = Counter(result.links.column("link_type").to_pylist())
    assert kinds["text"] + kinds["image"] == written.hyperlinks
    assert kinds["redirect"] == written.redirects
    assert kinds["image"] > 0 and written.html_pages > 50
    placements = set(pc.unique(result.links.column("placement")).to_pylist())
    assert {"nav", "footer", "main"} <= placements


# --- wat_peer sides -------------------------------------------------------------------------------------

def test_each_wat_side_runs_as_its_own_process_and_writes_its_output(tmp_path: Path) -> None:
    wat = tmp_path / "small.warc.wat.gz"
    links = write_wat(wat, links=3000, seed=9)
    expected = read_archive(wat.read_bytes(), wat.name).links.num_rows
    reader = wat_peer.measure(wat_peer.Side("reader", "reader"), wat, links, tmp_path, None, "t")
    assert reader.output == f"{expected:,} link rows written"
    assert reader.wall_s >= reader.cpu_s * 0.5 > 0
    bare = wat_peer.measure(wat_peer.Side("bare", "bare"), wat, links, tmp_path, None, "t")
    assert bare.output.endswith("nothing written") and int(bare.output.split()[0].replace(",", "")) >= links


def test_without_the_peer_the_script_says_what_it_needs(tmp_path: Path) -> None:
    for needed in ("--cc-pyspark", "github.com/commoncrawl/cc-pyspark", "Java 17", "openjdk-17-jre-headless",
                   "pyspark", "warcio"):
        assert needed in wat_peer.PEER_NEEDS
    with pytest.raises(SystemExit, match="not a checkout of commoncrawl/cc-pyspark"):
        wat_peer.peer_setup(tmp_path, tmp_path / "scratch", None, "links")


# --- pandas baseline: the same records kept and quarantined, dates as dates ------------------------------

def _linkindex(tmp_path: Path, files: list[Path]) -> tuple[int, Counter[str], pd.DataFrame]:
    """Kept link rows, quarantined rows by reason, and the kept rows, from a real in-process ingest."""
    home = tmp_path / "home"
    ingest(files, load_settings(home), observed_on=OBSERVED, today=TODAY)
    kept = ds.dataset(home / "lake" / "link_observations", format="parquet", partitioning="hive").to_table()
    quarantine = home / "lake" / "quarantine"  # written only when a record is quarantined
    reasons = ds.dataset(quarantine, format="parquet", partitioning="hive").to_table().column("reason").to_pylist() \
        if quarantine.exists() else []
    return kept.num_rows, Counter(reasons), kept.to_pandas()


def _baseline(files: list[Path]) -> tuple[dict[str, pd.DataFrame], Counter[str], int]:
    tables, quarantine, read = pandas_baseline.run(files, TODAY)
    return tables, Counter(quarantine["reason"].tolist()), read - len(quarantine)


def test_the_baseline_keeps_and_quarantines_the_records_linkindex_does(tmp_path: Path) -> None:
    files = write_bulk(tmp_path / "landing", 4000, seed=4)
    made = ingest_build.damage(files[0], 40)
    assert set(made.values()) == {20}
    tables, quarantined, kept = _baseline(files)
    lake_kept, lake_quarantined, _ = _linkindex(tmp_path, files)
    assert quarantined == lake_quarantined == Counter(made)
    assert kept == lake_kept == 4000 - 100
    assert len(tables["backlinks"]) > 0.9 * kept


def _export(tmp_path: Path, records: list[dict[str, str]]) -> Path:
    """A real bulk Semrush export with `records` appended (each overriding the fields it names)."""
    [path] = write_bulk(tmp_path / "landing", 300, seed=6)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        header = list(reader.fieldnames or ())
    for i, record in enumerate(records):
        rows.append({**rows[i % len(rows)], "Source url": f"https://blog{i}.example.org/post-{i}/", **record})
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_first_seen_is_the_earliest_date_not_the_least_string(tmp_path: Path) -> None:
    same = {"Source url": "https://news.example.org/a/", "Target url": "https://www.acme-tools.com/drills/"}
    path = _export(tmp_path, [
        {**same, "Anchor": "drills", "First seen": "", "Last seen": "2026-10-20"},
        {**same, "Anchor": "drills", "First seen": "2025-03-01", "Last seen": "null"},
        {**same, "Anchor": "drills", "First seen": " 2024-12-31 ", "Last seen": "2026-10-02"},
    ])
    tables, _, _ = _baseline([path])
    backlinks = tables["backlinks"].set_index(["source", "target"])
    row = backlinks.loc[(same["Source url"], same["Target url"])]
    assert row["first_seen"] == pd.Timestamp("2024-12-31")
    assert row["last_seen"] == pd.Timestamp("2026-10-20")
    _, _, lake_rows = _linkindex(tmp_path, [path])
    mine = lake_rows[lake_rows["source_url"] == same["Source url"]]
    assert mine["first_seen_claim"].min() == row["first_seen"]


FLAG = st.sampled_from(["true", "false", "TRUE", " False ", "", "null", "NULL", "maybe", "1", "yes"])
DAY = st.one_of(
    st.dates(date(1985, 1, 1), date(2027, 6, 1)).map(date.isoformat),
    st.sampled_from(["", "null", "2024-02-30", "2024-2-03", "03/02/2024", " 2025-01-09 ", "2025-01-09T10:00:00",
                     "n/a", "0000-01-01"]),
)
URL = st.sampled_from(["https://ok.example.net/p/", "ftp://files.example.net/x", "not a url", " ", "http://"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fixed_dictionaries({"Nofollow": FLAG, "Sitewide": FLAG, "First seen": DAY, "Last seen": DAY},
                                      optional={"Source url": URL}), min_size=1, max_size=12))
def test_the_baseline_judges_flags_dates_and_urls_as_linkindex_does(
        tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, str]]) -> None:
    tmp_path = tmp_path_factory.mktemp("case")
    path = _export(tmp_path, records)
    tables, quarantined, kept = _baseline([path])
    lake_kept, lake_quarantined, lake_rows = _linkindex(tmp_path, [path])
    assert quarantined == lake_quarantined
    assert kept == lake_kept
    assert tables["backlinks"]["first_seen"].min() == lake_rows["first_seen_claim"].min()
