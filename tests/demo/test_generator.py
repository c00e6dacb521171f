"""The demo generator: vendor files byte-exact to VENDOR_FORMATS.md, reproducible, agreeing with the truth."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from collections import Counter
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import ada_url
import polars as pl
import pytest

from pipelines.demo import (
    ANCHOR_KINDS,
    LOST_REASONS,
    DemoManifest,
    Dialect,
    ExportFile,
    encode,
    generate_landing,
    write_bulk,
)
from pipelines.load.lake import atomic_file

D1, D2 = date(2026, 10, 1), date(2026, 11, 1)
UTF8_BOM, UTF16LE_BOM = b"\xef\xbb\xbf", b"\xff\xfe"
# Column names holding the source and target URL, per per-link report.
URL_COLUMNS = {
    ("ahrefs", "backlinks"): ("Referring page URL", "Target URL"),
    ("semrush", "backlinks"): ("Source url", "Target url"),
    ("semrush", "audit"): ("Source URL", "Target URL"),
    ("majestic", "backlinks"): ("Source URL", "Target URL"),
    ("moz", "inbound"): ("Source URL", "Target URL"),
    ("moz", "legacy"): ("URL", "Target URL"),
}
GSC_HEADERS = {
    "latest": "Linking page,Last crawled", "sample": "Linking page",
    "top_sites": "Site,Linking pages,Target pages", "top_text": "Rank,Link text",
    "top_pages": "Target page,Incoming links,Linking sites",
    "internal": "Target page,Internal links", "your_pages": "Linking page",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate_landing(tmp_path_factory.mktemp("landing"))


def files(m: DemoManifest, vendor: str, report: str | None = None) -> list[ExportFile]:
    return [f for f in m.files if f.vendor == vendor and (report is None or f.report == report)]


def text_of(f: ExportFile) -> str:
    """The file decoded the way a reader must: gunzip, then sniff and drop the BOM."""
    data = f.path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:2] == UTF16LE_BOM:
        return data[2:].decode("utf-16-le")
    return data[3:].decode() if data[:3] == UTF8_BOM else data.decode()


def records(f: ExportFile) -> tuple[list[str], list[list[str]]]:
    """Header and data records (the Moz legacy preamble skipped)."""
    text = text_of(f)
    if f.report == "legacy":
        text = text.split("\n", 6)[6]
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows[0], rows[1:]


@cache
def canonical(url: str) -> str:
    """What a canonicaliser makes of a written URL: WHATWG parse, no fragment, no utm_* parameters."""
    u = ada_url.URL(url.strip())
    u.hash = ""
    kept = [p for p in u.search.lstrip("?").split("&") if p and not p.startswith("utm_")]
    u.search = "?" + "&".join(kept) if kept else ""
    return u.href


def folder_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


# ------------------------------------------------------------------------------------------- layout


def test_one_folder_per_snapshot_with_vendor_file_names(demo: DemoManifest) -> None:
    assert sorted(p.name for p in demo.root.iterdir()) == ["2026-10-01", "2026-11-01"]
    names = {f.path.name for f in demo.files}
    assert "https___www.acme-tools.com_-Latest links-2026-11-01.csv" in names
    assert "bücher-welt.de-Top linking sites-2026-11-01 (1).csv" in names
    ahrefs = re.compile(r"^.+-backlinks-subdomains_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.csv$")
    assert all(ahrefs.match(f.path.name) for f in files(demo, "ahrefs", "backlinks"))
    assert all(f.path.name.endswith(".csv.gz") for f in files(demo, "majestic", "backlinks"))
    written = {p for p in demo.root.rglob("*") if p.is_file()}
    assert written == {f.path for f in demo.files}, "no temporary or stray files"
    assert {f.vendor for f in demo.files} == {"ahrefs", "semrush", "majestic", "moz", "gsc"}


def test_manifest_row_counts_match_the_files(demo: DemoManifest) -> None:
    for f in demo.files:
        if f.vendor == "gsc":
            assert len(text_of(f).split("\n")) - 1 == f.rows, f.path.name
        else:
            assert len(records(f)[1]) == f.rows, f.path.name


# ------------------------------------------------------------------------------------------- Ahrefs


def test_ahrefs_backlinks_utf16_tab_all_quoted(demo: DemoManifest) -> None:
    utf16 = [f for f in files(demo, "ahrefs", "backlinks") if f.variant != "utf8"]
    assert {f.variant for f in utf16} == {"34", "37"}
    for f in utf16:
        data = f.path.read_bytes()
        assert data[:2] == UTF16LE_BOM
        text = data[2:].decode("utf-16-le")
        assert "\r" not in text and text.endswith("\n") and not text.endswith("\n\n")
        lines = text[:-1].split("\n")
        for line in lines[:200]:
            assert all(len(c) >= 2 and c[0] == c[-1] == '"' for c in line.split("\t")), line
        header, rows = records(f)
        assert len(header) == int(f.variant)
        assert ('"Is spam"' in lines[0]) == (f.variant == "37")
        assert '""' in lines[1] or any('\t""\t' in line for line in lines[1:])
        check_ahrefs_rows(header, rows)


def check_ahrefs_rows(header: list[str], rows: list[list[str]]) -> None:
    col = {name: i for i, name in enumerate(header)}
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
    status = {t for t, (where, _) in LOST_REASONS.items() if where == "status"}
    drop = {t for t, (where, _) in LOST_REASONS.items() if where == "drop"}
    for r in rows:
        assert stamp.match(r[col["First seen"]]) and stamp.match(r[col["Last seen"]])
        assert r[col["Last seen"]] >= r[col["First seen"]]
        assert {r[col[c]] for c in ("Nofollow", "UGC", "Sponsored", "Content")} <= {"true", "false"}
        assert r[col["Type"]] in {"text", "image", "redirect", "canonical"}
        assert r[col["Discovered status"]] in {"linkfound", "linkrestored", "pagefound"}
        lost, why, dropped = r[col["Lost"]], r[col["Lost status"]], r[col["Drop reason"]]
        if lost:
            assert stamp.match(lost) and r[col["Last seen"]] <= lost
            assert (why in status) != (dropped in drop) and "" in (why, dropped)
        else:
            assert why == dropped == ""
    assert any(", " in r[col["Language"]] for r in rows), "multi-valued cells like `en, es`"


def test_ahrefs_grouping_lost_and_restored_links_occur(demo: DemoManifest) -> None:
    f = next(f for f in files(demo, "ahrefs", "backlinks") if f.snapshot == D2 and f.variant == "37")
    header, rows = records(f)
    col = {name: i for i, name in enumerate(header)}
    assert max(int(r[col["Links in group"]]) for r in rows) > 100, "sitewide links shown as one group"
    assert any(r[col["Lost"]] for r in rows)
    assert any(r[col["Discovered status"]] == "linkrestored" for r in rows)
    assert any(re.fullmatch(r"\d\.\d", r[col["Domain rating"]]) for r in rows), "DR below 10 has a decimal"


def test_ahrefs_utf8_variant_and_summary_reports(demo: DemoManifest) -> None:
    (utf8,) = [f for f in files(demo, "ahrefs", "backlinks") if f.variant == "utf8"]
    data = utf8.path.read_bytes()
    assert data[:3] != UTF8_BOM and data.startswith(b"Referring page title,Referring page URL,")
    refdomains = files(demo, "ahrefs", "refdomains")[0]
    assert records(refdomains)[0] == [
        "Domain", "Is spam", "DR", "Dofollow ref. domains", "Dofollow linked domains", "Traffic ",
        "Keywords ", "Links to target", "Dofollow links", "First seen", "Lost"]
    assert records(files(demo, "ahrefs", "anchors")[0])[0][0] == "Anchor text"
    header, rows = records(files(demo, "ahrefs", "ips")[0])
    assert header[0] == "Subnet" and header[-1] == "ISP"
    assert all(re.fullmatch(r"\d+\.\d+\.\d+\.xxx", r[0]) for r in rows)


# ------------------------------------------------------------------------------------------- Semrush


def test_semrush_backlinks_variants(demo: DemoManifest) -> None:
    current = ("Page ascore,Source title,Source url,Target url,Anchor,External links,Internal links,Nofollow,"
               "Sponsored,Ugc,Text,Frame,Form,Image,Sitewide,First seen,Last seen,New link,Lost link")
    old = ("Page score,Page trust score,Source title,Source url,Target url,Anchor,External links,"
           "Internal links,Nofollow,Frame,Form,Image,Sitewide,First seen,Last seen")
    by_variant = {f.variant: f for f in files(demo, "semrush", "backlinks")}
    assert set(by_variant) == {"", "cap", "crlf", "semicolon", "old"}
    crlf = [f for f in files(demo, "semrush") if b"\r\n" in f.path.read_bytes()]
    assert crlf == [by_variant["crlf"]], "exactly one Semrush file has CRLF line ends"
    for f in files(demo, "semrush"):
        data = f.path.read_bytes()
        assert data[:3] != UTF8_BOM and data.endswith(b"\n")
    assert by_variant["old"].path.read_bytes().startswith(old.encode() + b"\n")
    assert by_variant["semicolon"].path.read_bytes().startswith(current.replace(",", ";").encode() + b"\n")
    assert by_variant["cap"].path.read_bytes().startswith(current.encode() + b"\n")
    assert by_variant["cap"].rows == 10_000 and len(records(by_variant["cap"])[1]) == 10_000
    header, rows = records(by_variant[""])
    col = {name: i for i, name in enumerate(header)}
    for r in rows:
        assert sum(r[col[c]] == "true" for c in ("Text", "Frame", "Form", "Image")) == 1
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[col["First seen"]])
    assert {r[col["New link"]] for r in rows} == {r[col["Lost link"]] for r in rows} == {"true", "false"}


def test_semrush_quoting_is_rfc4180_minimal(demo: DemoManifest) -> None:
    for f in files(demo, "semrush"):
        text = f.path.read_bytes().decode()
        newline = "\r\n" if f.variant == "crlf" else "\n"
        delimiter = ";" if f.variant == "semicolon" else ","
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        again = io.StringIO(newline="")
        writer = csv.writer(again, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
        writer.writerows(rows)
        assert again.getvalue() == text, f.path.name
    audit = files(demo, "semrush", "audit")[0].path.read_text()
    assert '"checked, ""keep"""' in audit, "quotes inside a quoted field are doubled"


