-- model: int_link_placement
-- grain: one row per (file_id, row_number): a crawl link observation read from HTML
-- The page's markup (landmarks, roles, class/id words: pipelines/ingest/crawl/placement.py) says where a link
-- sits; a link under no such hint reads `main`, so on table layouts menus and footers read `main` too. The
-- cross-page signal is the site's template: blocks of links that repeat on its pages.
--
-- Template: a link is part of a repeated block when, on at least `template_min_share` of its host's pages
-- (crawled HTML pages with links, every file and snapshot, each URL once; the host needs
-- `template_min_pages` of them), its anchor comes right after the same link (same URL and anchor), or right
-- before the same link, or opens or closes the page. A neighbour is required, not just the same URL and
-- anchor, because running text may name a menu's page with the menu's words (iana.org's home page links
-- "Domain Names" in its content and in its menu): a block repeats, a lone link in text does not. The link's
-- own URL may differ from page to page (archive.org's header image links the section being shown). Anchors
-- are compared as written, case kept: "texts" in a sentence is not the menu's "Texts". Every link of the
-- page counts, internal ones included, since menus link inside the site.
--
-- Placement: only a template link whose markup said nothing (`main`) is re-placed, by where it sits against
-- the page's content links (`main` and not template): before the first one it is `header`, after the last
-- one `footer`. Between them, or on a page with no content links, it takes the place the same URL and anchor
-- most often have as template on the host's pages (stated there, or by position; ties in name order), else
-- `aside` between content links and `main` on a page of template only. A stated placement is never
-- overridden: where the markup speaks it is the better witness.
WITH html_links AS (
    SELECT
        file_id, row_number, source_url, source_host, last_seen_claim, target_url,
        COALESCE(anchor, '') AS anchor,
        placement AS page_placement
    FROM link_observations
    WHERE placement IS NOT NULL
),
-- A capture's links are consecutive rows of its file, in document order (the reader writes them so): the
-- neighbours of a link are the rows numbered one before and one after it, if they are of the same capture.
sequenced AS (
    SELECT
        l.*,
        before_row.target_url AS prev_target, before_row.anchor AS prev_anchor,
        after_row.target_url AS next_target, after_row.anchor AS next_anchor
    FROM html_links AS l
    LEFT JOIN html_links AS before_row
        ON before_row.file_id = l.file_id AND before_row.row_number = l.row_number - 1
        AND before_row.source_url = l.source_url
        AND before_row.last_seen_claim IS NOT DISTINCT FROM l.last_seen_claim
    LEFT JOIN html_links AS after_row
        ON after_row.file_id = l.file_id AND after_row.row_number = l.row_number + 1
        AND after_row.source_url = l.source_url
        AND after_row.last_seen_claim IS NOT DISTINCT FROM l.last_seen_claim
),
host_pages AS (
    SELECT source_host, COUNT(DISTINCT source_url) AS pages FROM html_links GROUP BY source_host
),
-- A NULL neighbour is the page's start or end; GROUP BY puts NULLs together, so "first on the page"
-- repeats like any other neighbour.
after_link AS (
    SELECT source_host, prev_target, prev_anchor, anchor, COUNT(DISTINCT source_url) AS pages
    FROM sequenced
    GROUP BY source_host, prev_target, prev_anchor, anchor
),
before_link AS (
    SELECT source_host, anchor, next_target, next_anchor, COUNT(DISTINCT source_url) AS pages
    FROM sequenced
    GROUP BY source_host, anchor, next_target, next_anchor
),
judged AS (
    SELECT
        s.file_id, s.row_number, s.source_url, s.last_seen_claim, s.source_host, s.target_url, s.anchor,
        s.page_placement,
        (h.pages >= cfg.template_min_pages
         AND GREATEST(a.pages, b.pages) >= cfg.template_min_share * h.pages) AS is_template
    FROM sequenced AS s
    CROSS JOIN build_settings AS cfg
    JOIN host_pages AS h ON h.source_host = s.source_host
    JOIN after_link AS a
        ON a.source_host = s.source_host AND a.anchor = s.anchor
        AND a.prev_target IS NOT DISTINCT FROM s.prev_target AND a.prev_anchor IS NOT DISTINCT FROM s.prev_anchor
    JOIN before_link AS b
        ON b.source_host = s.source_host AND b.anchor = s.anchor
        AND b.next_target IS NOT DISTINCT FROM s.next_target AND b.next_anchor IS NOT DISTINCT FROM s.next_anchor
),
content_span AS (
    SELECT
        file_id, source_url, last_seen_claim,
        MIN(CASE WHEN page_placement = 'main' AND NOT is_template THEN row_number END) AS first_content,
        MAX(CASE WHEN page_placement = 'main' AND NOT is_template THEN row_number END) AS last_content
    FROM judged
    GROUP BY file_id, source_url, last_seen_claim
),
positioned AS (
    SELECT
        j.*,
        CASE
            WHEN NOT j.is_template OR j.page_placement <> 'main' THEN NULL
            WHEN c.first_content IS NULL THEN 'template_only'
            WHEN j.row_number < c.first_content THEN 'header'
            WHEN j.row_number > c.last_content THEN 'footer'
            ELSE 'between'
        END AS position
    FROM judged AS j
    JOIN content_span AS c
        ON c.file_id = j.file_id AND c.source_url = j.source_url
        AND c.last_seen_claim IS NOT DISTINCT FROM j.last_seen_claim
),
placed AS (
    SELECT source_host, target_url, anchor,
           CASE WHEN position IN ('header', 'footer') THEN position ELSE page_placement END AS placement
    FROM positioned
    WHERE is_template AND (position IN ('header', 'footer') OR page_placement <> 'main')
),
usual_place AS (
    SELECT source_host, target_url, anchor, placement FROM (
        SELECT
            source_host, target_url, anchor, placement,
            ROW_NUMBER() OVER (
                PARTITION BY source_host, target_url, anchor ORDER BY COUNT(*) DESC, placement
            ) AS rn
        FROM placed
        GROUP BY source_host, target_url, anchor, placement
    ) AS ranked
    WHERE rn = 1
)
SELECT
    p.file_id,
    p.row_number,
    CASE
        WHEN p.position IN ('header', 'footer') THEN p.position
        WHEN p.position = 'between' THEN COALESCE(u.placement, 'aside')
        WHEN p.position = 'template_only' THEN COALESCE(u.placement, 'main')
        ELSE p.page_placement
    END AS placement,
    p.page_placement,
    p.is_template
FROM positioned AS p
LEFT JOIN usual_place AS u
    ON u.source_host = p.source_host AND u.target_url = p.target_url AND u.anchor = p.anchor
