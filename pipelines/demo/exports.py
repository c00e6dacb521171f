"""Vendor exports of the demo world, written byte for byte as /work/shared/VENDOR_FORMATS.md describes them.

Each vendor sees its own, overlapping sample of the true links (never all of them), typed as that vendor can
type links, with the vendor's own window of lost links. URLs are written with surface variation only of these
kinds: upper-case host letters, the Unicode form of IDN hosts, a default port, `utm_*` parameters, a
`#fragment`, and (Majestic) spaces written raw instead of `%20`. Canonicalising undoes all of them.

Evidence notes: Ahrefs, Semrush, Majestic referring domains and GSC layouts are from real files. File names
other than Ahrefs's and GSC's, Majestic's backlink flag value (`+`), Ahrefs's UTF-8 option (written without
BOM), Moz linking domains, and the Moz Link Explorer inbound-links columns and values are unverified: the
Link Explorer export uses the documented-only header `Source URL,Target URL,Anchor Text,Source Page
Authority,Source Domain Authority,Spam Score,Link Type,First Seen,Last Seen`, with `Link Type` written as
follow / nofollow / redirect.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.demo.world import DEFAULT_DATES, LOST_REASONS, LinkWorld, TargetSite, build_world
from pipelines.load.lake import atomic_file

# ---------------------------------------------------------------------------------------------- encoding


@dataclass(frozen=True)
class Dialect:
    """How one vendor writes a CSV: encoding, separators, quoting, line ends and value spellings."""

    encoding: str = "utf-8"
    bom: bool = False
    delimiter: str = ","
    quoting: str = "minimal"  # all | minimal (RFC 4180) | strings (text quoted, numbers and dates bare)
    newline: str = "\n"
    final_newline: bool = True
    datetime_format: str = "%Y-%m-%d %H:%M:%S"
    date_format: str = "%Y-%m-%d"
    true: str = "true"
    false: str = "false"
    preamble: tuple[str, ...] = ()
    gzip: bool = False


AHREFS = Dialect(encoding="utf-16-le", bom=True, delimiter="\t", quoting="all")
AHREFS_UTF8 = Dialect()
SEMRUSH = Dialect()
MAJESTIC_BACKLINKS = Dialect(newline="\r\n", true="+", false="", gzip=True)
MAJESTIC_DOMAINS = Dialect(bom=True, newline="\r\n", quoting="strings", datetime_format="%d/%m/%Y %H:%M")
MOZ = Dialect()
MOZ_LEGACY = Dialect(true="Yes", false="No")
GSC = Dialect(final_newline=False)
_BOMS = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe"}


def _quote(s: pl.Expr) -> pl.Expr:
    return pl.lit('"') + s.str.replace_all('"', '""', literal=True) + pl.lit('"')


def _cell(name: str, dtype: pl.DataType, d: Dialect, quote: bool) -> pl.Expr:
    """One column as written text under dialect `d`."""
    col = pl.col(name)
    text: pl.Expr
    if dtype == pl.Boolean:
        text = pl.when(col).then(pl.lit(d.true)).when(~col).then(pl.lit(d.false)).otherwise(None)
    elif isinstance(dtype, pl.Datetime):
        text = col.dt.strftime(d.datetime_format)
    elif dtype == pl.Date:
        text = col.dt.strftime(d.date_format)
    else:
        text = col.cast(pl.String)
    text = text.fill_null("")
    if not quote:
        return text
    if d.quoting == "all" or (d.quoting == "strings" and dtype == pl.String):
        return _quote(text)
    if d.quoting == "minimal":
        special = f"[{re.escape(d.delimiter)}\"\r\n]"
        return pl.when(text.str.contains(special)).then(_quote(text)).otherwise(text)
    return text


def encode(frame: pl.DataFrame, d: Dialect, raw_rows: frozenset[int] = frozenset()) -> bytes:
    """The file's bytes: `frame`'s column names are the header; `raw_rows` are written without quoting."""
    header = pl.DataFrame({name: [name] for name in frame.columns})
    lines = []
    for part, raw in ((header, frozenset[int]()), (frame, raw_rows)):
        quoted = part.select(pl.concat_str([_cell(n, t, d, True) for n, t in part.schema.items()],
                                           separator=d.delimiter)).to_series().to_list()
        if raw:
            bare = part.select(pl.concat_str([_cell(n, t, d, False) for n, t in part.schema.items()],
                                             separator=d.delimiter)).to_series().to_list()
            quoted = [bare[i] if i in raw else line for i, line in enumerate(quoted)]
        lines += quoted
    text = d.newline.join([*d.preamble, *lines]) + (d.newline if d.final_newline else "")
    data = (_BOMS[d.encoding] if d.bom else b"") + text.encode(d.encoding)
    return gzip.compress(data, compresslevel=6, mtime=0) if d.gzip else data


# ---------------------------------------------------------------------------------------------- vendors


@dataclass(frozen=True)
class Vendor:
    """What one vendor can see: its coverage of the true links, the link types it knows, its lost window."""

    name: str
    coverage: float
    link_types: frozenset[str]
    lost_days: int  # lost links stay in its exports this long; 0 = live links only
    unicode_hosts: bool  # writes IDN hosts in Unicode rather than punycode
    sees_internal: bool  # counts links from the target's other subdomains (Majestic's default)


VENDORS = {v.name: v for v in (
    Vendor("ahrefs", 0.70, frozenset({"text", "image", "redirect", "canonical"}), 90, True, False),
    Vendor("semrush", 0.55, frozenset({"text", "image", "frame", "form"}), 30, False, True),
    Vendor("majestic", 0.50, frozenset({"text", "image", "redirect", "frame"}), 0, False, True),
    Vendor("moz", 0.30, frozenset({"text", "image", "redirect"}), 0, True, False),
    Vendor("gsc", 0.85, frozenset({"text", "image", "redirect", "canonical", "frame", "form"}), 0, True,
           False),
)}
GSC_CAP = 1000
SEMRUSH_CAP = 10_000
_UTM = ("utm_source=newsletter&utm_medium=email&utm_campaign=autumn", "utm_source=twitter&utm_medium=social",
        "utm_source=partner&utm_medium=referral&utm_content=footer")
_FRAGMENTS = ("comments", "respond", "reviews", "section-2", "top", "more")
_LEFT = ("I bought mine from", "Check out", "According to", "We recommend", "see", "Mehr dazu bei",
         "Voir aussi", "Подробнее на", "詳しくは", "Thanks to")
_RIGHT = ("for more details.", "— worth a look.", "(affiliate link)", "which ships to Europe.", "and others.",
          "if you need spare parts.", "")
_AUTHORS = ("", "", "", "Jane Doe", "Max Mustermann", "admin", "Editorial Team", "Иван Петров", "山田太郎")
_PAGE_TYPES = {"blogs": "blog post", "cms": "article", "news": "news article", "ecommerce": "product page",
               "message boards": "forum thread", "wiki": "wiki page"}
_CATEGORIES = ("/Home & Garden/Home Improvement", "/Hobbies & Leisure/DIY", "/Books & Literature",
               "/Shopping", "/News", "")
_TOPICS = ("Recreation/Home Improvement", "Shopping/Home and Garden", "Arts/Literature", "Computers/Internet",
           "Business/Construction and Maintenance", "Society/People")
_OUTBOUND = ("youtube.com", "facebook.com", "instagram.com", "wikipedia.org", "pinterest.com", "amazon.co.uk",
             "trustpilot.com", "google.com", "linkedin.com", "x.com")


# ---------------------------------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class ExportFile:
    """One file written to the landing folder."""

    path: Path
    vendor: str
    report: str
    target: str  # ASCII registrable domain the export was taken for
    snapshot: date
    rows: int  # data records (header and preamble excluded)
    per_link: bool  # rows name both a source and a target URL
    variant: str = ""


@dataclass(frozen=True)
class DemoManifest:
    """What `generate_landing` wrote, with the ground truth and answers tests compare the pipeline against."""

    root: Path
    dates: tuple[date, date]
    targets: tuple[str, ...]  # ASCII registrable domains
    sites: tuple[TargetSite, ...]
    files: tuple[ExportFile, ...]
    world: LinkWorld
    observations: pl.DataFrame  # one row per data row of a per-link export: file, row_number, link_id, ...

    @property
    def truth(self) -> pl.DataFrame:
        """One row per (snapshot date, link) in canonical form; see `LinkWorld.as_of`."""
        return self.world.truth()

    def file_table(self) -> pl.DataFrame:
        """One row per file written: path relative to root, vendor, report, target, snapshot, rows."""
        return pl.DataFrame([{
            "path": str(f.path.relative_to(self.root)), "vendor": f.vendor, "report": f.report,
            "variant": f.variant, "target": f.target, "snapshot": f.snapshot, "rows": f.rows,
            "bytes": f.path.stat().st_size,
        } for f in self.files])

    def _observed(self, snapshot: date | None) -> pl.DataFrame:
        obs = self.observations.filter(~pl.col("malformed"))
        if snapshot is not None:
            obs = obs.filter(pl.col("snapshot") == snapshot)
        truth = self.world.links.select("link_id", "source_url", "target_url", "is_internal", "target")
        return obs.join(truth, on="link_id")

    def exported_backlinks(self, snapshot: date, target: str | None = None) -> set[tuple[str, str]]:
        """Canonical (source_url, target_url) external backlinks in at least one well-formed per-link row."""
        obs = self._observed(snapshot).filter(~pl.col("is_internal"))
        if target is not None:
            obs = obs.filter(pl.col("target") == target)
        return set(obs.select("source_url", "target_url").iter_rows())

    def exported_internal_links(self, snapshot: date) -> set[tuple[str, str]]:
        """Canonical (source_url, target_url) internal links (same registrable domain) in per-link rows."""
        return set(self._observed(snapshot).filter(pl.col("is_internal"))
                   .select("source_url", "target_url").iter_rows())

    def expected_internal_count(self, snapshot: date) -> int:
        """How many distinct internal links the per-link exports of `snapshot` hold."""
        return len(self.exported_internal_links(snapshot))

    def exported_lost_between(self) -> set[tuple[str, str]]:
        """Backlinks that second-snapshot exports flag lost (Ahrefs Lost, Semrush Lost link), lost on or after
        the first snapshot date, and that no second-snapshot export shows live."""
        d1, d2 = self.dates
        obs = self._observed(d2).filter(~pl.col("is_internal")).join(
            self.world.links.select("link_id", "lost_at"), on="link_id")
        start = datetime(d1.year, d1.month, d1.day)
        lost = obs.filter(pl.col("shown_lost") & (pl.col("lost_at") >= start))
        live = obs.filter(~pl.col("shown_lost"))
        return (set(lost.select("source_url", "target_url").iter_rows())
                - set(live.select("source_url", "target_url").iter_rows()))


# ---------------------------------------------------------------------------------------------- the plan

_GSC_REPORTS = ("gsc_latest", "gsc_sample", "gsc_top_sites", "gsc_top_text", "gsc_top_pages", "gsc_internal",
                "gsc_your_pages")
# (target domain, snapshot index or None for every snapshot, report, variant): which files a user would have.
_PLAN: tuple[tuple[str, int | None, str, str], ...] = (
    ("acme-tools.com", None, "ahrefs_backlinks", "37"),
    ("acme-tools.com", None, "ahrefs_refdomains", ""),
    ("acme-tools.com", None, "ahrefs_anchors", ""),
    ("acme-tools.com", 1, "ahrefs_ips", ""),
    ("acme-tools.com", 0, "semrush_backlinks", ""),
    ("acme-tools.com", 1, "semrush_backlinks", "cap"),
    ("acme-tools.com", None, "semrush_refdomains", ""),
    ("acme-tools.com", None, "semrush_pages", ""),
    ("acme-tools.com", 1, "semrush_outbound", ""),
    ("acme-tools.com", 1, "semrush_comparison", ""),
    ("acme-tools.com", 1, "semrush_audit", ""),
    ("acme-tools.com", None, "majestic_backlinks", ""),
    ("acme-tools.com", None, "majestic_refdomains", ""),
    ("acme-tools.com", None, "moz_inbound", ""),
    ("acme-tools.com", None, "moz_domains", ""),
    *(("acme-tools.com", None, r, "") for r in _GSC_REPORTS),
    ("bücher-welt.de", None, "ahrefs_backlinks", "34"),
    ("bücher-welt.de", 1, "ahrefs_refdomains", ""),
    ("bücher-welt.de", 0, "semrush_backlinks", "semicolon"),
    ("bücher-welt.de", 1, "semrush_backlinks", "crlf"),
    ("bücher-welt.de", None, "semrush_refdomains", ""),
    ("bücher-welt.de", 1, "majestic_backlinks", ""),
    ("bücher-welt.de", 1, "majestic_refdomains", ""),
    ("bücher-welt.de", None, "moz_legacy", ""),
    ("bücher-welt.de", 0, "gsc_latest", "crlf"),
    ("bücher-welt.de", 0, "gsc_top_sites", ""),
    *(("bücher-welt.de", 1, r, "") for r in _GSC_REPORTS),
    ("bücher-welt.de", 1, "gsc_top_sites", "again"),  # the same download twice: "... (1).csv"
    ("example-shop.co.uk", 0, "ahrefs_backlinks", "37"),
    ("example-shop.co.uk", 1, "ahrefs_backlinks", "utf8"),
    ("example-shop.co.uk", 0, "semrush_backlinks", "old"),
    ("example-shop.co.uk", 1, "semrush_backlinks", ""),
    ("example-shop.co.uk", 1, "semrush_refdomains", ""),
    ("example-shop.co.uk", 1, "semrush_pages", ""),
    ("example-shop.co.uk", None, "majestic_backlinks", ""),
    ("example-shop.co.uk", 1, "moz_inbound", ""),
    ("example-shop.co.uk", 1, "moz_domains", ""),
)


@dataclass
class _Output:
    """A report ready to encode: the frame to write and, for per-link reports, which link each row shows."""

    frame: pl.DataFrame
    dialect: Dialect
    link_id: list[int] | None = None
    shown_lost: list[bool] | None = None
    raw_rows: frozenset[int] = field(default_factory=frozenset)


def generate_landing(root: Path, *, seed: int = 7, n_domains: int = 3000,
                     dates: tuple[date, date] = DEFAULT_DATES) -> DemoManifest:
    """Write the demo landing folder `root/<YYYY-MM-DD>/<vendor files>` and return what was written."""
    world = build_world(seed=seed, n_domains=n_domains, dates=dates)
    landing = _Landing(world)
    sites = {s.domain: s for s in world.targets}
    files: list[ExportFile] = []
    observations: list[pl.DataFrame] = []
    for k, (domain, when, report, variant) in enumerate(_PLAN):
        for idx in [when] if when is not None else range(len(dates)):
            site, day = sites[domain], dates[idx]
            rng = np.random.default_rng([seed, 100, k, idx])
            out = _REPORTS[report](landing, site, day, variant, rng)
            path = root / day.isoformat() / _file_name(report, variant, site, day, k, seed)
            with atomic_file(path) as fh:
                fh.write(encode(out.frame, out.dialect, out.raw_rows))
            vendor = report.split("_", 1)[0]
            files.append(ExportFile(path, vendor, report.split("_", 1)[1], site.ascii_domain, day,
                                    out.frame.height, out.link_id is not None, variant))
            if out.link_id is not None:
                observations.append(pl.DataFrame({
                    "file": str(path.relative_to(root)), "vendor": vendor, "report": files[-1].report,
                    "snapshot": day, "row_number": np.arange(1, out.frame.height + 1, dtype=np.int64),
                    "link_id": out.link_id, "shown_lost": out.shown_lost,
                    "malformed": [i in out.raw_rows for i in range(out.frame.height)],
                }, schema_overrides={"link_id": pl.Int64}))
    return DemoManifest(root, dates, tuple(s.ascii_domain for s in world.targets), world.targets,
                        tuple(files), world, pl.concat(observations))


def _file_name(report: str, variant: str, site: TargetSite, day: date, k: int, seed: int) -> str:
    """The vendor's own file name for the report (see the module notes on which names are verified)."""
    # Ahrefs stamps the download time; a deterministic one keeps the bytes reproducible.
    t = datetime(day.year, day.month, day.day, 9, 14, 27) + timedelta(seconds=37 * k + 3 * seed)
    stamp = f"{day.isoformat()}_{t:%H-%M-%S}"
    gsc_prop = (f"https___{site.host}_" if site.host.startswith("www.") else site.domain)
    gsc_names = {"gsc_latest": "Latest links", "gsc_sample": "More sample links",
                 "gsc_top_sites": "Top linking sites", "gsc_top_text": "Top linking text",
                 "gsc_top_pages": "Top linked pages - externally",
                 "gsc_internal": "Top linked pages - internally",
                 "gsc_your_pages": "Your pages linking to this page"}
    if report in gsc_names:
        return f"{gsc_prop}-{gsc_names[report]}-{day.isoformat()}{' (1)' if variant == 'again' else ''}.csv"
    names: dict[str, Callable[[], str]] = {
        "ahrefs_backlinks": lambda: f"{site.domain}-backlinks-subdomains_{stamp}.csv",
        "ahrefs_refdomains": lambda: f"{site.domain}-refdomains-subdomains_{stamp}.csv",
        "ahrefs_anchors": lambda: f"{site.domain}-anchors-subdomains_{stamp}.csv",
        "ahrefs_ips": lambda: f"{site.domain}-referring-ips-subdomains_{stamp}.csv",
        "semrush_backlinks": lambda: f"{site.ascii_domain}-backlinks.csv",
        "semrush_refdomains": lambda: f"{site.ascii_domain}-backlinks_refdomains.csv",
        "semrush_pages": lambda: f"{site.ascii_domain}-backlinks_pages.csv",
        "semrush_outbound": lambda: f"{site.ascii_domain}-backlinks_outgoing_domains.csv",
        "semrush_comparison": lambda: f"{site.ascii_domain}-backlinks_comparison.csv",
        "semrush_audit": lambda: f"{site.ascii_domain}-backlink_audit.csv",
        "majestic_backlinks": lambda: f"{site.ascii_domain}_fresh_backlinks_{day.isoformat()}.csv.gz",
        "majestic_refdomains": lambda: f"{site.ascii_domain}_fresh_refdomains_{day.isoformat()}.csv",
        "moz_inbound": lambda: f"{site.ascii_domain}-inbound-links-{day.isoformat()}.csv",
        "moz_domains": lambda: f"{site.ascii_domain}-linking-domains-{day.isoformat()}.csv",
        "moz_legacy": lambda: f"OSE-inbound-links-{site.ascii_domain}-{day.isoformat()}.csv",
    }
    return names[report]()


