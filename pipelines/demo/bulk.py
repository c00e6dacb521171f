"""Large synthetic vendor exports for the benchmark: Semrush backlinks (optionally Ahrefs UTF-8) CSVs.

The world is a power-law web built with vectorised numpy and polars: at 10⁷ rows about 4×10⁵ referring
domains and millions of distinct linking URLs. Rows are generated and written in chunks, so memory stays
bounded whatever the total. Same arguments, same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.demo.world import DEFAULT_DATES, GENERIC_ANCHORS, NAME_TAILS, SYLLABLES, WORDS
from pipelines.load.lake import atomic_file

_SUFFIXES = ("com", "com", "com", "com", "org", "net", "de", "de", "co.uk", "fr", "jp", "ru", "es", "it",
             "nl", "com.au", "io", "info", "blogspot.com", "github.io", "xn--p1ai", "pl", "com.br")
_TARGETS = ("acme-tools.com", "example-shop.co.uk", "xn--bcher-welt-9db.de", "northwind-outdoor.com",
            "contoso-books.net", "fabrikam-garden.fr", "tailspin-toys.co.uk", "adventure-works.com.au")
_KEYWORDS = ("hand tools", "cordless drill", "garden furniture", "outdoor lighting", "bücher kaufen",
             "power tools", "tool storage", "patio heaters", "camping gear", "board games")
_SEMRUSH_HEADER = ("Page ascore", "Source title", "Source url", "Target url", "Anchor", "External links",
                   "Internal links", "Nofollow", "Sponsored", "Ugc", "Text", "Frame", "Form", "Image",
                   "Sitewide", "First seen", "Last seen", "New link", "Lost link")


@dataclass(frozen=True)
class _BulkWorld:
    """Referring domains with power-law weights and page counts."""

    host: pl.Series  # str
    scheme: pl.Series  # str
    cum_weight: np.ndarray  # cumulative, normalised: draw a domain with searchsorted
    pages: np.ndarray  # linking pages per domain
    score: np.ndarray  # 0..100 authority


def _bulk_world(rng: np.random.Generator, n_domains: int) -> _BulkWorld:
    syl, tails = len(SYLLABLES), len(NAME_TAILS)
    space = syl ** 3 * tails
    # Distinct names by construction: a random sample of the mixed-radix name space, numbered past its end.
    code = rng.permutation(space)[: min(n_domains, space)]
    code = np.resize(code, n_domains)
    rounds = np.arange(n_domains) // space
    s = pl.Series(SYLLABLES)
    frame = pl.DataFrame({
        "a": s.gather(code % syl), "b": s.gather(code // syl % syl), "c": s.gather(code // syl ** 2 % syl),
        "t": pl.Series(NAME_TAILS).gather(code // syl ** 3 % tails),
        "n": pl.Series(np.where(rounds > 0, rounds.astype(str), "")),
        "sfx": pl.Series(_SUFFIXES).gather(rng.integers(0, len(_SUFFIXES), n_domains)),
        "sub": pl.Series(("www.", "www.", "", "", "", "blog.", "m.")).gather(rng.integers(0, 7, n_domains)),
    })
    host = frame.select(pl.concat_str(["sub", "a", "b", "c", "t", "n", pl.lit("."), "sfx"])).to_series()
    weight = 1.0 / np.arange(1, n_domains + 1) ** 0.95
    weight = rng.permutation(weight)  # popularity is unrelated to the name
    cum = np.cumsum(weight)
    pages = np.maximum(1, np.round(weight / weight.max() * 200_000)).astype(np.int64)
    score = np.clip(np.log(weight / weight.min()) / np.log(weight.max() / weight.min()) * 90
                    + rng.normal(0, 6, n_domains), 0, 100)
    scheme = pl.Series(("https", "https", "https", "https", "https", "https", "http")).gather(
        rng.integers(0, 7, n_domains))
    return _BulkWorld(host, scheme, cum / cum[-1], pages, score)


def _anchors(target: str) -> pl.Series:
    """A target's anchor vocabulary, most popular first (brand, URLs, generic, keywords, empty)."""
    label = target.split(".")[0].replace("-", " ")
    generic = [a for options in GENERIC_ANCHORS.values() for a in options]
    keywords = [f"{k} {w}" for k in _KEYWORDS for w in ("", "online", "review", "best", "cheap", "guide")]
    return pl.Series([label.title(), label, target, f"https://www.{target}/", "", *generic,
                      *(k.strip() for k in keywords), f"{label.title()} {_KEYWORDS[0]}", "🔧 " + label])