def test_semrush_other_reports_headers(demo: DemoManifest) -> None:
    expected = {
        "refdomains": "Domain ascore,Domain,Backlinks,IP Address,Country,First seen,Last seen",
        "pages": "Source url,Source title,Response code,Backlinks,Domains,External links,Internal links,"
                 "Last seen",
        "outbound": "Domain ascore,Domain,Links,First seen,Last seen",
        "comparison": "Target,Target type,Authority Score,Backlinks,Domains,IPs,Follow links,Nofollow links,"
                      "Text links,Image links,Form links,Frame links,Visits",
        "audit": "Domain Authority Score,Page Authority Score,Source URL,Source Page Title,Source Domain,"
                 "Target URL,Anchor,Anchor Type,Link Type,No Follow,Toxic Score,First Seen,Last Seen,Comment",
    }
    for report, header in expected.items():
        for f in files(demo, "semrush", report):
            assert f.path.read_text().split("\n", 1)[0] == header
    header, rows = records(files(demo, "semrush", "audit")[0])
    col = {name: i for i, name in enumerate(header)}
    anchor_types = {"compound", "branded", "empty", "money", "naked", "unknown", "organic"}
    assert {r[col["Anchor Type"]] for r in rows} <= anchor_types
    assert {r[col["Link Type"]] for r in rows} <= {"a", "img", "iframe"}