# ---------------------------------------------------------------------------------------------- samples


class _Landing:
    """The world plus what every writer shares: vendor metrics, per-vendor visibility, snapshot views."""

    def __init__(self, world: LinkWorld) -> None:
        self.world = world
        rng = np.random.default_rng([world.seed, 50])
        self.domain_metrics = _domain_metrics(world, rng)
        links = world.links
        n_pages = int(links["page_id"].to_numpy().max()) + 1
        page = {
            "ur": rng.uniform(0.2, 0.7, n_pages), "page_traffic": np.floor(rng.pareto(1.2, n_pages) * 3),
            "external_links": 1 + np.floor(rng.lognormal(2.3, 0.8, n_pages)),
            "internal_links": 5 + np.floor(rng.lognormal(3.2, 0.7, n_pages)),
            "page_refdomains": np.floor(rng.pareto(1.5, n_pages) * 2),
        }
        pid = links["page_id"].to_numpy()
        n = links.height
        u = {name: rng.random(n) for name in VENDORS}
        static = links.select("link_id", "domain_id").with_columns(
            **{k: pl.Series(v[pid]) for k, v in page.items()},
            left=pl.Series(rng.integers(0, len(_LEFT), n)), right=pl.Series(rng.integers(0, len(_RIGHT), n)),
            author=pl.Series(rng.integers(0, len(_AUTHORS), n)),
            category=pl.Series(rng.integers(0, len(_CATEGORIES), n)),
            rendered=pl.Series(rng.random(n) < 0.1), multi_lang=pl.Series(rng.random(n) < 0.08),
            hops=pl.Series(1 + (rng.random(n) < 0.3)),
        )
        # Visibility: a vendor's chance to know a link grows with the referring site's authority, and a few
        # links change coverage between snapshots without being lost.
        auth = static.join(self.domain_metrics.select("domain_id", "authority"), on="domain_id", how="left")[
            "authority"].fill_null(0.8).to_numpy()
        weight = (0.5 + auth) / (0.5 + auth).mean()
        for name, vendor in VENDORS.items():
            p = np.clip(vendor.coverage * weight, 0.02, 0.97)
            for k in range(len(world.dates)):
                churn = rng.random(n) < 0.04
                draw = np.where(churn, rng.random(n), u[name])
                static = static.with_columns(pl.Series(f"see_{name}_{k}", draw < p))
        self.static = static.drop("domain_id")
        self._views: dict[date, pl.DataFrame] = {}

    def view(self, day: date) -> pl.DataFrame:
        """All links known on `day` with everything the writers need."""
        if day not in self._views:
            metrics = self.domain_metrics.drop("first_seen")  # the link's own first_seen is the one wanted
            self._views[day] = (self.world.as_of(day).join(self.static, on="link_id")
                                .join(metrics, on="domain_id", how="left"))
        return self._views[day]

    def sample(self, vendor: str, site: TargetSite, day: date) -> pl.DataFrame:
        """The links `vendor` shows for `site` on `day`: its sample, its link types, its lost window."""
        v = VENDORS[vendor]
        cut = datetime(day.year, day.month, day.day)
        k = self.world.dates.index(day)
        internal_ok = (pl.col("source_host") != pl.col("target_host")) if v.sees_internal else pl.lit(False)
        shown = pl.col("is_live") | (pl.col("lost_at") >= cut - timedelta(days=v.lost_days))
        return self.view(day).filter(
            (pl.col("target") == site.ascii_domain) & pl.col(f"see_{vendor}_{k}")
            & pl.col("link_type").is_in(list(v.link_types)) & (~pl.col("is_internal") | internal_ok) & shown
        ).sort("link_id")