def _chunk(rng: np.random.Generator, world: _BulkWorld, target: str, n: int, day: date,
           ahrefs: bool) -> pl.DataFrame:
    """`n` backlink rows to `target` as of `day`."""
    domain = np.minimum(np.searchsorted(world.cum_weight, rng.random(n)), len(world.pages) - 1)
    page = np.floor(world.pages[domain] * rng.random(n) ** 1.5).astype(np.int64)
    words = pl.Series(WORDS["en"])
    nw = len(WORDS["en"])
    tpage = np.floor(5000 * rng.random(n) ** 3).astype(np.int64)
    anchors = _anchors(target)
    anchor_idx = np.minimum(np.floor(rng.pareto(0.9, n)).astype(np.int64), len(anchors) - 1)
    kind = rng.choice(4, n, p=[0.88, 0.09, 0.02, 0.01])  # text, image, frame, form
    rel = rng.random(n)
    age = np.floor(rng.pareto(0.7, n) * 20).astype(np.int64) % 1500
    cut = np.datetime64(day, "D")
    first = cut - 1 - age
    last = cut - 1 - np.floor(rng.random(n) * np.minimum(age, 30)).astype(np.int64)
    lost = rng.random(n) < 0.06
    ascore = np.clip(world.score[domain] * rng.uniform(0.5, 1.0, n), 0, 100).astype(np.int64)
    utm = rng.random(n) < 0.02
    frame = pl.DataFrame({
        "scheme": world.scheme.gather(domain), "host": world.host.gather(domain),
        "w1": words.gather((page * 7919 + domain * 104729) % nw),
        "w2": words.gather((page * 31 + domain) % nw),
        "page": page, "tw": words.gather(tpage % nw), "tpage": tpage,
        "anchor": anchors.gather(anchor_idx), "kind": kind, "utm": utm,
    }).with_columns(
        source=pl.concat_str(["scheme", pl.lit("://"), "host", pl.lit("/"), "w1", pl.lit("-"), "w2",
                              pl.lit("-"), pl.col("page").cast(pl.String), pl.lit("/")]),
        target=pl.concat_str([pl.lit(f"https://www.{target}/"),
                              pl.when(pl.col("tpage") == 0).then(pl.lit("")).otherwise(pl.concat_str(
                                  ["tw", pl.lit("-"), pl.col("tpage").cast(pl.String)])),
                              pl.when("utm").then(pl.lit("?utm_source=newsletter")).otherwise(pl.lit(""))]),
        title=pl.concat_str([pl.col("w1").str.to_titlecase(), pl.lit(" "), pl.col("w2"), pl.lit(" – "),
                             "host"]),
        # Beyond the vocabulary, a long tail of anchors taken from the linking page's own words.
        anchor=pl.when(pl.Series(rng.random(n) < 0.2)).then(pl.concat_str(["w2", pl.lit(" "), "tw"]))
        .when(pl.col("anchor") == "").then(None).otherwise(pl.col("anchor")),
    )
    if not ahrefs:
        return frame.select(
            pl.Series("Page ascore", ascore), pl.col("title").alias("Source title"),
            pl.col("source").alias("Source url"), pl.col("target").alias("Target url"),
            pl.col("anchor").alias("Anchor"),
            pl.Series("External links", 1 + np.floor(rng.lognormal(2.3, 0.8, n)).astype(np.int64)),
            pl.Series("Internal links", 5 + np.floor(rng.lognormal(3.2, 0.7, n)).astype(np.int64)),
            pl.Series("Nofollow", rel < 0.22), pl.Series("Sponsored", (rel > 0.22) & (rel < 0.26)),
            pl.Series("Ugc", (rel > 0.26) & (rel < 0.3)),
            *(pl.Series(name, kind == k) for k, name in enumerate(("Text", "Image", "Frame", "Form"))),
            pl.Series("Sitewide", world.pages[domain] > 20_000),
            pl.Series("First seen", first), pl.Series("Last seen", last),
            pl.Series("New link", age < 30), pl.Series("Lost link", lost),
        ).select(_SEMRUSH_HEADER)
    seconds = rng.integers(0, 86400, (2, n)).astype("timedelta64[s]")
    first_ts = first.astype("datetime64[s]") + seconds[0]
    last_ts = np.maximum(last.astype("datetime64[s]") + seconds[1], first_ts)
    dr = np.round(ascore * 1.1).clip(0, 100).astype(np.int64)
    return frame.select(
        pl.col("title").alias("Referring page title"), pl.col("source").alias("Referring page URL"),
        pl.lit("en").alias("Language"), pl.lit("blogs").alias("Platform"),
        pl.Series("Referring page HTTP code", np.where(lost, 404, 200)),
        pl.Series("Domain rating", dr), pl.Series("UR", (dr * rng.uniform(0.2, 0.7, n)).astype(np.int64)),
        pl.Series("Domain traffic", np.floor(np.expm1(dr / 8)).astype(np.int64)),
        pl.Series("Referring domains", np.floor(np.expm1(dr / 10)).astype(np.int64)),
        pl.Series("Linked domains", 1 + np.floor(rng.lognormal(3, 1, n)).astype(np.int64)),
        pl.Series("External links", 1 + np.floor(rng.lognormal(2.3, 0.8, n)).astype(np.int64)),
        pl.lit(0).alias("Page traffic"), pl.lit(0).alias("Keywords"),
        pl.col("target").alias("Target URL"), pl.lit(None, pl.String).alias("Left context"),
        pl.col("anchor").alias("Anchor"), pl.lit(None, pl.String).alias("Right context"),
        pl.lit(None, pl.String).alias("Redirect Chain URLs"),
        pl.lit(None, pl.String).alias("Redirect Chain status codes"),
        pl.Series("Type", np.where(kind == 1, "image", "text")), pl.Series("Is spam", ascore < 3),
        pl.lit(True).alias("Content"), pl.Series("Nofollow", rel < 0.22),
        pl.Series("UGC", (rel > 0.26) & (rel < 0.3)), pl.Series("Sponsored", (rel > 0.22) & (rel < 0.26)),
        pl.lit(False).alias("Rendered"), pl.lit(True).alias("Raw"),
        pl.when(pl.Series(lost)).then(pl.lit("removedfromhtml")).alias("Lost status"),
        pl.lit(None, pl.String).alias("Drop reason"),
        pl.Series("Discovered status", np.where(age < 30, "linkfound", "pagefound")),
        pl.Series("First seen", first_ts.astype("datetime64[us]")),
        pl.Series("Last seen", last_ts.astype("datetime64[us]")),
        pl.Series("Lost", np.where(lost, (last + 1).astype("datetime64[s]") + seconds[1],
                                   np.datetime64("NaT")).astype("datetime64[us]")),
        pl.lit(None, pl.String).alias("Author"), pl.lit("blog post").alias("Page type"),
        pl.lit(None, pl.String).alias("Page category"), pl.lit(1).alias("Links in group"),
    )


