"""Registrable domains, subdomains and brand labels of hosts, on the bundled Public Suffix List."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pyarrow as pa
import pytest
from tldextract.cache import get_cache_dir

from pipelines.stage.domains import Domain, DomainResolver
from pipelines.stage.urls import Canon, canonicalize


@pytest.fixture(scope="module")
def resolver() -> DomainResolver:
    return DomainResolver()


@pytest.fixture(scope="module")
def icann_only() -> DomainResolver:
    return DomainResolver(include_private=False)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("www.bbc.co.uk", Domain("bbc.co.uk", "www", "co.uk", "bbc")),
        ("news.sport.bbc.co.uk", Domain("bbc.co.uk", "news.sport", "co.uk", "bbc")),
        ("shop.example.com.au", Domain("example.com.au", "shop", "com.au", "example")),
        ("example.com", Domain("example.com", None, "com", "example")),
        ("WWW.Example.COM.", Domain("example.com", "www", "com", "example")),
        # IDN: hosts are punycode, labels are Unicode.
        ("xn--bcher-kva.de", Domain("xn--bcher-kva.de", None, "de", "bücher")),
        ("www.xn--fsqu00a.xn--fiqs8s", Domain("xn--fsqu00a.xn--fiqs8s", "www", "xn--fiqs8s", "例子")),
        ("xn--e1afmkfd.xn--p1ai", Domain("xn--e1afmkfd.xn--p1ai", None, "xn--p1ai", "пример")),
        # IP literals stand for themselves.
        ("192.0.2.7", Domain("192.0.2.7", None, "", "192.0.2.7")),
        ("[2001:db8::1]", Domain("[2001:db8::1]", None, "", "[2001:db8::1]")),
        # Unknown TLD: the PSL's implicit "*" rule makes the last label the suffix.
        ("a.b.example.internal-tld", Domain("example.internal-tld", "a.b", "internal-tld", "example")),
        ("localhost", Domain("localhost", None, "localhost", "localhost")),
        # A host that is a public suffix is its own registrable domain; its first label is the brand term.
        ("co.uk", Domain("co.uk", None, "co.uk", "co")),
        # A name with an empty label is no DNS name: it stands for itself.
        ("a..example.com", Domain("a..example.com", None, "", "a..example.com")),
    ],
)
def test_resolve(resolver: DomainResolver, host: str, expected: Domain) -> None:
    assert resolver.resolve(host) == expected


@pytest.mark.parametrize(
    ("host", "with_private", "without_private"),
    [
        (
            "myblog.blogspot.com",
            Domain("myblog.blogspot.com", None, "blogspot.com", "myblog"),
            Domain("blogspot.com", "myblog", "com", "blogspot"),
        ),
        (
            "www.myblog.blogspot.com",
            Domain("myblog.blogspot.com", "www", "blogspot.com", "myblog"),
            Domain("blogspot.com", "www.myblog", "com", "blogspot"),
        ),
        (
            "octocat.github.io",
            Domain("octocat.github.io", None, "github.io", "octocat"),
            Domain("github.io", "octocat", "io", "github"),
        ),
        (
            "github.io",
            Domain("github.io", None, "github.io", "github"),
            Domain("github.io", None, "io", "github"),
        ),
    ],
)
def test_private_section(
    resolver: DomainResolver,
    icann_only: DomainResolver,
    host: str,
    with_private: Domain,
    without_private: Domain,
) -> None:
    """Blog and pages hosts are sites of their own with the PSL's private section, one site without it."""
    assert resolver.resolve(host) == with_private
    assert icann_only.resolve(host) == without_private


def test_canonical_hosts_resolve(resolver: DomainResolver) -> None:
    canon = canonicalize("https://Shop.Bücher.co.uk./x")
    assert isinstance(canon, Canon)
    assert resolver.resolve(canon.host) == Domain("xn--bcher-kva.co.uk", "shop", "co.uk", "bücher")


def test_psl_version(resolver: DomainResolver, icann_only: DomainResolver, tmp_path: Path) -> None:
    assert re.fullmatch(r"tldextract-5\.4\.0-bundled:2025-04-07_15-51-09_UTC;private=true", resolver.psl_version)
    assert icann_only.psl_version.endswith(";private=false")
    listing = tmp_path / "list.dat"
    listing.write_text("// ===BEGIN ICANN DOMAINS===\ncom\nexample.com\n", encoding="utf-8")
    from_file = DomainResolver(suffix_list_path=listing)
    assert re.fullmatch(r"file:[0-9a-f]{12};private=true", from_file.psl_version)
    assert from_file.resolve("a.b.example.com") == Domain("b.example.com", "a", "example.com", "b")


def test_missing_list_file_fails_at_construction(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        DomainResolver(suffix_list_path=tmp_path / "absent.dat")


def test_no_network_and_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("DomainResolver opened a network connection")

    cache = Path(get_cache_dir())  # where tldextract caches the list unless told not to
    before = sorted(cache.rglob("*")) if cache.exists() else []
    monkeypatch.setattr(socket.socket, "connect", refuse)
    listing = tmp_path / "list.dat"
    listing.write_text("org\n", encoding="utf-8")
    for resolver in (DomainResolver(), DomainResolver(suffix_list_path=listing)):
        assert resolver.resolve("www.example.org").registrable_domain == "example.org"
    assert (sorted(cache.rglob("*")) if cache.exists() else []) == before
    assert list(tmp_path.iterdir()) == [listing]


class CountingResolver(DomainResolver):
    """Counts how often a host is looked up."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups: list[str] = []

    def resolve(self, host: str) -> Domain:
        self.lookups.append(host)
        return super().resolve(host)


def test_resolve_array_looks_each_host_up_once_and_agrees_with_resolve() -> None:
    counting = CountingResolver()
    hosts = pa.chunked_array(
        [["www.bbc.co.uk", None, "xn--bcher-kva.de"], ["www.bbc.co.uk", "192.0.2.7", "xn--bcher-kva.de"]]
    )
    table = counting.resolve_array(hosts)
    assert sorted(counting.lookups) == ["192.0.2.7", "www.bbc.co.uk", "xn--bcher-kva.de"]
    assert table.schema == pa.schema(
        [("registrable_domain", pa.string()), ("subdomain", pa.string()), ("label", pa.string())]
    )
    plain = DomainResolver()
    expected = []
    for host in hosts.to_pylist():
        domain = plain.resolve(host) if host else None
        expected.append(
            {
                "registrable_domain": domain.registrable_domain if domain else None,
                "subdomain": domain.subdomain if domain else None,
                "label": domain.label if domain else None,
            }
        )
    assert table.to_pylist() == expected
