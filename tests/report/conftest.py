"""The e2e suite's built demo warehouse, reported on through the real CLI once per session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.e2e.conftest import Built, built, linkindex

__all__ = ["built"]  # the session fixture, reused so the slow build runs once


@dataclass(frozen=True)
class Report:
    built: Built
    target: str
    html: Path
    stdout: str


@pytest.fixture(scope="session")
def report(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Report:
    target = built.manifest.targets[0]
    html = tmp_path_factory.mktemp("report") / "report.html"
    proc = linkindex("report", target, "--html", html, home=built.home)
    return Report(built=built, target=target, html=html, stdout=proc.stdout)


def warehouse(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
