-- model: link_velocity_monthly
-- grain: one row per (target_domain, month_start)
-- depends_on: link_velocity_daily
-- Roll-up of link_velocity_daily: sums of new and lost, live totals at the end of the month, spike days.
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
    COUNT(*) AS days
FROM link_velocity_daily
GROUP BY target_domain, CAST(DATE_TRUNC('month', day) AS DATE)
ORDER BY target_domain, month_start
