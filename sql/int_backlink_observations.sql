-- model: int_backlink_observations
-- grain: one row per (file_id, row_number): an external link observation that stands for a backlink
-- Site-level rows (GSC link lists: "this page links to your site") are absorbed when another source names
-- the pages that page links to on the same site: they add nothing a page-level row does not say better.
-- Otherwise they stand as a backlink to the property root, the best that is known.
WITH page_level AS (
    SELECT DISTINCT source_url, target_domain FROM int_link_observations WHERE target_scope = 'page'
),
site_level AS (
    SELECT * FROM int_link_observations WHERE target_scope = 'site'
)
SELECT * FROM int_link_observations WHERE target_scope = 'page'
UNION ALL
SELECT s.*
FROM site_level AS s
LEFT JOIN page_level AS p ON p.source_url = s.source_url AND p.target_domain = s.target_domain
WHERE p.source_url IS NULL
