"""Fixtures for the crawl reader's tests: the real WARC/WAT samples, read from the shared data folder."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from pipelines.ingest.crawl import CrawlResult, read_archive

# ../shared/data beside the checkout, as on developer machines and in CI; never copied into the repo.
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CRAWL = SHARED / "crawl"
CRAWL_BAD = SHARED / "crawl-bad"


def sample_files(folder: Path) -> list[Path]:
    """Every sample file of a folder (PROVENANCE.md aside); empty when the folder is absent."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "PROVENANCE.md")


@cache
def read_sample(relative: str) -> CrawlResult:
    """A sample read once per test session (results are immutable)."""
    path = CRAWL / relative
    return read_archive(path.read_bytes(), path.name)


@pytest.fixture(scope="session")
def crawl_samples() -> Path:
    """The folder of real crawl samples (see its PROVENANCE.md); tests using it skip when it is absent."""
    if not (CRAWL / "PROVENANCE.md").is_file():
        pytest.skip(f"crawl samples not found at {CRAWL}: put ../shared beside the checkout")
    return CRAWL


@pytest.fixture(scope="session")
def crawl_bad() -> Path:
    """The folder of real malformed WARC/ARC files (see its PROVENANCE.md)."""
    if not (CRAWL_BAD / "PROVENANCE.md").is_file():
        pytest.skip(f"malformed crawl files not found at {CRAWL_BAD}: put ../shared beside the checkout")
    return CRAWL_BAD
