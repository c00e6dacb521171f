"""SQL model tests as data: each YAML in cases/ gives input observations and the rows expected out.

Cases live in `cases/<table>/<behaviour>.yaml`, filed under the table they test (a case may check others
too). A case lists `given` vendor observations (see harness.observation for defaults), `crawl` links and the
`pages` fetches they come from (harness.crawl_link, harness.page), optional `settings`,
`brand_terms`, `keywords`, and `expect`: per table, a `where` filter and the rows it must return. Only the
columns named in each expected row are compared, in the order of the table's grain.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipelines.contracts import contract
from tests.models.harness import crawl_link, observation, page, rows, run

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(CASES_DIR.glob("*/*.yaml"))


def _norm(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    return value


def test_cases_are_filed_under_the_table_they_test() -> None:
    assert CASES, f"no model cases under {CASES_DIR}"
    assert not list(CASES_DIR.glob("*.yaml")), "a case must sit in cases/<table>/"
    for path in CASES:
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.parent.name in case["expect"], f"{path}: files under {path.parent.name}/ but does not test it"
        contract(path.parent.name)  # the folder names a real table


@pytest.mark.parametrize("case_path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_model_case(case_path: Path) -> None:
    case = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    con = run(
        [observation(**obs) for obs in case.get("given", [])] + [crawl_link(**c) for c in case.get("crawl", [])],
        settings=case.get("settings"), brand_terms=case.get("brand_terms"), keywords=case.get("keywords"),
        pages=[page(**p) for p in case.get("pages", [])],
    )
    for table, spec in case["expect"].items():
        expected = spec["rows"]
        columns = list(dict.fromkeys(k for row in expected for k in row)) if expected else ["1"]
        order = ", ".join(contract(table).grain)
        where = f"WHERE {spec['where']}" if "where" in spec else ""
        actual = rows(con, f"SELECT {', '.join(columns)} FROM {table} {where} ORDER BY {order}")
        assert len(actual) == len(expected), f"{case_path.name}: {table} {where}: {actual}"
        got = [{k: _norm(got_row[k]) for k in want_row} for got_row, want_row in zip(actual, expected, strict=True)]
        want = [{k: _norm(v) for k, v in want_row.items()} for want_row in expected]
        assert got == want, f"{case_path.name}: {table} {where}\n{case.get('description', '')}"