# ------------------------------------------------------------------------------------------- Majestic


def test_majestic_backlinks_gzip_flags_and_broken_rows(demo: DemoManifest) -> None:
    for f in files(demo, "majestic", "backlinks"):
        raw = f.path.read_bytes()
        assert raw[:2] == b"\x1f\x8b"
        text = gzip.decompress(raw).decode()
        assert text.startswith("Target URL,Source URL,Anchor Text,Source Crawl Date,Source First Found Date,")
        assert text.count("\r\n") == text.count("\n")
        header, rows = records(f)
        wrong = [r for r in rows if len(r) != len(header)]
        assert 1 <= len(wrong) <= 3 and all(len(r) == len(header) + 1 for r in wrong)
        good = [r for r in rows if len(r) == len(header)]
        col = {name: i for i, name in enumerate(header)}
        flags = [c for c in header if c.startswith("Flag")]
        assert {r[col[c]] for r in good for c in flags} == {"", "+"}
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[col["Source Crawl Date"]]) for r in good)
    big = files(demo, "majestic", "backlinks")[0]
    sources = [r[1] for r in records(big)[1]]
    assert any(" " in s for s in sources) and any("/@" in s for s in sources)


def test_majestic_refdomains_bom_crlf_day_first(demo: DemoManifest) -> None:
    for f in files(demo, "majestic", "refdomains"):
        data = f.path.read_bytes()
        assert data[:3] == UTF8_BOM and data.endswith(b"\r\n")
        assert data.count(b"\r\n") == data.count(b"\n")
        lines = data[3:].decode().split("\r\n")
        target = f.target
        assert lines[0].endswith(f'"BackLinks_{target}","FirstLinkDate_{target}","LastLinkDate_{target}"')
        assert lines[0].startswith('"Position","Domain","RefDomains","AlexaRank",')
        first = lines[1].split(",")
        assert first[0] == "1" and first[1].startswith('"') and not first[2].startswith('"')
        header, rows = records(f)
        col = {name: i for i, name in enumerate(header)}
        stamp = re.compile(r"^(\d{2})/(\d{2})/(\d{4}) \d{2}:\d{2}$")
        dates = [r[col[c]] for r in rows for c in ("FirstCrawled", f"FirstLinkDate_{target}")]
        assert all(stamp.match(d) for d in dates)
        assert any(int(stamp.match(d).group(1)) > 12 for d in dates), "a day above 12 exposes a swap"
        assert "-1" in {r[col["AlexaRank"]] for r in rows}


