-- model: internal_links
-- grain: one row per (site): the registrable domain, or the host when internal_scope = 'host'
-- Links that stay inside one site are not backlinks; they are counted here instead.
SELECT
    CASE WHEN cfg.internal_scope = 'host' THEN o.target_host ELSE o.target_domain END AS site,
    COUNT(DISTINCT o.source_url || ' ' || o.target_url) AS internal_links,
    COUNT(DISTINCT o.source_url) AS linking_pages,
    COUNT(DISTINCT o.target_url) AS linked_pages,
    COUNT(*) AS observations
FROM link_observations AS o
CROSS JOIN build_settings AS cfg
WHERE CASE WHEN cfg.internal_scope = 'host' THEN o.source_host = o.target_host ELSE o.is_internal END
GROUP BY CASE WHEN cfg.internal_scope = 'host' THEN o.target_host ELSE o.target_domain END
ORDER BY site