def _domain_metrics(world: LinkWorld, rng: np.random.Generator) -> pl.DataFrame:
    """Per referring domain (and per target site, under negative ids) the metrics each vendor publishes."""
    dom = world.domains
    own = pl.DataFrame({
        "domain_id": [-1 - t for t in range(len(world.targets))],
        "kind": "target", "domain": [s.ascii_domain for s in world.targets],
        "domain_unicode": [s.domain for s in world.targets], "lang": [s.lang for s in world.targets],
        "country": ["gb" if s.domain.endswith(".uk") else "de" if s.lang == "de" else "us"
                    for s in world.targets],
        "platform": "ecommerce", "ip": [f"217.160.0.{10 + t}" for t in range(len(world.targets))],
        "subnet_24": "217.160.0", "isp": "IONOS SE", "authority": 0.75,
        "site_pages": [s.n_pages for s in world.targets], "first_seen": dom["first_seen"].min(),
    })
    cols = ["domain_id", "kind", "domain", "domain_unicode", "lang", "country", "platform", "ip", "subnet_24",
            "isp", "authority", "site_pages", "first_seen"]
    frame = pl.concat([dom.select(cols), own.select(cols)], how="vertical_relaxed")
    n = frame.height
    a = frame["authority"].to_numpy()
    dr = np.clip(100 * a ** 1.5 + rng.normal(0, 2, n), 0, 96)
    spam = np.where(frame["kind"].to_numpy() == "network", rng.integers(60, 96, n), rng.integers(0, 31, n))
    return frame.with_columns(
        dr=pl.Series(dr),
        traffic=pl.Series(np.floor(np.expm1(a * 13) * rng.lognormal(0, 0.5, n))).cast(pl.Int64),
        dofollow_refdomains=pl.Series(np.floor(np.expm1(a * 10) * rng.lognormal(0, 0.4, n))).cast(pl.Int64),
        linked_domains=pl.Series(1 + np.floor(rng.lognormal(3, 1, n))).cast(pl.Int64),
        ascore=pl.Series(np.clip(np.round(dr * 0.85 + rng.normal(0, 5, n)), 0, 100)).cast(pl.Int64),
        tf=pl.Series(np.clip(np.round(dr * 0.45 + rng.normal(0, 4, n)), 0, 100)).cast(pl.Int64),
        cf=pl.Series(np.clip(np.round(dr * 0.55 + rng.normal(0, 5, n)), 0, 100)).cast(pl.Int64),
        da=pl.Series(np.clip(np.round(dr * 0.9 + rng.normal(0, 6, n)), 1, 100)).cast(pl.Int64),
        spam_score=pl.Series(spam).cast(pl.Int64),
        alexa=pl.Series(np.where(rng.random(n) < 0.85, -1, rng.integers(2000, 9_000_000, n))).cast(pl.Int64),
        ext_backlinks=pl.Series(np.floor(np.expm1(a * 12))).cast(pl.Int64),
        topic=pl.Series(rng.integers(0, len(_TOPICS), n)),
        crawl_hours=pl.Series(rng.uniform(2, 400, n)),
    )


