"""The analyst's usual script, in pandas: Semrush backlinks exports in, backlinks, referring domains and anchors out.

Run by ingest_build.py over the same files as linkindex, in its own process so its peak memory is its own.
It does what linkindex's ingest and build do for these rows, as an analyst would write it:

- reads every file as strings with pyarrow's CSV parser (as linkindex does); a record with the wrong number
  of fields is kept in the quarantine with its text, not dropped;
- quarantines a record for the first reason it has, in linkindex's order and with its reason codes:
  column_count, nul_byte, missing_value (empty Source url or Target url), bad_boolean (a flag that is not
  true/false/empty/null, any case), bad_date (First/Last seen not YYYY-MM-DD or not a real day), then
  staging's rules: unsupported_scheme / unparseable_url (source, then target), future_date (after the day
  after `--today`, default today as ingest's run day) and bad_date (before 1991-01-01) for each date,
  dates_out_of_order (Last seen before First seen);
- parses First/Last seen as dates (a backlink's first_seen is the earliest date, never the least string);
- derives backlinks (one row per canonical source and target URL: first/last seen, anchors, dofollow),
  referring domains (per target domain and registrable source domain, with the public suffix list) and
  anchors (per target domain and normalised anchor: backlinks and referring domains);
- prints one JSON line: records read, kept, quarantined by reason, and the three tables' row counts.

What it leaves out, against `linkindex ingest` + `linkindex build` on the same files:
- URL canonicalisation is regex work (fragment, tracking parameters, host case); linkindex parses every URL
  by the WHATWG rules (ada): IDNA hosts, default ports, percent-encoding, dot segments, trailing-slash
  policy, `www.` kept distinct. Its scheme/host checks approximate ada's unparseable URLs;
- the target domain is the host less `www.`, not the registrable domain; anchors are lower-cased and
  whitespace-collapsed, not NFKC-normalised, and not categorised (brand, generic, naked URL...);
- no lake and no warehouse: nothing is written, so no Parquet, no DuckDB tables, no publish;
- the other curated models: internal_links, link_velocity_daily/weekly/monthly, source_coverage,
  source_overlap, anchor_terms, the int_* models and their event logic (lost/new reasons, snapshots);
- the contracts' checks: the row-level Great Expectations suite on staged rows, the set-level checks and
  the publish gate; the ingest outcome and snapshot records; quarantine row numbers (it keeps file, reason
  and record text only).
Usage: python pandas_baseline.py [--today YYYY-MM-DD] FILE...
"""

from __future__ import annotations

import argparse
import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import tldextract

TRACKING = r"([?&])(utm_[^=&]*|gclid|fbclid|msclkid)=[^&]*"
FLAGS = ("Nofollow", "Sponsored", "Ugc", "Text", "Frame", "Form", "Image", "Sitewide", "New link", "Lost link")
DATES = ("First seen", "Last seen")
EARLIEST = pd.Timestamp("1991-01-01")
NULL_TOKENS = ("", "null")


