"""The profile as one self-contained HTML file: charts are SVG drawn here, so the page needs no script
library, no font and no network to show; a few lines of inline script only filter table rows."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Any

from pipelines.load.lake import atomic_write_bytes
from pipelines.report.profile import Rows
from pipelines.report.terminal import fmt, named_anchors

_GREEN, _RED, _BLUE, _GREY, _ORANGE = "#2e7d32", "#c62828", "#1565c0", "#9e9e9e", "#ef6c00"
_TICK_GAP = 75  # px between the centres of two date labels on an x axis
_CATEGORY_COLOURS = {
    "branded": "#1565c0", "naked_url": "#6a1b9a", "generic": "#9e9e9e", "compound": "#00838f",
    "exact_match": "#c62828", "partial_match": "#ef6c00", "image_empty": "#795548", "other": "#546e7a",
}

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
header{background:#102a43;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#bcccdc}main{padding:16px 32px;max-width:1280px}
section{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:14px 18px;margin:0 0 16px}
h2{font-size:16px;margin:0 0 8px}h3{font-size:14px;margin:10px 0 4px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{border:1px solid #d9e2ec;border-radius:6px;padding:8px 10px}.card b{display:block;font-size:22px}
.card span{color:#52606d;font-size:12px}.note{color:#52606d;font-size:12px;margin:4px 0}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}@media(max-width:900px){.grid2{grid-template-columns:1fr}}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #e4e7eb}
th{text-align:left;color:#52606d;font-weight:600;background:#f0f4f8}td.n,th.n{text-align:right}
td.n{font-variant-numeric:tabular-nums}input.filter{margin:4px 0 6px;padding:4px 8px;width:260px;
border:1px solid #bcccdc;border-radius:4px}details{border-top:1px solid #e4e7eb;padding:6px 0}
summary{cursor:pointer;font-weight:600}summary small{font-weight:400;color:#52606d}
figure{margin:0}figcaption{font-size:12px;color:#52606d}svg text{font:11px system-ui,sans-serif;fill:#334e68}
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;
height:10px;margin-right:4px;border-radius:2px}
"""

