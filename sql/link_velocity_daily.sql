-- model: link_velocity_daily
-- grain: one row per (target_domain, day) on which the target had an event
-- New and lost backlinks and referring domains per day (non-cumulative), and live totals at the end of the
-- day. Rows exist only for event days (a new or lost backlink or referring domain, or a coverage change):
-- a first-seen claim from 1991 adds one row, not a row for every day since. A day between two rows of a
-- target had no events: zero new and lost, live totals as on the row before, never a spike; the spike
-- baseline counts it as a zero. Spike flag: robust z = (x - median) / max(1.4826 * MAD, 1) over the
-- trailing `spike_window_days` (the day itself excluded, days before the target's first event not counted);
-- a day is a spike when z >= `spike_threshold`, x >= `spike_min_count`, at least 7 baseline days exist, and
-- crawl coverage did not change that day. x counts only dated events: links whose discovery date a source
-- stated, and losses with a stated date and reason. Links that merely appear in an export (or vanish from
-- one) are dated by the export, so they pile up on export days: that is coverage, not velocity, and a
-- source's first export of a target would otherwise always look like a spike.
WITH new_bl AS (
    SELECT target_domain, first_seen AS day, COUNT(*) AS n, COUNT(*) FILTER (WHERE first_seen_stated) AS dated
    FROM backlinks GROUP BY target_domain, first_seen
),
lost_bl AS (
    SELECT target_domain, lost_at AS day, COUNT(*) AS n,
           COUNT(*) FILTER (WHERE lost_reason NOT IN ('absent_from_export', 'unstated', 'page_dropped')) AS dated
    FROM backlinks
    WHERE lost_at IS NOT NULL GROUP BY target_domain, lost_at
),
new_rd AS (
    SELECT target_domain, first_seen AS day, COUNT(*) AS n FROM referring_domains
    GROUP BY target_domain, first_seen
),
lost_rd AS (
    SELECT target_domain, lost_at AS day, COUNT(*) AS n FROM referring_domains
    WHERE lost_at IS NOT NULL GROUP BY target_domain, lost_at
),
coverage AS (
    SELECT DISTINCT target_domain, first_on AS day FROM (
        SELECT target_domain, source_system, report, MIN(observed_on) AS first_on
        FROM int_link_observations GROUP BY target_domain, source_system, report
    ) AS firsts
),
event_days AS (
    SELECT target_domain, day FROM new_bl
    UNION SELECT target_domain, day FROM lost_bl
    UNION SELECT target_domain, day FROM new_rd
    UNION SELECT target_domain, day FROM lost_rd
    UNION SELECT target_domain, day FROM coverage
),
daily AS (
    SELECT
        d.target_domain,
        d.day,
        COALESCE(nb.n, 0) AS new_backlinks,
        COALESCE(lb.n, 0) AS lost_backlinks,
        COALESCE(nb.dated, 0) AS new_backlinks_dated,
        COALESCE(lb.dated, 0) AS lost_backlinks_dated,
        COALESCE(nr.n, 0) AS new_referring_domains,
        COALESCE(lr.n, 0) AS lost_referring_domains,
        c.day IS NOT NULL AS coverage_changed
    FROM event_days AS d
    LEFT JOIN new_bl AS nb ON nb.target_domain = d.target_domain AND nb.day = d.day
    LEFT JOIN lost_bl AS lb ON lb.target_domain = d.target_domain AND lb.day = d.day
    LEFT JOIN new_rd AS nr ON nr.target_domain = d.target_domain AND nr.day = d.day
    LEFT JOIN lost_rd AS lr ON lr.target_domain = d.target_domain AND lr.day = d.day
    LEFT JOIN coverage AS c ON c.target_domain = d.target_domain AND c.day = d.day
),
-- The trailing window holds baseline_days calendar days; the event days in it are collected by the frame
-- and the quiet ones are padded in as zeros, so the median and MAD are those of every day in the window.
windowed AS (
    SELECT
        d.*,
        LEAST(cfg.spike_window_days, DATE_DIFF('day', MIN(d.day) OVER (PARTITION BY d.target_domain), d.day))
            AS baseline_days,
        COALESCE(LIST(d.new_backlinks_dated) OVER earlier, []) AS prior_new,
        COALESCE(LIST(d.lost_backlinks_dated) OVER earlier, []) AS prior_lost
    FROM daily AS d
    CROSS JOIN build_settings AS cfg
    WINDOW earlier AS (
        PARTITION BY d.target_domain ORDER BY d.day
        RANGE BETWEEN INTERVAL (cfg.spike_window_days) DAY PRECEDING AND INTERVAL 1 DAY PRECEDING
    )
),
baseline AS (
    SELECT target_domain, day, 'new' AS measure, new_backlinks_dated AS x, baseline_days,
           LIST_CONCAT(LIST_TRANSFORM(RANGE(baseline_days - ARRAY_LENGTH(prior_new)), i -> 0), prior_new) AS xs
    FROM windowed
    UNION ALL
    SELECT target_domain, day, 'lost', lost_backlinks_dated, baseline_days,
           LIST_CONCAT(LIST_TRANSFORM(RANGE(baseline_days - ARRAY_LENGTH(prior_lost)), i -> 0), prior_lost)
    FROM windowed
),
-- The k-th smallest of a list is its least value with at least k values at or below it; the median is the
-- mean of the ((n + 1) // 2)-th and (n // 2 + 1)-th smallest (the same element when n is odd).
centred AS (
    SELECT b.*,
        (LIST_MIN(LIST_FILTER(xs, v -> ARRAY_LENGTH(LIST_FILTER(xs, u -> u <= v)) >= (baseline_days + 1) // 2))
         + LIST_MIN(LIST_FILTER(xs, v -> ARRAY_LENGTH(LIST_FILTER(xs, u -> u <= v)) >= baseline_days // 2 + 1))
        ) / 2.0 AS med
    FROM baseline AS b
),
spread AS (
    SELECT c.target_domain, c.day, c.measure, c.baseline_days,
        (c.x - c.med) / GREATEST(1.4826 * (
            LIST_MIN(LIST_FILTER(c.devs, v -> ARRAY_LENGTH(LIST_FILTER(c.devs, u -> u <= v)) >= (c.baseline_days + 1) // 2))
            + LIST_MIN(LIST_FILTER(c.devs, v -> ARRAY_LENGTH(LIST_FILTER(c.devs, u -> u <= v)) >= c.baseline_days // 2 + 1))
        ) / 2.0, 1.0) AS robust_z
    FROM (SELECT *, LIST_TRANSFORM(xs, v -> ABS(v - med)) AS devs FROM centred) AS c
),
scored AS (
    SELECT
        d.*,
        sn.robust_z AS robust_z_new,
        sl.robust_z AS robust_z_lost,
        sn.baseline_days
    FROM daily AS d
    JOIN spread AS sn ON sn.target_domain = d.target_domain AND sn.day = d.day AND sn.measure = 'new'
    JOIN spread AS sl ON sl.target_domain = d.target_domain AND sl.day = d.day AND sl.measure = 'lost'
)
SELECT
    sc.target_domain,
    sc.day,
    sc.new_backlinks,
    sc.lost_backlinks,
    sc.new_referring_domains,
    sc.lost_referring_domains,
    sc.new_backlinks_dated,
    sc.lost_backlinks_dated,
    CAST(SUM(sc.new_backlinks - sc.lost_backlinks) OVER running AS BIGINT) AS live_backlinks,
    CAST(SUM(sc.new_referring_domains - sc.lost_referring_domains) OVER running AS BIGINT) AS live_referring_domains,
    sc.coverage_changed,
    sc.robust_z_new,
    sc.robust_z_lost,
    (sc.baseline_days >= 7 AND NOT sc.coverage_changed AND sc.new_backlinks_dated >= cfg.spike_min_count
        AND sc.robust_z_new >= cfg.spike_threshold) AS is_spike_new,
    (sc.baseline_days >= 7 AND NOT sc.coverage_changed AND sc.lost_backlinks_dated >= cfg.spike_min_count
        AND sc.robust_z_lost >= cfg.spike_threshold) AS is_spike_lost
FROM scored AS sc
CROSS JOIN build_settings AS cfg
WINDOW running AS (PARTITION BY sc.target_domain ORDER BY sc.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
ORDER BY sc.target_domain, sc.day