# ---------------------------------------------------------------------------------------------- URLs


def _surface(frame: pl.DataFrame, side: str, vendor: Vendor, rng: np.random.Generator, *,
             raw_spaces: bool = False) -> pl.Series:
    """`side`'s URL as the vendor writes it: canonical plus surface variation that canonicalising undoes."""
    n = frame.height
    u = rng.random((5, n))
    scheme = pl.col("source_scheme") if side == "source" else pl.lit("https")
    ascii_host, uni_host = pl.col(f"{side}_host"), pl.col(f"{side}_host_unicode")
    host = uni_host if vendor.unicode_hosts else ascii_host
    plain = ascii_host == uni_host  # change the case of ASCII hosts only
    host = (pl.when(pl.Series(u[0] < 0.02) & plain).then(host.str.to_uppercase())
            .when(pl.Series(u[0] < 0.04) & plain).then(host.str.to_titlecase()).otherwise(host))
    port = pl.when(pl.Series(u[1] < 0.01)).then(
        pl.when(scheme == "https").then(pl.lit(":443")).otherwise(pl.lit(":80"))).otherwise(pl.lit(""))
    path = pl.col(f"{side}_path")
    if raw_spaces:
        path = path.str.replace_all("%20", " ", literal=True)
    tracked = pl.Series(u[2] < (0.05 if side == "target" else 0.015))
    sep = pl.when(path.str.contains("?", literal=True)).then(pl.lit("&")).otherwise(pl.lit("?"))
    utm = pl.when(tracked).then(sep + pl.Series(np.array(_UTM)[(u[3] * len(_UTM)).astype(int)])).otherwise(
        pl.lit(""))
    fragment = pl.Series(np.array(_FRAGMENTS)[(u[3] * len(_FRAGMENTS)).astype(int)])
    frag = pl.when(pl.Series(u[4] < 0.03)).then(pl.lit("#") + fragment).otherwise(pl.lit(""))
    return frame.select(pl.concat_str([scheme, pl.lit("://"), host, port, path, utm, frag])).to_series()


def _with_urls(frame: pl.DataFrame, vendor: Vendor, rng: np.random.Generator, *,
               raw_spaces: bool = False) -> pl.DataFrame:
    """`frame` with `src` and `tgt`: its source and target URLs as `vendor` writes them."""
    return frame.with_columns(src=_surface(frame, "source", vendor, rng, raw_spaces=raw_spaces),
                              tgt=_surface(frame, "target", vendor, rng))


def _gsc_url(side: str) -> pl.Expr:
    """GSC writes URLs raw: Unicode hosts, nothing else changed."""
    scheme = pl.col("source_scheme") if side == "source" else pl.lit("https")
    return pl.concat_str([scheme, pl.lit("://"), pl.col(f"{side}_host_unicode"), pl.col(f"{side}_path")])


def _dr_text(col: str) -> pl.Expr:
    """Ahrefs writes ratings below 10 with a decimal (3.7) and the others as integers."""
    x = pl.col(col)
    whole = x.round(0).cast(pl.Int64).cast(pl.String)
    return pl.when(x < 10).then(x.round(1).cast(pl.String)).otherwise(whole)


def _pick(options: tuple[str, ...], col: str) -> pl.Expr:
    return pl.col(col).replace_strict(list(range(len(options))), list(options), return_dtype=pl.String)


def _when(cut: datetime, days: int) -> pl.Expr:
    return pl.col("first_seen") >= cut - timedelta(days=days)


# ---------------------------------------------------------------------------------------------- reports

_AHREFS_37 = (
    "Referring page title", "Referring page URL", "Language", "Platform", "Referring page HTTP code",
    "Domain rating", "UR", "Domain traffic", "Referring domains", "Linked domains", "External links",
    "Page traffic", "Keywords", "Target URL", "Left context", "Anchor", "Right context",
    "Redirect Chain URLs", "Redirect Chain status codes", "Type", "Is spam", "Content", "Nofollow", "UGC",
    "Sponsored", "Rendered", "Raw", "Lost status", "Drop reason", "Discovered status", "First seen",
    "Last seen", "Lost", "Author", "Page type", "Page category", "Links in group",
)
_AHREFS_34 = tuple(c for c in _AHREFS_37 if c not in {"Is spam", "Page type", "Page category"})


def _ahrefs_backlinks(landing: _Landing, site: TargetSite, day: date, variant: str,
                      rng: np.random.Generator) -> _Output:
    s = landing.sample("ahrefs", site, day)
    # Ahrefs groups a site's near-identical links (a footer on every page) into one row with a count.
    s = s.with_columns(group=pl.when(pl.col("is_sitewide")).then(pl.lit(-1)).otherwise(pl.col("link_id")))
    s = s.with_columns(group_size=pl.len().over("source_domain", "target_url", "anchor", "group"))
    s = s.unique(["source_domain", "target_url", "anchor", "group"], keep="first", maintain_order=True)
    s = s.with_columns(ur_rating=(pl.col("dr") * pl.col("ur") + pl.col("page_refdomains")).clip(0, 100))
    s = s.sort(["dr", "ur", "link_id"], descending=[True, True, False])
    vendor = VENDORS["ahrefs"]
    token = pl.col("lost_token")
    is_drop = token.is_in([t for t, (col, _) in LOST_REASONS.items() if col == "drop"])
    lang = pl.when(pl.col("multi_lang")).then(
        pl.when(pl.col("lang") == "en").then(pl.lit("en, es")).otherwise(pl.col("lang") + pl.lit(", en"))
    ).otherwise(pl.col("lang"))
    http = (pl.when(token == "notfound").then(pl.lit("404")).when(token == "pageerror").then(pl.lit("500"))
            .when(token == "pageredirected").then(pl.lit("301")).when(token == "nxdomain").then(pl.lit(""))
            .otherwise(pl.lit("200")))
    redirect = pl.col("link_type") == "redirect"
    two_hops = redirect & (pl.col("hops") == 2)
    hop = pl.col("source_url") + pl.lit(" > ")
    via_http = pl.col("target_url").str.replace("https://", "http://", literal=True) + pl.lit(" > ")
    chain = (pl.when(two_hops).then(hop + via_http + pl.col("target_url"))
             .when(redirect).then(hop + pl.col("target_url")).otherwise(pl.lit("")))
    has_context = pl.col("link_type") == "text"
    frame = _with_urls(s, vendor, rng).select(
        pl.col("page_title").alias("Referring page title"),
        pl.col("src").alias("Referring page URL"),
        lang.alias("Language"),
        pl.col("platform").alias("Platform"),
        http.alias("Referring page HTTP code"),
        _dr_text("dr").alias("Domain rating"),
        _dr_text("ur_rating").alias("UR"),
        pl.col("traffic").alias("Domain traffic"),
        pl.col("dofollow_refdomains").alias("Referring domains"),
        pl.col("linked_domains").alias("Linked domains"),
        pl.col("external_links").cast(pl.Int64).alias("External links"),
        pl.col("page_traffic").cast(pl.Int64).alias("Page traffic"),
        (pl.col("page_traffic") * 0.4).floor().cast(pl.Int64).alias("Keywords"),
        pl.col("tgt").alias("Target URL"),
        pl.when(has_context).then(_pick(_LEFT, "left")).alias("Left context"),
        pl.col("anchor").alias("Anchor"),
        pl.when(has_context).then(_pick(_RIGHT, "right")).alias("Right context"),
        chain.alias("Redirect Chain URLs"),
        pl.when(two_hops).then(pl.lit("301, 302")).when(redirect).then(pl.lit("301")).otherwise(
            pl.lit("")).alias("Redirect Chain status codes"),
        pl.col("link_type").alias("Type"),
        (pl.col("is_network") | (pl.col("spam_score") > 25)).alias("Is spam"),
        (pl.col("placement") == "content").alias("Content"),
        pl.col("nofollow").alias("Nofollow"),
        pl.col("ugc").alias("UGC"),
        pl.col("sponsored").alias("Sponsored"),
        pl.col("rendered").alias("Rendered"),
        (~pl.col("rendered")).alias("Raw"),
        pl.when(~is_drop).then(token).alias("Lost status"),
        pl.when(is_drop).then(token).alias("Drop reason"),
        pl.col("new_reason").alias("Discovered status"),
        pl.col("first_seen").alias("First seen"),
        pl.col("last_seen").alias("Last seen"),
        pl.col("lost_at").alias("Lost"),
        _pick(_AUTHORS, "author").alias("Author"),
        pl.col("platform").replace_strict(_PAGE_TYPES, default="article").alias("Page type"),
        _pick(_CATEGORIES, "category").alias("Page category"),
        pl.col("group_size").cast(pl.Int64).alias("Links in group"),
    ).with_columns(pl.col(pl.Datetime).dt.truncate("1s"))
    frame = frame.select(_AHREFS_34 if variant == "34" else _AHREFS_37)
    return _Output(frame, AHREFS_UTF8 if variant == "utf8" else AHREFS, s["link_id"].to_list(),
                   (~s["is_live"]).to_list())


