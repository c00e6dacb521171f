-- model: anchor_terms
-- grain: one row per (target_domain, kind, term)
-- Every term is in anchor_key form, made by one Python normaliser (pipelines/stage/anchors.py term_key):
-- brand terms default to the target's Unicode domain label spaced, joined and split into its words
-- (label_brand_terms, made by pipelines/stage/brand.py: "acme-tools" -> "acme tools", "acmetools");
-- configured brand terms and keywords come from linkindex.toml (configured_anchor_terms). Keyword tokens of
-- four or more characters drive partial matches, unless the word is also part of a brand term ("tools" in
-- "hand tools" must not make "Acme Tools" a keyword anchor).
WITH defaults AS (
    SELECT target_domain, 'brand' AS kind, term FROM label_brand_terms
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
