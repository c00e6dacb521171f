"""The HTML profile in a real browser (Playwright driving Debian's Chromium): every chart draws, nothing is
fetched, nothing logs an error; the screenshot is kept as a test artifact ($LINKINDEX_TEST_ARTIFACTS, else
<repo>/.test-artifacts/)."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.report.conftest import Report

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Each section that draws charts, and the charts it must hold (placement needs crawled links; the demo's
# targets have none, so its section says so in words instead).
CHARTS = {
    "velocity": ["live_totals", "new_lost_backlinks", "new_lost_referring_domains"],
    "anchors": ["anchor_mix"],
    "links": ["link_types", "rel", "lost_reasons"],
    "sources": ["source_coverage"],
}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)")


def test_report_renders_offline_in_chromium(report: Report, tmp_path: Path) -> None:
    url = report.html.resolve().as_uri()
    requests: list[str] = []
    errors: list[str] = []
    shot = tmp_path / "report.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url, wait_until="load")
            for section, charts in CHARTS.items():
                for chart in charts:
                    svg = page.locator(f"section#{section} figure[data-chart={chart}] svg")
                    assert svg.count() == 1, f"{section}/{chart} has no chart"
                    assert svg.locator("rect, polyline, circle, path").count() > 0, f"{section}/{chart} is empty"
                    box = svg.bounding_box()
                    assert box is not None and box["width"] > 100 and box["height"] > 20, f"{section}/{chart}"
            for chart in CHARTS["velocity"]:
                ticks = page.locator(f"figure[data-chart={chart}] svg text.tick")
                boxes = sorted((b["x"], b["x"] + b["width"]) for b in
                               (ticks.nth(i).bounding_box() for i in range(ticks.count())) if b)
                assert len(boxes) >= 3, chart
                assert all(end <= start for (_, end), (start, _) in itertools.pairwise(boxes)), \
                    f"{chart}: date labels overlap"
            # The row filter is the page's one script: typing a referring domain leaves only its row.
            first = page.locator("#top_referring_domains tbody tr td[data-col=referring_domain]").first.inner_text()
            page.locator("input[data-table=top_referring_domains]").fill(first)
            assert page.locator("#top_referring_domains tbody tr:visible").count() == 1
            page.locator("input[data-table=top_referring_domains]").fill("")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert requests == [url], "the report fetched something besides itself"
    assert errors == []
    kept = Path(os.environ.get("LINKINDEX_TEST_ARTIFACTS") or ROOT / ".test-artifacts") / "report-profile.png"
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, kept)
    assert kept.stat().st_size > 10_000
