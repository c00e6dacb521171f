"""Damaged and unusual archives: the real malformed files of shared/data/crawl-bad, real samples cut or corrupted
in memory, and pages built in memory that are huge, link-dense or binary. The reader never fails on content:
it keeps what it can, sets `truncated` when the archive breaks, and turns unreadable captures into error rows.
"""

from __future__ import annotations

import gzip
import random
import re
import zlib
from pathlib import Path

import polars as pl
import pytest

from pipelines.ingest.crawl import read_archive
from tests.crawl import build
from tests.crawl.checks import check
from tests.crawl.conftest import CRAWL, CRAWL_BAD, sample_files

CC_2020 = CRAWL / "cc-main-2020-34" / "warcfile.warc.gz"

# file: (pages, links, records other, truncated, compression); None: not a WARC at all (ValueError).
BAD_FILES: dict[str, tuple[int, int, int, bool, str | None] | None] = {
    "bad.arc": None,  # ARC, not WARC
    "example-space-in-url.arc": None,
    # Whole-file gzip (one member): a response with a gzip Content-Encoding payload, and a revisit.
    "example-bad-non-chunked.warc.gz": (2, 1, 4, False, "gzip"),
    # Whole-file gzip again: two responses (one a 302) and a revisit.
    "example-bad.warc.gz.bad": (3, 2, 3, False, "gzip"),
    "example-digest.warc": (0, 0, 4, False, None),  # four request records
    "example-iana.org-chunked.warc": (1, 37, 2, False, None),
    "example-space-in-target-uri.warc.gz": (0, 0, 2, False, "gzip"),  # a file:/// resource
    # The response declares 2 bytes more than it holds: the request after it is found again.
    "example-trunc.warc": (1, 1, 3, True, None),
    "example-wget-bad-target-uri.warc.gz": (1, 1, 5, False, "gzip"),
    "example-wrong-chunks.warc.gz": (1, 1, 1, False, "gzip"),  # gzip members not aligned to records
}


def read(data: bytes, name: str = "test.warc") -> pl.DataFrame:
    """Pages of an archive, after the invariant checks."""
    result = read_archive(data, name)
    check(result)
    return pl.from_arrow(result.pages)  # type: ignore[return-value]