# ------------------------------------------------------------------------------------------- Moz


def test_moz_legacy_preamble_and_yes_no(demo: DemoManifest) -> None:
    for f in files(demo, "moz", "legacy"):
        lines = f.path.read_text().split("\n")
        assert not lines[0].startswith("URL,") and lines[5] == ""
        assert lines[6] == (
            "URL,Title,Anchor Text,Spam Score,Page Authority,Domain Authority,Number of Domains Linking to "
            "this Page,Number of Domains Linking to Domain,Origin,Target URL,Link Equity,No Link Equity,"
            "Only rel=nofollow,Only follow,301")
        _, rows = records(f)
        assert {v for r in rows for v in r[-5:]} == {"Yes", "No"}


def test_moz_link_explorer_header(demo: DemoManifest) -> None:
    for f in files(demo, "moz", "inbound"):
        assert f.path.read_text().split("\n", 1)[0] == (
            "Source URL,Target URL,Anchor Text,Source Page Authority,Source Domain Authority,Spam Score,"
            "Link Type,First Seen,Last Seen")


# ------------------------------------------------------------------------------------------- GSC


def test_gsc_exports(demo: DemoManifest) -> None:
    gsc = files(demo, "gsc")
    assert {f.report for f in gsc} == set(GSC_HEADERS)
    for f in gsc:
        data = f.path.read_bytes()
        assert data[:3] != UTF8_BOM and not data.endswith(b"\n"), f.path.name
        text = data.decode()
        newline = "\r\n" if f.variant == "crlf" else "\n"
        assert (b"\r\n" in data) == (f.variant == "crlf")
        lines = text.split(newline)
        assert lines[0] == GSC_HEADERS[f.report]
        assert len(lines) - 1 <= 1000
        for line in lines[1:]:
            # Unquoted, except counts of 1,000 and more.
            assert '"' not in re.sub(r'"\d{1,3}(,\d{3})+"', "", line), line
    counts = "".join(f.path.read_text() for f in gsc if f.report in ("top_sites", "top_pages"))
    assert re.search(r'"\d,\d{3}"', counts)
    text = next(f for f in gsc if f.report == "top_text" and f.target == "acme-tools.com").path.read_text()
    anchors = text.split("\n")[1:]
    assert any(a.endswith(",(empty)") for a in anchors)
    assert all(a.split(",", 1)[1] == a.split(",", 1)[1].lower() for a in anchors)
    assert not any(re.search(r"[!?.:;\"'“”()-]", a.split(",", 1)[1]) for a in anchors if "(empty)" not in a)
    latest = next(f for f in gsc if f.report == "latest" and f.target.startswith("xn--") and f.snapshot == D2)
    assert "https://bücher-welt.de/" not in latest.path.read_text()  # linking pages are other sites
    assert any("xn--" not in line and not line.isascii() for line in latest.path.read_text().split("\n")), \
        "raw Unicode URLs"
    (again,) = [f for f in gsc if f.variant == "again"]
    original = again.path.with_name(again.path.name.replace(" (1)", ""))
    assert original.read_bytes() == again.path.read_bytes()


