-- model: anchor_terms
-- grain: one row per (target_domain, kind, term)
-- depends_on: link_observations, configured_anchor_terms
-- Brand terms default to the target's domain label in three spellings ("acme-tools" -> "acme tools",
-- "acmetools", "acme-tools"); configured brand terms and keywords come from linkindex.toml, already normalised
-- the way anchor_key is. Keyword tokens of four or more characters drive partial matches.
WITH labels AS (
    SELECT DISTINCT target_domain, LOWER(target_domain_label) AS label FROM link_observations
),
defaults AS (
    SELECT target_domain, 'brand' AS kind, REPLACE(label, '-', ' ') AS term FROM labels
    UNION SELECT target_domain, 'brand', REPLACE(label, '-', '') FROM labels
    UNION SELECT target_domain, 'brand', label FROM labels
),
configured AS (
    SELECT target_domain, kind, term FROM configured_anchor_terms
),
tokens AS (
    SELECT target_domain, 'keyword_token' AS kind, token AS term
    FROM configured, UNNEST(STRING_SPLIT(term, ' ')) AS t(token)
    WHERE kind = 'keyword' AND LENGTH(token) >= 4
)
SELECT DISTINCT target_domain, kind, term FROM (
    SELECT * FROM defaults UNION ALL SELECT * FROM configured UNION ALL SELECT * FROM tokens
) AS all_terms
WHERE term <> ''
ORDER BY target_domain, kind, term
