"""A backfill created the way an operator creates one: in Airflow's web UI, with a real browser (Playwright
driving Debian's Chromium). Log in through the simple auth manager's page, open linkindex_nightly, Trigger →
Backfill over two days, Run Backfill; then the runs succeed, and a screenshot of them is kept as a test
artifact ($LINKINDEX_TEST_ARTIFACTS, else <repo>/.test-artifacts/)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from .live import DAG_ID, Live, live_fixture  # noqa: F401  (the `live` fixture)

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = "airflow-ui-backfill.png"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TIMEOUT_MS = 30_000

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture()
def page(tmp_path: Path) -> Iterator[Page]:
    with sync_playwright() as pw:
        # A persistent context is the only way to give Chromium a user data dir of its own.
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1400, "height": 1000}, timezone_id="UTC", locale="en-US",
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def _pick(page: Page, nth: int, day: date, time_of_day: str) -> None:
    """Fill the nth date-and-time picker of the backfill form (a popover with a date and a time field)."""
    page.get_by_test_id("datetime-input").nth(nth).click()
    popover = page.locator("[data-scope=popover][data-part=content]:visible")
    popover.get_by_placeholder("YYYY/MM/DD").fill(day.strftime("%Y/%m/%d"))
    popover.get_by_placeholder("HH:mm").fill(time_of_day)
    page.keyboard.press("Escape")
    popover.wait_for(state="hidden")


def _keep_screenshot(shot: Path) -> Path:
    target_dir = Path(os.environ.get("LINKINDEX_TEST_ARTIFACTS") or ROOT / ".test-artifacts")
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / SCREENSHOT
    with tempfile.NamedTemporaryFile(dir=target_dir, suffix=".png.tmp", delete=False) as tmp:
        shutil.copyfile(shot, tmp.name)
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, target)
    return target


def test_backfill_created_in_the_ui_runs_to_success(live: Live, page: Page, tmp_path: Path) -> None:
    first, last = live.exported
    with live.diagnostics():
        try:
            # Not logged in: the UI sends us to the simple auth manager's login page.
            page.goto(f"{live.url}/dags/{DAG_ID}")
            page.wait_for_url("**/auth/login**")
            page.get_by_label("Username").fill("admin")
            page.get_by_label("Password").fill(live.password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/auth/login" not in url)
            page.goto(f"{live.url}/dags/{DAG_ID}")
            expect(page.get_by_role("heading", name=DAG_ID)).to_be_visible()

            # One active backfill per DAG: one from an earlier test must be marked complete first.
            live.wait_no_active_backfill()
            before = {b["id"] for b in live.backfills()}

            page.get_by_role("button", name="Trigger").first.click()
            dialog = page.get_by_role("dialog")
            dialog.get_by_text("Backfill", exact=True).click()
            expect(dialog.get_by_role("heading", name=f"Run Backfill - {DAG_ID}")).to_be_visible()
            _pick(page, 0, first, "00:00")
            _pick(page, 1, last, "23:59")
            # Rerun days an earlier test ran already: the two runs are this backfill's either way.
            dialog.get_by_text("All Runs", exact=True).click()
            expect(dialog.get_by_text("2 runs will be triggered")).to_be_visible()
            dialog.get_by_role("button", name="Run Backfill").click()
            expect(page.get_by_text("Backfill in progress")).to_be_visible()

            created = [b for b in live.backfills() if b["id"] not in before]
            assert len(created) == 1, created
            backfill = created[0]
            assert backfill["from_date"].startswith(first.isoformat())
            assert backfill["to_date"].startswith(last.isoformat())
            assert backfill["reprocess_behavior"] == "completed" and backfill["max_active_runs"] == 1
            runs = live.backfill_runs(backfill, expected=2)
            assert [r["state"] for r in runs] == ["success", "success"], runs
            assert [r["data_interval_start"][:10] for r in runs] == [first.isoformat(), last.isoformat()]
            assert {r["triggering_user_name"] for r in runs} == {"admin"}

            # The scheduler marks the backfill complete (every 30 s); then the UI's banner goes.
            live.wait_no_active_backfill()
            # What an operator sees: both runs green in the DAG's run list.
            page.goto(f"{live.url}/dags/{DAG_ID}/runs")
            expect(page.get_by_text("Backfill in progress")).to_have_count(0)
            for run in runs:
                row = page.get_by_role("row").filter(has_text=run["dag_run_id"])
                expect(row.get_by_text("Success", exact=True)).to_be_visible()
                expect(row.get_by_text("Backfill", exact=True)).to_be_visible()
        except BaseException:
            # What the browser showed when it went wrong; never in the way of the failure itself.
            try:
                print(f"screenshot of the failure: {_screenshot(page, tmp_path)}")
            except Exception as exc:
                print(f"no screenshot: {exc!r}")
            raise
        print(f"screenshot: {_screenshot(page, tmp_path)}")


def _screenshot(page: Page, tmp_path: Path) -> Path:
    shot = tmp_path / SCREENSHOT
    page.screenshot(path=str(shot), full_page=True)
    return _keep_screenshot(shot)
