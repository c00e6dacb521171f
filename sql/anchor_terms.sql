-- model: anchor_terms
-- grain: one row per (target_domain, kind, term)
-- depends_on: link_observations, configured_anchor_terms
-- Brand terms default to the target's domain label in three spellings ("acme-tools" -> "acme tools",
-- "acmetools", "acme-tools"); configured brand terms and keywords come from linkindex.toml, already normalised
-- the way anchor_key is. Keyword tokens of four or more characters drive partial matches, unless the word
-- is also part of a brand term ("tools" in "hand tools" must not make "Acme Tools" a keyword anchor).
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
brand_words AS (
    SELECT DISTINCT b.target_domain, w.word
    FROM (SELECT target_domain, term FROM defaults UNION
          SELECT target_domain, term FROM configured WHERE kind = 'brand') AS b,
         UNNEST(STRING_SPLIT(b.term, ' ')) AS w(word)
),
keyword_words AS (
    SELECT DISTINCT c.target_domain, t.token
    FROM configured AS c, UNNEST(STRING_SPLIT(c.term, ' ')) AS t(token)
    WHERE c.kind = 'keyword' AND LENGTH(t.token) >= 4
),
tokens AS (
    SELECT k.target_domain, 'keyword_token' AS kind, k.token AS term
    FROM keyword_words AS k
    LEFT JOIN brand_words AS bw ON bw.target_domain = k.target_domain AND bw.word = k.token
    WHERE bw.word IS NULL
)
SELECT DISTINCT target_domain, kind, term FROM (
    SELECT * FROM defaults UNION ALL SELECT * FROM configured UNION ALL SELECT * FROM tokens
) AS all_terms
WHERE term <> ''
ORDER BY target_domain, kind, term
