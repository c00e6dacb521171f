-- model: anchors_by_page
-- grain: one row per (target_url, anchor_norm)
-- The anchor mix of one landing page: the same counting as anchors (a backlink counts once per distinct
-- anchor it was seen with), grouped by the target page. The category is the domain-level one from anchors,
-- so one anchor reads the same on every page of a site.
WITH uses AS (
    SELECT DISTINCT o.target_domain, o.target_url, o.anchor_norm, o.source_url, o.source_domain
    FROM int_backlink_observations AS o
    WHERE o.anchor_norm IS NOT NULL
),
spans AS (
    SELECT target_url, anchor_norm,
           MIN(COALESCE(CAST(first_seen_claim AS DATE), observed_on)) AS first_seen,
           MAX(GREATEST(COALESCE(CAST(last_seen_claim AS DATE), observed_on), observed_on)) AS last_seen
    FROM int_backlink_observations WHERE anchor_norm IS NOT NULL
    GROUP BY target_url, anchor_norm
),
grouped AS (
    SELECT
        u.target_url,
        u.anchor_norm,
        ANY_VALUE(u.target_domain) AS target_domain,
        COUNT(*) AS backlinks,
        COUNT(*) FILTER (WHERE b.is_live) AS live_backlinks,
        COUNT(DISTINCT u.source_domain) AS referring_domains,
        AVG(CASE WHEN b.dofollow THEN 1.0 WHEN NOT b.dofollow THEN 0.0 END) AS dofollow_share
    FROM uses AS u
    JOIN backlinks AS b ON b.source_url = u.source_url AND b.target_url = u.target_url
    GROUP BY u.target_url, u.anchor_norm
)
SELECT
    g.target_domain,
    g.target_url,
    g.anchor_norm,
    g.backlinks,
    g.live_backlinks,
    g.referring_domains,
    g.dofollow_share,
    s.first_seen,
    s.last_seen,
    a.category
FROM grouped AS g
JOIN spans AS s ON s.target_url = g.target_url AND s.anchor_norm = g.anchor_norm
JOIN anchors AS a ON a.target_domain = g.target_domain AND a.anchor_norm = g.anchor_norm
ORDER BY g.target_domain, g.target_url, g.backlinks DESC, g.anchor_norm
