"""What the Great Expectations gate costs, against the same checks without GX, in one run.

- set level: every contract check measured in DuckDB SQL over a built demo warehouse (the baseline), then the
  same numbers validated by GX with data docs (what the publish gate adds);
- row level: N staged link rows converted Arrow -> pandas slice by slice (the baseline), then the contracts'
  row-level suite run on the same slices.

    uv run python benchmarks/quality_gate.py [--rows 1000000] [--domains 3000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from pipelines.config import CONFIG_FILE, load_settings
from pipelines.contracts import all_contracts, contract
from pipelines.demo import demo_config, generate_landing
from pipelines.ingest.runner import ingest
from pipelines.load.warehouse import Warehouse
from pipelines.models import build as steps
from pipelines.quality.checks import measure_tables
from pipelines.quality.expectations import BATCH_ROWS, RowValidator, row_expectations, validate_measurements


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--domains", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home, landing = Path(scratch) / "home", Path(scratch) / "landing"
        manifest = generate_landing(landing, n_domains=args.domains)
        home.mkdir()
        (home / CONFIG_FILE).write_text(demo_config(manifest), encoding="utf-8")
        settings = load_settings(home)
        for day in manifest.dates:
            ingest([landing / day.isoformat()], settings, observed_on=day)
        candidate = steps.stage(settings, "bench")
        steps.build_models(settings, candidate)
        with Warehouse(home).open_candidate(candidate) as con:
            present = [c for c in all_contracts().values() if steps._in_warehouse(con, c.name)]
            sql_s, measured = _timed(lambda: measure_tables(con, present, settings.quality, None))
            links = con.execute("SELECT * FROM link_observations").to_arrow_table()
        gx_s, _ = _timed(lambda: validate_measurements(measured, home / "quality", "bench"))
        print(f"set level: {len(measured)} checks; DuckDB SQL {sql_s:.2f} s; GX validation + data docs "
              f"{gx_s:.2f} s; gate total / SQL alone = {(sql_s + gx_s) / sql_s:.1f}x")

        repeat = -(-args.rows // links.num_rows)
        rows = pa.concat_tables([links] * repeat).slice(0, args.rows)
        validator, table = RowValidator(), contract("link_observations")
        validator.validate(table, rows.slice(0, 1000))  # the suite is built once per process
        columns = sorted({c for _, c, _ in row_expectations(table)})
        base_s, _ = _timed(lambda: [rows.select(columns).slice(o, BATCH_ROWS).to_pandas()
                                    for o in range(0, rows.num_rows, BATCH_ROWS)])
        row_s, _ = _timed(lambda: validator.validate(table, rows))
        print(f"row level: {rows.num_rows:,} staged rows; Arrow -> pandas alone {base_s:.2f} s; with the suite "
              f"{row_s:.2f} s ({rows.num_rows / row_s:,.0f} rows/s); ratio {row_s / base_s:.1f}x")


if __name__ == "__main__":
    main()
