"""`linkindex` command line: demo, ingest, build, report. CI, the DAGs and people all call these."""

from __future__ import annotations

import logging
import shlex
import sys
from datetime import date, datetime
from pathlib import Path

import click
import duckdb
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.config import CONFIG_FILE, HomeError, Settings, load_settings, resolve_home
from pipelines.ingest.runner import IngestInputError, Outcome, expand_paths, ingest
from pipelines.load.lake import atomic_write_bytes
from pipelines.load.warehouse import Warehouse, WarehouseBusy
from pipelines.local_airflow import DEFAULT_POSTGRES, DatabaseUnreachable, serve
from pipelines.models.build import BuildReport, ContractViolation, Superseded, build
from pipelines.models.graph import load_models
from pipelines.quality.checks import QualityGateFailed, data_docs_index
from pipelines.report import MODES, Filters, ScopeError, load_profile, resolve_scope
from pipelines.report.export import EXPORT_FORMATS, ExportError, export_table
from pipelines.report.html import write_html
from pipelines.report.terminal import print_profile, profile_json

console = Console(stderr=False)
err = Console(stderr=True)

def _check_home(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    try:
        resolve_home(value)
    except HomeError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


home_option = click.option(
    "--home", type=click.Path(file_okay=False, path_type=Path), default=None, callback=_check_home,
    help="linkindex home holding lake/ and warehouse.duckdb [default: $LINKINDEX_HOME, else ./linkindex-home]",
)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[item]}"), TimeElapsedColumn(), console=err, transient=False,
    )


