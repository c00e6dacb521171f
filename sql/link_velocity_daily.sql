-- model: link_velocity_daily
-- grain: one row per (target_domain, day)
-- depends_on: backlinks, referring_domains, int_link_observations, build_settings
-- New and lost backlinks and referring domains per day (non-cumulative), and live totals at the end of the
-- day. Spike flag: robust z = (x - median) / max(1.4826 * MAD, 1) over the trailing `spike_window_days`
-- (the day itself excluded); a day is a spike when z >= `spike_threshold`, x >= `spike_min_count`, at least
-- 7 baseline days exist, and crawl coverage did not change that day. x counts only dated events: links
-- whose discovery date a source stated, and losses with a stated date and reason. Links that merely appear
-- in an export (or vanish from one) are dated by the export, so they pile up on export days: that is
-- coverage, not velocity, and a source's first export of a target would otherwise always look like a spike.
WITH bounds AS (
    SELECT target_domain, MIN(first_seen) AS lo,
           MAX(CASE WHEN lost_at > last_seen THEN lost_at ELSE last_seen END) AS hi
    FROM backlinks GROUP BY target_domain
),
days AS (
    SELECT b.target_domain, CAST(t.d AS DATE) AS day
    FROM bounds AS b,
         UNNEST(GENERATE_SERIES(CAST(b.lo AS TIMESTAMP), CAST(b.hi AS TIMESTAMP), INTERVAL 1 DAY)) AS t(d)
),
new_bl AS (
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
    FROM days AS d
    LEFT JOIN new_bl AS nb ON nb.target_domain = d.target_domain AND nb.day = d.day
    LEFT JOIN lost_bl AS lb ON lb.target_domain = d.target_domain AND lb.day = d.day
    LEFT JOIN new_rd AS nr ON nr.target_domain = d.target_domain AND nr.day = d.day
    LEFT JOIN lost_rd AS lr ON lr.target_domain = d.target_domain AND lr.day = d.day
    LEFT JOIN coverage AS c ON c.target_domain = d.target_domain AND c.day = d.day
),
baseline AS (
    SELECT d.target_domain, d.day, COUNT(*) AS baseline_days,
           MEDIAN(p.new_backlinks_dated) AS med_new, MEDIAN(p.lost_backlinks_dated) AS med_lost
    FROM daily AS d
    CROSS JOIN build_settings AS cfg
    JOIN daily AS p
        ON p.target_domain = d.target_domain
        AND p.day >= d.day - cfg.spike_window_days AND p.day < d.day
    GROUP BY d.target_domain, d.day
),
spread AS (
    SELECT b.target_domain, b.day,
           MEDIAN(ABS(p.new_backlinks_dated - b.med_new)) AS mad_new,
           MEDIAN(ABS(p.lost_backlinks_dated - b.med_lost)) AS mad_lost
    FROM baseline AS b
    CROSS JOIN build_settings AS cfg
    JOIN daily AS p
        ON p.target_domain = b.target_domain
        AND p.day >= b.day - cfg.spike_window_days AND p.day < b.day
    GROUP BY b.target_domain, b.day
),
scored AS (
    SELECT
        d.*,
        (d.new_backlinks_dated - b.med_new) / GREATEST(1.4826 * s.mad_new, 1.0) AS robust_z_new,
        (d.lost_backlinks_dated - b.med_lost) / GREATEST(1.4826 * s.mad_lost, 1.0) AS robust_z_lost,
        COALESCE(b.baseline_days, 0) AS baseline_days
    FROM daily AS d
    LEFT JOIN baseline AS b ON b.target_domain = d.target_domain AND b.day = d.day
    LEFT JOIN spread AS s ON s.target_domain = d.target_domain AND s.day = d.day
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
