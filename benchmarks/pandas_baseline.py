"""The analyst's usual script: the same derivations as linkindex (dedup, referring domains, anchors) in pandas.

Run by ingest_build.py over the same files, in its own process so its peak memory is measured alone.
Usage: python pandas_baseline.py FILE...
"""

from __future__ import annotations

import sys

import pandas as pd
import tldextract

TRACKING = r"([?&])(utm_[^=&]*|gclid|fbclid|msclkid)=[^&]*"


def canonical(urls: pd.Series) -> pd.Series:
    urls = urls.str.strip().str.replace(r"#.*$", "", regex=True)
    urls = urls.str.replace(TRACKING, r"\1", regex=True).str.replace(r"[?&]+$", "", regex=True)
    return urls.str.replace(r"^(https?://)([^/]+)", lambda m: m.group(1) + m.group(2).lower(), regex=True)


def main(paths: list[str]) -> None:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False, on_bad_lines="skip") for p in paths]
    df = pd.concat(frames, ignore_index=True)
    df["source"] = canonical(df["Source url"])
    df["target"] = canonical(df["Target url"])
    hosts = df["source"].str.extract(r"^https?://([^/:?#]+)", expand=False).str.lower()
    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    unique = pd.Series(hosts.unique())
    domains = dict(zip(unique, (extract(h).top_domain_under_public_suffix for h in unique), strict=True))
    df["referring_domain"] = hosts.map(domains)
    df["target_domain"] = df["target"].str.extract(r"^https?://(?:www\.)?([^/:?#]+)", expand=False)
    df["dofollow"] = ~df["Nofollow"].str.lower().eq("true")
    df["anchor"] = df["Anchor"].str.lower().str.split().str.join(" ")
    backlinks = df.groupby(["source", "target"], sort=False).agg(
        first_seen=("First seen", "min"), last_seen=("Last seen", "max"),
        anchors=("anchor", "nunique"), dofollow=("dofollow", "max"),
        referring_domain=("referring_domain", "first"), target_domain=("target_domain", "first"),
    ).reset_index()
    refdomains = backlinks.groupby(["target_domain", "referring_domain"], sort=False).agg(
        backlinks=("source", "size"), dofollow=("dofollow", "sum"), pages=("source", "nunique"),
        first_seen=("first_seen", "min"), last_seen=("last_seen", "max"),
    )
    uses = df.drop_duplicates(["target_domain", "anchor", "source", "target"])
    anchors = uses.groupby(["target_domain", "anchor"], sort=False).agg(
        backlinks=("source", "size"), referring_domains=("referring_domain", "nunique"),
    )
    print(f"rows={len(df)} backlinks={len(backlinks)} referring_domains={len(refdomains)} anchors={len(anchors)}")


if __name__ == "__main__":
    main(sys.argv[1:])