def _parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail to stderr.")
def main(verbose: bool) -> None:
    """linkindex: vendor backlink exports and crawls into one curated link index."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, stream=sys.stderr)


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@home_option
@click.option("--target", default=None, help="Target domain the exports were taken for (GSC needs it when "
              "the file name does not say).")
@click.option("--observed-on", "observed_on", default=None, callback=_parse_day,
              help="Date the files vouch for, YYYY-MM-DD [default: from the file name, else newest last seen].")
def ingest_cmd(paths: tuple[Path, ...], home: Path | None, target: str | None, observed_on: date | None) -> None:
    """Read export files or folders into the lake. Exits non-zero if any file failed."""
    settings = load_settings(home)
    outcomes = _ingest_with_progress(list(paths), settings, target, observed_on)
    _print_outcomes(outcomes)
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


def _ingest_with_progress(
    paths: list[Path], settings: Settings, target: str | None, observed_on: date | None
) -> list[Outcome]:
    files = expand_paths(paths)
    with _progress() as progress:
        task = progress.add_task("ingest", total=len(files), item="")
        try:
            return ingest(
                paths, settings, target=target, observed_on=observed_on,
                on_file=lambda path, _size: progress.update(task, advance=1, item=path.name),
            )
        except IngestInputError as exc:
            raise click.UsageError(str(exc)) from None


def _print_outcomes(outcomes: list[Outcome]) -> None:
    table = Table(title=f"ingest: {len(outcomes)} files")
    for col in ("file", "status", "report", "read", "kept", "quarantined", "error"):
        table.add_column(col, overflow="fold")
    for o in outcomes:
        report = f"{o.row.get('source_system') or '-'} {o.row.get('report') or ''}".strip()
        style = {"failed": "red", "partial": "yellow"}.get(o.status)
        table.add_row(o.file_name, o.status, report, str(o.rows_read), str(o.rows_kept),
                      str(o.rows_quarantined), o.error or "", style=style)
    console.print(table)
    totals = [sum(getattr(o, f) for o in outcomes) for f in ("rows_read", "rows_kept", "rows_quarantined")]
    failed = sum(o.status == "failed" for o in outcomes)
    console.print(f"rows read {totals[0]:,} = kept {totals[1]:,} + quarantined {totals[2]:,}; "
                  f"files failed: {failed}")


@main.command("build")
@home_option
def build_cmd(home: Path | None) -> None:
    """Build the lake into the curated warehouse tables and publish them atomically."""
    settings = load_settings(home)
    report = _build_with_progress(settings)
    _print_build(report)


def _build_with_progress(settings: Settings) -> BuildReport:
    with _progress() as progress:
        task = progress.add_task("build", total=len(load_models()) + 1, item="")
        try:
            return build(settings, on_step=lambda name: progress.update(task, advance=1, item=name))
        except (QualityGateFailed, ContractViolation, Superseded, WarehouseBusy, duckdb.Error) as exc:
            # Plain echo: rich would crop the file path that the error names.
            click.echo(f"build not published: {exc}", err=True)
            sys.exit(1)


def _print_build(report: BuildReport) -> None:
    table = Table(title=f"warehouse {report.warehouse}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in report.tables.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    warned = [c for c in report.checks if not c.passed]
    passed = sum(c.passed for c in report.checks)
    console.print(f"quality checks: {passed} passed, {len(warned)} warnings")
    for c in warned:
        console.print(f"  [yellow]warn[/yellow] {c.table}.{c.check}: observed {c.observed_value:g}, expected "
                      f"[{c.min_value}, {c.max_value}]")
    console.print(f"validation results: quality_results table; data docs: {data_docs_index(report.warehouse.parent)}")


@main.command("rollback")
@home_option
def rollback_cmd(home: Path | None) -> None:
    """Put the previous warehouse (warehouse.prev.duckdb) back as the live one."""
    settings = load_settings(home)
    try:
        Warehouse(settings.home).rollback()
    except (FileNotFoundError, WarehouseBusy) as exc:
        raise click.ClickException(str(exc)) from None
    console.print(f"rolled back: {settings.warehouse} is the previous build again")


@main.command("report")
@click.argument("target")
@home_option
@click.option("--mode", type=click.Choice(MODES), default=None,
              help="What TARGET covers [default: a trailing * a prefix, a path the exact URL, a bare host it and "
              "its subdomains, a registrable domain every host of it].")
@click.option("--page", default=None, help="Report one target page (exact URL) instead of TARGET's scope.")
@click.option("--since", default=None, callback=_parse_day, help="Only backlinks last seen on or after this day.")
@click.option("--until", default=None, callback=_parse_day, help="Only backlinks first seen on or before this day.")
@click.option("--live-only", is_flag=True, help="Only live backlinks.")
@click.option("--limit", "--top", "limit", default=10, show_default=True, type=click.IntRange(1, 10_000),
              help="Rows in each top list.")
@click.option("--json", "as_json", is_flag=True, help="Print the profile as JSON.")
@click.option("--html", "html_out", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the profile as one self-contained HTML file.")
def report_cmd(target: str, home: Path | None, mode: str | None, page: str | None, since: date | None,
               until: date | None, live_only: bool, limit: int, as_json: bool, html_out: Path | None) -> None:
    """A target's profile: totals, referring domains, anchors, velocity, lost links, coverage."""
    settings = load_settings(home)
    try:
        scope = resolve_scope(page, "exact") if page else resolve_scope(target, mode)
    except ScopeError as exc:
        raise click.BadParameter(str(exc), param_hint="TARGET") from None
    try:
        con = Warehouse(settings.home).connect()
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from None
    with con:
        profile = load_profile(con, scope, Filters(since, until, live_only), limit=limit)
        if profile is None:
            # Plain echo: rich would wrap a long target or path into shreds at 80 columns.
            click.echo(f"no backlinks of {scope.display} ({scope.label}) in {settings.warehouse}", err=True)
            sys.exit(1)
        if as_json:
            click.echo(profile_json(profile))
        else:
            print_profile(profile, console)
        if html_out is not None:
            write_html(profile, html_out)
            click.echo(f"HTML report: {html_out}", err=as_json)


