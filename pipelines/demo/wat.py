"""Synthetic Common Crawl WAT files in the exact layout of the real ones, as large as a benchmark needs.

No large real WAT can be downloaded here, so `write_wat` writes one: a leading `warcinfo` record, then for each
page of a synthetic crawl the three WAT `metadata` records of its request, response and metadata WARC records
(two in three are not responses, as in a real WAT), each gzipped as its own member. Every JSON payload mirrors
ia-web-commons' output key for key, nesting included, in one of two generations:

- `layout="current"` (2024): `Container` first, `Format: "WARC/1.0"`, `Block-Digest` inside `Payload-Metadata`,
  `Entity-Trailing-Slop-Length`, links with `rel`, character references decoded;
- `layout="2014"`: `Envelope` first, `Format: "WARC"`, `Entity-Trailing-Slop-Bytes`, no `rel`, attribute values
  and anchor texts keeping their character references (`&amp;`), the writer build stamp of 2014-08-19.

Pages and hosts follow power laws (a few hosts hold most pages and receive most external links; links per page
are heavy-tailed). `HTML-Metadata.Links` holds `A@/href` and `AREA@/href` hyperlinks (absolute, root-relative
and relative, some image links: an `IMG@/src` entry then an `A@/href` without text) among the entries that are
not hyperlinks (`IMG@/src`, `SCRIPT@/src`, `FORM@/action`, `STYLE/#text` with `href`). Only 2xx HTML pages
carry hyperlinks; redirects carry a `Location`, other pages none. Every hyperlink written resolves, so a reader
finds exactly the number `write_wat` returns.

Deterministic for a seed, streamed record by record (bounded memory), about 60 MB for 2.5M links.
"""

from __future__ import annotations

import base64
import hashlib
import random
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Final

import orjson

from pipelines.demo.world import NAME_TAILS, SYLLABLES
from pipelines.load.lake import atomic_file

LAYOUTS: Final = ("current", "2014")
_FLUSH_BYTES: Final = 1 << 20
_TLDS: Final = ("com",) * 8 + ("org", "net", "de", "fr", "co.uk", "nl", "io", "info", "pl", "com.br", "es", "it")
_WORDS: Final = (
    "home", "about", "contact", "news", "blog", "shop", "products", "services", "support", "help", "login",
    "privacy", "terms", "search", "archive", "category", "tag", "page", "article", "review", "guide", "tools",
    "garden", "kitchen", "travel", "music", "photos", "events", "faq", "careers", "press", "team", "docs",
    "download", "pricing", "forum", "community", "2023", "2024", "how-to", "best", "new", "top", "cheap",
)
_ANCHORS: Final = (
    "Home", "About us", "Contact", "Read more", "Next »", "« Previous", "Privacy Policy", "Terms of Use",
    "Blog", "Shop now", "Learn more", "Click here", "Sign in", "Subscribe", "Share on Facebook", "Tweet",
    "Download", "See all", "FAQ", "Careers", "Press", "Support", "More news", "Comments (3)", "Reply",
    "Terms & Conditions", "Q&A", "<< Back",
)
_RELS: Final = ("nofollow", "noopener", "noopener noreferrer", "nofollow noopener", "ugc", "sponsored",
                "nofollow ugc", "external", "tag", "bookmark")
_SERVERS: Final = ("nginx", "Apache", "cloudflare", "Microsoft-IIS/10.0", "LiteSpeed", "openresty")
_REQUEST_LENGTHS: Final = {"current": 263, "2014": 285}


