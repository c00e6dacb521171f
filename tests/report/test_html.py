"""The HTML profile: one file that needs nothing from the network, whose figures are the warehouse's."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.report.conftest import Report, warehouse


class _Reader(HTMLParser):
    """Every tag with its attributes, the card figures (data-metric) and the table cells (data-col) by table."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.metrics: dict[str, str] = {}
        self.tables: dict[str, list[dict[str, str]]] = {}
        self._table: str | None = None
        self._cell: tuple[str, str] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table":
            self._table = a["id"] or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append({})
        if "data-metric" in a:
            self._cell, self._text = ("metric", a["data-metric"] or ""), ""
        elif tag == "td" and "data-col" in a:
            self._cell, self._text = ("cell", a["data-col"] or ""), ""

    def handle_endtag(self, tag: str) -> None:
        if self._cell and tag in {"b", "td"}:
            kind, key = self._cell
            if kind == "metric":
                self.metrics[key] = self._text.strip()
            elif self._table is not None:
                self.tables[self._table][-1][key] = self._text.strip()
            self._cell = None
        if tag == "table" and self._table is not None:
            self.tables[self._table] = [row for row in self.tables[self._table] if row]  # drops the header
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell:
            self._text += data


def _read(report: Report) -> _Reader:
    reader = _Reader()
    reader.feed(report.html.read_text(encoding="utf-8"))
    return reader


def _n(text: str) -> int:
    return int(text.replace(",", ""))


def test_the_file_is_self_contained(report: Report) -> None:
    page = _read(report)
    linked = [(tag, a) for tag, a in page.tags for name in ("src", "href") if a.get(name)]
    assert not [t for t in linked if not (t[1].get("src") or t[1].get("href") or "").startswith(("#", "data:"))]
    assert not [a for tag, a in page.tags if tag == "link"], "no stylesheet or icon is fetched"
    assert [tag for tag, _ in page.tags].count("svg") >= 6, "charts are drawn inline as SVG"
    assert "https://" not in report.html.read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "") \
        .split("<main>")[0], "nothing in the head points at the network"
    assert report.html.stat().st_size < 1_000_000
    assert f"HTML report: {report.html}" in report.stdout


def test_totals_equal_the_warehouse(report: Report) -> None:
    page = _read(report)
    with warehouse(report.built.home) as con:
        domains, live = con.execute(
            "SELECT COUNT(DISTINCT source_domain), COUNT(*) FILTER (WHERE is_live) FROM backlinks "
            "WHERE target_domain = ?", [report.target]).fetchone()  # type: ignore[misc]
        live_domains = con.execute(
            "SELECT COUNT(*) FROM referring_domains WHERE target_domain = ? AND is_live", [report.target]
        ).fetchone()[0]  # type: ignore[index]
    assert _n(page.metrics["referring_domains"]) == domains > 100
    assert _n(page.metrics["live_backlinks"]) == live
    assert _n(page.metrics["live_referring_domains"]) == live_domains


def test_top_referring_domain_equals_the_warehouse(report: Report) -> None:
    first = _read(report).tables["top_referring_domains"][0]
    with warehouse(report.built.home) as con:
        top, backlinks, live, sitewide = con.execute("""
            SELECT b.source_domain, COUNT(*), COUNT(*) FILTER (WHERE b.is_live), ANY_VALUE(r.is_sitewide)
            FROM backlinks AS b JOIN referring_domains AS r
              ON r.target_domain = b.target_domain AND r.referring_domain = b.source_domain
            WHERE b.target_domain = ? GROUP BY b.source_domain
            ORDER BY COUNT(*) FILTER (WHERE b.is_live) DESC, COUNT(*) DESC, b.source_domain LIMIT 1""",
            [report.target]).fetchone()  # type: ignore[misc]
    assert first["referring_domain"] == top
    assert (_n(first["backlinks"]), _n(first["live_backlinks"])) == (backlinks, live)
    assert first["is_sitewide"] == ("yes" if sitewide else "no"), "booleans read as words, not 1/0"


def test_anchor_categories_count_distinct_referring_domains(report: Report) -> None:
    """Issue 12: the mix added up per-anchor counts, showing more referring domains than the target has."""
    mix = {row["category"]: row for row in _read(report).tables["anchor_mix_table"]}
    with warehouse(report.built.home) as con:
        distinct = dict(con.execute("""
            SELECT a.category, COUNT(DISTINCT b.source_domain) FROM backlinks AS b
            JOIN link_observations AS o ON o.source_url = b.source_url AND o.target_url = b.target_url
            JOIN anchors AS a ON a.target_domain = b.target_domain AND a.anchor_norm = o.anchor_norm
            WHERE b.target_domain = ? GROUP BY a.category""", [report.target]).fetchall())
        summed = dict(con.execute(
            "SELECT category, SUM(referring_domains) FROM anchors WHERE target_domain = ? GROUP BY category",
            [report.target]).fetchall())
        total = con.execute("SELECT COUNT(DISTINCT source_domain) FROM backlinks WHERE target_domain = ?",
                            [report.target]).fetchone()[0]  # type: ignore[index]
    assert {c: _n(r["referring_domains"]) for c, r in mix.items()} == distinct
    assert all(n <= total for n in distinct.values())
    # The demo has categories where the two counts differ, so this test tells them apart.
    assert any(summed[c] > distinct[c] for c in distinct)


def test_empty_anchor_is_named_not_blank(report: Report) -> None:
    page = _read(report)
    anchors = [row["anchor"] for row in page.tables["top_anchors"]]
    assert "(empty text or alt)" in anchors and "" not in anchors