_SCRIPT = """
document.querySelectorAll('input.filter').forEach(function (box) {
  box.addEventListener('input', function () {
    var needle = box.value.trim().toLowerCase();
    document.querySelectorAll('#' + box.dataset.table + ' tbody tr').forEach(function (tr) {
      tr.hidden = needle !== '' && tr.textContent.toLowerCase().indexOf(needle) < 0;
    });
  });
});
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1)
    return float(((int(value) // step) + 1) * step)


def hbar_chart(name: str, rows: Rows, label: str, value: str, colours: dict[str, str] | None = None,
               total: float | None = None) -> str:
    """Horizontal bars, one per row, labelled with the count (and its share of `total`)."""
    if not rows:
        return ""
    width, bar_h, gap, left = 620, 18, 6, 150
    height = len(rows) * (bar_h + gap) + 6
    top = max(float(r[value] or 0) for r in rows) or 1.0
    parts = [f'<svg role="img" aria-label="{_e(name)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    for i, row in enumerate(rows):
        y = 3 + i * (bar_h + gap)
        v = float(row[value] or 0)
        w = max(1.0, (width - left - 110) * v / top)
        colour = (colours or {}).get(str(row[label]), _BLUE)
        share = f" ({100 * v / total:.0f} %)" if total else ""
        parts.append(
            f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{_e(row[label])}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}" rx="2">'
            f"<title>{_e(row[label])}: {_num(v)}{share}</title></rect>"
            f'<text x="{left + w + 5:.1f}" y="{y + 13}">{_num(v)}{share}</text>')
    parts.append("</svg>")
    return f'<figure class="chart" data-chart="{_e(name)}">{"".join(parts)}</figure>'


def _x_axis(weeks: list[date], x: Any, height: int) -> str:
    if not weeks:
        return ""
    # A date label is about 60 px wide at 11 px: at most 7 fit the plot, and the last week is always labelled.
    last = len(weeks) - 1
    step = max(1, -(-len(weeks) // 7))
    ticks = [i for i in range(0, last, step) if x(last) - x(i) >= _TICK_GAP] + [last]
    return "".join(f'<text class="tick" x="{x(i):.1f}" y="{height - 4}" text-anchor="middle">'
                   f"{weeks[i].isoformat()}</text>" for i in ticks)


def line_chart(name: str, weeks: list[date], series: list[tuple[str, list[float], str]],
               marks: list[int] | None = None) -> str:
    """Weekly totals as lines; `marks` are week indexes drawn as red dots on the first series (spike weeks)."""
    if not weeks:
        return ""
    width, height, left, bottom = 620, 220, 56, 22
    top_v = _nice_max(max((max(v) for _, v, _ in series if v), default=1))
    n = max(1, len(weeks) - 1)

    def x(i: int) -> float:
        return left + (width - left - 12) * i / n

    def y(v: float) -> float:
        return 8 + (height - bottom - 8) * (1 - v / top_v)

    parts = [f'<svg role="img" aria-label="{_e(name)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    for frac in (0, 0.25, 0.5, 0.75, 1):
        yy = y(top_v * frac)
        parts.append(f'<line x1="{left}" x2="{width - 12}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e4e7eb"/>'
                     f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{_num(top_v * frac)}</text>')
    for label, values, colour in series:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}">'
                     f"<title>{_e(label)}</title></polyline>")
    first = series[0][1] if series else []
    for i in marks or []:
        parts.append(f'<circle class="spike" cx="{x(i):.1f}" cy="{y(first[i]):.1f}" r="4" fill="{_RED}">'
                     f"<title>spike week {weeks[i].isoformat()}</title></circle>")
    parts.append(_x_axis(weeks, x, height) + "</svg>")
    legend = "".join(f'<span><i style="background:{c}"></i>{_e(label)}</span>' for label, _, c in series)
    if marks:
        legend += f'<span><i style="background:{_RED};border-radius:5px"></i>week with a spike day</span>'
    return (f'<figure class="chart" data-chart="{_e(name)}">{"".join(parts)}'
            f'<figcaption class="legend">{legend}</figcaption></figure>')


def new_lost_chart(name: str, weeks: list[date], new: list[float], lost: list[float],
                   marks: list[int] | None = None) -> str:
    """New per week as bars above the axis, lost below it."""
    if not weeks:
        return ""
    width, height, left, bottom = 620, 220, 56, 22
    top_v = _nice_max(max([*new, *lost, 1]))
    mid = 8 + (height - bottom - 8) / 2
    half = (height - bottom - 8) / 2
    slot = (width - left - 12) / len(weeks)

    def x(i: int) -> float:
        return left + slot * (i + 0.5)

    parts = [f'<svg role="img" aria-label="{_e(name)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="{left}" x2="{width - 12}" y1="{mid:.1f}" y2="{mid:.1f}" stroke="#829ab1"/>',
             f'<text x="{left - 6}" y="{12}" text-anchor="end">+{_num(top_v)}</text>',
             f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end">-{_num(top_v)}</text>']
    bw = max(1.0, slot * 0.8)
    for i, week in enumerate(weeks):
        hn, hl = half * new[i] / top_v, half * lost[i] / top_v
        x0 = x(i) - bw / 2
        parts.append(f'<rect x="{x0:.1f}" y="{mid - hn:.1f}" width="{bw:.1f}" height="{hn:.1f}" fill="{_GREEN}">'
                     f"<title>week {week.isoformat()}: {_num(new[i])} new</title></rect>"
                     f'<rect x="{x0:.1f}" y="{mid:.1f}" width="{bw:.1f}" height="{hl:.1f}" fill="{_RED}">'
                     f"<title>week {week.isoformat()}: {_num(lost[i])} lost</title></rect>")
    for i in marks or []:
        parts.append(f'<path class="spike" d="M{x(i) - 5:.1f},4 L{x(i) + 5:.1f},4 L{x(i):.1f},11 Z" '
                     f'fill="{_ORANGE}"><title>spike in week {weeks[i].isoformat()}</title></path>')
    parts.append(_x_axis(weeks, x, height) + "</svg>")
    legend = (f'<span><i style="background:{_GREEN}"></i>new</span>'
              f'<span><i style="background:{_RED}"></i>lost</span>')
    if marks:
        legend += f'<span><i style="background:{_ORANGE}"></i>week with a spike day</span>'
    return (f'<figure class="chart" data-chart="{_e(name)}">{"".join(parts)}'
            f'<figcaption class="legend">{legend}</figcaption></figure>')


def table(name: str, columns: list[tuple[str, str]], rows: Rows, *, pct: frozenset[str] = frozenset(),
          filterable: bool = False, cells: dict[str, Any] | None = None) -> str:
    """A data table; every cell names its column (data-col), so tests and scripts can read it back."""
    if not rows:
        return '<p class="note">none</p>'
    numeric = {k for k, _ in columns if any(isinstance(r.get(k), int | float) and not isinstance(r.get(k), bool)
                                            for r in rows)}
    head = "".join(f'<th class="{"n" if k in numeric else ""}">{_e(label)}</th>' for k, label in columns)
    body = []
    for row in rows:
        tds = []
        for key, _label in columns:
            text = (cells or {}).get(key, lambda r, k=key: _e(fmt(r.get(k), pct=k in pct)))(row)
            tds.append(f'<td data-col="{key}" class="{"n" if key in numeric else ""}">{text}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    box = (f'<input class="filter" type="search" placeholder="filter rows" data-table="{_e(name)}" '
           f'aria-label="filter {_e(name)}">' if filterable else "")
    return (f'{box}<table id="{_e(name)}" data-table="{_e(name)}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _domain(row: dict[str, Any]) -> str:
    shown = row.get("referring_domain_unicode")
    return _e(row["referring_domain"]) + (f" <small>({_e(shown)})</small>" if shown else "")


def _card(key: str, label: str, value: object) -> str:
    return f'<div class="card"><b data-metric="{key}">{_e(fmt(value))}</b><span>{_e(label)}</span></div>'


def render_html(profile: dict[str, Any]) -> str:
    scope, totals, weekly = profile["scope"], profile["totals"], profile["weekly"]
    weeks = [w["week_start"] for w in weekly]
    spike_weeks = [i for i, w in enumerate(weekly) if w.get("spike_days")]
    narrowed = ", ".join(f"{k.replace('_', ' ')} {fmt(v)}" for k, v in profile["filters"].items() if v)
    title = scope["display"]
    cards = "".join(_card(k, label, totals[k]) for k, label in (
        ("live_referring_domains", "referring domains with a live backlink"),
        ("referring_domains", "referring domains ever seen"), ("live_backlinks", "live backlinks"),
        ("backlinks", "backlinks ever seen"), ("lost_backlinks", "lost backlinks"),
        ("live_dofollow_backlinks", "live dofollow backlinks"),
        ("sitewide_referring_domains", "sitewide referring domains"), ("target_pages", "target pages linked"),
        ("first_seen", "first seen"), ("newest_evidence", "newest evidence (last seen)")))
    mix = profile["anchor_mix"]
    anchor_total = sum(r["backlinks"] for r in mix)
    rd_cols = [("referring_domain", "referring domain"), ("first_seen", "first seen"), ("last_seen", "last seen"),
               ("backlinks", "backlinks"), ("live_backlinks", "live backlinks"),
               ("dofollow_share", "dofollow share"), ("linking_pages", "linking pages (ever)"),
               ("is_sitewide", "sitewide")]
    anchor_cols = [("anchor", "anchor"), ("category", "category"), ("backlinks", "backlinks"),
                   ("live_backlinks", "live backlinks"), ("referring_domains", "referring domains")]
    pages = []
    for i, page in enumerate(profile["top_pages"]):
        pages.append(
            f'<details data-page="{_e(page["target_url"])}"{" open" if i == 0 else ""}><summary>'
            f'{_e(page["target_url"])} <small>{fmt(page["referring_domains"])} referring domains, '
            f'{fmt(page["live_backlinks"])} of {fmt(page["backlinks"])} backlinks live, last seen '
            f'{fmt(page["last_seen"])}</small></summary><div class="grid2"><div><h3>referring domains</h3>'
            + table(f"page{i}_domains", [("referring_domain", "referring domain"), ("backlinks", "backlinks"),
                                         ("live_backlinks", "live backlinks"), ("last_seen", "last seen")],
                    page["referring_domains_top"])
            + "</div><div><h3>anchors</h3>"
            + (table(f"page{i}_anchors", anchor_cols, named_anchors(page["anchors_top"])) if page["anchors_top"] or
               not narrowed else '<p class="note">anchors per page are shown without filters</p>')
            + "</div></div></details>")
    sources = sorted({r["source_system"] for r in profile["source_coverage"]})
    shared = {(r["source_a"], r["source_b"]): r["shared_backlinks"] for r in profile["source_overlap"]}
    seen = {r["source_system"]: r["backlinks_seen"] for r in profile["source_coverage"]}
    overlap_rows = [{"source": a, **{b: (seen[a] if a == b else shared.get((min(a, b), max(a, b)), 0))
                                     for b in sources}} for a in sources]
    coverage_chart = hbar_chart("source_coverage", profile["source_coverage"], "source_system", "backlinks_seen",
                                total=totals["backlinks"])
    sections = [
        f'<section id="overview"><h2>Overview</h2><div class="cards">{cards}</div>'
        f'<p class="note">Figures rest on evidence up to {_e(fmt(totals["newest_evidence"]))}. '
        "“Live” means no source has shown the backlink lost since it was last seen live; the table below says "
        "how old that evidence is.</p>"
        + table("freshness", [("last_seen_before_newest_evidence", "last seen live, before the newest evidence"),
                              ("live_backlinks", "live backlinks")], profile["freshness"]) + "</section>",
        '<section id="velocity"><h2>Referring domains and backlinks over time</h2><div class="grid2"><div>'
        "<h3>live totals, per week</h3>"
        + line_chart("live_totals", weeks, [
            ("live backlinks", [float(w["live_backlinks"] or 0) for w in weekly], _BLUE),
            ("live referring domains", [float(w["live_referring_domains"] or 0) for w in weekly], _GREEN)],
            spike_weeks)
        + "</div><div><h3>new and lost backlinks, per week</h3>"
        + new_lost_chart("new_lost_backlinks", weeks, [float(w["new_backlinks"]) for w in weekly],
                         [float(w["lost_backlinks"]) for w in weekly], spike_weeks)
        + "<h3>new and lost referring domains, per week</h3>"
        + new_lost_chart("new_lost_referring_domains", weeks, [float(w["new_referring_domains"]) for w in weekly],
                         [float(w["lost_referring_domains"]) for w in weekly])
        + "</div></div><h3>spike days (robust z against the trailing median)</h3>"
        + table("spikes", [("day", "day"), ("new_backlinks", "new backlinks"), ("lost_backlinks", "lost backlinks"),
                           ("robust_z_new", "z new"), ("robust_z_lost", "z lost")], profile["spikes"][:10])
        + "</section>",
        '<section id="anchors"><h2>Anchors</h2><p class="note">A backlink counts once per anchor it was seen '
        "with; referring domains are counted distinct within each category.</p><div class=\"grid2\"><div>"
        + hbar_chart("anchor_mix", mix, "category", "backlinks", _CATEGORY_COLOURS, total=anchor_total)
        + table("anchor_mix_table", [("category", "category"), ("anchors", "anchors"), ("backlinks", "backlinks"),
                                     ("backlinks_pct", "% of backlinks"), ("referring_domains", "referring domains")],
                mix)
        + "</div><div><h3>top anchors</h3>"
        + table("top_anchors", anchor_cols, named_anchors(profile["top_anchors"]), filterable=True)
        + "</div></div></section>",
        '<section id="referring-domains"><h2>Top referring domains</h2>'
        '<p class="note">Domain rating is not shown: linkindex has no authority metric yet.</p>'
        + table("top_referring_domains", rd_cols, profile["top_referring_domains"], pct=frozenset({"dofollow_share"}),
                filterable=True, cells={"referring_domain": _domain}) + "</section>",
        '<section id="links"><h2>Link types, rel and placement</h2><div class="grid2"><div><h3>link type</h3>'
        + hbar_chart("link_types", profile["link_types"], "link_type", "backlinks", total=totals["backlinks"])
        + "<h3>rel (a backlink may be nofollow and ugc at once)</h3>"
        + hbar_chart("rel", profile["rel"], "rel", "backlinks", total=totals["backlinks"])
        + "</div><div><h3>placement on the linking page (crawled links only)</h3>"
        + (hbar_chart("placement", profile["placement"], "placement", "backlinks")
           or '<p class="note">no crawled backlinks with a placement in this scope</p>')
        + "<h3>lost backlinks by reason</h3>"
        + hbar_chart("lost_reasons", profile["lost_reasons"], "lost_reason", "backlinks",
                     total=totals["lost_backlinks"])
        + "</div></div></section>",
        '<section id="sources"><h2>Source coverage and overlap</h2><div class="grid2"><div>'
        "<h3>backlinks each source saw</h3>" + coverage_chart
        + table("source_coverage", [("source_system", "source"), ("backlinks_seen", "backlinks seen"),
                                    ("backlinks_only_here", "seen by no other source"),
                                    ("backlinks_share", "share of all backlinks"),
                                    ("linking_pages_seen", "linking pages seen")],
                profile["source_coverage"], pct=frozenset({"backlinks_share"}))
        + "</div><div><h3>backlinks seen by both sources</h3>"
        + table("source_overlap", [("source", "source"), *[(s, s) for s in sources]], overlap_rows)
        + "</div></div></section>",
        f'<section id="pages"><h2>Most linked target pages</h2>{"".join(pages)}</section>',
    ]
    domain_note = (f" · {_e(scope['target_domain_unicode'])}" if scope.get("target_domain_unicode") else "")
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<title>linkindex · {_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{_e(title)}</h1><p>scope: {_e(scope['mode_label'])} ({_e(scope['mode'])}) · target domain "
        f"{_e(scope['target_domain'])}{domain_note}{' · filters: ' + _e(narrowed) if narrowed else ''}</p></header>"
        f"<main>{''.join(sections)}</main><script>{_SCRIPT}</script></body></html>"
    )


def write_html(profile: dict[str, Any], path: Path) -> int:
    """Write the report atomically; returns its size in bytes."""
    data = render_html(profile).encode("utf-8")
    atomic_write_bytes(path, data)
    return len(data)
