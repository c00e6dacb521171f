"""The report registry and header detection: which report a file is, from its header alone.

Every non-blank line a spec allows as the header (the first, or one below a title block) is split by each
candidate delimiter, and every spec scores the resulting names: a spec is a candidate when its signature is
present; candidates rank by having all required columns, then by how many columns they know, then by the
earliest line and the most fields. The file name is never consulted.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.ingest.vendors import ahrefs, gsc, majestic, moz, semrush
from pipelines.ingest.vendors.errors import ReportError
from pipelines.ingest.vendors.sniff import DELIMITERS, leading_lines, split_fields
from pipelines.ingest.vendors.specs import ReportSpec
from pipelines.ingest.vendors.values import normalise_name

REPORTS: tuple[ReportSpec, ...] = (*ahrefs.SPECS, *semrush.SPECS, *majestic.SPECS, *moz.SPECS, *gsc.SPECS)
_MAX_PREAMBLE = max(spec.preamble for spec in REPORTS)


@dataclass(frozen=True)
class Detection:
    """The report a file holds, its header as written, its delimiter and where its records start."""

    spec: ReportSpec
    header: tuple[str, ...]
    delimiter: str | None  # None for a one-column file
    body_start: int


def detect(text: bytes, file_name: str) -> Detection:
    """Find the header line and the report it belongs to; raise ReportError("unrecognized_report") if none."""
    lines = leading_lines(text, _MAX_PREAMBLE + 1)
    best: tuple[tuple[bool, int, int, int], Detection] | None = None
    for line in lines:
        seen: set[tuple[str, ...]] = set()
        for delimiter in DELIMITERS:
            fields = tuple(split_fields(line.text, delimiter))
            if fields in seen:
                continue
            seen.add(fields)
            names = [normalise_name(f) for f in fields]
            for spec in REPORTS:
                if line.index > spec.preamble or (score := spec.score(names)) is None:
                    continue
                rank = (score[0], score[1], -line.index, len(fields))
                if best is None or rank > best[0]:
                    found = Detection(spec, fields, delimiter if len(fields) > 1 else None, line.end)
                    best = (rank, found)
    if best is None:
        seen_header = lines[0].text[:300] if lines else text[:300].decode("utf-8", errors="replace")
        raise ReportError(
            file_name,
            "unrecognized_report",
            f"unrecognized_report: no known report has the header {seen_header!r}",
        )
    return best[1]
