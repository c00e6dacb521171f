-- model: backlinks
-- grain: one row per (source_url, target_url): merged across every source system and snapshot
-- first_seen/last_seen: earliest and latest evidence of the link live, from any source. A lost event counts
-- only if no source saw the link live after it. On the same day, a loss a vendor states with its reason
-- beats live evidence (vendors report Last seen and Lost at day precision, and the loss comes second),
-- while weak evidence (`absent_from_export`, `unstated`) loses to any source showing the link live that
-- day. The earliest counting event gives lost_at and lost_reason. A link with no lost event
-- whose last evidence is older than `page_dropped_days` before the newest coverage that could have seen it
-- again (link_horizon) is `page_dropped`. A lost event followed by live evidence makes the link
-- `linkrestored`. Otherwise a link is `pagefound` when it is as old as the first sighting of its page (any
-- link, any fetch), else `linkfound`.
WITH live AS (
    SELECT source_url, target_url, MIN(event_date) AS first_live, MAX(event_date) AS last_live
    FROM int_link_events WHERE kind = 'live'
    GROUP BY source_url, target_url
),
attrs AS (
    SELECT
        source_url, target_url,
        MIN(source_host) AS source_host, MIN(source_domain) AS source_domain,
        MIN(target_host) AS target_host, MIN(target_domain) AS target_domain,
        MIN(observed_on) AS first_observed_on, MAX(observed_on) AS last_observed_on,
        MIN(CAST(first_seen_claim AS DATE)) AS first_seen_claimed,
        ARG_MAX(nofollow, obs_rank) FILTER (WHERE nofollow IS NOT NULL) AS nofollow,
        ARG_MAX(ugc, obs_rank) FILTER (WHERE ugc IS NOT NULL) AS ugc,
        ARG_MAX(sponsored, obs_rank) FILTER (WHERE sponsored IS NOT NULL) AS sponsored,
        ARG_MAX(dofollow, obs_rank) FILTER (WHERE dofollow IS NOT NULL) AS dofollow,
        COALESCE(ARG_MAX(link_type, obs_rank) FILTER (WHERE link_type <> 'unknown'), 'unknown') AS link_type,
        ARG_MAX(anchor, obs_rank) FILTER (WHERE anchor IS NOT NULL) AS latest_anchor,
        COUNT(DISTINCT anchor_norm) AS anchor_count,
        ARG_MAX(new_reason_claim, obs_rank) FILTER (WHERE new_reason_claim IS NOT NULL) AS new_reason_claim,
        BOOL_OR(COALESCE(is_sitewide_claim, FALSE)) AS sitewide_claim,
        ARRAY_AGG(DISTINCT source_system ORDER BY source_system) AS source_systems,
        COUNT(*) AS observations
    FROM int_backlink_observations
    GROUP BY source_url, target_url
),
spans AS (
    SELECT a.*,
           COALESCE(l.first_live, a.first_observed_on) AS first_seen,
           COALESCE(l.last_live, a.first_observed_on) AS last_seen
    FROM attrs AS a LEFT JOIN live AS l USING (source_url, target_url)
),
loss_days AS (
    SELECT e.source_url, e.target_url, e.event_date, e.reason
    FROM int_link_events AS e
    LEFT JOIN int_link_events AS same_day_live
        ON same_day_live.kind = 'live' AND same_day_live.source_url = e.source_url
        AND same_day_live.target_url = e.target_url AND same_day_live.event_date = e.event_date
    WHERE e.kind = 'lost'
        AND (same_day_live.source_url IS NULL OR e.reason NOT IN ('absent_from_export', 'unstated'))
),
current_loss AS (
    SELECT source_url, target_url, event_date AS lost_at, reason AS lost_reason
    FROM (
        SELECT d.*, ROW_NUMBER() OVER (
            PARTITION BY d.source_url, d.target_url
            ORDER BY d.event_date, CASE WHEN d.reason IN ('absent_from_export', 'unstated') THEN 1 ELSE 0 END,
                     d.reason
        ) AS rn
        FROM loss_days AS d JOIN spans AS s USING (source_url, target_url)
        WHERE d.event_date >= s.last_seen
    ) AS ranked
    WHERE rn = 1
),
restored AS (
    SELECT DISTINCT d.source_url, d.target_url
    FROM loss_days AS d JOIN spans AS s USING (source_url, target_url)
    WHERE d.event_date > s.first_seen AND d.event_date < s.last_seen
),
-- Placement: from the newest crawl capture showing the link (sql/int_link_placement.sql); a page linking the
-- target more than once is `main` when one of those links is in its content, else its first link's. Null
-- when no crawl read the link from HTML (vendor rows, WAT).
crawl_placement AS (
    SELECT source_url, target_url, placement FROM (
        SELECT
            o.source_url, o.target_url, p.placement,
            ROW_NUMBER() OVER (
                PARTITION BY o.source_url, o.target_url
                ORDER BY o.observed_on DESC, o.last_seen_claim DESC NULLS LAST, o.file_id DESC,
                         CASE WHEN p.placement = 'main' THEN 0 ELSE 1 END, o.row_number
            ) AS rn
        FROM int_backlink_observations AS o
        JOIN int_link_placement AS p ON p.file_id = o.file_id AND p.row_number = o.row_number
    ) AS ranked
    WHERE rn = 1
),
page_first_fetch AS (
    SELECT url AS source_url, MIN(CAST(fetched_at AS DATE)) AS first_fetch
    FROM page_observations WHERE url IS NOT NULL GROUP BY url
),
-- Staleness is judged only by evidence that could have seen the link again: a later export of the same
-- (source system, report, export target), or a later fetch of the same page by the same crawl. Newer rows
-- of another source, or another page linking the same target, say nothing about this link. GSC lists are
-- samples and an unchanged re-fetch (304, revisit) re-sees the page's links, so neither is coverage here.
export_horizon AS (
    SELECT source_system, report, export_target, MAX(observed_on) AS as_of
    FROM int_link_observations
    WHERE source_system <> 'gsc' AND report NOT IN ('warc', 'wat')
    GROUP BY source_system, report, export_target
),
page_horizon AS (
    SELECT source_url, source_system, MAX(seen_on) AS as_of FROM (
        SELECT url AS source_url, source_system, CAST(fetched_at AS DATE) AS seen_on
        FROM page_observations
        WHERE url IS NOT NULL AND fetched_at IS NOT NULL AND record_type <> 'revisit'
            AND COALESCE(http_status <> 304, TRUE)
        UNION ALL
        SELECT source_url, source_system, observed_on FROM int_link_observations WHERE report IN ('warc', 'wat')
    ) AS coverage
    GROUP BY source_url, source_system
),
link_sources AS (
    SELECT DISTINCT source_url, target_url, source_system, report, export_target FROM int_backlink_observations
),
link_horizon AS (
    SELECT l.source_url, l.target_url, MAX(COALESCE(e.as_of, p.as_of)) AS as_of
    FROM link_sources AS l
    LEFT JOIN export_horizon AS e
        ON l.report NOT IN ('warc', 'wat') AND e.source_system = l.source_system AND e.report = l.report
        AND e.export_target IS NOT DISTINCT FROM l.export_target
    LEFT JOIN page_horizon AS p
        ON l.report IN ('warc', 'wat') AND p.source_url = l.source_url AND p.source_system = l.source_system
    GROUP BY l.source_url, l.target_url
),
resolved AS (
    SELECT
        s.*,
        CASE
            WHEN c.lost_at IS NOT NULL THEN c.lost_at
            WHEN s.last_seen < h.as_of - cfg.page_dropped_days THEN s.last_seen + cfg.page_dropped_days
        END AS lost_at,
        CASE
            WHEN c.lost_at IS NOT NULL THEN c.lost_reason
            WHEN s.last_seen < h.as_of - cfg.page_dropped_days THEN 'page_dropped'
        END AS lost_reason,
        r.source_url IS NOT NULL AS was_restored,
        pf.first_fetch,
        cp.placement
    FROM spans AS s
    CROSS JOIN build_settings AS cfg
    LEFT JOIN link_horizon AS h USING (source_url, target_url)
    LEFT JOIN current_loss AS c USING (source_url, target_url)
    LEFT JOIN restored AS r USING (source_url, target_url)
    LEFT JOIN page_first_fetch AS pf ON pf.source_url = s.source_url
    LEFT JOIN crawl_placement AS cp USING (source_url, target_url)
)
SELECT
    source_url,
    target_url,
    source_host,
    source_domain,
    target_host,
    target_domain,
    first_seen,
    COALESCE(first_seen = first_seen_claimed, FALSE) AS first_seen_stated,
    last_seen,
    lost_at,
    lost_reason,
    lost_at IS NULL AS is_live,
    CASE
        WHEN was_restored THEN 'linkrestored'
        WHEN new_reason_claim IS NOT NULL THEN new_reason_claim
        WHEN first_seen = MIN(first_seen) OVER (PARTITION BY source_url)
            AND (first_fetch IS NULL OR first_fetch >= first_seen) THEN 'pagefound'
        ELSE 'linkfound'
    END AS new_reason,
    nofollow,
    ugc,
    sponsored,
    dofollow,
    link_type,
    placement,
    latest_anchor,
    anchor_count,
    sitewide_claim,
    source_systems,
    observations
FROM resolved
ORDER BY target_domain, source_url, target_url
