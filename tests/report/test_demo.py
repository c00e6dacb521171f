"""`linkindex demo` ends with the path of an HTML report of its main target."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import linkindex


@pytest.mark.slow
def test_demo_writes_and_prints_the_html_report(tmp_path: Path) -> None:
    home = tmp_path / "home"
    proc = linkindex("demo", "--domains", "150", "--home", home, home=home)
    report = home / "report.html"
    assert proc.stdout.rstrip().splitlines()[-1] == f"HTML report of acme-tools.com: {report}"
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<h1>acme-tools.com</h1>" in text
    assert text.count("<svg") >= 6
