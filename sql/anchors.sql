-- model: anchors
-- grain: one row per (target_domain, anchor_norm)
-- depends_on: int_backlink_observations, backlinks, anchor_terms, generic_anchors
-- A backlink counts once per distinct anchor it was seen with. Categories, first match wins:
-- image_empty (empty text or alt), naked_url (the anchor is a URL or host name), generic (a stock phrase in
-- one of several languages), compound (brand term and keyword), branded, exact_match (equals a keyword),
-- partial_match (contains a keyword or a keyword token), other. Terms match on anchor_key (punctuation-free).
WITH uses AS (
    SELECT DISTINCT o.target_domain, o.anchor_norm, o.anchor_key, o.source_url, o.target_url, o.source_domain
    FROM int_backlink_observations AS o
    WHERE o.anchor_norm IS NOT NULL
),
spans AS (
    SELECT target_domain, anchor_norm,
           MIN(COALESCE(CAST(first_seen_claim AS DATE), observed_on)) AS first_seen,
           MAX(GREATEST(COALESCE(CAST(last_seen_claim AS DATE), observed_on), observed_on)) AS last_seen
    FROM int_backlink_observations WHERE anchor_norm IS NOT NULL
    GROUP BY target_domain, anchor_norm
),
grouped AS (
    SELECT
        u.target_domain,
        u.anchor_norm,
        MIN(u.anchor_key) AS anchor_key,
        COUNT(*) AS backlinks,
        COUNT(*) FILTER (WHERE b.is_live) AS live_backlinks,
        COUNT(DISTINCT u.source_domain) AS referring_domains,
        AVG(CASE WHEN b.dofollow THEN 1.0 WHEN NOT b.dofollow THEN 0.0 END) AS dofollow_share
    FROM uses AS u
    JOIN backlinks AS b ON b.source_url = u.source_url AND b.target_url = u.target_url
    GROUP BY u.target_domain, u.anchor_norm
),
matches AS (
    SELECT
        g.target_domain, g.anchor_norm,
        BOOL_OR(t.kind = 'brand' AND POSITION(t.term IN g.anchor_key) > 0) AS has_brand,
        BOOL_OR(t.kind = 'keyword' AND POSITION(t.term IN g.anchor_key) > 0) AS has_keyword,
        BOOL_OR(t.kind = 'keyword' AND t.term = g.anchor_key) AS is_keyword,
        BOOL_OR(t.kind = 'keyword_token'
                AND POSITION(' ' || t.term || ' ' IN ' ' || g.anchor_key || ' ') > 0) AS has_token
    FROM grouped AS g
    LEFT JOIN anchor_terms AS t ON t.target_domain = g.target_domain
    GROUP BY g.target_domain, g.anchor_norm
)
SELECT
    g.target_domain,
    g.anchor_norm,
    g.backlinks,
    g.live_backlinks,
    g.referring_domains,
    g.dofollow_share,
    s.first_seen,
    s.last_seen,
    CASE
        WHEN g.anchor_key = '' THEN 'image_empty'
        WHEN REGEXP_MATCHES(g.anchor_norm, '^(https?://)?([^\s/.]+\.)+[^\s/.0-9]{2,}(:[0-9]+)?(/\S*)?$')
            THEN 'naked_url'
        WHEN ga.anchor_key IS NOT NULL THEN 'generic'
        WHEN COALESCE(m.has_brand, FALSE) AND (COALESCE(m.has_keyword, FALSE) OR COALESCE(m.has_token, FALSE))
            THEN 'compound'
        WHEN COALESCE(m.has_brand, FALSE) THEN 'branded'
        WHEN COALESCE(m.is_keyword, FALSE) THEN 'exact_match'
        WHEN COALESCE(m.has_keyword, FALSE) OR COALESCE(m.has_token, FALSE) THEN 'partial_match'
        ELSE 'other'
    END AS category
FROM grouped AS g
JOIN spans AS s ON s.target_domain = g.target_domain AND s.anchor_norm = g.anchor_norm
JOIN matches AS m ON m.target_domain = g.target_domain AND m.anchor_norm = g.anchor_norm
LEFT JOIN (SELECT DISTINCT anchor_key FROM generic_anchors) AS ga ON ga.anchor_key = g.anchor_key
ORDER BY g.target_domain, g.backlinks DESC, g.anchor_norm