# ------------------------------------------------------------------------------------------- URLs


def test_written_urls_canonicalise_to_the_truth(demo: DemoManifest) -> None:
    """Every per-link row's URLs, canonicalised, are the true link's URLs; the surface really varies."""
    truth = dict(zip(demo.world.links["link_id"].to_list(),
                     zip(demo.world.links["source_url"].to_list(), demo.world.links["target_url"].to_list(),
                         strict=True), strict=True))
    kinds: Counter[str] = Counter()
    for f in demo.files:
        if not f.per_link:
            continue
        header, rows = records(f)
        src_col, tgt_col = (header.index(c) for c in URL_COLUMNS[(f.vendor, f.report)])
        name = str(f.path.relative_to(demo.root))
        obs = demo.observations.filter(pl.col("file") == name).sort("row_number")
        assert obs.height == len(rows)
        for (link_id, bad), row in zip(obs.select("link_id", "malformed").iter_rows(), rows, strict=True):
            if bad:
                continue
            written = (row[src_col], row[tgt_col])
            assert (canonical(written[0]), canonical(written[1])) == truth[link_id], (f.path.name, written)
            for url in written:
                kinds.update(k for k, hit in (
                    ("fragment", "#" in url), ("utm", "utm_" in url), ("port", re.search(r":(80|443)/", url)),
                    ("upper", re.search(r"//[^/]*[A-Z]", url)), ("space", " " in url),
                    ("unicode_host", not url.split("/")[2].isascii())) if hit)
    assert set(kinds) == {"fragment", "utm", "port", "upper", "unicode_host", "space"}, kinds


def test_truth_urls_are_canonical(demo: DemoManifest) -> None:
    links = demo.world.links
    for url in [*links["source_url"].to_list()[::7], *links["target_url"].unique().to_list()]:
        assert canonical(url) == url
        assert "#" not in url and "utm_" not in url and url.isascii()
    assert demo.world.domains.filter(pl.col("domain_unicode").is_in(["пример.рф", "例え.jp"])).height == 2
    assert links["source_is_ip"].any()


# ------------------------------------------------------------------------------------------- truth


