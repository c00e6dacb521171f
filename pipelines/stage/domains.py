"""Registrable domain (PSL eTLD+1), subdomain and brand label of canonical hosts, offline."""

from __future__ import annotations

import hashlib
import importlib.metadata
import pkgutil
import re
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import tldextract
from ada_url import idna_to_unicode

from pipelines.stage.urls import encode_distinct

_LIST_VERSION = re.compile(rb"^// VERSION: (\S+)", re.MULTILINE)
# A canonical IPv4 host is a WHATWG-serialised dotted quad: any host ending in a number was parsed as IPv4.
_IPV4 = re.compile(r"\d+\.\d+\.\d+\.\d+")


class Domain(NamedTuple):
    """Where a host sits under the Public Suffix List."""

    registrable_domain: str  # eTLD+1; the host itself for an IP literal or a host that has none
    subdomain: str | None  # labels left of the registrable domain; None when there are none
    suffix: str  # the public suffix; "" for an IP literal or a host with an empty label
    label: str  # the registrable domain without its suffix, in Unicode: the default brand term


def _unicode(label: str) -> str:
    """A label in Unicode: Punycode decoded (kept as it is if it does not decode), anything else as it is."""
    if label.startswith("xn--") and label.isascii():
        return idna_to_unicode(label) or label
    return label


class DomainResolver:
    """PSL lookups through tldextract on its bundled list or on a given list file; never the network."""

    def __init__(self, include_private: bool = True, suffix_list_path: str | Path | None = None) -> None:
        self.include_private = include_private
        if suffix_list_path is None:
            snapshot = pkgutil.get_data("tldextract", ".tld_set_snapshot") or b""
            version = _LIST_VERSION.search(snapshot)
            source = f"tldextract-{importlib.metadata.version('tldextract')}-bundled"
            if version:
                source += ":" + version.group(1).decode()
            urls: tuple[str, ...] = ()
        else:
            path = Path(suffix_list_path).resolve()
            source = "file:" + hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            urls = (path.as_uri(),)
        self.psl_version = f"{source};private={str(include_private).lower()}"
        # cache_dir=None: no cache file is read or written. Without a snapshot fallback, a list file that
        # cannot be read is an error rather than a silent switch to the bundled list.
        self._extract = tldextract.TLDExtract(
            cache_dir=None,
            suffix_list_urls=urls,
            fallback_to_snapshot=suffix_list_path is None,
            include_psl_private_domains=include_private,
        )
        # Load the list now, so that a bad list fails here and not in the middle of a run.
        self._extract.extract_str("example.com")

    def resolve(self, host: str) -> Domain:
        """Registrable domain, subdomain, suffix and brand label of one host (any case, ASCII or Unicode)."""
        host = host.lower().rstrip(".")  # a trailing dot (fully qualified form) names the same host
        labels = host.split(".")
        if host.startswith("[") or (host[-1:].isdigit() and _IPV4.fullmatch(host)) or "" in labels:
            # IP literals have no suffix; a name with an empty label (".a.com", "a..com") is no DNS name,
            # so the PSL cannot split it: both stand for themselves.
            return Domain(host, None, "", host)
        parts = self._extract.extract_str(host)
        if not parts.suffix:
            # No rule matched: the PSL's implicit "*" rule makes the last label the public suffix.
            suffix, domain, subdomain = labels[-1], ".".join(labels[-2:-1]), ".".join(labels[:-2])
        else:
            suffix, domain, subdomain = parts.suffix, parts.domain, parts.subdomain
        if not domain:
            # The host is a public suffix itself (co.uk, or github.io with the private section): it is its own
            # registrable domain, and its first label is the brand term, never an empty string.
            return Domain(host, None, suffix, _unicode(labels[0]))
        return Domain(f"{domain}.{suffix}", subdomain or None, suffix, _unicode(domain))

    def resolve_array(self, hosts: pa.Array | pa.ChunkedArray) -> pa.Table:
        """One row per host: registrable_domain, subdomain, label (null for null); each distinct host once."""
        distinct, indices = encode_distinct(hosts)
        domains = [None if host is None else self.resolve(host) for host in distinct]
        per_host = pa.table(
            {
                "registrable_domain": pa.array([d.registrable_domain if d else None for d in domains], pa.string()),
                "subdomain": pa.array([d.subdomain if d else None for d in domains], pa.string()),
                "label": pa.array([d.label if d else None for d in domains], pa.string()),
            }
        )
        return per_host.take(indices)
