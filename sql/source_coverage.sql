-- model: source_coverage
-- grain: one row per (target_domain, source_system)
-- How much of the union of all sources each source sees. Two grains: linking pages (source_url, target
-- domain), which every source shares (GSC names no target page), and backlinks (source_url, target_url).
-- Backlinks come from int_backlink_observations, the rows backlinks is built from, so a GSC site-level row
-- absorbed into page-level rows is no backlink of its own here either. Linking pages keep those rows: GSC
-- did list the page, and absorption needs another source's row for the same page and target domain, so
-- the set of linking pages, and its total, is the same as backlinks' either way.
WITH pages AS (
    SELECT DISTINCT target_domain, source_url, source_system FROM int_link_observations
),
page_systems AS (
    SELECT target_domain, source_url, COUNT(*) AS systems FROM pages GROUP BY target_domain, source_url
),
links AS (
    SELECT DISTINCT target_domain, source_url, target_url, source_system FROM int_backlink_observations
),
link_systems AS (
    SELECT target_domain, source_url, target_url, COUNT(*) AS systems
    FROM links GROUP BY target_domain, source_url, target_url
),
page_totals AS (SELECT target_domain, COUNT(*) AS pages FROM page_systems GROUP BY target_domain),
link_totals AS (SELECT target_domain, COUNT(*) AS backlinks FROM link_systems GROUP BY target_domain),
by_page AS (
    SELECT p.target_domain, p.source_system,
           COUNT(*) AS linking_pages_seen,
           COUNT(*) FILTER (WHERE s.systems = 1) AS linking_pages_only_here
    FROM pages AS p
    JOIN page_systems AS s ON s.target_domain = p.target_domain AND s.source_url = p.source_url
    GROUP BY p.target_domain, p.source_system
),
by_link AS (
    SELECT l.target_domain, l.source_system,
           COUNT(*) AS backlinks_seen,
           COUNT(*) FILTER (WHERE s.systems = 1) AS backlinks_only_here
    FROM links AS l
    JOIN link_systems AS s
        ON s.target_domain = l.target_domain AND s.source_url = l.source_url AND s.target_url = l.target_url
    GROUP BY l.target_domain, l.source_system
)
SELECT
    bp.target_domain,
    bp.source_system,
    bp.linking_pages_seen,
    bp.linking_pages_only_here,
    pt.pages AS linking_pages_all_sources,
    CAST(bp.linking_pages_seen AS DOUBLE) / pt.pages AS linking_pages_share,
    COALESCE(bl.backlinks_seen, 0) AS backlinks_seen,
    COALESCE(bl.backlinks_only_here, 0) AS backlinks_only_here,
    lt.backlinks AS backlinks_all_sources,
    CAST(COALESCE(bl.backlinks_seen, 0) AS DOUBLE) / lt.backlinks AS backlinks_share
FROM by_page AS bp
-- A source whose every row was absorbed listed linking pages but holds no backlink of its own.
LEFT JOIN by_link AS bl ON bl.target_domain = bp.target_domain AND bl.source_system = bp.source_system
JOIN page_totals AS pt ON pt.target_domain = bp.target_domain
JOIN link_totals AS lt ON lt.target_domain = bp.target_domain
ORDER BY bp.target_domain, bp.source_system
