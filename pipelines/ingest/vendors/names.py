"""What an export's file name says: the target it was taken for, when it was exported, and GSC's report label.

Names are hints only (users rename files): they never decide the report type. Patterns seen in real exports:
- Ahrefs `{target}-{report}-{mode}_{YYYY-MM-DD}_{HH-MM-SS}.csv`, e.g.
  `example.com-backlinks-subdomains_2026-04-17_08-18-41.csv`; the mode may be cut (`subdoma`).
- GSC `{property}-{Report name}-{YYYY-MM-DD}.csv`, the property written with `:` and `/` as `_`
  (`https___www.example.com_` is `https://www.example.com/`) or as a bare domain for a domain property.
- Semrush `{target}-backlinks.csv` and `{target}-backlinks_{report}.csv` (`_refdomains`, `_pages`,
  `_outgoing_domains`, `_comparison`), `{target}-backlink_audit.csv`, as users' scripts look them up; a
  subfolder export writes `{target}_{folder}-backlinks_pages.csv`. No export time.
- Moz (unverified, the names the demo writes): `{target}-linking-domains-{YYYY-MM-DD}.csv`,
  `{target}-inbound-links-{YYYY-MM-DD}.csv`, `OSE-inbound-links-{target}-{YYYY-MM-DD}.csv`. Only the target
  is read: no real file confirms that the date is the export's.
- Browsers append ` (1)` (or `(1)`) to repeated downloads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

_COPY_SUFFIX = r"\s*\(\d+\)"
_AHREFS = re.compile(
    r"^(?P<target>\S*?\.[^\s-]+?)-(?P<report>[a-z][a-z0-9-]*?)-(?P<mode>[a-z]+)"
    r"_(?P<date>\d{4}-\d{2}-\d{2})_(?P<time>\d{2}-\d{2}-\d{2})"
    rf"(?:{_COPY_SUFFIX})?\.csv(?:\.gz)?$"
)
_GSC_DATE = rf"-(?P<date>\d{{4}}-\d{{2}}-\d{{2}})(?:{_COPY_SUFFIX})?\.csv$"
# Properties hold no spaces and report names do ("Top linked pages - externally" even holds a hyphen): the
# report starts at the first hyphen-separated part with a space. A one-word report is the last part.
_GSC = (
    re.compile(rf"^(?P<property>[^ ]+?)-(?P<report>[^-]* .*?){_GSC_DATE}"),
    re.compile(rf"^(?P<property>.+)-(?P<report>[^-]+){_GSC_DATE}"),
)
# A target as vendors write it in a name: a host (Unicode or punycode) holding a dot, without `_` or spaces.
_TARGET = r"(?P<target>[^\s_]*?\.[^\s_-]+?)"
_SEMRUSH = re.compile(rf"^{_TARGET}(?:_[^\s-]*)?-backlinks?(?:_[a-z_]+)?(?:{_COPY_SUFFIX})?\.csv$", re.IGNORECASE)
_MOZ = (
    re.compile(rf"^{_TARGET}-(?:linking-domains|inbound-links)-.*\.csv$", re.IGNORECASE),
    re.compile(rf"^ose-inbound-links-{_TARGET}-\d{{4}}-\d{{2}}-\d{{2}}.*\.csv$", re.IGNORECASE),
)
_URL_PROPERTY = re.compile(r"^(?P<scheme>https?)___(?P<rest>.+)$")


@dataclass(frozen=True)
class NameHints:
    """Hints read from a file name; every field may be None."""

    target: str | None = None
    exported_at: datetime | None = None
    report_label: str | None = None  # the report segment of a GSC name, case-folded


def base_name(file_name: str) -> str:
    """The last path component, whichever separator the caller's platform used."""
    return re.split(r"[\\/]", file_name)[-1]


def _timestamp(text: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        return None


def gsc_property(written: str) -> str:
    """The property GSC means: `https___www.example.com_` is `https://www.example.com/`; domains as is."""
    if written.startswith("sc-domain_"):
        return written.removeprefix("sc-domain_")
    match = _URL_PROPERTY.match(written)
    if match is None:
        return written
    # URL-prefix properties have `/` written as `_`: restore it (a real `_` in a path cannot be told apart).
    return f"{match['scheme']}://{match['rest'].replace('_', '/')}"


def hints(file_name: str, source_system: str) -> NameHints:
    """Target, export time and report label stated by the file name for this vendor's naming scheme."""
    name = base_name(file_name)
    if source_system == "ahrefs" and (m := _AHREFS.match(name)):
        return NameHints(
            target=m["target"], exported_at=_timestamp(f"{m['date']} {m['time']}", "%Y-%m-%d %H-%M-%S")
        )
    if source_system == "gsc" and (m := _GSC[0].match(name) or _GSC[1].match(name)):
        return NameHints(
            target=gsc_property(m["property"]),
            exported_at=_timestamp(m["date"], "%Y-%m-%d"),
            report_label=" ".join(m["report"].casefold().split()),
        )
    if source_system == "semrush" and (m := _SEMRUSH.match(name)):
        return NameHints(target=m["target"])
    if source_system == "moz" and (m := _MOZ[0].match(name) or _MOZ[1].match(name)):
        return NameHints(target=m["target"])
    return NameHints()
