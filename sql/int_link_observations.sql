-- model: int_link_observations
-- grain: one row per (file_id, row_number): an external link observation
-- Internal links are left out here; `internal_scope` picks whether subdomains of one site count as external.
SELECT
    o.*,
    CASE
        WHEN o.nofollow IS NULL AND o.ugc IS NULL AND o.sponsored IS NULL THEN NULL
        ELSE NOT (COALESCE(o.nofollow, FALSE) OR COALESCE(o.ugc, FALSE) OR COALESCE(o.sponsored, FALSE))
    END AS dofollow,
    (o.lost_at_claim IS NULL AND NOT COALESCE(o.lost_flag_claim, FALSE)) AS live_in_export,
    ROW_NUMBER() OVER (
        PARTITION BY o.source_url, o.target_url ORDER BY o.observed_on, o.file_id, o.row_number
    ) AS obs_rank
FROM link_observations AS o
CROSS JOIN build_settings AS s
WHERE CASE WHEN s.internal_scope = 'host' THEN o.source_host <> o.target_host ELSE NOT o.is_internal END
