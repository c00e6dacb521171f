"""The demo WAT generator: real Common Crawl layout, valid gzip-per-record framing, read back exactly."""

from __future__ import annotations

import io
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastwarc.warc import ArchiveIterator

from pipelines.demo.wat import write_wat
from pipelines.ingest.crawl import read_archive

REAL_2014 = Path("/work/shared/data/crawl/cc-main-2014-35/"
                 "CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc.wat")
REAL_CURRENT = Path("/work/shared/data/crawl/cc-main-2024-22/whirlwind.warc.wat.gz")
HYPERLINKS = {"A@/href", "AREA@/href"}
# Keys whose children are free-form maps (HTTP headers, warcinfo fields) or free-form values (metadata
# records): compared down to the map itself only.
FREE_FORM = ("/Headers/", "/WARC-Info-Metadata/")
# Keys a real WAT carries that the small 2014 sample happens not to show: meta tags, <base>, CSS urls (href),
# link targets, AREA links, and an A with neither text nor title.
OPTIONAL_2014 = {
    "HTML-Metadata/Head/Metas[]/name", "HTML-Metadata/Head/Metas[]/content", "HTML-Metadata/Head/Metas[]/property",
    "HTML-Metadata/Head/Base", "HTML-Metadata/Links[]/href", "HTML-Metadata/Links[]/target",
}


def _members(data: bytes) -> list[bytes]:
    """Each gzip member inflated on its own."""
    out: list[bytes] = []
    rest = data
    while rest:
        decoder = zlib.decompressobj(31)
        out.append(decoder.decompress(rest))
        assert decoder.eof, "a gzip member is cut short"
        rest = decoder.unused_data
    return out


def _key_paths(value: Any, prefix: str, out: set[str]) -> None:
    if isinstance(value, dict):
        if any(prefix.endswith(free.rstrip("/")) for free in FREE_FORM):
            out.add(prefix + "/*")
            return
        for key, child in value.items():
            _key_paths(child, f"{prefix}/{key}", out)
    elif isinstance(value, list):
        for child in value:
            _key_paths(child, prefix + "[]", out)
    else:
        out.add(prefix)


def _structure(data: bytes) -> dict[str, set[str]]:
    """Key paths of the WAT JSON payloads, by the WARC-Type of the record each describes."""
    by_type: dict[str, set[str]] = {}
    for record in ArchiveIterator(io.BytesIO(data), parse_http=False):
        if record.headers.get("Content-Type") != "application/json":
            continue
        document = orjson.loads(record.reader.read())
        kind = document["Envelope"]["WARC-Header-Metadata"]["WARC-Type"]
        _key_paths(document, "", by_type.setdefault(kind, set()))
    return by_type


@pytest.fixture(scope="module", params=["current", "2014"])
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes, int]:
    path = tmp_path_factory.mktemp("wat") / f"{request.param}.warc.wat.gz"
    links = write_wat(path, links=6000, seed=3, layout=request.param)
    return request.param, path.read_bytes(), links


def test_reads_back_exactly(generated: tuple[str, bytes, int]) -> None:
    layout, data, links = generated
    assert links == 6000
    result = read_archive(data, "generated.warc.wat.gz")
    assert result.report == "wat" and result.compression == "gzip" and not result.truncated
    assert result.pages.num_rows + result.errors.num_rows == result.records_read
    assert result.errors.num_rows == 0
    assert result.crawl_id == ("CC-MAIN-2024-22" if layout == "current" else "CC-MAIN-2014-35")
    # Two WAT records in three are not responses (requests, metadata; the warcinfo ones too).
    assert 0.6 < result.records_other / (result.records_read + result.records_other) < 0.7
    nofollow = result.links.column("nofollow").to_pylist()
    if layout == "current":  # rel read from the links: some nofollow, none unknown
        assert any(nofollow) and None not in nofollow
    else:  # no rel before 2017: unknown unless a page-level meta robots says nofollow
        assert None in nofollow
    paths = [dict(m)["path"] if m else None for m in result.links.column("metrics").to_pylist()]
    counted = Counter(paths)
    assert counted["A@/href"] + counted["AREA@/href"] == links
    assert counted["A@/href"] > 0 and counted["AREA@/href"] > 0
    anchors = result.links.column("anchor_raw").to_pylist()
    assert sum(bool(a) for a in anchors) > links // 2  # character references decoded in the 2014 layout too
    assert any(a is not None and "&" in a for a in anchors) and not any(a and "&amp;" in a for a in anchors)


