-- model: source_overlap
-- grain: one row per (target_domain, source_a, source_b): source_a < source_b
-- Pairwise overlap of two sources' linking pages for a target: how far one vendor confirms another.
WITH pages AS (
    SELECT DISTINCT target_domain, source_url, source_system FROM int_link_observations
),
sizes AS (
    SELECT target_domain, source_system, COUNT(*) AS pages FROM pages GROUP BY target_domain, source_system
),
pairs AS (
    SELECT a.target_domain, a.source_system AS source_a, b.source_system AS source_b, COUNT(*) AS shared
    FROM pages AS a
    JOIN pages AS b
        ON a.target_domain = b.target_domain AND a.source_url = b.source_url
        AND a.source_system < b.source_system
    GROUP BY a.target_domain, a.source_system, b.source_system
),
all_pairs AS (
    SELECT a.target_domain, a.source_system AS source_a, b.source_system AS source_b,
           a.pages AS pages_a, b.pages AS pages_b
    FROM sizes AS a
    JOIN sizes AS b ON a.target_domain = b.target_domain AND a.source_system < b.source_system
)
SELECT
    ap.target_domain,
    ap.source_a,
    ap.source_b,
    ap.pages_a,
    ap.pages_b,
    COALESCE(p.shared, 0) AS shared_pages,
    CAST(COALESCE(p.shared, 0) AS DOUBLE) / (ap.pages_a + ap.pages_b - COALESCE(p.shared, 0)) AS jaccard,
    CAST(COALESCE(p.shared, 0) AS DOUBLE) / ap.pages_a AS share_of_a_in_b,
    CAST(COALESCE(p.shared, 0) AS DOUBLE) / ap.pages_b AS share_of_b_in_a
FROM all_pairs AS ap
LEFT JOIN pairs AS p
    ON p.target_domain = ap.target_domain AND p.source_a = ap.source_a AND p.source_b = ap.source_b
ORDER BY ap.target_domain, ap.source_a, ap.source_b