def read_file(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Records as strings, and the text of the records with a wrong field count."""
    bad: list[str] = []

    def keep_bad(row: Any) -> str:
        bad.append(row.text)
        return "skip"

    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    # Every column typed as a string up front: pandas' pyarrow engine infers first and casts after, so a
    # flag column of 1/true reads back as "True" and a bad flag would pass.
    table = pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(invalid_row_handler=keep_bad),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string())),
    )
    return table.to_pandas(), bad


def canonical(urls: pd.Series) -> pd.Series:
    urls = urls.str.strip().str.replace(r"#.*$", "", regex=True)
    urls = urls.str.replace(TRACKING, r"\1", regex=True).str.replace(r"[?&]+$", "", regex=True)
    return urls.str.replace(r"^(https?://)([^/]+)", lambda m: m.group(1) + m.group(2).lower(), regex=True)


def _bad_url(urls: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(unsupported scheme, no host) for the canonical URLs."""
    scheme = urls.str.extract(r"^([A-Za-z][A-Za-z0-9+.-]*):", expand=False).str.lower()
    unsupported = scheme.notna() & ~scheme.isin(["http", "https"])
    no_host = ~unsupported & ~urls.str.match(r"^https?://[^/?#:@\s]+", case=False)
    return unsupported, no_host


def check(frame: pd.DataFrame, today: date) -> tuple[pd.Series, pd.DataFrame]:
    """Each record's first failing reason (None when it stays), and its flags and dates parsed."""
    reason = pd.Series(None, index=frame.index, dtype=object)

    def first(mask: pd.Series, code: str) -> None:
        reason.mask(reason.isna() & mask, code, inplace=True)

    nul = pd.Series(False, index=frame.index)
    for name in frame.columns:
        nul |= frame[name].str.contains("\x00", regex=False)
    first(nul, "nul_byte")
    for name in ("Source url", "Target url"):
        first(frame[name].str.strip().eq(""), "missing_value")
    parsed = pd.DataFrame(index=frame.index)
    for name in frame.columns:  # the reader's value checks, in header order
        if name not in FLAGS and name not in DATES:
            continue
        value = frame[name].str.strip()
        null = value.str.lower().isin(NULL_TOKENS)
        if name in FLAGS:
            first(~null & ~value.str.lower().isin(("true", "false")), "bad_boolean")
            parsed[name] = value.str.lower().eq("true")
        else:
            day = pd.to_datetime(value.where(~null), format="%Y-%m-%d", errors="coerce")
            first(~null & (day.isna() | ~value.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), "bad_date")
            parsed[name] = day
    # staging's rules, in its order: URLs, then each claimed date, then their order
    source, target = canonical(frame["Source url"]), canonical(frame["Target url"])
    for urls in (source, target):
        unsupported, no_host = _bad_url(urls)
        first(unsupported, "unsupported_scheme")
        first(no_host, "unparseable_url")
    latest = pd.Timestamp(today + timedelta(days=1))
    for name in DATES:
        first(parsed[name] > latest, "future_date")
        first(parsed[name] < EARLIEST, "bad_date")
    first(parsed["Last seen"] < parsed["First seen"], "dates_out_of_order")
    parsed["source"], parsed["target"] = source, target
    return reason, parsed


def derive(frame: pd.DataFrame, parsed: pd.DataFrame) -> dict[str, pd.DataFrame]:
    df = parsed.assign(anchor=frame["Anchor"].str.lower().str.split().str.join(" "))
    hosts = df["source"].str.extract(r"^https?://([^/:?#]+)", expand=False).str.lower()
    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    unique = pd.Series(hosts.unique())
    domains = dict(zip(unique, (extract(h).top_domain_under_public_suffix for h in unique), strict=True))
    df["referring_domain"] = hosts.map(domains)
    df["target_domain"] = df["target"].str.extract(r"^https?://(?:www\.)?([^/:?#]+)", expand=False).str.lower()
    df["dofollow"] = ~df["Nofollow"]
    backlinks = df.groupby(["source", "target"], sort=False).agg(
        first_seen=("First seen", "min"), last_seen=("Last seen", "max"),
        anchors=("anchor", "nunique"), dofollow=("dofollow", "max"),
        referring_domain=("referring_domain", "first"), target_domain=("target_domain", "first"),
    ).reset_index()
    refdomains = backlinks.groupby(["target_domain", "referring_domain"], sort=False).agg(
        backlinks=("source", "size"), dofollow=("dofollow", "sum"), pages=("source", "nunique"),
        first_seen=("first_seen", "min"), last_seen=("last_seen", "max"),
    ).reset_index()
    uses = df.drop_duplicates(["target_domain", "anchor", "source", "target"])
    anchors = uses.groupby(["target_domain", "anchor"], sort=False).agg(
        backlinks=("source", "size"), referring_domains=("referring_domain", "nunique"),
    ).reset_index()
    return {"backlinks": backlinks, "referring_domains": refdomains, "anchors": anchors}


def run(paths: list[Path], today: date) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, int]:
    """The three tables, the quarantine (file, reason, raw) and the number of records read."""
    kept_frames, kept_parsed, quarantined = [], [], []
    read = 0
    for path in paths:
        frame, bad = read_file(path)
        read += len(frame) + len(bad)
        reason, parsed = check(frame, today)
        stays = reason.isna()
        kept_frames.append(frame[stays])
        kept_parsed.append(parsed[stays])
        raw = frame[~stays].apply(lambda row: ",".join(row), axis=1) if (~stays).any() else pd.Series(dtype=str)
        quarantined.append(pd.DataFrame({"file": path.name, "reason": reason[~stays], "raw": raw}))
        quarantined.append(pd.DataFrame({"file": path.name, "reason": "column_count", "raw": bad}))
    frame = pd.concat(kept_frames, ignore_index=True)
    parsed = pd.concat(kept_parsed, ignore_index=True)
    return derive(frame, parsed), pd.concat(quarantined, ignore_index=True), read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    tables, quarantine, read = run(args.files, args.today)
    print(json.dumps({
        "rows_read": read, "kept": read - len(quarantine),
        "quarantined": {k: int(v) for k, v in quarantine["reason"].value_counts().sort_index().items()},
        **{name: len(table) for name, table in tables.items()},
    }))


if __name__ == "__main__":
    main()