def _ahrefs_refdomains(landing: _Landing, site: TargetSite, day: date, variant: str,
                       rng: np.random.Generator) -> _Output:
    s = landing.sample("ahrefs", site, day)
    live = pl.col("is_live")
    frame = s.group_by("domain_unicode").agg(
        (pl.col("is_network").any() | (pl.col("spam_score").first() > 25)).alias("Is spam"),
        pl.col("dr").first(),
        pl.col("dofollow_refdomains").first().alias("Dofollow ref. domains"),
        pl.col("linked_domains").first().alias("Dofollow linked domains"),
        pl.col("traffic").first().alias("Traffic "),
        (pl.col("traffic").first() // 3).alias("Keywords "),
        live.sum().cast(pl.Int64).alias("Links to target"),
        (live & ~pl.col("nofollow") & ~pl.col("ugc") & ~pl.col("sponsored")).sum().cast(pl.Int64).alias(
            "Dofollow links"),
        pl.col("first_seen").min().dt.truncate("1s").alias("First seen"),
        pl.when(~live.any()).then(pl.col("lost_at").max()).dt.truncate("1s").alias("Lost"),
    ).sort(["dr", "domain_unicode"], descending=[True, False]).select(
        pl.col("domain_unicode").alias("Domain"), "Is spam", _dr_text("dr").alias("DR"),
        "Dofollow ref. domains", "Dofollow linked domains", "Traffic ", "Keywords ", "Links to target",
        "Dofollow links", "First seen", "Lost")
    return _Output(frame, AHREFS)


def _ahrefs_anchors(landing: _Landing, site: TargetSite, day: date, variant: str,
                    rng: np.random.Generator) -> _Output:
    s = landing.sample("ahrefs", site, day)
    live = pl.col("is_live")
    frame = s.group_by("anchor").agg(
        pl.col("source_domain").filter(live).n_unique().alias("Ref. domains"),
        pl.col("dr").max().round(0).cast(pl.Int64).alias("Top DR"),
        pl.col("page_id").filter(live).n_unique().alias("Ref. pages"),
        live.sum().cast(pl.Int64).alias("Links to target"),
        (live & ~pl.col("nofollow") & ~pl.col("ugc") & ~pl.col("sponsored")).sum().cast(pl.Int64).alias(
            "Dofollow links"),
        pl.col("first_seen").min().dt.truncate("1s").alias("First seen"),
        pl.when(~live.any()).then(pl.col("lost_at").max()).dt.truncate("1s").alias("Lost"),
    ).sort(["Ref. domains", "Links to target", "anchor"], descending=[True, True, False]).rename(
        {"anchor": "Anchor text"})
    return _Output(frame.cast({"Ref. domains": pl.Int64, "Ref. pages": pl.Int64}), AHREFS)


def _ahrefs_ips(landing: _Landing, site: TargetSite, day: date, variant: str,
                rng: np.random.Generator) -> _Output:
    s = landing.sample("ahrefs", site, day)
    cut = datetime(day.year, day.month, day.day)
    live = pl.col("is_live")
    frame = s.group_by("subnet_24").agg(
        pl.col("source_domain").n_unique().cast(pl.Int64).alias("Ref. domains"),
        pl.col("dr").max().round(0).cast(pl.Int64).alias("Top DR"),
        live.sum().cast(pl.Int64).alias("Links to target"),
        (live & _when(cut, 30)).sum().cast(pl.Int64).alias("New links"),
        (~live).sum().cast(pl.Int64).alias("Lost links"),
        (live & ~pl.col("nofollow") & ~pl.col("ugc") & ~pl.col("sponsored")).sum().cast(pl.Int64).alias(
            "Dofollow links"),
        pl.col("first_seen").min().dt.truncate("1s").alias("First seen"),
        pl.when(~live.any()).then(pl.col("lost_at").max()).dt.truncate("1s").alias("Lost"),
        pl.col("ip").n_unique().cast(pl.Int64).alias("IPs in subnet"),
        pl.col("country").first().str.to_uppercase().alias("Country"),
        pl.col("isp").first().alias("ISP"),
    ).sort(["Ref. domains", "subnet_24"], descending=[True, False]).with_columns(
        (pl.col("subnet_24") + pl.lit(".xxx")).alias("Subnet")).select(
        "Subnet", "Ref. domains", "Top DR", "Links to target", "New links", "Lost links", "Dofollow links",
        "First seen", "Lost", "IPs in subnet", "Country", "ISP")
    return _Output(frame, AHREFS)


_SEMRUSH_CURRENT = ("Page ascore", "Source title", "Source url", "Target url", "Anchor", "External links",
                    "Internal links", "Nofollow", "Sponsored", "Ugc", "Text", "Frame", "Form", "Image",
                    "Sitewide", "First seen", "Last seen", "New link", "Lost link")
_SEMRUSH_OLD = ("Page score", "Page trust score", "Source title", "Source url", "Target url", "Anchor",
                "External links", "Internal links", "Nofollow", "Frame", "Form", "Image", "Sitewide",
                "First seen", "Last seen")


def _semrush_backlinks(landing: _Landing, site: TargetSite, day: date, variant: str,
                       rng: np.random.Generator) -> _Output:
    s = landing.sample("semrush", site, day).with_columns(
        page_ascore=(pl.col("ascore") * (0.4 + pl.col("ur"))).round(0).cast(pl.Int64))
    s = s.sort(["page_ascore", "link_id"], descending=[True, False])
    if variant == "cap":
        s = s.head(SEMRUSH_CAP)  # the account's export limit cuts the file
    cut = datetime(day.year, day.month, day.day)
    vendor = VENDORS["semrush"]
    frame = _with_urls(s, vendor, rng).select(
        pl.col("page_ascore").alias("Page ascore"),
        pl.col("page_ascore").alias("Page score"),
        (pl.col("tf") * pl.col("ur") * 1.5).round(0).cast(pl.Int64).alias("Page trust score"),
        pl.col("page_title").alias("Source title"),
        pl.col("src").alias("Source url"),
        pl.col("tgt").alias("Target url"),
        pl.col("anchor").alias("Anchor"),
        pl.col("external_links").cast(pl.Int64).alias("External links"),
        pl.col("internal_links").cast(pl.Int64).alias("Internal links"),
        pl.col("nofollow").alias("Nofollow"),
        pl.col("sponsored").alias("Sponsored"),
        pl.col("ugc").alias("Ugc"),
        (pl.col("link_type") == "text").alias("Text"),
        (pl.col("link_type") == "frame").alias("Frame"),
        (pl.col("link_type") == "form").alias("Form"),
        (pl.col("link_type") == "image").alias("Image"),
        pl.col("is_sitewide").alias("Sitewide"),
        pl.col("first_seen").dt.date().alias("First seen"),
        pl.col("last_seen").dt.date().alias("Last seen"),
        _when(cut, 30).alias("New link"),
        (~pl.col("is_live")).alias("Lost link"),
    ).select(_SEMRUSH_OLD if variant == "old" else _SEMRUSH_CURRENT)
    dialect = {"crlf": replace(SEMRUSH, newline="\r\n"), "semicolon": replace(SEMRUSH, delimiter=";")}.get(
        variant, SEMRUSH)
    return _Output(frame, dialect, s["link_id"].to_list(), (~s["is_live"]).to_list())


def _semrush_audit(landing: _Landing, site: TargetSite, day: date, variant: str,
                   rng: np.random.Generator) -> _Output:
    s = landing.sample("semrush", site, day).filter(pl.col("is_live") & (pl.col("link_type") != "form"))
    s = s.sort(["ascore", "link_id"], descending=[True, False])
    vendor = VENDORS["semrush"]
    anchor_type = (pl.when(pl.col("anchor") == "").then(pl.lit("empty"))
                   .otherwise(pl.col("anchor_kind").replace_strict(
                       {"branded": "branded", "naked": "naked", "exact": "money", "partial": "money",
                        "compound": "compound", "generic": "organic", "image": "unknown", "other": "organic",
                        "empty": "empty"}, default="unknown")))
    comment = pl.when(pl.col("is_network")).then(pl.lit("PBN, disavow?")).when(pl.col("ur") > 0.68).then(
        pl.lit('checked, "keep"'))
    frame = _with_urls(s, vendor, rng).select(
        pl.col("ascore").alias("Domain Authority Score"),
        (pl.col("ascore") * (0.4 + pl.col("ur"))).round(0).cast(pl.Int64).alias("Page Authority Score"),
        pl.col("src").alias("Source URL"),
        pl.col("page_title").alias("Source Page Title"),
        pl.col("source_domain").alias("Source Domain"),
        pl.col("tgt").alias("Target URL"),
        pl.col("anchor").alias("Anchor"),
        anchor_type.alias("Anchor Type"),
        pl.col("link_type").replace_strict({"text": "a", "image": "img", "frame": "iframe"}).alias(
            "Link Type"),
        (pl.col("nofollow") | pl.col("ugc") | pl.col("sponsored")).alias("No Follow"),
        (pl.col("spam_score") * 1.1).round(0).cast(pl.Int64).alias("Toxic Score"),
        pl.col("first_seen").dt.date().alias("First Seen"),
        pl.col("last_seen").dt.date().alias("Last Seen"),
        comment.alias("Comment"),
    )
    return _Output(frame, SEMRUSH, s["link_id"].to_list(), [False] * s.height)


def _semrush_refdomains(landing: _Landing, site: TargetSite, day: date, variant: str,
                        rng: np.random.Generator) -> _Output:
    s = landing.sample("semrush", site, day).filter(pl.col("is_live"))
    frame = s.group_by("source_domain").agg(
        pl.col("ascore").first().alias("Domain ascore"),
        pl.len().cast(pl.Int64).alias("Backlinks"),
        pl.col("ip").first().alias("IP Address"),
        pl.col("country").first(),
        pl.col("first_seen").min().dt.date().alias("First seen"),
        pl.col("last_seen").max().dt.date().alias("Last seen"),
    ).sort(["Domain ascore", "source_domain"], descending=[True, False])
    hide = pl.Series(rng.random(frame.height) < 0.3)  # Semrush often has no country
    frame = frame.with_columns(pl.when(hide).then(pl.lit("")).otherwise(pl.col("country")).alias("Country"))
    return _Output(frame.select("Domain ascore", pl.col("source_domain").alias("Domain"), "Backlinks",
                                "IP Address", "Country", "First seen", "Last seen"), SEMRUSH)


def _semrush_pages(landing: _Landing, site: TargetSite, day: date, variant: str,
                   rng: np.random.Generator) -> _Output:
    s = landing.sample("semrush", site, day).filter(pl.col("is_live") & ~pl.col("is_internal"))
    frame = s.group_by("target_url", "target_path").agg(
        pl.len().cast(pl.Int64).alias("Backlinks"),
        pl.col("source_domain").n_unique().cast(pl.Int64).alias("Domains"),
        pl.col("last_seen").max().dt.date().alias("Last seen"),
    ).sort(["Backlinks", "target_url"], descending=[True, False])
    n = frame.height
    codes = np.where(rng.random(n) < 0.04, rng.choice(["301", "404"], n), "200")
    title = pl.col("target_path").str.strip_chars("/").str.replace_all(r"[-/_.]", " ").str.to_titlecase()
    frame = frame.with_columns(
        pl.col("target_url").alias("Source url"),
        (pl.when(title == "").then(pl.lit(site.brand)).otherwise(title + pl.lit(f" | {site.brand}"))).alias(
            "Source title"),
        pl.Series("Response code", codes).cast(pl.Int64),
        pl.Series("External links", rng.integers(3, 40, n)),
        pl.Series("Internal links", rng.integers(40, 220, n)),
    )
    return _Output(frame.select("Source url", "Source title", "Response code", "Backlinks", "Domains",
                                "External links", "Internal links", "Last seen"), SEMRUSH)


def _semrush_outbound(landing: _Landing, site: TargetSite, day: date, variant: str,
                      rng: np.random.Generator) -> _Output:
    # The target's own outlinks: big platforms plus some sites that link to it (reciprocal links).
    peers = landing.sample("semrush", site, day).filter(pl.col("is_live"))["source_domain"].unique().sort()
    picked = peers.sample(min(40, peers.len()), seed=int(rng.integers(0, 2**31))).sort().to_list()
    domains = [*_OUTBOUND, *picked]
    n = len(domains)
    first = [day - timedelta(days=int(x)) for x in rng.integers(40, 1400, n)]
    frame = pl.DataFrame({
        "Domain ascore": np.where(np.arange(n) < len(_OUTBOUND), rng.integers(85, 101, n),
                                  rng.integers(5, 60, n)),
        "Domain": domains,
        "Links": 1 + np.floor(rng.pareto(1.2, n) * 3).astype(np.int64),
        "First seen": first,
        "Last seen": [day - timedelta(days=int(x)) for x in rng.integers(1, 20, n)],
    }).sort(["Links", "Domain"], descending=[True, False])
    return _Output(frame, SEMRUSH)


def _semrush_comparison(landing: _Landing, site: TargetSite, day: date, variant: str,
                        rng: np.random.Generator) -> _Output:
    rows = []
    for other in landing.world.targets:
        s = landing.sample("semrush", other, day).filter(pl.col("is_live") & ~pl.col("is_internal"))
        follow = ~(s["nofollow"] | s["ugc"] | s["sponsored"])
        rows.append({
            "Target": other.ascii_domain, "Target type": "root domain",
            "Authority Score": min(100, int(np.mean(s["ascore"].to_numpy())) + 12) if s.height else 0,
            "Backlinks": s.height, "Domains": s["source_domain"].n_unique(), "IPs": s["ip"].n_unique(),
            "Follow links": int(follow.sum()), "Nofollow links": int((~follow).sum()),
            **{f"{t.title()} links": int((s["link_type"] == t).sum())
               for t in ("text", "image", "form", "frame")},
            "Visits": int(rng.integers(5_000, 90_000)),
        })
    return _Output(pl.DataFrame(rows), SEMRUSH)




def _majestic_backlinks(landing: _Landing, site: TargetSite, day: date, variant: str,
                        rng: np.random.Generator) -> _Output:
    s = landing.sample("majestic", site, day).sort(["tf", "link_id"], descending=[True, False])
    cut = datetime(day.year, day.month, day.day)
    vendor = VENDORS["majestic"]
    frame = _with_urls(s, vendor, rng, raw_spaces=True).select(
        pl.col("tgt").alias("Target URL"),
        pl.col("src").alias("Source URL"),
        pl.col("anchor").alias("Anchor Text"),
        pl.col("last_seen").dt.date().alias("Source Crawl Date"),
        pl.col("first_seen").dt.date().alias("Source First Found Date"),
        (pl.col("nofollow") | pl.col("ugc") | pl.col("sponsored")).alias("FlagNoFollow"),
        (pl.col("link_type") == "image").alias("FlagImageLink"),
        (pl.col("link_type") == "redirect").alias("FlagRedirect"),
        (pl.col("link_type") == "frame").alias("FlagFrame"),
        (pl.col("last_seen") < cut - timedelta(days=60)).alias("FlagOldCrawl"),
        ((pl.col("link_type") == "image") & (pl.col("anchor") != "")).alias("FlagAltText"),
        pl.lit(False).alias("FlagMention"),
        (pl.col("cf") * (0.5 + pl.col("ur"))).round(0).cast(pl.Int64).alias("SourceCitationFlow"),
        (pl.col("tf") * (0.5 + pl.col("ur"))).round(0).cast(pl.Int64).alias("SourceTrustFlow"),
        pl.lit(31 if site.lang == "en" else 24).alias("TargetCitationFlow"),
        pl.lit(27 if site.lang == "en" else 19).alias("TargetTrustFlow"),
        _pick(_TOPICS, "topic").alias("SourceTopicalTrustFlow_Topic_0"),
        (pl.col("tf") * 0.8).round(0).cast(pl.Int64).alias("SourceTopicalTrustFlow_Value_0"),
        _pick(_TOPICS, "topic").alias("RefDomainTopicalTrustFlow_Topic_0"),
        (pl.col("tf") * 0.9).round(0).cast(pl.Int64).alias("RefDomainTopicalTrustFlow_Value_0"),
    )
    # Real files carry a few rows whose anchor comma was not quoted: one column too many.
    anchor = frame["Anchor Text"]
    commas = np.flatnonzero(((anchor.str.count_matches(",", literal=True) == 1)
                             & ~anchor.str.contains('"', literal=True)).to_numpy())
    raw = frozenset(int(i) for i in commas[:3])
    return _Output(frame, MAJESTIC_BACKLINKS, s["link_id"].to_list(), [False] * s.height, raw)


def _majestic_refdomains(landing: _Landing, site: TargetSite, day: date, variant: str,
                         rng: np.random.Generator) -> _Output:
    s = landing.sample("majestic", site, day)
    cut = datetime(day.year, day.month, day.day)
    t = site.ascii_domain
    frame = s.group_by("source_domain").agg(
        pl.col("dofollow_refdomains", "alexa", "ext_backlinks", "site_pages", "ip", "subnet_24", "country",
               "cf", "tf", "crawl_hours").first(),
        pl.col("first_seen").min().alias("first_link"),
        pl.col("last_seen").max().alias("last_link"),
        pl.len().cast(pl.Int64).alias("links"),
        pl.col("domain_id").first(),
    ).sort(["tf", "cf", "source_domain"], descending=[True, True, False]).with_row_index("Position", offset=1)
    first_crawl = landing.domain_metrics.select("domain_id", pl.col("first_seen").alias("first_crawled"))
    frame = frame.join(first_crawl, on="domain_id", how="left").sort("Position").select(
        pl.col("Position").cast(pl.Int64),
        pl.col("source_domain").alias("Domain"),
        pl.col("dofollow_refdomains").alias("RefDomains"),
        pl.col("alexa").alias("AlexaRank"),
        pl.lit(1).cast(pl.Int64).alias("Matches"),
        pl.col("links").alias("MatchedLinks"),
        pl.col("ext_backlinks").alias("ExtBackLinks"),
        pl.col("site_pages").alias("IndexedURLs"),
        (pl.col("site_pages") * 0.9).floor().cast(pl.Int64).alias("CrawledURLs"),
        pl.col("first_crawled").dt.truncate("1m").alias("FirstCrawled"),
        (pl.lit(cut) - pl.duration(hours=pl.col("crawl_hours"))).dt.truncate("1m").alias(
            "LastSuccessfulCrawl"),
        pl.col("ip").alias("IP"),
        pl.col("subnet_24").alias("SubNet"),
        pl.col("country").str.to_uppercase().alias("CountryCode"),
        pl.col("source_domain").str.split(".").list.last().alias("TLD"),
        pl.col("cf").alias("CitationFlow"),
        pl.col("tf").alias("TrustFlow"),
        pl.col("links").alias(f"BackLinks_{t}"),
        pl.col("first_link").dt.truncate("1m").alias(f"FirstLinkDate_{t}"),
        pl.col("last_link").dt.truncate("1m").alias(f"LastLinkDate_{t}"),
    )
    return _Output(frame, MAJESTIC_DOMAINS)


def _moz_follow() -> pl.Expr:
    """Moz's 'follow': no rel value that withholds equity."""
    return ~(pl.col("nofollow") | pl.col("ugc") | pl.col("sponsored"))


def _moz_inbound(landing: _Landing, site: TargetSite, day: date, variant: str,
                 rng: np.random.Generator) -> _Output:
    """Moz Link Explorer inbound links, with the documented-only (unverified) columns of the module notes."""
    s = landing.sample("moz", site, day).with_columns(pa=(pl.col("da") * (0.4 + pl.col("ur"))).round(0).cast(
        pl.Int64)).sort(["pa", "link_id"], descending=[True, False])
    vendor = VENDORS["moz"]
    link_type = (pl.when(pl.col("link_type") == "redirect").then(pl.lit("redirect"))
                 .when(_moz_follow()).then(pl.lit("follow")).otherwise(pl.lit("nofollow")))
    frame = _with_urls(s, vendor, rng).select(
        pl.col("src").alias("Source URL"),
        pl.col("tgt").alias("Target URL"),
        pl.col("anchor").alias("Anchor Text"),
        pl.col("pa").alias("Source Page Authority"),
        pl.col("da").alias("Source Domain Authority"),
        pl.col("spam_score").alias("Spam Score"),
        link_type.alias("Link Type"),
        pl.col("first_seen").dt.date().alias("First Seen"),
        pl.col("last_seen").dt.date().alias("Last Seen"),
    )
    return _Output(frame, MOZ, s["link_id"].to_list(), [False] * s.height)


def _moz_legacy(landing: _Landing, site: TargetSite, day: date, variant: str,
                rng: np.random.Generator) -> _Output:
    s = landing.sample("moz", site, day).with_columns(pa=(pl.col("da") * (0.4 + pl.col("ur"))).round(0).cast(
        pl.Int64)).sort(["pa", "link_id"], descending=[True, False])
    vendor = VENDORS["moz"]
    follow = _moz_follow()
    frame = _with_urls(s, vendor, rng).select(
        pl.col("src").alias("URL"),
        pl.col("page_title").alias("Title"),
        pl.col("anchor").alias("Anchor Text"),
        pl.col("spam_score").alias("Spam Score"),
        pl.col("pa").alias("Page Authority"),
        pl.col("da").alias("Domain Authority"),
        pl.col("page_refdomains").cast(pl.Int64).alias("Number of Domains Linking to this Page"),
        pl.col("dofollow_refdomains").alias("Number of Domains Linking to Domain"),
        pl.lit("External").alias("Origin"),
        pl.col("tgt").alias("Target URL"),
        follow.alias("Link Equity"),
        (~follow).alias("No Link Equity"),
        (pl.col("nofollow") & ~pl.col("ugc") & ~pl.col("sponsored")).alias("Only rel=nofollow"),
        follow.alias("Only follow"),
        (pl.col("link_type") == "redirect").alias("301"),
    )
    preamble = (
        "Open Site Explorer Report", f"Target: {site.host}", f"Created on: {day:%m/%d/%Y}",
        "Filter: links from only external pages to pages on this root domain", "Link type: all", "",
    )
    return _Output(frame, replace(MOZ_LEGACY, preamble=preamble), s["link_id"].to_list(), [False] * s.height)


def _moz_domains(landing: _Landing, site: TargetSite, day: date, variant: str,
                 rng: np.random.Generator) -> _Output:
    s = landing.sample("moz", site, day)
    frame = s.group_by("source_domain").agg(
        pl.col("da").first().alias("Domain Authority"),
        pl.col("spam_score").first().alias("Spam Score"),
        pl.col("page_id").n_unique().cast(pl.Int64).alias("Linking Pages"),
        pl.len().cast(pl.Int64).alias("Links to Target"),
        pl.col("first_seen").min().dt.date().alias("First Seen"),
        pl.col("last_seen").max().dt.date().alias("Last Seen"),
    ).sort(["Domain Authority", "source_domain"], descending=[True, False]).rename(
        {"source_domain": "Root Domain"})
    return _Output(frame, MOZ)


# GSC --------------------------------------------------------------------------------------------------------


def _thousands(col: str) -> pl.Expr:
    """GSC writes counts of 1,000 and more with a thousands separator (which the CSV then quotes)."""
    x = pl.col(col)
    return (pl.when(x >= 1000).then((x // 1000).cast(pl.String) + pl.lit(",")
                                    + (x % 1000).cast(pl.String).str.zfill(3))
            .otherwise(x.cast(pl.String)))


def _gsc_links(landing: _Landing, site: TargetSite, day: date) -> pl.DataFrame:
    return landing.sample("gsc", site, day).filter(pl.col("is_live") & ~pl.col("is_internal"))


def _gsc(variant: str) -> Dialect:
    return replace(GSC, newline="\r\n") if variant == "crlf" else GSC


def _gsc_latest(landing: _Landing, site: TargetSite, day: date, variant: str,
                rng: np.random.Generator) -> _Output:
    s = _gsc_links(landing, site, day).group_by("source_url").agg(
        pl.col("source_scheme", "source_host_unicode", "source_path").first(), pl.col("last_seen").max())
    frame = s.sort(["last_seen", "source_url"], descending=[True, False]).head(GSC_CAP).select(
        _gsc_url("source").alias("Linking page"), pl.col("last_seen").dt.date().alias("Last crawled"))
    return _Output(frame, _gsc(variant))


def _gsc_sample(landing: _Landing, site: TargetSite, day: date, variant: str,
                rng: np.random.Generator) -> _Output:
    s = _gsc_links(landing, site, day).group_by("source_url").agg(
        pl.col("source_scheme", "source_host_unicode", "source_path").first()).sort("source_url")
    s = s.sample(min(GSC_CAP, s.height), seed=int(rng.integers(0, 2**31)))
    return _Output(s.select(_gsc_url("source").alias("Linking page")), _gsc(variant))


def _gsc_top_sites(landing: _Landing, site: TargetSite, day: date, variant: str,
                   rng: np.random.Generator) -> _Output:
    s = _gsc_links(landing, site, day).group_by("domain_unicode").agg(
        pl.col("source_url").n_unique().alias("pages"), pl.col("target_url").n_unique().alias("targets"))
    frame = s.sort(["pages", "domain_unicode"], descending=[True, False]).head(GSC_CAP).select(
        pl.col("domain_unicode").alias("Site"), _thousands("pages").alias("Linking pages"),
        _thousands("targets").alias("Target pages"))
    return _Output(frame, _gsc(variant))


def _gsc_top_text(landing: _Landing, site: TargetSite, day: date, variant: str,
                  rng: np.random.Generator) -> _Output:
    # GSC lower-cases anchors and strips punctuation (and symbols such as emoji); nothing left is "(empty)".
    text = (pl.col("anchor").str.to_lowercase().str.replace_all(r"[^\w\s]", "").str.replace_all(r"\s+", " ")
            .str.strip_chars())
    s = _gsc_links(landing, site, day).with_columns(text=text).with_columns(
        text=pl.when(pl.col("text") == "").then(pl.lit("(empty)")).otherwise(pl.col("text")))
    counts = s.group_by("text").agg(pl.col("source_domain").n_unique().alias("sites"),
                                    pl.len().alias("links"))
    ranked = counts.sort(["sites", "links", "text"], descending=[True, True, False]).head(GSC_CAP)
    frame = ranked.with_row_index("Rank", offset=1).select(pl.col("Rank").cast(pl.Int64),
                                                           pl.col("text").alias("Link text"))
    return _Output(frame, _gsc(variant))


def _gsc_top_pages(landing: _Landing, site: TargetSite, day: date, variant: str,
                   rng: np.random.Generator) -> _Output:
    s = _gsc_links(landing, site, day).group_by("target_path").agg(
        pl.len().alias("links"), pl.col("source_domain").n_unique().alias("sites"))
    frame = s.sort(["links", "target_path"], descending=[True, False]).head(GSC_CAP).select(
        (pl.lit(f"https://{site.host}") + pl.col("target_path")).alias("Target page"),
        _thousands("links").alias("Incoming links"), _thousands("sites").alias("Linking sites"))
    return _Output(frame, _gsc(variant))


def _internal_counts(landing: _Landing, site: TargetSite, day: date) -> pl.DataFrame:
    """Internal links per target page: the world's internal links plus navigation on every page."""
    own = landing.view(day).filter((pl.col("target") == site.ascii_domain) & pl.col("is_internal")
                                   & pl.col("is_live"))
    nav = [f"/{sec}/" for sec in site.sections]
    counts = own.group_by("target_path").agg(pl.len().cast(pl.Int64).alias("links"))
    navigation = pl.DataFrame({"target_path": ["/", *nav], "links": [site.n_pages] * (1 + len(nav))})
    return pl.concat([counts, navigation]).group_by("target_path").agg(pl.col("links").sum()).sort(
        ["links", "target_path"], descending=[True, False])


def _gsc_internal(landing: _Landing, site: TargetSite, day: date, variant: str,
                  rng: np.random.Generator) -> _Output:
    frame = _internal_counts(landing, site, day).head(GSC_CAP).select(
        (pl.lit(f"https://{site.host}") + pl.col("target_path")).alias("Target page"),
        _thousands("links").alias("Internal links"))
    return _Output(frame, _gsc(variant))


def _gsc_your_pages(landing: _Landing, site: TargetSite, day: date, variant: str,
                    rng: np.random.Generator) -> _Output:
    # The drill-down of the most linked page (the home page): every page links it from the navigation.
    pages = landing.view(day).filter((pl.col("target") == site.ascii_domain) & pl.col("is_internal")
                                     & (pl.col("source_host") == pl.col("target_host")))
    paths = pages["source_path"].unique().sort().head(GSC_CAP).to_list()
    frame = pl.DataFrame({"Linking page": [f"https://{site.host}{p}" for p in paths]})
    return _Output(frame, _gsc(variant))


_Report = Callable[[_Landing, TargetSite, date, str, np.random.Generator], _Output]
_REPORTS: dict[str, _Report] = {
    "ahrefs_backlinks": _ahrefs_backlinks, "ahrefs_refdomains": _ahrefs_refdomains,
    "ahrefs_anchors": _ahrefs_anchors, "ahrefs_ips": _ahrefs_ips,
    "semrush_backlinks": _semrush_backlinks, "semrush_refdomains": _semrush_refdomains,
    "semrush_pages": _semrush_pages, "semrush_outbound": _semrush_outbound,
    "semrush_comparison": _semrush_comparison, "semrush_audit": _semrush_audit,
    "majestic_backlinks": _majestic_backlinks, "majestic_refdomains": _majestic_refdomains,
    "moz_inbound": _moz_inbound, "moz_legacy": _moz_legacy, "moz_domains": _moz_domains,
    "gsc_latest": _gsc_latest, "gsc_sample": _gsc_sample, "gsc_top_sites": _gsc_top_sites,
    "gsc_top_text": _gsc_top_text, "gsc_top_pages": _gsc_top_pages, "gsc_internal": _gsc_internal,
    "gsc_your_pages": _gsc_your_pages,
}