def write_bulk(root: Path, n_observations: int, *, seed: int = 11, files: int | None = None,
               ahrefs_files: int = 0, day: date = DEFAULT_DATES[1], chunk_rows: int = 500_000) -> list[Path]:
    """Write `files` exports (default one per million rows), `n_observations` data rows in all, to `root`.

    The first `ahrefs_files` are Ahrefs "UTF-8" comma exports, the rest Semrush backlinks exports; each file
    is one target's export. A file of exactly 10,000 or 50,000 rows would look cut at a vendor row cap:
    choose totals accordingly.
    """
    files = files or max(1, -(-n_observations // 1_000_000))
    if not 0 <= ahrefs_files <= files or n_observations < files:
        raise ValueError(f"need 0 <= ahrefs_files <= files <= n_observations, got {ahrefs_files}, {files}, "
                         f"{n_observations}")
    rng = np.random.default_rng([seed, 0])
    world = _bulk_world(rng, int(np.clip(n_observations // 25, 1000, 1_000_000)))
    base, extra = divmod(n_observations, files)
    written: list[Path] = []
    stamp = datetime(day.year, day.month, day.day, 9, 14, 27)
    for k in range(files):
        target = _TARGETS[k % len(_TARGETS)]
        again = f" ({k // len(_TARGETS)})" if k >= len(_TARGETS) else ""  # a browser's name for a re-download
        ahrefs = k < ahrefs_files
        t = stamp + timedelta(seconds=41 * k)
        name = (f"{target}-backlinks-subdomains_{day.isoformat()}_{t:%H-%M-%S}{again}.csv" if ahrefs
                else f"{target}-backlinks{again}.csv")
        path = root / name
        rows = base + (1 if k < extra else 0)
        with atomic_file(path) as fh:
            for j, start in enumerate(range(0, rows, chunk_rows)):
                chunk = _chunk(np.random.default_rng([seed, 1, k, j]), world, target,
                               min(chunk_rows, rows - start), day, ahrefs)
                chunk.write_csv(fh, include_header=j == 0, datetime_format="%Y-%m-%d %H:%M:%S")
        written.append(path)
    return written
