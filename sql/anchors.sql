-- model: anchors
-- grain: one row per (target_domain, anchor_norm)
-- A backlink counts once per distinct anchor it was seen with. Categories, first match wins:
-- image_empty (empty text or alt), naked_url (the anchor is a URL or host name), generic (a stock phrase in
-- one of several languages), compound (brand term and keyword), branded, exact_match (equals a keyword),
-- partial_match (contains a keyword or a keyword token), other. Terms match whole tokens of anchor_key
-- (punctuation-free, space-separated): a term is a token sequence, so "acme" is in "acme tools" and
-- "Acme-Tools review" but not in "acmeville".
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
-- Anchors and terms as space-padded token sequences, so that POSITION finds whole tokens only. Scripts
-- written without spaces between words (Han, kana, Thai, Lao, Khmer, Myanmar) give no boundaries to match
-- at: each of their characters is a token, so "acme toolsの工具" holds "acme tools" and "電動工具" "工具".
tokenised AS (
    SELECT text, ' ' || TRIM(REGEXP_REPLACE(REGEXP_REPLACE(text,
               '([\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}])', ' \1 ', 'g'),
               '\s+', ' ', 'g')) || ' ' AS tokens
    FROM (SELECT anchor_key AS text FROM grouped UNION SELECT term FROM anchor_terms) AS texts
),
matches AS (
    SELECT
        g.target_domain, g.anchor_norm,
        BOOL_OR(t.kind = 'brand' AND POSITION(tt.tokens IN gt.tokens) > 0) AS has_brand,
        BOOL_OR(t.kind = 'keyword' AND POSITION(tt.tokens IN gt.tokens) > 0) AS has_keyword,
        BOOL_OR(t.kind = 'keyword' AND t.term = g.anchor_key) AS is_keyword,
        BOOL_OR(t.kind = 'keyword_token' AND POSITION(tt.tokens IN gt.tokens) > 0) AS has_token
    FROM grouped AS g
    JOIN tokenised AS gt ON gt.text = g.anchor_key
    LEFT JOIN anchor_terms AS t ON t.target_domain = g.target_domain
    LEFT JOIN tokenised AS tt ON tt.text = t.term
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
        WHEN g.anchor_norm = '' THEN 'image_empty'
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
