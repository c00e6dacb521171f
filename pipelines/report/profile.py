"""The figures of one target's profile, read from the published warehouse: one dict of row lists, shared by
the terminal, JSON and HTML renderings so that they can never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from pipelines.report.scope import Scope
from pipelines.stage.domains import _unicode

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Filters:
    """Which backlinks of the scope count: seen live within [since, until], and only live ones if asked."""

    since: date | None = None
    until: date | None = None
    live_only: bool = False

    @property
    def narrowed(self) -> bool:
        return self.since is not None or self.until is not None or self.live_only


def unicode_domain(host: str) -> str | None:
    """The Unicode spelling of an IDN host, or None when it reads the same."""
    shown = ".".join(_unicode(label) for label in host.split("."))
    return None if shown == host else shown


class _Query:
    """Every query starts from `scoped`: the backlinks of the scope under the filters, all values bound."""

    def __init__(self, con: duckdb.DuckDBPyConnection, scope: Scope, filters: Filters) -> None:
        self.con = con
        self.cte = (
            "WITH scoped AS (SELECT b.* FROM backlinks AS b WHERE " + scope.predicate
            + " AND (CAST(? AS DATE) IS NULL OR b.last_seen >= CAST(? AS DATE))"
            + " AND (CAST(? AS DATE) IS NULL OR b.first_seen <= CAST(? AS DATE))"
            + " AND (NOT ? OR b.is_live))\n"
        )
        self.params: list[object] = [*scope.params, filters.since, filters.since, filters.until, filters.until,
                                     filters.live_only]

    def rows(self, sql: str, params: list[object] | None = None) -> Rows:
        cur = self.con.execute(self.cte + sql, self.params + (params or []))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def one(self, sql: str, params: list[object] | None = None) -> dict[str, Any]:
        return self.rows(sql, params)[0]


def load_profile(
    con: duckdb.DuckDBPyConnection, scope: Scope, filters: Filters = Filters(), limit: int = 10, pages: int = 10,
) -> dict[str, Any] | None:
    """Every section of the profile, or None when no backlink of the warehouse falls in the scope."""
    q = _Query(con, scope, filters)
    totals = q.one("""
        SELECT COUNT(*) AS backlinks, COUNT(*) FILTER (WHERE is_live) AS live_backlinks,
               COUNT(*) FILTER (WHERE NOT is_live) AS lost_backlinks,
               COUNT(*) FILTER (WHERE is_live AND dofollow) AS live_dofollow_backlinks,
               COUNT(DISTINCT source_domain) AS referring_domains,
               COUNT(DISTINCT source_domain) FILTER (WHERE is_live) AS live_referring_domains,
               COUNT(DISTINCT target_url) AS target_pages,
               MIN(first_seen) AS first_seen, MAX(last_seen) AS newest_evidence,
               MIN(last_seen) FILTER (WHERE is_live) AS oldest_live_evidence
        FROM scoped""")
    if not totals["backlinks"]:
        return None
    as_of = totals["newest_evidence"]
    totals["sitewide_referring_domains"] = q.one("""
        SELECT COUNT(*) AS n FROM referring_domains AS r
        WHERE r.is_sitewide AND r.target_domain = ?
          AND r.referring_domain IN (SELECT source_domain FROM scoped)""", [scope.target_domain])["n"]
    # "Live" only means no source has shown the link lost since its last live evidence; how old that evidence
    # is says how much the figure is worth.
    freshness = q.rows("""
        SELECT CASE WHEN DATE_DIFF('day', last_seen, CAST(? AS DATE)) <= 30 THEN 'within 30 days'
                    WHEN DATE_DIFF('day', last_seen, CAST(? AS DATE)) <= 180 THEN '31 to 180 days'
                    WHEN DATE_DIFF('day', last_seen, CAST(? AS DATE)) <= 365 THEN '181 to 365 days'
                    ELSE 'over a year' END AS last_seen_before_newest_evidence,
               COUNT(*) AS live_backlinks
        FROM scoped WHERE is_live GROUP BY 1 ORDER BY MIN(DATE_DIFF('day', last_seen, CAST(? AS DATE)))""",
        [as_of] * 4)
    weekly = _weekly(q, scope, filters)
    spikes = [] if scope.mode != "domain" or filters.narrowed else q.rows("""
        SELECT day, new_backlinks, lost_backlinks, robust_z_new, robust_z_lost, is_spike_new, is_spike_lost
        FROM link_velocity_daily WHERE target_domain = ? AND (is_spike_new OR is_spike_lost)
        ORDER BY day DESC""", [scope.target_domain])
    anchor_uses = """
        , uses AS (
            SELECT DISTINCT o.anchor_norm, s.source_url, s.target_url, s.source_domain, s.is_live, s.dofollow
            FROM link_observations AS o JOIN scoped AS s ON s.source_url = o.source_url AND s.target_url = o.target_url
            WHERE o.anchor_norm IS NOT NULL
        ), categorised AS (
            SELECT u.*, COALESCE(a.category, 'other') AS category FROM uses AS u
            LEFT JOIN anchors AS a ON a.target_domain = ? AND a.anchor_norm = u.anchor_norm
        )"""
    anchor_mix = q.rows(anchor_uses + """
        SELECT category, COUNT(DISTINCT anchor_norm) AS anchors, COUNT(*) AS backlinks,
               100.0 * COUNT(*) / SUM(COUNT(*)) OVER () AS backlinks_pct,
               COUNT(DISTINCT source_domain) AS referring_domains
        FROM categorised GROUP BY category ORDER BY backlinks DESC, category""", [scope.target_domain])
    top_anchors = q.rows(anchor_uses + """
        SELECT anchor_norm AS anchor, category, COUNT(*) AS backlinks,
               COUNT(*) FILTER (WHERE is_live) AS live_backlinks,
               COUNT(DISTINCT source_domain) AS referring_domains
        FROM categorised GROUP BY anchor_norm, category ORDER BY backlinks DESC, anchor LIMIT ?""",
        [scope.target_domain, limit])
    top_domains = q.rows("""
        SELECT s.source_domain AS referring_domain, MIN(s.first_seen) AS first_seen, MAX(s.last_seen) AS last_seen,
               COUNT(*) AS backlinks, COUNT(*) FILTER (WHERE s.is_live) AS live_backlinks,
               AVG(CASE WHEN s.dofollow THEN 1.0 WHEN NOT s.dofollow THEN 0.0 END) AS dofollow_share,
               COUNT(DISTINCT s.source_url) AS linking_pages,
               COALESCE(ANY_VALUE(r.is_sitewide), FALSE) AS is_sitewide
        FROM scoped AS s
        LEFT JOIN referring_domains AS r ON r.target_domain = s.target_domain AND r.referring_domain = s.source_domain
        GROUP BY s.source_domain
        ORDER BY live_backlinks DESC, backlinks DESC, referring_domain LIMIT ?""", [limit])
    for row in top_domains:
        row["referring_domain_unicode"] = unicode_domain(row["referring_domain"])
    link_types = q.rows("""
        SELECT link_type, COUNT(*) AS backlinks, COUNT(*) FILTER (WHERE is_live) AS live_backlinks
        FROM scoped GROUP BY link_type ORDER BY backlinks DESC, link_type""")
    rel = q.rows("""
        SELECT rel, COUNT(*) AS backlinks, COUNT(*) FILTER (WHERE is_live) AS live_backlinks FROM (
            SELECT is_live, CASE WHEN dofollow THEN 'dofollow' WHEN dofollow IS NULL THEN 'unknown' END AS rel
            FROM scoped WHERE dofollow OR dofollow IS NULL
            UNION ALL SELECT is_live, 'nofollow' FROM scoped WHERE nofollow
            UNION ALL SELECT is_live, 'ugc' FROM scoped WHERE ugc
            UNION ALL SELECT is_live, 'sponsored' FROM scoped WHERE sponsored)
        GROUP BY rel ORDER BY backlinks DESC, rel""")
    placement = q.rows("""
        SELECT placement, COUNT(*) AS backlinks, COUNT(*) FILTER (WHERE is_live) AS live_backlinks FROM (
            SELECT s.source_url, s.target_url, ANY_VALUE(s.is_live) AS is_live,
                   ARG_MAX(o.placement, o.observed_on) AS placement
            FROM scoped AS s JOIN link_observations AS o
              ON o.source_url = s.source_url AND o.target_url = s.target_url
            WHERE o.placement IS NOT NULL GROUP BY s.source_url, s.target_url)
        GROUP BY placement ORDER BY backlinks DESC, placement""")
    lost = q.rows("""
        SELECT COALESCE(lost_reason, 'unstated') AS lost_reason, COUNT(*) AS backlinks,
               MIN(lost_at) AS first_lost, MAX(lost_at) AS last_lost
        FROM scoped WHERE NOT is_live GROUP BY 1 ORDER BY backlinks DESC, lost_reason""")
    coverage = q.rows("""
        , per AS (SELECT UNNEST(source_systems) AS source_system, source_url, source_systems FROM scoped)
        SELECT source_system, COUNT(*) AS backlinks_seen,
               COUNT(*) FILTER (WHERE LEN(source_systems) = 1) AS backlinks_only_here,
               COUNT(*) / (SELECT COUNT(*) FROM scoped) AS backlinks_share,
               COUNT(DISTINCT source_url) AS linking_pages_seen
        FROM per GROUP BY source_system ORDER BY backlinks_seen DESC, source_system""")
    overlap = q.rows("""
        , pairs AS (
            SELECT a.s AS source_a, b.s AS source_b FROM scoped,
                   UNNEST(source_systems) AS a(s), UNNEST(source_systems) AS b(s) WHERE a.s < b.s)
        SELECT source_a, source_b, COUNT(*) AS shared_backlinks FROM pairs
        GROUP BY source_a, source_b ORDER BY shared_backlinks DESC, source_a, source_b""")
    top_pages = q.rows("""
        SELECT target_url, COUNT(*) AS backlinks, COUNT(*) FILTER (WHERE is_live) AS live_backlinks,
               COUNT(DISTINCT source_domain) AS referring_domains, MAX(last_seen) AS last_seen
        FROM scoped GROUP BY target_url ORDER BY referring_domains DESC, backlinks DESC, target_url LIMIT ?""",
        [pages])
    for page in top_pages:
        page["referring_domains_top"] = q.rows("""
            SELECT source_domain AS referring_domain, COUNT(*) AS backlinks,
                   COUNT(*) FILTER (WHERE is_live) AS live_backlinks, MAX(last_seen) AS last_seen
            FROM scoped WHERE target_url = ? GROUP BY source_domain
            ORDER BY backlinks DESC, referring_domain LIMIT ?""", [page["target_url"], limit])
        page["anchors_top"] = q.rows("""
            SELECT anchor_norm AS anchor, category, backlinks, live_backlinks, referring_domains
            FROM anchors_by_page WHERE target_url = ? ORDER BY backlinks DESC, anchor LIMIT ?""",
            [page["target_url"], limit]) if not filters.narrowed else []
    return {
        "scope": {"mode": scope.mode, "mode_label": scope.label, "value": scope.value, "display": scope.display,
                  "target_domain": scope.target_domain,
                  "target_domain_unicode": unicode_domain(scope.target_domain)},
        "filters": {"since": filters.since, "until": filters.until, "live_only": filters.live_only},
        "totals": totals, "freshness": freshness, "weekly": weekly, "spikes": spikes,
        "anchor_mix": anchor_mix, "top_anchors": top_anchors, "top_referring_domains": top_domains,
        "link_types": link_types, "rel": rel, "placement": placement, "lost_reasons": lost,
        "source_coverage": coverage, "source_overlap": overlap, "top_pages": top_pages,
    }


def _weekly(q: _Query, scope: Scope, filters: Filters) -> Rows:
    """Weekly velocity: the warehouse's table for a whole domain, else the same measures from the scope's
    backlinks (new on first_seen, lost on lost_at, weeks starting Monday)."""
    if scope.mode == "domain" and not filters.narrowed:
        return q.rows("""
            SELECT week_start, new_backlinks, lost_backlinks, new_referring_domains, lost_referring_domains,
                   live_backlinks, live_referring_domains, spike_days
            FROM link_velocity_weekly WHERE target_domain = ? ORDER BY week_start""", [scope.target_domain])
    return q.rows("""
        , events AS (
            SELECT DATE_TRUNC('week', first_seen)::DATE AS week_start, 1 AS new, 0 AS lost FROM scoped
            UNION ALL SELECT DATE_TRUNC('week', lost_at)::DATE, 0, 1 FROM scoped WHERE lost_at IS NOT NULL),
        weeks AS (SELECT week_start, SUM(new) AS new_backlinks, SUM(lost) AS lost_backlinks
                  FROM events GROUP BY week_start),
        domain_spans AS (
            SELECT source_domain, MIN(first_seen) AS first_seen,
                   CASE WHEN BOOL_OR(is_live) THEN NULL ELSE MAX(lost_at) END AS lost_at
            FROM scoped GROUP BY source_domain),
        domain_weeks AS (
            SELECT week_start, SUM(new) AS new_referring_domains, SUM(lost) AS lost_referring_domains FROM (
                SELECT DATE_TRUNC('week', first_seen)::DATE AS week_start, 1 AS new, 0 AS lost FROM domain_spans
                UNION ALL SELECT DATE_TRUNC('week', lost_at)::DATE, 0, 1 FROM domain_spans
                WHERE lost_at IS NOT NULL) GROUP BY week_start)
        SELECT w.week_start, w.new_backlinks, w.lost_backlinks,
               COALESCE(d.new_referring_domains, 0) AS new_referring_domains,
               COALESCE(d.lost_referring_domains, 0) AS lost_referring_domains,
               SUM(w.new_backlinks - w.lost_backlinks) OVER (ORDER BY w.week_start) AS live_backlinks,
               SUM(COALESCE(d.new_referring_domains, 0) - COALESCE(d.lost_referring_domains, 0))
                   OVER (ORDER BY w.week_start) AS live_referring_domains,
               0 AS spike_days
        FROM weeks AS w LEFT JOIN domain_weeks AS d USING (week_start) ORDER BY w.week_start""")
