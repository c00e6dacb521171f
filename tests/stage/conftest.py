"""Fixtures for the staging tests: the shared URL conformance suites and a summary of their pass rates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

# ../shared/data/urltests beside the checkout, as on developer machines and in CI; never copied into the repo.
URLTESTS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "urltests"

_PASS_RATES = pytest.StashKey[dict[str, tuple[int, int]]]()


@pytest.fixture(scope="session")
def urltests() -> Path:
    """The folder of the public URL, IDNA and PSL conformance suites (see its PROVENANCE.md)."""
    if not (URLTESTS / "PROVENANCE.md").is_file():
        pytest.skip(f"URL conformance suites not found at {URLTESTS}: put ../shared beside the checkout")
    return URLTESTS


@pytest.fixture
def record_pass_rate(request: pytest.FixtureRequest) -> Callable[[str, int, int], None]:
    """Print a suite's pass rate and keep it for the end-of-run summary."""
    rates = request.config.stash.setdefault(_PASS_RATES, {})

    def record(suite: str, passed: int, total: int) -> None:
        print(f"{suite}: {passed}/{total}")
        rates[suite] = (passed, total)

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """List the conformance pass rates measured in this run."""
    rates = config.stash.get(_PASS_RATES, {})
    if rates:
        terminalreporter.section("URL conformance pass rates")
        for suite, (passed, total) in sorted(rates.items()):
            terminalreporter.write_line(f"{suite}: {passed}/{total} ({100 * passed / total:.1f} %)")
