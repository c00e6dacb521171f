"""The profile in the terminal (rich tables) and as JSON for scripts."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

from pipelines.report.profile import Rows


def fmt(value: object, *, pct: bool = False) -> str:
    """One cell: booleans as yes/no, counts with thousands separators, shares as percentages."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{100 * value:.0f} %" if pct else f"{value:.1f}"
    return str(value)


def named_anchors(rows: Rows) -> Rows:
    """Rows with the empty anchor (a link without text or alt) given a name, so it is not read as a gap."""
    return [{**r, "anchor": r["anchor"] or "(empty text or alt)"} for r in rows]


def _table(title: str, columns: list[tuple[str, str]], rows: Rows, pct: frozenset[str] = frozenset()) -> Table:
    table = Table(title=title, title_justify="left")
    for i, (_key, label) in enumerate(columns):
        table.add_column(label, justify="left" if i == 0 else "right", overflow="fold")
    for row in rows:
        table.add_row(*(fmt(row.get(key), pct=key in pct) for key, _label in columns))
    return table


def _domain_cell(row: dict[str, Any]) -> dict[str, Any]:
    shown = row.get("referring_domain_unicode")
    return {**row, "referring_domain": row["referring_domain"] + (f" ({shown})" if shown else "")}


def print_profile(profile: dict[str, Any], console: Console) -> None:
    scope, totals = profile["scope"], profile["totals"]
    filters = profile["filters"]
    console.rule(f"[bold]{scope['display']}")
    narrowed = ", ".join(f"{k.replace('_', ' ')} {fmt(v)}" for k, v in filters.items() if v)
    shown = f" ({scope['target_domain_unicode']})" if scope.get("target_domain_unicode") else ""
    console.print(f"scope: {scope['mode_label']} ({scope['mode']}); target domain {scope['target_domain']}{shown}"
                  + (f"; filters: {narrowed}" if narrowed else ""), highlight=False)
    console.print(f"figures rest on evidence up to {fmt(totals['newest_evidence'])}; 'live' means no source has "
                  f"shown the link lost since it was last seen live (the oldest such evidence: "
                  f"{fmt(totals['oldest_live_evidence'])})", highlight=False)
    console.print(_table("totals", [("measure", "measure"), ("value", "value")], [
        {"measure": label, "value": totals[key]} for key, label in (
            ("backlinks", "backlinks ever seen (historical)"), ("live_backlinks", "live backlinks"),
            ("lost_backlinks", "lost backlinks"), ("live_dofollow_backlinks", "live dofollow backlinks"),
            ("referring_domains", "referring domains ever seen"),
            ("live_referring_domains", "referring domains with a live backlink"),
            ("sitewide_referring_domains", "sitewide referring domains"), ("target_pages", "target pages linked"),
            ("first_seen", "first seen"), ("newest_evidence", "newest evidence (last seen)"))
    ]))
    console.print(_table("live backlinks by age of their last live evidence",
                         [("last_seen_before_newest_evidence", "last seen, before the newest evidence"),
                          ("live_backlinks", "live backlinks")], profile["freshness"]))
    console.print(_table("top referring domains", [
        ("referring_domain", "referring domain"), ("first_seen", "first seen"), ("last_seen", "last seen"),
        ("backlinks", "backlinks"), ("live_backlinks", "live backlinks"), ("dofollow_share", "dofollow share"),
        ("linking_pages", "linking pages (ever)"), ("is_sitewide", "sitewide"),
    ], [_domain_cell(r) for r in profile["top_referring_domains"]], pct=frozenset({"dofollow_share"})))
    console.print(_table("anchor mix (a backlink counts once per anchor; referring domains counted distinct)", [
        ("category", "category"), ("anchors", "anchors"), ("backlinks", "backlinks"),
        ("backlinks_pct", "% of backlinks"), ("referring_domains", "referring domains"),
    ], profile["anchor_mix"]))
    console.print(_table("top anchors", [
        ("anchor", "anchor"), ("category", "category"), ("backlinks", "backlinks"),
        ("live_backlinks", "live backlinks"), ("referring_domains", "referring domains"),
    ], named_anchors(profile["top_anchors"])))
    console.print(_table("velocity, last 8 weeks (weeks start on Monday)", [
        ("week_start", "week"), ("new_backlinks", "new backlinks"), ("lost_backlinks", "lost backlinks"),
        ("new_referring_domains", "new ref. domains"), ("lost_referring_domains", "lost ref. domains"),
        ("live_backlinks", "live backlinks at week end"), ("spike_days", "spike days"),
    ], profile["weekly"][-8:][::-1]))
    if profile["spikes"]:
        console.print(_table("spike days (robust z against the trailing median)", [
            ("day", "day"), ("new_backlinks", "new"), ("lost_backlinks", "lost"), ("robust_z_new", "z new"),
            ("robust_z_lost", "z lost"),
        ], profile["spikes"][:5]))
    console.print(_table("lost backlinks by reason", [
        ("lost_reason", "reason"), ("backlinks", "backlinks"), ("first_lost", "first lost"),
        ("last_lost", "last lost")], profile["lost_reasons"]))
    console.print(_table("source coverage (backlinks each source saw)", [
        ("source_system", "source"), ("backlinks_seen", "backlinks seen"),
        ("backlinks_only_here", "seen by no other source"), ("backlinks_share", "share of all backlinks"),
    ], profile["source_coverage"], pct=frozenset({"backlinks_share"})))


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def profile_json(profile: dict[str, Any]) -> str:
    return json.dumps(profile, default=_json_default, indent=2, ensure_ascii=False)
