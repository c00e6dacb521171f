-- model: int_link_events
-- grain: one row per (source_url, target_url, event_date, kind, reason, source_system)
-- Evidence that a link was live or lost on a day. Live: the export date of a row that shows the link live,
-- and any first/last-seen claim. Lost: a vendor's lost claim, or absence from the next complete full
-- snapshot of the same (source system, report, export target). GSC lists are samples, never full snapshots,
-- and an export cut at a row cap is no evidence of absence. Crawls are never snapshots of a target's
-- backlinks: their losses come from re-fetches of the source page (int_crawl_link_events).
WITH claims AS (
    SELECT source_url, target_url, observed_on AS event_date, 'live' AS kind,
           CAST(NULL AS VARCHAR) AS reason, source_system
    FROM int_backlink_observations WHERE live_in_export
    UNION ALL
    SELECT source_url, target_url, CAST(first_seen_claim AS DATE), 'live', NULL, source_system
    FROM int_backlink_observations WHERE first_seen_claim IS NOT NULL
    UNION ALL
    SELECT source_url, target_url, CAST(last_seen_claim AS DATE), 'live', NULL, source_system
    FROM int_backlink_observations WHERE last_seen_claim IS NOT NULL
    UNION ALL
    SELECT source_url, target_url, CAST(COALESCE(lost_at_claim, observed_on) AS DATE), 'lost',
           COALESCE(lost_reason_claim, 'unstated'), source_system
    FROM int_backlink_observations WHERE NOT live_in_export
),
-- A snapshot is an export that was taken, recorded at ingest whether or not any row of it was kept: an
-- empty export, or one whose every row was quarantined, still shows that the earlier links are gone. Rows
-- of a file without that record (a lake part written before export_snapshots existed) still stand for it.
snapshot_files AS (
    SELECT source_system, report, export_target, observed_on, complete FROM export_snapshots
    UNION ALL
    SELECT DISTINCT o.source_system, o.report, o.export_target, o.observed_on, o.export_complete
    FROM int_backlink_observations AS o
    ANTI JOIN export_snapshots AS s ON s.file_id = o.file_id
),
snapshots AS (
    SELECT source_system, report, export_target, observed_on, BOOL_AND(complete) AS complete
    FROM snapshot_files
    WHERE source_system <> 'gsc' AND report NOT IN ('warc', 'wat') AND export_target IS NOT NULL
    GROUP BY source_system, report, export_target, observed_on
),
next_snapshot AS (
    SELECT source_system, report, export_target, observed_on,
           LEAD(observed_on) OVER w AS next_on,
           LEAD(complete) OVER w AS next_complete
    FROM snapshots
    WINDOW w AS (PARTITION BY source_system, report, export_target ORDER BY observed_on)
),
present AS (
    SELECT DISTINCT source_system, report, export_target, observed_on, source_url, target_url
    FROM int_backlink_observations
    WHERE source_system <> 'gsc' AND report NOT IN ('warc', 'wat') AND export_target IS NOT NULL
),
absent AS (
    SELECT p.source_url, p.target_url, n.next_on AS event_date, 'lost' AS kind,
           'absent_from_export' AS reason, p.source_system
    FROM present AS p
    JOIN next_snapshot AS n
        ON p.source_system = n.source_system AND p.report = n.report
        AND p.export_target = n.export_target AND p.observed_on = n.observed_on
    LEFT JOIN present AS later
        ON later.source_system = p.source_system AND later.report = p.report
        AND later.export_target = p.export_target AND later.observed_on = n.next_on
        AND later.source_url = p.source_url AND later.target_url = p.target_url
    WHERE n.next_on IS NOT NULL AND n.next_complete AND later.source_url IS NULL
)
SELECT DISTINCT source_url, target_url, event_date, kind, reason, source_system FROM claims
UNION
SELECT source_url, target_url, event_date, kind, reason, source_system FROM absent
UNION
SELECT source_url, target_url, event_date, kind, reason, source_system FROM int_crawl_link_events