def test_truth_snapshots_are_consistent(demo: DemoManifest) -> None:
    truth = demo.truth
    for day in demo.dates:
        cut = datetime(day.year, day.month, day.day)
        view = truth.filter(pl.col("snapshot_date") == day)
        assert view.filter(pl.col("first_seen") >= cut).is_empty()
        assert view.filter(pl.col("last_seen") < pl.col("first_seen")).is_empty()
        assert view.filter(pl.col("last_seen") >= cut).is_empty()
        lost = view.filter(~pl.col("is_live"))
        assert not lost.is_empty() and lost.filter(pl.col("lost_at") >= cut).is_empty()
        assert lost.filter(pl.col("last_seen") > pl.col("lost_at")).is_empty()
        assert view.filter(pl.col("is_live") & pl.col("lost_at").is_not_null()).is_empty()
        reasons = lost.select("lost_token", "lost_reason").unique().iter_rows()
        assert all(LOST_REASONS[token][1] == reason for token, reason in reasons)
    before = truth.filter((pl.col("snapshot_date") == D1) & pl.col("is_live")).select("link_id")
    after = truth.filter((pl.col("snapshot_date") == D2) & ~pl.col("is_live")).join(before, on="link_id")
    assert after.height > 500
    between = pl.col("lost_at").is_between(datetime(2026, 10, 1), datetime(2026, 11, 1), closed="left")
    assert after.filter(~between).is_empty(), "links lost between the snapshots were lost between the dates"
    restored = truth.filter((pl.col("snapshot_date") == D2) & (pl.col("new_reason") == "linkrestored"))
    assert not restored.is_empty()


def test_sitewide_network_spike_and_profile(demo: DemoManifest) -> None:
    world = demo.world
    links = world.links.filter(~pl.col("is_internal"))
    per_domain = links.group_by("source_domain").agg(pl.col("page_id").n_unique().alias("pages")).join(
        world.domains.select(pl.col("domain").alias("source_domain"), "site_pages"), on="source_domain")
    sitewide = per_domain.filter((pl.col("pages") >= 100) & (pl.col("pages") >= 0.9 * pl.col("site_pages")))
    assert set(sitewide["source_domain"]) == set(world.sitewide_domains) and len(world.sitewide_domains) >= 3
    # New referring domains per day: the spike day towers over every other day of the last six months.
    firsts = links.group_by("source_domain").agg(pl.col("first_seen").min().dt.date().alias("day"))
    per_day = firsts.filter(pl.col("day") >= D2 - timedelta(days=180)).group_by("day").len()
    spike = per_day.filter(pl.col("day") == world.spike_day)["len"].item()
    other_days = per_day.filter(pl.col("day") != world.spike_day)["len"]
    assert D1 < world.spike_day < D2 and spike >= 3 * other_days.max()
    network = world.domains.filter(pl.col("kind") == "network")
    assert network["subnet_24"].n_unique() == 1 and world.network_subnet.startswith(network["subnet_24"][0])
    assert set(world.links["anchor_kind"]) <= set(ANCHOR_KINDS)
    external = links.filter(~pl.col("is_sitewide") & ~pl.col("is_network"))
    share = external["anchor_kind"].value_counts(normalize=True)
    shares = dict(zip(share["anchor_kind"].to_list(), share["proportion"].to_list(), strict=True))
    assert 0.2 < shares["branded"] < 0.45 and shares["exact"] < 0.05 and shares["generic"] > 0.08
    dofollow = (~(links["nofollow"] | links["ugc"] | links["sponsored"])).mean()
    assert 0.62 < dofollow < 0.78


def test_vendor_samples_overlap_and_never_see_everything(demo: DemoManifest) -> None:
    live = demo.truth.filter((pl.col("snapshot_date") == D2) & pl.col("is_live") & ~pl.col("is_internal"))
    true_pairs = set(live.select("source_url", "target_url").iter_rows())
    exported = demo.exported_backlinks(D2)
    assert len(exported) > 0.75 * len(true_pairs)
    on_d2 = demo.truth.filter(pl.col("snapshot_date") == D2)
    assert exported <= set(on_d2.select("source_url", "target_url").iter_rows())
    on_d2_obs = demo.observations.filter(pl.col("snapshot") == D2)
    seen = on_d2_obs.group_by("vendor").agg(pl.col("link_id").n_unique())
    n_links = on_d2.height
    assert all(n < 0.9 * n_links for n in seen["link_id"]), "no vendor sees every link"
    assert demo.expected_internal_count(D2) > 0
    internal = demo.exported_internal_links(D2)
    assert all(s.startswith("https://") and t.startswith("https://") for s, t in internal)


