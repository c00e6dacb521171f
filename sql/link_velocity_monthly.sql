-- model: link_velocity_monthly
-- grain: one row per (target_domain, month_start) with at least one event day
-- Roll-up of link_velocity_daily: sums of new and lost, live totals at the end of the month, spike days.
-- days counts the month's calendar days inside the target's active range (its first to last event day),
-- quiet days included, because link_velocity_daily has rows for event days only and a per-day mean must
-- divide by every day.
WITH periods AS (
    SELECT
        target_domain,
        CAST(DATE_TRUNC('month', day) AS DATE) AS month_start,
        CAST(SUM(new_backlinks) AS BIGINT) AS new_backlinks,
        CAST(SUM(lost_backlinks) AS BIGINT) AS lost_backlinks,
        CAST(SUM(new_referring_domains) AS BIGINT) AS new_referring_domains,
        CAST(SUM(lost_referring_domains) AS BIGINT) AS lost_referring_domains,
        ARG_MAX(live_backlinks, day) AS live_backlinks,
        ARG_MAX(live_referring_domains, day) AS live_referring_domains,
        COUNT(*) FILTER (WHERE is_spike_new OR is_spike_lost) AS spike_days,
        MIN(MIN(day)) OVER (PARTITION BY target_domain) AS first_day,
        MAX(MAX(day)) OVER (PARTITION BY target_domain) AS last_day
    FROM link_velocity_daily
    GROUP BY target_domain, CAST(DATE_TRUNC('month', day) AS DATE)
)
SELECT
    target_domain,
    month_start,
    new_backlinks,
    lost_backlinks,
    new_referring_domains,
    lost_referring_domains,
    live_backlinks,
    live_referring_domains,
    spike_days,
    DATE_DIFF(
        'day', GREATEST(month_start, first_day),
        LEAST(CAST(month_start + INTERVAL 1 MONTH AS DATE), CAST(last_day + INTERVAL 1 DAY AS DATE))
    ) AS days
FROM periods
ORDER BY target_domain, month_start
