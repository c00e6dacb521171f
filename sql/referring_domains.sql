-- model: referring_domains
-- grain: one row per (target_domain, referring_domain)
-- Sitewide: the referring domain links to the target from at least `sitewide_min_share` of its known pages
-- and at least `sitewide_min_pages` pages, or a vendor flags its links sitewide. Its known pages are every
-- page of that domain seen as a link source in any input, or the pages a vendor says it crawled there
-- (Majestic's CrawledURLs), whichever is larger: vendor exports list only linking pages, so without a
-- crawl count the share is an upper bound. IP and /24 subnet come from the newest vendor
-- referring-domains row that states an IP. Vendor rows match on referring_domain, staged from the raw value
-- by the same Python domain code as link rows' source_domain (pipelines/stage/aggregates.py), so IDN,
-- upper-case and www. spellings of one domain meet.
WITH seen_pages AS (
    SELECT source_domain, COUNT(DISTINCT source_url) AS pages
    FROM link_observations GROUP BY source_domain
),
crawled_pages AS (
    SELECT referring_domain, MAX(TRY_CAST(metrics['crawledurls'] AS BIGINT)) AS pages
    FROM vendor_referring_domains
    GROUP BY referring_domain
),
known_pages AS (
    SELECT s.source_domain, GREATEST(s.pages, COALESCE(c.pages, 0)) AS known_pages
    FROM seen_pages AS s LEFT JOIN crawled_pages AS c ON c.referring_domain = s.source_domain
),
vendor_ip AS (
    SELECT referring_domain, ip FROM (
        SELECT referring_domain, ip,
               ROW_NUMBER() OVER (
                   PARTITION BY referring_domain
                   ORDER BY observed_on DESC, source_system, file_id, row_number
               ) AS rn
        FROM vendor_referring_domains
        WHERE ip IS NOT NULL AND ip <> ''
    ) AS ranked WHERE rn = 1
),
crawl_ip AS (
    SELECT target_domain, referring_domain, ip FROM (
        SELECT target_domain, source_domain AS referring_domain, source_ip AS ip,
               ROW_NUMBER() OVER (
                   PARTITION BY target_domain, source_domain ORDER BY last_seen_claim DESC, source_ip
               ) AS rn
        FROM int_backlink_observations
        WHERE source_ip IS NOT NULL AND source_ip <> ''
    ) AS ranked WHERE rn = 1
),
grouped AS (
    SELECT
        target_domain,
        source_domain AS referring_domain,
        COUNT(*) AS backlinks,
        COUNT(*) FILTER (WHERE is_live) AS live_backlinks,
        COUNT(*) FILTER (WHERE is_live AND dofollow) AS dofollow_backlinks,
        COUNT(*) FILTER (WHERE is_live AND placement IS NOT NULL) AS placed_backlinks,
        COUNT(*) FILTER (WHERE is_live AND placement = 'main') AS content_backlinks,
        COUNT(DISTINCT target_url) AS target_pages_linked,
        COUNT(DISTINCT source_url) AS linking_pages,
        COUNT(DISTINCT source_host) AS referring_hosts,
        MIN(first_seen) AS first_seen,
        MAX(last_seen) AS last_seen,
        MAX(lost_at) AS last_lost_at,
        BOOL_OR(sitewide_claim) AS sitewide_claim
    FROM backlinks
    GROUP BY target_domain, source_domain
)
SELECT
    g.target_domain,
    g.referring_domain,
    g.backlinks,
    g.live_backlinks,
    g.dofollow_backlinks,
    g.placed_backlinks,
    g.content_backlinks,
    g.target_pages_linked,
    g.linking_pages,
    g.referring_hosts,
    k.known_pages,
    g.first_seen,
    g.last_seen,
    CASE WHEN g.live_backlinks = 0 THEN g.last_lost_at END AS lost_at,
    g.live_backlinks > 0 AS is_live,
    (
        g.sitewide_claim
        OR (g.linking_pages >= cfg.sitewide_min_pages
            AND CAST(g.linking_pages AS DOUBLE) / k.known_pages >= cfg.sitewide_min_share)
    ) AS is_sitewide,
    COALESCE(c.ip, v.ip) AS ip,
    CASE WHEN c.ip IS NOT NULL THEN 'crawl' WHEN v.ip IS NOT NULL THEN 'vendor' END AS ip_source,
    CASE WHEN REGEXP_MATCHES(COALESCE(c.ip, v.ip), '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$')
         THEN REGEXP_EXTRACT(COALESCE(c.ip, v.ip), '^([0-9]+\.[0-9]+\.[0-9]+)\.', 1) || '.0/24' END AS subnet_24
FROM grouped AS g
CROSS JOIN build_settings AS cfg
JOIN known_pages AS k ON k.source_domain = g.referring_domain
LEFT JOIN crawl_ip AS c ON c.target_domain = g.target_domain AND c.referring_domain = g.referring_domain
LEFT JOIN vendor_ip AS v ON v.referring_domain = g.referring_domain
ORDER BY g.target_domain, g.referring_domain