def test_exported_lost_links_were_lost_between_the_snapshots(demo: DemoManifest) -> None:
    lost = demo.exported_lost_between()
    assert len(lost) > 100
    pairs = pl.DataFrame(list(lost), schema=["source_url", "target_url"], orient="row")
    in_window = pl.col("lost_at").is_between(datetime(2026, 10, 1), datetime(2026, 11, 1), closed="left")
    per_pair = demo.world.links.join(pairs, on=["source_url", "target_url"]).group_by(
        "source_url", "target_url").agg(in_window.any().alias("any"), in_window.all().alias("all"))
    assert per_pair.height == len(lost) and per_pair["any"].all()
    # A page may link one URL twice; a twin that stays live but unseen by every vendor looks lost too.
    assert per_pair["all"].mean() > 0.95


# ------------------------------------------------------------------------------------------- encoding


@pytest.mark.parametrize(("dialect", "expected"), [
    (Dialect(), b'a,b\n"x,y",true\n"say ""hi""",\n'),
    (Dialect(delimiter=";", newline="\r\n"), b'a;b\r\nx,y;true\r\n"say ""hi""";\r\n'),
    (Dialect(quoting="all", final_newline=False), b'"a","b"\n"x,y","true"\n"say ""hi""",""'),
    (Dialect(encoding="utf-16-le", bom=True, delimiter="\t", quoting="all"),
     b"\xff\xfe" + '"a"\t"b"\n"x,y"\t"true"\n"say ""hi"""\t""\n'.encode("utf-16-le")),
    (Dialect(bom=True, quoting="strings", true="Yes", false="No"),
     UTF8_BOM + b'"a","b"\n"x,y",Yes\n"say ""hi""",\n'),
])
def test_encode_dialects(dialect: Dialect, expected: bytes) -> None:
    frame = pl.DataFrame({"a": ["x,y", 'say "hi"'], "b": [True, None]})
    assert encode(frame, dialect) == expected


def test_encode_raw_rows_and_gzip() -> None:
    frame = pl.DataFrame({"anchor": ["a, b", "c, d"], "n": [1, 2]})
    data = gzip.decompress(encode(frame, Dialect(gzip=True), frozenset({1})))
    assert data == b'anchor,n\n"a, b",1\nc, d,2\n'


def test_atomic_file_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), atomic_file(target) as fh:
        fh.write(b"partial")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with atomic_file(target) as fh:
        fh.write(b"whole")
    assert target.read_bytes() == b"whole" and list(tmp_path.iterdir()) == [target]


# ------------------------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a = generate_landing(tmp_path / "a", n_domains=300)
    b = generate_landing(tmp_path / "b", n_domains=300)
    c = generate_landing(tmp_path / "c", n_domains=300, seed=8)
    assert folder_digest(a.root) == folder_digest(b.root)
    assert folder_digest(a.root) != folder_digest(c.root)
    assert a.truth.equals(b.truth)


# ------------------------------------------------------------------------------------------- bulk


def test_bulk_writes_the_requested_rows(tmp_path: Path) -> None:
    paths = write_bulk(tmp_path / "bulk", 25_001, files=3, ahrefs_files=1, chunk_rows=4_000)
    assert len(paths) == 3 and all(p.exists() for p in paths)
    total = 0
    for i, path in enumerate(paths):
        rows = list(csv.reader(io.StringIO(path.read_text(), newline="")))
        header, body = rows[0], rows[1:]
        total += len(body)
        if i == 0:
            assert len(header) == 37 and header[-1] == "Links in group"
            col = {name: k for k, name in enumerate(header)}
            assert all(r[col["Last seen"]] >= r[col["First seen"]] for r in body)
        else:
            assert header[0] == "Page ascore" and len(header) == 19
            assert all(sum(v == "true" for v in r[10:14]) == 1 for r in body)
            assert all(r[16] >= r[15] for r in body)
    assert total == 25_001
    again = write_bulk(tmp_path / "again", 25_001, files=3, ahrefs_files=1, chunk_rows=4_000)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]