def test_rel_only_in_current_layout(generated: tuple[str, bytes, int]) -> None:
    layout, data, _ = generated
    structure = _structure(data)
    assert ("/Envelope/Payload-Metadata/HTTP-Response-Metadata/HTML-Metadata/Links[]/rel" in structure["response"]) \
        == (layout == "current")
    texts = structure["response"]
    for key in ("path", "url", "text", "alt", "title", "href"):
        assert f"/Envelope/Payload-Metadata/HTTP-Response-Metadata/HTML-Metadata/Links[]/{key}" in texts


def test_gzip_per_record(generated: tuple[str, bytes, int]) -> None:
    _, data, _ = generated
    members = _members(data)
    assert len(members) > 3
    assert members[0].startswith(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n")
    for member in members:
        assert member.startswith(b"WARC/1.0\r\n") and member.endswith(b"\r\n\r\n")
        head, _, rest = member.partition(b"\r\n\r\n")
        fields = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
        body = rest[: int(fields["Content-Length"])]
        assert rest[len(body):] == b"\r\n\r\n"
        if fields["WARC-Type"] == "metadata":
            assert fields["Content-Type"] == "application/json"
            assert {"WARC-Target-URI", "WARC-Date", "WARC-Refers-To", "WARC-Record-ID"} <= fields.keys()
            assert orjson.loads(body)["Envelope"]
    kinds = Counter(orjson.loads(m.partition(b"\r\n\r\n")[2].rsplit(b"\r\n\r\n", 1)[0])["Envelope"]
                    ["WARC-Header-Metadata"]["WARC-Type"] for m in members[1:])
    assert kinds["request"] == kinds["response"] == kinds["metadata"] and kinds["warcinfo"] == 1


def test_deterministic_by_seed(tmp_path: Path) -> None:
    one, two, other = tmp_path / "1.wat.gz", tmp_path / "2.wat.gz", tmp_path / "3.wat.gz"
    assert write_wat(one, links=500, seed=9) == write_wat(two, links=500, seed=9) == 500
    write_wat(other, links=500, seed=10)
    assert one.read_bytes() == two.read_bytes() != other.read_bytes()
    with pytest.raises(ValueError):
        write_wat(tmp_path / "x.wat.gz", links=10, layout="2019")


@pytest.mark.skipif(not REAL_2014.is_file(), reason="real WAT samples not available")
def test_structure_equals_real_2014_sample(tmp_path: Path) -> None:
    path = tmp_path / "2014.warc.wat.gz"
    write_wat(path, links=6000, seed=3, layout="2014")
    real, ours = _structure(REAL_2014.read_bytes()), _structure(path.read_bytes())
    assert real.keys() <= ours.keys()
    for kind, real_paths in real.items():
        missing = real_paths - ours[kind]
        assert not missing, f"{kind}: keys of the real sample not generated: {sorted(missing)}"
        prefix = "/Envelope/Payload-Metadata/HTTP-Response-Metadata/"
        extra = {p for p in ours[kind] - real_paths if not p.startswith(prefix)} | {
            p for p in ours[kind] - real_paths if p.startswith(prefix) and p[len(prefix):] not in OPTIONAL_2014
            and not p[len(prefix):].startswith("Headers/")}
        assert not extra, f"{kind}: keys the real 2014 layout does not have: {sorted(extra)}"


@pytest.mark.skipif(not REAL_CURRENT.is_file(), reason="real WAT samples not available")
def test_structure_equals_real_current_sample(tmp_path: Path) -> None:
    path = tmp_path / "current.warc.wat.gz"
    write_wat(path, links=2000, seed=3, layout="current")
    real, ours = _structure(REAL_CURRENT.read_bytes()), _structure(path.read_bytes())
    for kind, real_paths in real.items():  # the sample holds a request envelope only
        assert real_paths == ours[kind], f"{kind}: {sorted(real_paths ^ ours[kind])}"