@main.command("export")
@click.argument("table")
@home_option
@click.option("--target", required=True, help="Target registrable domain (any host or URL of it).")
@click.option("--where", "wheres", multiple=True, metavar="COLUMN<OP>VALUE",
              help="Filter, repeatable: COLUMN=VALUE, !=, <, <=, >, >= or ~ (contains); COLUMN is one of the "
              "table's columns and VALUE is bound as a parameter.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
def export_cmd(table: str, home: Path | None, target: str, wheres: tuple[str, ...], fmt: str, out: Path) -> None:
    """Write one curated table's rows for a target, filtered, as CSV, Parquet or XLSX."""
    settings = load_settings(home)
    try:
        con = Warehouse(settings.home).connect()
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from None
    with con:
        try:
            rows = export_table(con, table, target, wheres, fmt, out)
        except ExportError as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"wrote {rows:,} rows of {table} to {out}")


@main.command("demo")
@home_option
@click.option("--seed", default=7, show_default=True, help="Seed of the generated link world.")
@click.option("--domains", "n_domains", default=3000, show_default=True, help="Referring domains to generate.")
def demo_cmd(home: Path | None, seed: int, n_domains: int) -> None:
    """Generate a realistic landing folder, ingest it, build, and print a summary."""
    from pipelines.demo import demo_config, generate_landing

    root = resolve_home(home)
    landing = root / "landing"
    err.print(f"generating demo exports in {landing} ...")
    manifest = generate_landing(landing, seed=seed, n_domains=n_domains)
    config = root / CONFIG_FILE
    if not config.exists():
        atomic_write_bytes(config, demo_config(manifest).encode("utf-8"))
        err.print(f"wrote the demo sites' brand terms and keywords to {config}")
    settings = load_settings(root)
    outcomes: list[Outcome] = []
    for day in manifest.dates:
        # Landing folders are per day, so the folder's date is what the files vouch for.
        outcomes += _ingest_with_progress([landing / day.isoformat()], settings, None, day)
    _print_outcomes(outcomes)
    report = _build_with_progress(settings)
    _print_build(report)
    html_path = root / "report.html"
    with Warehouse(settings.home).connect() as con:
        for target in manifest.targets:
            profile = load_profile(con, resolve_scope(target), limit=5)
            if profile is not None:
                print_profile(profile, console)
        main_profile = load_profile(con, resolve_scope(manifest.targets[0]))
        if main_profile is not None:
            write_html(main_profile, html_path)
    # Quoted for a shell (and the path as a Python literal), so a home with quotes or spaces pastes as it is.
    snippet = (f"import duckdb; print(duckdb.connect({str(report.warehouse)!r}, read_only=True)"
               ".sql('FROM referring_domains LIMIT 10'))")
    console.print(
        f"\nQuery it: linkindex report DOMAIN --home {shlex.quote(str(settings.home))}\n"
        f"      or: uv run python -c {shlex.quote(snippet)}", markup=False, highlight=False,
    )
    click.echo(f"HTML report of {manifest.targets[0]}: {html_path}")
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


@main.command("airflow")
@home_option
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              help="Port of Airflow's web UI and API, on 127.0.0.1.")
@click.option("--db-url", default=DEFAULT_POSTGRES, show_default=True,
              help="Airflow metadata database (SQLAlchemy URL); the database is created if missing. For a quick "
              "look without Postgres: sqlite:////abs/path/airflow.db")
@click.option("--days", default=3, show_default=True, type=click.IntRange(2, 60),
              help="Past days to land: demo exports on the first and the last, none in between.")
@click.option("--password", default=None,
              help="Password of the UI's admin user [default: the one from the last start, else a new random one].")
def airflow_cmd(home: Path | None, port: int, db_url: str, days: int, password: str | None) -> None:
    """Run Airflow locally over a demo landing folder until Ctrl-C.

    Lands demo exports for recent days in <home>/landing, then runs the API server, scheduler, DAG processor and
    triggerer. Nothing is unpaused: backfill linkindex_nightly from the UI.
    """
    root = resolve_home(home).resolve()
    try:
        code = serve(root, port=port, db_url=db_url, days=days, password=password, echo=click.echo)
    except DatabaseUnreachable as exc:
        sqlite = f"sqlite:///{root / 'airflow' / 'airflow.db'}"
        raise click.ClickException(
            f"{exc}\nStart Postgres or pass --db-url; for a quick look without it: --db-url {sqlite}"
        ) from None
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    if code:
        sys.exit(code)
