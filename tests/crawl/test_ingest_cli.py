"""Crawl archives through `linkindex ingest` and `build`: detected by content, counted per file, never fatal."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.e2e.conftest import linkindex

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.mark.skipif(not (DATA / "crawl").is_dir(), reason="../shared/data is not beside the checkout")
def test_every_sample_and_bad_archive_is_accounted_for(tmp_path: Path) -> None:
    proc = linkindex("ingest", DATA / "crawl", DATA / "crawl-bad", home=tmp_path, check=False)
    assert proc.returncode == 1  # the ARC files and the PROVENANCE notes are not inputs
    linkindex("build", home=tmp_path)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        outcomes = {r[0]: r[1:] for r in con.execute(
            "SELECT file_name, status, report, rows_read, rows_kept, rows_quarantined, links_kept, truncated, "
            "error FROM ingest_outcomes").fetchall()}
        pages = con.execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE ip IS NOT NULL) FROM page_observations").fetchone()
        placed = con.execute(
            "SELECT placement, COUNT(*) FROM link_observations WHERE report = 'warc' GROUP BY 1").fetchall()
        sources = {r[0] for r in con.execute("SELECT DISTINCT source_system FROM link_observations").fetchall()}
    failed = {name for name, o in outcomes.items() if o[0] == "failed"}
    assert failed == {"bad.arc", "example-space-in-url.arc", "PROVENANCE.md"}
    for name, (status, report, read, kept, bad, *_rest) in outcomes.items():
        if status != "failed":
            assert report in {"warc", "wat"} and read == kept + bad, name
    assert outcomes["example-trunc.warc"][0] == "partial" and outcomes["example-trunc.warc"][6] is True
    assert outcomes["example.warc.gz"][2:4] == (261, 261) and outcomes["example.warc.gz"][5] == 37_588
    assert outcomes["iana.warc.gz"][2] == 171
    assert pages is not None and pages[0] == sum(o[3] for o in outcomes.values() if o[0] != "failed")
    assert dict(placed).keys() >= {"main", "nav", "footer"}
    assert sources == {"crawl", "commoncrawl"}