def members(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each gzip member."""
    spans, start = [], 0
    while start < len(data):
        decoder = zlib.decompressobj(31)
        decoder.decompress(data[start:])
        end = len(data) - len(decoder.unused_data)
        spans.append((start, end))
        start = end
    return spans


def test_every_bad_file_is_covered(crawl_bad: Path) -> None:
    assert {p.name for p in sample_files(CRAWL_BAD)} == set(BAD_FILES)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files(crawl_bad: Path, name: str) -> None:
    data = (crawl_bad / name).read_bytes()
    expected = BAD_FILES[name]
    if expected is None:
        with pytest.raises(ValueError, match="not a WARC"):
            read_archive(data, name)
        return
    result = read_archive(data, name)
    check(result)
    n_pages, n_links, other, truncated, compression = expected
    assert (result.pages.num_rows, result.links.num_rows, result.records_other) == (n_pages, n_links, other)
    assert (result.truncated, result.compression, result.errors.num_rows) == (truncated, compression, 0)


def test_chunked_payload_is_dechunked(crawl_bad: Path) -> None:
    """warcprox kept Transfer-Encoding: chunked; the chunk sizes must not reach the HTML parser."""
    result = read_archive((crawl_bad / "example-iana.org-chunked.warc").read_bytes(), "x.warc")
    frame = pl.from_arrow(result.links)
    assert ("http://www.iana.org/about/", "Learn more.", "header") in frame.select(
        "target_url_raw", "anchor_raw", "placement").rows()
    assert not frame["anchor_raw"].drop_nulls().str.contains("001c37").any()


def test_gzip_content_encoding_and_wrapped_uri(crawl_bad: Path) -> None:
    encoded = read_archive((crawl_bad / "example-bad-non-chunked.warc.gz").read_bytes(), "x")
    assert pl.from_arrow(encoded.links).select("target_url_raw", "anchor_raw").rows() == [
        ("http://www.iana.org/domains/example", "More information...")]
    wget = read_archive((crawl_bad / "example-wget-bad-target-uri.warc.gz").read_bytes(), "x")
    assert wget.pages["url_raw"].to_pylist() == ["http://example.com/"]


def test_short_content_length_resumes_at_the_next_record(crawl_bad: Path) -> None:
    """example-trunc.warc: reading stops at a misaligned header; the next record is found and counted."""
    result = read_archive((crawl_bad / "example-trunc.warc").read_bytes(), "example-trunc.warc")
    assert result.truncated and result.records_read + result.records_other == 4
    assert result.pages["url_raw"].to_pylist() == ["http://example.com/"]


def test_cut_gzip_archive_keeps_records_before_the_cut(crawl_samples: Path) -> None:
    """The CC-MAIN-2020-34 excerpt cut inside each member: near its start, in its middle, in its gzip trailer."""
    data = CC_2020.read_bytes()
    spans = members(data)
    captures = [b"WARC-Type: response" in gzip.decompress(data[start:end])[:2000] for start, end in spans]
    for index, (start, end) in enumerate(spans[1:], start=1):
        whole = len(gzip.decompress(data[start:end]))
        for cut in (start + 5, (start + end) // 2, end - 3):
            result = read_archive(data[:cut], "cut.warc.gz")
            check(result)
            assert result.truncated, (index, cut)
            # Only the trailer (CRC, size) is missing: the record itself is all there and is kept.
            content_whole = len(zlib.decompressobj(31).decompress(data[start:cut])) == whole
            assert result.pages.num_rows == sum(captures[:index]) + (captures[index] and content_whole)
            if captures[index] and cut == (start + end) // 2:
                assert result.errors.num_rows == 1
            if result.errors.num_rows:
                assert captures[index] and not content_whole
                assert result.errors.select(["row_number", "reason"]).to_pylist() == [
                    {"row_number": index + 1, "reason": "truncated_record"}]
    # A cut exactly between two members leaves a shorter archive that is whole.
    whole_archive = read_archive(data[: spans[10][0]], "cut.warc.gz")
    assert not whole_archive.truncated and whole_archive.errors.num_rows == 0


def test_cut_uncompressed_archive(crawl_samples: Path) -> None:
    plain = gzip.decompress(CC_2020.read_bytes())
    starts = [m.start() for m in re.finditer(rb"WARC/1\.[01]\r\n", plain)]
    rng = random.Random(7)
    for cut in sorted(rng.sample(range(starts[1], len(plain) - 4), 25)):
        result = read_archive(plain[:cut], "cut.warc")
        check(result)
        complete = sum(1 for s in starts if s < cut)
        assert result.records_read + result.records_other == complete
        assert result.truncated or plain[cut:].lstrip().startswith(b"WARC/")


def test_wrong_content_length_resumes(crawl_samples: Path) -> None:
    """A response whose Content-Length is off by 100 either way: the records after it are still read."""
    plain = gzip.decompress(CC_2020.read_bytes())
    intact = read(plain)
    match = list(re.finditer(rb"WARC-Type: response\r\n(?:[^\r]*\r\n)*?Content-Length: (\d+)\r\n", plain))[5]
    for delta in (100, -100):
        length = int(match.group(1)) + delta
        damaged = plain[: match.start(1)] + str(length).encode() + plain[match.end(1):]
        result = read_archive(damaged, "damaged.warc")
        check(result)
        assert result.truncated
        assert result.records_read >= intact.height - 1
        assert set(intact["url_raw"]) - set(result.pages["url_raw"].to_pylist()) <= {
            intact["url_raw"][5]}


def test_unparseable_http_headers_become_an_error_row(crawl_samples: Path) -> None:
    """A status line overwritten with junk of the same length: that record is quarantined, the rest read."""
    plain = gzip.decompress(CC_2020.read_bytes())
    intact = read(plain)
    at = [m.start() for m in re.finditer(rb"\r\n\r\nHTTP/1\.1 200", plain)][3] + 4
    damaged = plain[:at] + b"\x00\xff junk\x01" + plain[at + 10:]
    result = read_archive(damaged, "damaged.warc")
    check(result)
    assert not result.truncated
    assert result.errors["reason"].to_pylist() == ["bad_http_headers"]
    assert "junk" in result.errors["raw"][0].as_py()
    assert result.pages.num_rows == intact.height - 1
    assert result.records_read == intact.height


def test_oversized_http_header_block(crawl_samples: Path) -> None:
    """An HTTP header block over FastWARC's 32 KiB limit fails that record only."""
    huge = build.http_response(b"<a href='/x'>x</a>", headers=[("Content-Type", "text/html"),
                                                               ("X-Filler", "a" * 40000)])
    data = build.archive(build.warcinfo(), build.record("response", "http://example.com/huge", huge),
                         build.page("http://example.com/ok", "<a href='/y'>y</a>"), gzip_members=True)
    result = read_archive(data, "huge.warc.gz")
    check(result)
    assert result.errors.select(["row_number", "reason"]).to_pylist() == [
        {"row_number": 2, "reason": "bad_http_headers"}]
    assert result.pages["url_raw"].to_pylist() == ["http://example.com/ok"]


def test_corrupt_gzip_member_resumes_at_the_next_member(crawl_samples: Path) -> None:
    data = bytearray(CC_2020.read_bytes())
    spans = members(bytes(data))
    start, end = spans[7]  # a response member
    data[(start + end) // 2] ^= 0xFF
    result = read_archive(bytes(data), "corrupt.warc.gz")
    check(result)
    intact = read(CC_2020.read_bytes())
    assert result.truncated
    assert result.pages.num_rows + result.errors.num_rows == intact.height
    assert set(result.errors["reason"].to_pylist()) <= {"corrupt_record", "truncated_record"}


def test_truncated_member_in_the_middle(crawl_samples: Path) -> None:
    """A member cut short and followed by whole members (a bad concatenation): the rest is still read."""
    data = CC_2020.read_bytes()
    spans = members(data)
    start, end = spans[7]
    spliced = data[: (start + end) // 2] + data[spans[8][0]:]
    result = read_archive(spliced, "spliced.warc.gz")
    check(result)
    assert result.truncated
    assert result.pages.num_rows >= read(data).height - 1


def test_page_of_several_megabytes() -> None:
    filler = "<p>" + "lorem ipsum dolor sit amet " * 40 + "</p>\n"
    html = "<html><body><main>" + filler * 5000 + "<a href='/last'>the end</a></main></body></html>"
    assert len(html) > 5_000_000
    result = read_archive(build.archive(build.page("http://example.com/big", html)), "big.warc")
    check(result)
    assert result.links.select(["target_url_raw", "anchor_raw", "placement"]).to_pylist() == [
        {"target_url_raw": "http://example.com/last", "anchor_raw": "the end", "placement": "main"}]


def test_tens_of_thousands_of_links() -> None:
    nav = "".join(f"<li class='menu-item'><a href='/n{i}'>n{i}</a></li>" for i in range(10_000))
    main = "".join(f"<tr><td><a href='/m{i}' rel='nofollow'>m {i}</a></td></tr>" for i in range(30_000))
    html = f"<body><nav><ul>{nav}</ul></nav><table>{main}</table><footer><a href='/f'>f</a></footer></body>"
    result = read_archive(build.archive(build.page("http://example.com/dense", html)), "dense.warc")
    check(result)
    frame = pl.from_arrow(result.links)
    assert frame.height == 40_001
    assert dict(frame.group_by("placement").len().iter_rows()) == {"nav": 10_000, "main": 30_000, "footer": 1}
    assert frame.filter(pl.col("placement") == "main")["nofollow"].all()
    assert frame["target_url_raw"][40_000] == "http://example.com/f"


def test_binary_junk_in_an_html_payload() -> None:
    rng = random.Random(3)
    junk = bytes(rng.randrange(256) for _ in range(200_000))
    payload = junk[:100_000] + b"<a href='/inside'>in</a>" + junk[100_000:]
    records = [build.page("http://example.com/junk", payload),
               build.page("http://example.com/nul", b"\x00" * 5000 + b"<a href=/n>n</a>")]
    result = read_archive(build.archive(*records, gzip_members=True), "junk.warc.gz")
    check(result)
    assert result.errors.num_rows == 0 and result.pages.num_rows == 2
    assert "http://example.com/n" in result.links["target_url_raw"].to_pylist()


def test_not_a_warc() -> None:
    for data in (b"", b"hello", gzip.compress(b"hello"), b"\x1f\x8b\x08garbage", b"<html>WARC/1.0</html>"):
        with pytest.raises(ValueError, match="not a WARC"):
            read_archive(data, "x.warc")
