"""Which target URLs a report covers, in the modes analysts know from Ahrefs' Site Explorer."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.stage.domains import DomainResolver, _unicode
from pipelines.stage.urls import canonicalize

MODES = ("exact", "prefix", "host", "subdomains", "domain")

# One fixed predicate per mode over backlinks' target columns; the scope's value is always a bound parameter.
# URLs compare without their scheme: an analyst pasting http:// means the https:// page too.
_NO_SCHEME = "SUBSTR(b.target_url, STRPOS(b.target_url, '://') + 3)"
_PREDICATES = {
    "exact": f"{_NO_SCHEME} = ?",
    "prefix": f"STARTS_WITH({_NO_SCHEME}, ?)",
    "host": "b.target_host = ?",
    "subdomains": "(b.target_host = ? OR ENDS_WITH(b.target_host, '.' || ?))",
    "domain": "b.target_domain = ?",
}
_LABELS = {
    "exact": "exact URL", "prefix": "URL prefix", "host": "host only (subdomains excluded)",
    "subdomains": "host and its subdomains", "domain": "registrable domain, every host",
}


class ScopeError(ValueError):
    """The text names no URL, host or domain the report can cover."""


@dataclass(frozen=True)
class Scope:
    mode: str
    value: str  # what the predicate compares: a scheme-less URL or prefix, a host, a registrable domain
    target_domain: str

    @property
    def predicate(self) -> str:
        return _PREDICATES[self.mode]

    @property
    def params(self) -> list[object]:
        return [self.value, self.value] if self.mode == "subdomains" else [self.value]

    @property
    def label(self) -> str:
        return _LABELS[self.mode]

    @property
    def display(self) -> str:
        """The value with the Unicode form of every IDN label beside the punycode one."""
        host, sep, rest = self.value.partition("/")
        shown = ".".join(_unicode(label) for label in host.split("."))
        return self.value if shown == host else f"{self.value} ({shown}{sep}{rest})"


def resolve_scope(text: str, mode: str | None = None, resolver: DomainResolver | None = None) -> Scope:
    """The scope `text` names: a trailing * means a prefix, a path an exact URL, a bare host its subdomains
    too, a bare registrable domain the domain; `mode` overrides the guess."""
    if mode is not None and mode not in MODES:
        raise ScopeError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    raw = text.strip()
    wildcard = raw.endswith("*")
    canon = canonicalize(raw.rstrip("*") or raw)
    if isinstance(canon, str):
        raise ScopeError(f"{text!r} is not a URL, host or domain ({canon})")
    domain = (resolver or DomainResolver()).resolve(canon.host).registrable_domain
    url = canon.url.split("://", 1)[1]
    has_path = url != canon.host + "/"
    if mode is None:
        if wildcard:
            mode = "prefix"
        elif has_path:
            mode = "exact"
        else:
            mode = "domain" if canon.host == domain else "subdomains"
    value = {"exact": url, "prefix": url, "host": canon.host, "subdomains": canon.host, "domain": domain}[mode]
    return Scope(mode=mode, value=value, target_domain=domain)
