-- model: int_crawl_link_events
-- grain: one row per (source_url, target_url, event_date, kind, reason, source_system)
-- Evidence from re-fetches (LINK_SEMANTICS "Lost"). A link seen on a page at one fetch is lost at a later
-- fetch of that page (the day's last WARC capture decides) that does not show it: page_not_found
-- (404/410), page_error (5xx or other), page_redirected (3xx), noindex, not_canonical (rel=canonical points
-- elsewhere), lost_redirect (a redirect link whose page now answers 200), else link_removed (a good 200
-- re-fetch without the link). noindex and not_canonical also end a link the page still shows. A page that
-- is not fetched again yields nothing here: crawl coverage is never link loss (page_dropped comes from the
-- window in backlinks). A 304 Not Modified and a revisit record say the page is unchanged: they are no
-- loss, and the links of the page's last full fetch are live that day. WAT envelopes are left out: their
-- record_type is always metadata, so a revisit cannot be told from a 200 without links.
WITH crawl_links AS (
    SELECT DISTINCT source_url, target_url, link_type, CAST(last_seen_claim AS DATE) AS seen_on
    FROM int_backlink_observations
    WHERE report IN ('warc', 'wat') AND last_seen_claim IS NOT NULL
),
fetches AS (
    SELECT url, fetched_on, http_status, robots_noindex, canonical_url, source_system, unchanged
    FROM (
        SELECT p.url, CAST(p.fetched_at AS DATE) AS fetched_on, p.http_status, p.robots_noindex,
               p.canonical_url, p.source_system,
               (p.record_type = 'revisit' OR COALESCE(p.http_status = 304, FALSE)) AS unchanged,
               ROW_NUMBER() OVER (
                   PARTITION BY p.url, CAST(p.fetched_at AS DATE)
                   ORDER BY p.fetched_at DESC, p.file_id, p.row_number
               ) AS rn
        FROM page_observations AS p
        WHERE p.url IS NOT NULL AND p.record_type IN ('response', 'revisit') AND p.fetched_at IS NOT NULL
    ) AS ranked
    WHERE rn = 1
),
later AS (
    SELECT l.source_url, l.target_url, l.link_type, f.fetched_on, f.http_status, f.robots_noindex,
           f.canonical_url, f.source_system, f.unchanged, c.source_url IS NOT NULL AS still_there
    FROM crawl_links AS l
    JOIN fetches AS f ON f.url = l.source_url AND f.fetched_on > l.seen_on
    LEFT JOIN crawl_links AS c
        ON c.source_url = l.source_url AND c.target_url = l.target_url AND c.seen_on = f.fetched_on
),
judged AS (
    SELECT source_url, target_url, fetched_on AS event_date, source_system,
        CASE
            WHEN unchanged THEN NULL
            WHEN http_status IN (404, 410) THEN 'page_not_found'
            WHEN http_status BETWEEN 300 AND 399 THEN 'page_redirected'
            WHEN http_status IS NULL OR http_status >= 400 OR http_status < 200 THEN 'page_error'
            WHEN COALESCE(robots_noindex, FALSE) THEN 'noindex'
            WHEN canonical_url IS NOT NULL AND canonical_url <> source_url THEN 'not_canonical'
            WHEN still_there THEN NULL
            WHEN link_type = 'redirect' THEN 'lost_redirect'
            ELSE 'link_removed'
        END AS reason
    FROM later
),
-- The page's content as of an unchanged re-fetch is what its last full fetch before that day showed.
full_fetch_days AS (
    SELECT source_url AS url, seen_on AS day FROM crawl_links
    UNION
    SELECT url, fetched_on FROM fetches WHERE NOT unchanged
),
unchanged_fetches AS (
    SELECT f.url, f.fetched_on, f.source_system, MAX(d.day) AS shown_on
    FROM fetches AS f
    JOIN full_fetch_days AS d ON d.url = f.url AND d.day < f.fetched_on
    WHERE f.unchanged
    GROUP BY f.url, f.fetched_on, f.source_system
)
SELECT DISTINCT source_url, target_url, event_date, 'lost' AS kind, reason, source_system
FROM judged
WHERE reason IS NOT NULL
UNION
SELECT l.source_url, l.target_url, u.fetched_on, 'live', CAST(NULL AS VARCHAR), u.source_system
FROM unchanged_fetches AS u
JOIN crawl_links AS l ON l.source_url = u.url AND l.seen_on = u.shown_on
