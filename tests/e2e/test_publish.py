"""Publishing: a build that fails a `fail` check, or crashes, leaves the published warehouse as it was."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from tests.e2e.conftest import Built, linkindex


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failing_gate_keeps_previous_warehouse(built_copy: Built) -> None:
    home = built_copy.home
    before = _digest(home / "warehouse.duckdb")
    # A part file copied under a second name duplicates every row's grain (file_id, row_number).
    part = next((home / "lake" / "link_observations").rglob("*.parquet"))
    shutil.copy(part, part.with_name("duplicate-of-" + part.name))
    proc = linkindex("build", home=home, check=False)
    assert proc.returncode == 1
    assert "link_observations.grain_unique" in proc.stderr
    assert _digest(home / "warehouse.duckdb") == before
    assert not list(home.glob(".warehouse.building-*"))


def test_unreadable_lake_file_fails_build_without_publishing(built_copy: Built) -> None:
    home = built_copy.home
    before = _digest(home / "warehouse.duckdb")
    part = next((home / "lake" / "link_observations").rglob("*.parquet"))
    part.write_bytes(part.read_bytes()[:100])
    proc = linkindex("build", home=home, check=False)
    assert proc.returncode == 1
    assert "build not published" in proc.stderr and part.name in proc.stderr
    assert _digest(home / "warehouse.duckdb") == before