class _Draw:
    """Scalar draws from `random.Random`: uniform, index, choice and a power-law index (few items get most)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.random: Callable[[], float] = self.rng.random

    def index(self, n: int) -> int:
        return int(self.random() * n)

    def choice(self, options: tuple[str, ...]) -> str:
        return options[int(self.random() * len(options))]

    def zipf(self, n: int, skew: float = 2.5) -> int:
        """Index in [0, n) with P(index < k) = (k/n)^(1/skew): item 0 is the most frequent."""
        return min(int(n * self.random() ** skew), n - 1)

    def bits(self, n: int) -> int:
        return self.rng.getrandbits(n)


def _uuid(draw: _Draw) -> str:
    h = f"{draw.bits(128):032x}"
    return f"<urn:uuid:{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}>"


def _fake_digest(draw: _Draw) -> str:
    return "sha1:" + base64.b32encode(draw.bits(160).to_bytes(20, "big")).decode()


def _digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()  # WARC digests are sha1


def _hosts(draw: _Draw, count: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        label = "".join(draw.choice(SYLLABLES) for _ in range(2 + draw.index(2)))
        if draw.random() < 0.5:
            label += draw.choice(NAME_TAILS)
        host = f"{label}.{draw.choice(_TLDS)}"
        if draw.random() < 0.6:
            host = "www." + host
        if host not in seen:
            seen.add(host)
            names.append(host)
    return names


class _Writer:
    """One WAT being written: the framing, the gzip members and the byte offsets of the source WARC."""

    def __init__(self, out: BinaryIO, layout: str, draw: _Draw, started: datetime) -> None:
        self.out, self.layout, self.draw = out, layout, draw
        self.current = layout == "current"
        self.buffer: list[bytes] = []
        self.buffered = 0
        self.offset = 0  # in the source WARC, for Container.Offset
        stamp = started.strftime("%Y%m%d%H%M%S")
        if self.current:
            self.crawl = f"CC-MAIN-{started.year}-22"
            self.source = f"CC-MAIN-{stamp}-{stamp}-00000.warc.gz"
            self.wat_name = self.source.replace(".warc.gz", ".warc.wat.gz")
        else:
            self.crawl = f"CC-MAIN-{started.year}-35"
            self.source = f"CC-MAIN-{stamp}-00006-ip-10-180-136-8.ec2.internal.warc.gz"
            self.wat_name = self.source.replace(".warc.gz", ".warc.wat.gz")
        self.warcinfo_id = _uuid(draw)

    def member(self, head: list[tuple[str, str]], body: bytes) -> None:
        lines = ["WARC/1.0"] + [f"{k}: {v}" for k, v in head] + [f"Content-Length: {len(body)}"]
        if self.current and head[0][1] == "metadata":
            lines += [f"WARC-Payload-Digest: {_digest(body)}", f"WARC-Block-Digest: {_digest(body)}"]
        record = ("\r\n".join(lines) + "\r\n\r\n").encode() + body + b"\r\n\r\n"
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
        data = compressor.compress(record) + compressor.flush()
        self.buffer.append(data)
        self.buffered += len(data)
        if self.buffered >= _FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        self.out.write(b"".join(self.buffer))
        self.buffer, self.buffered = [], 0

    def container(self) -> dict[str, Any]:
        deflated = 400 + self.draw.index(20000)
        inflated = deflated * 3 + self.draw.index(4000)
        offset = self.offset
        self.offset += deflated + 18
        gzip_meta = {"Deflate-Length": str(deflated), "Header-Length": "10", "Footer-Length": "8",
                     "Inflated-CRC": str(self.draw.bits(31) - (1 << 30)), "Inflated-Length": str(inflated)}
        if self.current:
            return {"Filename": self.source, "Compressed": True, "Offset": str(offset), "Gzip-Metadata": gzip_meta}
        return {"Compressed": True, "Gzip-Metadata": {k: gzip_meta[k] for k in (
            "Footer-Length", "Deflate-Length", "Header-Length", "Inflated-CRC", "Inflated-Length")},
            "Offset": str(offset), "Filename": self.source}

    def wat_record(self, target: str, date: str, refers_to: str, envelope: dict[str, Any]) -> None:
        """One WAT metadata record describing the source record `refers_to`."""
        if self.current:
            document = {"Container": self.container(), "Envelope": envelope}
        else:
            document = {"Envelope": envelope, "Container": self.container()}
        body = orjson.dumps(document)
        self.member([("WARC-Type", "metadata"), ("WARC-Target-URI", target), ("WARC-Date", date),
                     ("WARC-Record-ID", _uuid(self.draw)), ("WARC-Refers-To", refers_to),
                     ("Content-Type", "application/json")], body)

    def envelope(self, warc_headers: dict[str, Any], payload: dict[str, Any], header_length: int,
                 content_length: int) -> dict[str, Any]:
        digest = _fake_digest(self.draw)
        if self.current:
            payload = {**payload, "Actual-Content-Length": str(content_length), "Trailing-Slop-Length": "0",
                       "Block-Digest": digest}
            return {"Payload-Metadata": payload, "Format": "WARC/1.0", "WARC-Header-Length": str(header_length),
                    "WARC-Header-Metadata": warc_headers}
        return {"Format": "WARC", "WARC-Header-Length": str(header_length), "Block-Digest": digest,
                "Actual-Content-Length": str(content_length), "WARC-Header-Metadata": warc_headers,
                "Payload-Metadata": payload}


def write_wat(path: Path, *, links: int, seed: int = 5, layout: str = "current") -> int:
    """Write a gzip-per-record WAT at `path` (atomically) holding `links` hyperlinks (`A@/href` and
    `AREA@/href` entries of 2xx HTML pages, every one resolvable); returns that number."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
    if links < 0:
        raise ValueError("links must be >= 0")
    draw = _Draw(seed)
    started = datetime(2024, 5, 17, 23, 31, 22) if layout == "current" else datetime(2014, 8, 20, 2, 13, 34)
    n_hosts = max(20, links // 150)
    hosts = _hosts(draw, n_hosts)
    with atomic_file(path) as out:
        writer = _Writer(out, layout, draw, started)
        _write_warcinfo(writer, started)
        written = 0
        clock = started
        page_no = 0
        while written < links:
            page_no += 1
            clock += timedelta(seconds=draw.index(3))
            written += _write_page(writer, hosts, clock, page_no, links - written)
        writer.flush()
    return written


def _write_warcinfo(writer: _Writer, started: datetime) -> None:
    current = writer.current
    extracted = started + timedelta(days=13)
    if current:
        fields = (f"Software-Info: ia-web-commons.1.1.10-SNAPSHOT-20240513074037\r\n"
                  f"Extracted-Date: {extracted:%a, %d %b %Y %H:%M:%S} GMT\r\nip: 10.67.67.159\r\n"
                  "hostname: ip-10-67-67-159.ec2.internal\r\nformat: WARC File Format 1.0\r\n"
                  "conformsTo: http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf\r\n")
    else:
        fields = (f"Software-Info: ia-web-commons.1.0-SNAPSHOT-20140819100050\r\n"
                  f"Extracted-Date: {extracted:%a, %d %b %Y %H:%M:%S} GMT\r\n")
    head = [("WARC-Type", "warcinfo"), ("WARC-Date", f"{extracted:%Y-%m-%dT%H:%M:%SZ}"),
            ("WARC-Filename", writer.wat_name), ("WARC-Record-ID", _uuid(writer.draw)),
            ("Content-Type", "application/warc-fields")]
    body = fields.encode()
    if current:
        lines = ["WARC/1.0"] + [f"{k}: {v}" for k, v in head] + [
            f"Content-Length: {len(body)}", f"WARC-Block-Digest: {_digest(body)}"]
        record = ("\r\n".join(lines) + "\r\n\r\n").encode() + body + b"\r\n\r\n"
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
        writer.buffer.append(compressor.compress(record) + compressor.flush())
    else:
        writer.member(head, body)
    # The WAT record of the source WARC's own warcinfo: the crawl's isPartOf.
    date = f"{started:%Y-%m-%dT%H:%M:%SZ}"
    if current:
        info = {"isPartOf": writer.crawl, "publisher": "Common Crawl",
                "description": "Wide crawl of the web for May 2024",
                "operator": "Common Crawl Admin (info@commoncrawl.org)",
                "hostname": "ip-10-67-67-159.ec2.internal",
                "software": "Apache Nutch 1.20 (modified, https://github.com/commoncrawl/nutch/)",
                "robots": "checked via crawler-commons 1.5-SNAPSHOT (https://github.com/crawler-commons/crawler-commons)",
                "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"}
    else:
        info = {"robots": "classic", "software": "Nutch 1.6 (CC)/CC WarcExport 1.0",
                "description": "Wide crawl of the web with URLs provided by Blekko for August 2014",
                "hostname": "ip-10-180-136-8.ec2.internal", "format": "WARC File Format 1.0",
                "isPartOf": writer.crawl, "operator": "CommonCrawl Admin", "publisher": "CommonCrawl"}
    length = 300 + len(orjson.dumps(info))
    headers = {"WARC-Type": "warcinfo", "WARC-Filename": writer.source, "WARC-Date": date,
               "Content-Length": str(length), "WARC-Record-ID": writer.warcinfo_id,
               "Content-Type": "application/warc-fields"}
    payload: dict[str, Any] = {"Trailing-Slop-Length": "0", "Actual-Content-Type": "application/warc-fields",
                               "Actual-Content-Length": str(length), "Headers-Corrupt": True,
                               "WARC-Info-Metadata": info}
    if current:
        payload = {"Actual-Content-Type": "application/warc-fields", "Headers-Corrupt": True,
                   "WARC-Info-Metadata": info}
    writer.wat_record(writer.source, date, writer.warcinfo_id,
                      writer.envelope(headers, payload, 273, length))


def _path(draw: _Draw, page_no: int) -> str:
    depth = 1 + draw.index(3)
    parts = [draw.choice(_WORDS) for _ in range(depth)]
    tail = draw.random()
    if tail < 0.3:
        return "/" + "/".join(parts) + f"/{page_no}.html"
    if tail < 0.45:
        return "/" + "/".join(parts) + f"?id={page_no}&lang=en"
    if tail < 0.5:
        return "/"
    return "/" + "/".join(parts) + "/"


def _escape(value: str, legacy: bool) -> str:
    """Attribute values and texts as the 2014 writer left them: character references undecoded."""
    if not legacy or not ("&" in value or "<" in value or ">" in value):
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _write_page(writer: _Writer, hosts: list[str], clock: datetime, page_no: int, room: int) -> int:
    """The request, response and metadata WAT records of one capture; the hyperlinks written (<= room)."""
    draw, current = writer.draw, writer.current
    legacy = not current
    host = hosts[draw.zipf(len(hosts))]
    scheme = "https" if current and draw.random() < 0.85 else "http"
    page_path = _path(draw, page_no)
    url = f"{scheme}://{host}{page_path}"
    date = f"{clock:%Y-%m-%dT%H:%M:%SZ}"
    ip = f"{draw.index(223) + 1}.{draw.index(256)}.{draw.index(256)}.{draw.index(254) + 1}"
    request_id, response_id, metadata_id = _uuid(draw), _uuid(draw), _uuid(draw)

    # request
    req_length = _REQUEST_LENGTHS[writer.layout] + len(page_path) + len(host)
    agent = "CCBot/2.0 (https://commoncrawl.org/faq/)" if current else "CCBot/2.0 (http://commoncrawl.org/faq/)"
    if current:
        req_headers = {"User-Agent": agent, "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                       "Accept-Language": "en-US,en;q=0.5", "Accept-Encoding": "br,gzip", "Host": host,
                       "Connection": "Keep-Alive"}
        request_meta = {"Request-Message": {"Method": "GET", "Path": page_path, "Version": "HTTP/1.1"},
                        "Headers-Length": str(req_length - 2), "Headers": req_headers, "Entity-Length": "0",
                        "Entity-Digest": "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", "Entity-Trailing-Slop-Length": "0"}
        warc_req = {"WARC-Type": "request", "WARC-Date": date, "WARC-Record-ID": request_id,
                    "Content-Length": str(req_length), "Content-Type": "application/http; msgtype=request",
                    "WARC-Warcinfo-ID": writer.warcinfo_id, "WARC-IP-Address": ip, "WARC-Target-URI": url}
        payload = {"Actual-Content-Type": "application/http; msgtype=request", "HTTP-Request-Metadata": request_meta}
    else:
        req_headers = {"Accept-Language": "en-us,en-gb,en;q=0.7,*;q=0.3", "Host": host,
                       "Accept-Encoding": "x-gzip, gzip, deflate", "User-Agent": agent,
                       "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
        request_meta = {"Headers": req_headers, "Headers-Length": str(req_length - 2), "Entity-Length": "0",
                        "Entity-Trailing-Slop-Bytes": "0",
                        "Request-Message": {"Method": "GET", "Version": "HTTP/1.0", "Path": page_path},
                        "Entity-Digest": "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"}
        warc_req = {"WARC-Type": "request", "WARC-Date": date, "WARC-Warcinfo-ID": writer.warcinfo_id,
                    "Content-Length": str(req_length), "WARC-Record-ID": request_id, "WARC-Target-URI": url,
                    "WARC-IP-Address": ip, "Content-Type": "application/http; msgtype=request"}
        payload = {"Trailing-Slop-Length": "4", "HTTP-Request-Metadata": request_meta,
                   "Actual-Content-Type": "application/http; msgtype=request"}
    writer.wat_record(url, date, request_id, writer.envelope(warc_req, payload, 350 + len(url), req_length))

    # response
    roll = draw.random()
    status, reason = (200, "OK") if roll < 0.9 else (301, "Moved Permanently") if roll < 0.95 else (
        302, "Found") if roll < 0.97 else (404, "Not Found")
    html = status != 200 or draw.random() < 0.96
    found = 0
    response_meta: dict[str, Any]
    entity_length = 2000 + draw.index(120000)
    headers: dict[str, str] = {"Date": f"{clock:%a, %d %b %Y %H:%M:%S} GMT", "Server": draw.choice(_SERVERS)}
    if status in (301, 302):
        location = f"https://{host}{page_path}" if scheme == "http" else f"{url}{'' if url.endswith('/') else '/'}"
        headers["Location"] = location
        headers["Content-Type"] = "text/html; charset=iso-8859-1"
        entity_length = 200 + draw.index(200)
    else:
        headers["Content-Type"] = "text/html; charset=UTF-8" if html else draw.choice(
            ("application/pdf", "image/jpeg", "text/plain"))
    if current:
        headers["X-Crawler-Content-Encoding"] = "gzip"
        headers["X-Crawler-Content-Length"] = str(entity_length // 4)
    headers["Content-Length"] = str(entity_length)
    headers["Connection"] = "close"
    html_meta: dict[str, Any] | None = None
    if html:
        links_list: list[dict[str, Any]] | None = None
        if status == 200:
            links_list, found = _links(draw, hosts, host, scheme, page_path, room, current, legacy)
        html_meta = {"Head": _head(draw, url, host, scheme, page_path, status, legacy)}
        if links_list is not None:
            html_meta["Links"] = links_list
    message = {"Status": str(status), "Version": "HTTP/1.1", "Reason": reason}
    headers_length = 150 + sum(len(k) + len(v) + 4 for k, v in headers.items())
    if current:
        response_meta = {"Response-Message": {"Version": "HTTP/1.1", "Status": str(status), "Reason": reason},
                         "Headers": headers, "Headers-Length": str(headers_length),
                         "Entity-Length": str(entity_length), "Entity-Trailing-Slop-Length": "0"}
    else:
        response_meta = {"Headers": headers, "Headers-Length": str(headers_length),
                         "Entity-Length": str(entity_length), "Entity-Trailing-Slop-Bytes": "0",
                         "Response-Message": message}
    if html_meta is not None:
        response_meta["HTML-Metadata"] = html_meta
    response_meta["Entity-Digest"] = _fake_digest(draw)
    length = headers_length + entity_length
    payload_digest = _fake_digest(draw)
    block_digest = _fake_digest(draw)
    if current:
        warc_resp = {"WARC-Type": "response", "WARC-Date": date, "WARC-Record-ID": response_id,
                     "Content-Length": str(length), "Content-Type": "application/http; msgtype=response",
                     "WARC-Warcinfo-ID": writer.warcinfo_id, "WARC-Concurrent-To": request_id,
                     "WARC-IP-Address": ip, "WARC-Target-URI": url, "WARC-Protocol": "http/1.1",
                     "WARC-Payload-Digest": payload_digest, "WARC-Block-Digest": block_digest,
                     "WARC-Identified-Payload-Type": headers["Content-Type"].split(";")[0]}
        payload = {"Actual-Content-Type": "application/http; msgtype=response",
                   "HTTP-Response-Metadata": response_meta}
    else:
        warc_resp = {"WARC-Type": "response", "WARC-Date": date, "WARC-Warcinfo-ID": writer.warcinfo_id,
                     "Content-Length": str(length), "WARC-Record-ID": response_id,
                     "WARC-Block-Digest": block_digest, "WARC-Payload-Digest": payload_digest,
                     "WARC-Target-URI": url, "WARC-IP-Address": ip, "WARC-Concurrent-To": request_id,
                     "Content-Type": "application/http; msgtype=response"}
        payload = {"Trailing-Slop-Length": "4", "Actual-Content-Type": "application/http; msgtype=response",
                   "HTTP-Response-Metadata": response_meta}
    writer.wat_record(url, date, response_id, writer.envelope(warc_resp, payload, 560 + len(url), length))

    # metadata (fetch time, and since 2017 the detected charset and languages)
    records = [{"Name": "fetchTimeMs", "Value": str(20 + draw.index(3000))}]
    if current:
        records.append({"Name": "charset-detected", "Value": "UTF-8"})
        if html and status == 200:
            languages = orjson.dumps({"reliable": True, "text-bytes": 1000 + draw.index(20000), "languages": [
                {"code": "en", "code-iso-639-3": "eng", "text-covered": 0.97, "score": 1020.0, "name": "ENGLISH"}]})
            records.append({"Name": "languages-cld2", "Value": languages.decode()})
    fields_length = sum(len(r["Name"]) + len(r["Value"]) + 4 for r in records)
    warc_meta: dict[str, Any]
    if current:
        warc_meta = {"WARC-Type": "metadata", "WARC-Date": date, "WARC-Record-ID": metadata_id,
                     "Content-Length": str(fields_length), "Content-Type": "application/warc-fields",
                     "WARC-Warcinfo-ID": writer.warcinfo_id, "WARC-Concurrent-To": response_id,
                     "WARC-Target-URI": url}
        payload = {"Actual-Content-Type": "application/metadata-fields",
                   "WARC-Metadata-Metadata": {"Metadata-Records": records}}
    else:
        warc_meta = {"WARC-Type": "metadata", "WARC-Date": date, "WARC-Warcinfo-ID": writer.warcinfo_id,
                     "Content-Length": str(fields_length), "WARC-Record-ID": metadata_id, "WARC-Target-URI": url,
                     "WARC-Concurrent-To": response_id, "Content-Type": "application/warc-fields"}
        payload = {"Trailing-Slop-Length": "4", "WARC-Metadata-Metadata": {
            "Trailing-Slop-Length": "0", "Metadata-Records": records, "Actual-Content-Length": str(fields_length)},
            "Actual-Content-Type": "application/metadata-fields"}
    writer.wat_record(url, date, metadata_id, writer.envelope(warc_meta, payload, 500 + len(url), fields_length))
    return found


def _head(draw: _Draw, url: str, host: str, scheme: str, page_path: str, status: int,
          legacy: bool) -> dict[str, Any]:
    title = " ".join(draw.choice(_WORDS).capitalize() for _ in range(2 + draw.index(5)))
    if status == 404:
        return {"Title": "404 Not Found"}
    head: dict[str, Any] = {"Title": _escape(title + (" & More" if draw.random() < 0.1 else ""), legacy)}
    metas: list[dict[str, str]] = [{"name": "viewport", "content": "width=device-width, initial-scale=1"}]
    if draw.random() < 0.6:
        metas.append({"name": "description", "content": _escape(title + " - " + host, legacy)})
    if draw.random() < 0.4:
        metas.append({"property": "og:url", "content": url})
        metas.append({"property": "og:title", "content": _escape(title, legacy)})
    if draw.random() < 0.05:
        metas.append({"name": "robots", "content": draw.choice(("noindex", "nofollow", "noindex,nofollow"))})
    if status == 200:
        head["Metas"] = metas
    link: list[dict[str, str]] = [{"path": "LINK@/href", "url": f"/static/{draw.choice(_WORDS)}.css",
                                   "rel": "stylesheet", "type": "text/css"},
                                  {"path": "LINK@/href", "url": "/favicon.ico", "rel": "icon"}]
    if draw.random() < 0.5:
        link.append({"path": "LINK@/href", "url": _escape(url, legacy), "rel": "canonical"})
    head["Link"] = link
    head["Scripts"] = [{"path": "SCRIPT@/src", "url": f"/js/{draw.choice(_WORDS)}.js", "type": "text/javascript"}
                       for _ in range(draw.index(4))]
    if draw.random() < 0.03:
        head["Base"] = f"{scheme}://{host}/"
    return head


def _links(draw: _Draw, hosts: list[str], host: str, scheme: str, page_path: str, room: int, current: bool,
           legacy: bool) -> tuple[list[dict[str, Any]], int]:
    """A page's `HTML-Metadata.Links`, and how many of them are hyperlinks (at most `room`)."""
    # Heavy-tailed hyperlinks per page: a floor of navigation, a Pareto tail (mean about 230, capped).
    want = min(room, 10 + int(90 * (1.0 - draw.random()) ** -0.6), 3000)
    random_ = draw.random
    choice = draw.choice
    n_hosts = len(hosts)
    entries: list[dict[str, Any]] = []
    base_dir = page_path.rsplit("/", 1)[0]
    # The site's navigation: a few internal targets and their anchors that the page links to again and again.
    menu = [(f"/{choice(_WORDS)}/" if random_() < 0.7 else f"{scheme}://{host}/{choice(_WORDS)}/", choice(_ANCHORS))
            for _ in range(6 + draw.index(20))]
    if draw.random() < 0.5:
        entries.append({"path": "STYLE/#text", "href": f"/img/{choice(_WORDS)}.png"})
    written = 0
    while written < want:
        roll = random_()
        target = ""
        if roll < 0.08:  # an image, then (half the time) the link around it
            alt = choice(_ANCHORS) if random_() < 0.7 else ""
            image: dict[str, Any] = {"path": "IMG@/src", "url": f"/images/{choice(_WORDS)}-{draw.index(999)}.jpg"}
            if alt:
                image["alt"] = _escape(alt, legacy)
            entries.append(image)
            if random_() < 0.5:
                continue
            text = None
        elif roll < 0.1:
            other_path = choice(("SCRIPT@/src", "FORM@/action", "IFRAME@/src", "EMBED@/src"))
            other_entry = {"path": other_path, "url": f"/{choice(_WORDS)}/{choice(_WORDS)}"}
            if other_path == "FORM@/action":
                other_entry["method"] = "post" if random_() < 0.5 else "get"
            entries.append(other_entry)
            continue
        elif roll < 0.55:  # the navigation again
            target, text = menu[draw.zipf(len(menu), 1.5)]
        else:
            text = choice(_ANCHORS) if random_() < 0.5 else " ".join(
                choice(_WORDS) for _ in range(1 + draw.index(4)))
        kind = random_()
        if target:
            pass
        elif kind < 0.35:  # root-relative, internal
            target = f"/{choice(_WORDS)}/{choice(_WORDS)}" + (f"?p={draw.index(50)}&sort=new" if random_() < 0.2
                                                               else "/")
        elif kind < 0.5:  # relative
            target = f"{choice(_WORDS)}-{draw.index(100)}.html"
        elif kind < 0.65:  # absolute, internal
            target = f"{scheme}://{host}{base_dir}/{choice(_WORDS)}"
        else:  # external, power-law popular hosts
            other = hosts[draw.zipf(n_hosts, 3.0)]
            target = f"{'https' if random_() < 0.7 else 'http'}://{other}/" + (
                choice(_WORDS) if random_() < 0.6 else "")
        entry: dict[str, Any] = {"path": "AREA@/href" if random_() < 0.005 else "A@/href",
                                 "url": _escape(target, legacy)}
        if entry["path"] == "A@/href" and text is not None:
            entry["text"] = _escape(text, legacy)
        if random_() < 0.05:
            entry["title"] = _escape(choice(_ANCHORS), legacy)
        if current and random_() < 0.12:
            entry["rel"] = choice(_RELS)
        if random_() < 0.03:
            entry["target"] = "_blank"
        entries.append(entry)
        written += 1
    return entries, written
