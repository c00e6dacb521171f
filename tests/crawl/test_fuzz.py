"""Hypothesis: on any bytes, and on real records cut or corrupted at random, read_archive returns a well-formed
result or raises ValueError (not a WARC), nothing else."""

from __future__ import annotations

import gzip
import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest.crawl import is_crawl_archive, read_archive
from tests.crawl import build
from tests.crawl.checks import check
from tests.crawl.conftest import CRAWL, CRAWL_BAD

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(data: bytes) -> None:
    try:
        result = read_archive(data, "fuzz.warc")
    except ValueError as exc:
        assert "not a WARC" in str(exc)
        assert not is_crawl_archive(data[:65536])
        return
    check(result)
    # Damage inside a record is the stream's (OSError from FastWARC or zlib), never a bug of the reader's.
    for error in result.errors.to_pylist():
        if error["reason"] == "corrupt_record":
            assert error["detail"].startswith(("OSError", "error")), error["detail"]


# Real records of several writers (CC 2014 WAT, CC 2020 and 2024, pywb revisits, a chunked IANA capture).
SAMPLES = (
    CRAWL / "cc-main-2020-34" / "warcfile.warc.gz", CRAWL / "cc-main-2024-22" / "whirlwind.warc.gz",
    CRAWL / "cc-main-2014-35" / "CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc.wat",
    CRAWL_BAD / "example-iana.org-chunked.warc", CRAWL / "pywb-iana-2014" / "iana.warc.gz",
)


@pytest.fixture(scope="module")
def real_records() -> list[bytes]:
    """Single records of the real samples (uncompressed), small enough to mutate quickly."""
    missing = [str(path) for path in SAMPLES if not path.is_file()]
    if missing:
        pytest.skip(f"real crawl samples not found: {', '.join(missing)} (put ../shared beside the checkout)")
    records: list[bytes] = []
    for path in SAMPLES:
        plain = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        starts = [m.start() for m in re.finditer(rb"WARC/1\.[01]\r\n", plain)] + [len(plain)]
        records += [plain[a:b] for a, b in itertools.pairwise(starts) if b - a < 60_000][:40]
    return records


@SETTINGS
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes(data: bytes) -> None:
    outcome(data)
    outcome(gzip.compress(data, mtime=0))
    outcome(b"WARC/1.0\r\n" + data)
    outcome(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + data, mtime=0))


@SETTINGS
@given(
    picks=st.lists(st.integers(0, 10**6), min_size=1, max_size=4),
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=6), st.integers(0, 6)), max_size=4),
    cut=st.one_of(st.none(), st.integers(0, 10**6)),
    members=st.booleans(),
)
def test_mutated_real_records(real_records: list[bytes], picks: list[int], edits: list[tuple[int, bytes, int]],
                              cut: int | None, members: bool) -> None:
    chosen = [bytearray(real_records[i % len(real_records)]) for i in picks]
    for at, junk, drop in edits:
        target = chosen[at % len(chosen)]
        at %= len(target) + 1
        target[at : at + drop] = junk
    data = build.archive(*map(bytes, chosen), gzip_members=members)
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    outcome(data)
