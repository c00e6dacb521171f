"""Terminal profile of one target domain, read from the published warehouse."""

from __future__ import annotations

import duckdb
from rich.console import Console
from rich.table import Table

from pipelines.ingest.runner import target_domain
from pipelines.stage.domains import DomainResolver


def _table(title: str, columns: list[str], rows: list[tuple[object, ...]]) -> Table:
    table = Table(title=title, title_justify="left")
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i == 0 else "right", overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else f"{v:,}" if isinstance(v, int) else
                        f"{v:.2f}" if isinstance(v, float) else str(v) for v in row))
    return table


def domain_report(con: duckdb.DuckDBPyConnection, domain: str, top: int, console: Console) -> bool:
    """Print the profile of `domain` (any host or URL of it); False if the warehouse does not know it."""
    target = target_domain(domain, DomainResolver()) or domain
    totals = con.execute(
        """
        SELECT COUNT(*), COUNT(*) FILTER (WHERE is_live), COUNT(*) FILTER (WHERE NOT is_live),
               COUNT(*) FILTER (WHERE is_live AND dofollow), MIN(first_seen), MAX(last_seen)
        FROM backlinks WHERE target_domain = ?
        """, [target]).fetchone()
    if not totals or not totals[0]:
        return False
    rd = con.execute(
        """
        SELECT COUNT(*), COUNT(*) FILTER (WHERE is_live), COUNT(*) FILTER (WHERE is_sitewide),
               COUNT(DISTINCT subnet_24)
        FROM referring_domains WHERE target_domain = ?
        """, [target]).fetchone()
    assert rd is not None
    console.rule(f"[bold]{target}")
    console.print(_table("totals", ["measure", "value"], [
        ("backlinks (historical)", totals[0]), ("backlinks live", totals[1]), ("backlinks lost", totals[2]),
        ("live dofollow backlinks", totals[3]), ("referring domains (historical)", rd[0]),
        ("referring domains live", rd[1]), ("sitewide referring domains", rd[2]),
        ("referring /24 subnets (where known)", rd[3]), ("first seen", totals[4]), ("last seen", totals[5]),
    ]))
    console.print(_table("top referring domains", ["domain", "live links", "dofollow", "pages", "sitewide"],
        con.execute(
            """
            SELECT referring_domain, live_backlinks, dofollow_backlinks, linking_pages, is_sitewide
            FROM referring_domains WHERE target_domain = ?
            ORDER BY live_backlinks DESC, backlinks DESC, referring_domain LIMIT ?
            """, [target, top]).fetchall()))
    console.print(_table("anchor mix", ["category", "anchors", "backlinks", "% backlinks", "ref. domains"],
        con.execute(
            """
            SELECT category, COUNT(*), SUM(backlinks),
                   100.0 * SUM(backlinks) / SUM(SUM(backlinks)) OVER (), SUM(referring_domains)
            FROM anchors WHERE target_domain = ? GROUP BY category ORDER BY SUM(backlinks) DESC
            """, [target]).fetchall()))
    console.print(_table("top anchors", ["anchor", "category", "backlinks", "ref. domains"],
        con.execute(
            """
            SELECT anchor_norm, category, backlinks, referring_domains FROM anchors
            WHERE target_domain = ? ORDER BY backlinks DESC, anchor_norm LIMIT ?
            """, [target, top]).fetchall()))
    console.print(_table("velocity, last 8 weeks", ["week", "new", "lost", "new ref. dom.", "lost ref. dom.",
                                                    "live", "spike days"],
        con.execute(
            """
            SELECT week_start, new_backlinks, lost_backlinks, new_referring_domains, lost_referring_domains,
                   live_backlinks, spike_days
            FROM link_velocity_weekly WHERE target_domain = ? ORDER BY week_start DESC LIMIT 8
            """, [target]).fetchall()))
    spikes = con.execute(
        """
        SELECT day, new_backlinks, lost_backlinks, robust_z_new, robust_z_lost FROM link_velocity_daily
        WHERE target_domain = ? AND (is_spike_new OR is_spike_lost) ORDER BY day DESC LIMIT 5
        """, [target]).fetchall()
    if spikes:
        console.print(_table("spike days (robust z vs trailing median)", ["day", "new", "lost", "z new",
                                                                         "z lost"], spikes))
    console.print(_table("source coverage", ["source", "linking pages", "only here", "share of all"],
        con.execute(
            """
            SELECT source_system, linking_pages_seen, linking_pages_only_here, linking_pages_share
            FROM source_coverage WHERE target_domain = ? ORDER BY linking_pages_seen DESC
            """, [target]).fetchall()))
    return True
