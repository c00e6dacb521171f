"""Paths are data, never SQL: homes and input files whose names hold quotes, semicolons, newlines and
non-ASCII build as any other, and nothing injected through them runs."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.cli import main
from tests.e2e.conftest import linkindex
from tests.ingest.fixtures import ahrefs_backlinks

INJECTION = "x'; CREATE TABLE pwned_by_home AS SELECT 42 AS answer; SELECT '1"
ROWS = (
    {"Referring page URL": "https://blog.example.org/post-1", "Target URL": "https://acme.com/tools",
     "Anchor": "acme tools"},
    {"Referring page URL": "https://news.example.net/a", "Target URL": "https://acme.com/",
     "Anchor": "click here"},
)


def _tables(warehouse: Path) -> tuple[set[str], int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = {n for (n,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        backlinks = con.execute("SELECT COUNT(*) FROM backlinks").fetchone()
    assert backlinks is not None
    return names, backlinks[0]


def test_the_reported_injection_through_the_cli_runs_nothing(tmp_path: Path) -> None:
    """The exact home from the report, through the installed console script as a user types it."""
    home = tmp_path / INJECTION
    export = tmp_path / "o'brien; DROP TABLE backlinks; --.csv"
    export.write_bytes(ahrefs_backlinks(*ROWS).bytes())
    linkindex("ingest", export, "--target", "acme.com", "--observed-on", "2026-11-02", home=home)
    linkindex("build", home=home)
    names, backlinks = _tables(home / "warehouse.duckdb")
    assert "pwned_by_home" not in names
    assert backlinks == len(ROWS)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT file_name FROM ingest_outcomes").fetchall() == [(export.name,)]


# Path components: anything but "/" and NUL, kept under the 255-byte limit of a file name; "?" is refused in
# a home (test below) and tried in input file names only.
_PIECES = [*"'\";\n\t\\$`%*-_ aZé漢🦆", "--", "/*", "*/", "$1", "'; CREATE TABLE pwned AS SELECT 1; SELECT '"]
_HOSTILE = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).map(
    lambda parts: "".join(parts).replace("/", "")
).filter(lambda s: s not in {"", ".", ".."} and len(s.encode()) < 200)


@settings(max_examples=6, deadline=None)
@given(home_name=_HOSTILE, file_name=_HOSTILE)
def test_any_home_and_file_name_builds(home_name: str, file_name: str) -> None:
    """In-process through the CLI (a subprocess per example would spend its time importing)."""
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / home_name
        export = Path(scratch) / f"in {file_name}?[*].csv"
        export.write_bytes(ahrefs_backlinks(*ROWS).bytes())
        runner = CliRunner()
        ingested = runner.invoke(main, ["ingest", str(export), "--home", str(home), "--target", "acme.com",
                                        "--observed-on", "2026-11-02"], catch_exceptions=False)
        assert ingested.exit_code == 0, ingested.output
        built = runner.invoke(main, ["build", "--home", str(home)], catch_exceptions=False)
        assert built.exit_code == 0, built.output
        names, backlinks = _tables(home / "warehouse.duckdb")
        assert backlinks == len(ROWS)
        assert not any(n.startswith("pwned") for n in names)
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            assert con.execute("SELECT file_name FROM ingest_outcomes").fetchall() == [(export.name,)]


def test_a_home_with_a_question_mark_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """DuckDB 1.5 cannot commit a database under a path holding '?': refused with the reason, nothing written."""
    home = tmp_path / "what?home"
    result = CliRunner().invoke(main, ["build", "--home", str(home)])
    assert result.exit_code == 2
    assert "contains '?'" in result.output
    assert not home.exists()
