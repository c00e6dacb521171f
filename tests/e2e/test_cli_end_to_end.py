"""End to end through the CLI: generated exports in every vendor format -> lake -> curated warehouse."""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.demo import TargetSite
from pipelines.stage.anchors import normalize_anchor, term_key
from tests.e2e.conftest import Built, linkindex


def _con(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)


def test_every_file_balances_and_none_fails(built: Built) -> None:
    with _con(built.home) as con:
        outcomes = con.execute(
            "SELECT file_path, status, rows_read, rows_kept, rows_quarantined, error FROM ingest_outcomes"
        ).fetchall()
        quarantined = con.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0]  # type: ignore[index]
    # Identical re-downloads (`... (1).csv`) are the same bytes and so one file.
    assert len(outcomes) == len({hashlib.sha256(f.path.read_bytes()).digest() for f in built.manifest.files})
    assert all(status in {"ok", "partial"} for _, status, *_ in outcomes), outcomes
    for name, _, read, kept, bad, _ in outcomes:
        assert read == kept + bad, name
    assert quarantined == sum(o[4] for o in outcomes)
    written = {str(f.path): f.rows for f in built.manifest.files}
    assert all(read == written[name] for name, _, read, *_ in outcomes)


def test_backlinks_are_exactly_the_links_the_exports_name(built: Built) -> None:
    """Canonicalisation undoes the surface variation (case, IDN, fragments, utm, ports) of every vendor."""
    expected = set().union(*(built.manifest.exported_backlinks(d) for d in built.manifest.dates))
    with _con(built.home) as con:
        page_level = set(con.execute(
            "SELECT source_url, target_url FROM backlinks WHERE source_systems <> ['gsc']"
        ).fetchall())
    assert page_level == expected


def test_internal_links_are_counted_not_backlinks(built: Built) -> None:
    expected = set().union(*(built.manifest.exported_internal_links(d) for d in built.manifest.dates))
    with _con(built.home) as con:
        total = con.execute("SELECT SUM(internal_links) FROM internal_links").fetchone()[0]  # type: ignore[index]
        leaked = con.execute("SELECT COUNT(*) FROM backlinks WHERE source_domain = target_domain").fetchone()
    assert total >= len(expected) > 0
    assert leaked == (0,)


def test_links_the_vendors_flag_lost_are_lost(built: Built) -> None:
    flagged = built.manifest.exported_lost_between()
    with _con(built.home) as con:
        lost = set(con.execute("SELECT source_url, target_url FROM backlinks WHERE NOT is_live").fetchall())
        reasons = dict(con.execute("SELECT lost_reason, COUNT(*) FROM backlinks GROUP BY 1").fetchall())
    assert flagged and flagged <= lost
    assert reasons.get("absent_from_export", 0) > 0 and reasons.get("link_removed", 0) > 0


def test_curated_tables_hold_together(built: Built) -> None:
    with _con(built.home) as con:
        live_links, live_rd = con.execute(
            "SELECT (SELECT COUNT(*) FROM backlinks WHERE is_live), "
            "(SELECT COUNT(*) FROM referring_domains WHERE is_live)").fetchone()  # type: ignore[misc]
        last_day = con.execute(
            "SELECT SUM(live_backlinks), SUM(live_referring_domains) FROM link_velocity_daily d "
            "WHERE day = (SELECT MAX(day) FROM link_velocity_daily e WHERE e.target_domain = d.target_domain)"
        ).fetchone()
        gates = con.execute("SELECT COUNT(*) FROM quality_results WHERE severity = 'fail' AND NOT passed").fetchone()
        psl = con.execute("SELECT psl_version FROM build_info").fetchone()[0]  # type: ignore[index]
    assert last_day == (live_links, live_rd)
    assert gates == (0,)
    assert psl


# The demo world's anchor kinds as anchor categories; "image" and "other" depend on the text.
_CATEGORY_OF_KIND = {"branded": "branded", "naked": "naked_url", "generic": "generic", "exact": "exact_match",
                     "partial": "partial_match", "compound": "compound", "empty": "image_empty"}


def _true_category(kind: str, text: str, site: TargetSite) -> str:
    """The category of an anchor the demo world wrote as `kind`. Image alt texts and the world's "other"
    anchors come from templates that may put in the site's brand or one of its keywords ("{brand} logo",
    "{kw} 18V", "👉 {brand}", "⭐⭐⭐⭐⭐ {kw}", a paragraph naming both): what was put in decides."""
    if not normalize_anchor(text):
        return "image_empty"
    if kind in _CATEGORY_OF_KIND:
        return _CATEGORY_OF_KIND[kind]
    brand = site.brand in text
    keywords = [k for k in site.keywords if k in text]
    if brand:
        return "compound" if keywords else "branded"
    if keywords:
        return "exact_match" if term_key(text) in map(term_key, keywords) else "partial_match"
    return "other"


def test_anchor_categories_count_the_kinds_the_demo_wrote(built: Built) -> None:
    """Per target and category, the backlinks counted are the anchor uses the demo wrote into the per-link
    exports: each (backlink, normalised anchor) once, whichever vendors and days showed it. GSC's link lists
    carry no anchors; rows the exports broke (quarantined) say nothing."""
    manifest = built.manifest
    sites = {s.ascii_domain: s for s in manifest.sites}
    written = (manifest.observations.filter(~pl.col("malformed") & (pl.col("vendor") != "gsc"))
               .join(manifest.world.links.filter(~pl.col("is_internal")), on="link_id")
               .select("target", "source_url", "target_url", "anchor", "anchor_kind").unique())
    uses = {(t, src, tgt, normalize_anchor(a)): _true_category(kind, a, sites[t])
            for t, src, tgt, a, kind in written.iter_rows()}
    expected = Counter((t, category) for (t, *_), category in uses.items())
    with _con(built.home) as con:
        counted = dict(((t, c), n) for t, c, n in con.execute(
            "SELECT target_domain, category, SUM(backlinks) FROM anchors GROUP BY ALL").fetchall())
    assert {c for _, c in expected} == {"branded", "naked_url", "generic", "image_empty", "other",
                                        "partial_match", "exact_match", "compound"}
    assert counted == dict(expected)


# Records of when things ran (ingest times, validation runs, the build's stage time), not of the data.
_LOGS = {"ingest_outcomes", "quality_results", "build_info"}


def _lake_digest(home: Path) -> dict[str, str]:
    return {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((home / "lake").rglob("*.parquet")) if not _LOGS & set(p.parts)}


def _table_digests(home: Path) -> dict[str, str]:
    with _con(home) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {n: hashlib.sha256(repr(con.execute(f"SELECT * FROM {n} ORDER BY ALL").fetchall()).encode())
                .hexdigest() for n in names if n not in _LOGS}


def test_reingest_and_rebuild_change_nothing(built_copy: Built) -> None:
    home, manifest = built_copy.home, built_copy.manifest
    lake_before, tables_before = _lake_digest(home), _table_digests(home)
    for day in manifest.dates:
        linkindex("ingest", built_copy.landing / day.isoformat(), "--observed-on", day.isoformat(), home=home)
    linkindex("build", home=home)
    assert _lake_digest(home) == lake_before
    assert _table_digests(home) == tables_before
    assert (home / "warehouse.prev.duckdb").exists()


def test_bad_files_are_reported_and_the_rest_go_on(built_copy: Built, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    good = next(f.path for f in built_copy.manifest.files if f.path.name.endswith(".csv.gz"))
    (drop / "truncated.csv.gz").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    (drop / "notes.csv").write_text("name,colour\nwidget,blue\n", encoding="utf-8")
    (drop / "empty.csv").write_bytes(b"")
    (drop / good.name).write_bytes(gzip.decompress(good.read_bytes()))
    warehouse = built_copy.home / "warehouse.duckdb"
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    proc = linkindex("ingest", drop, "--observed-on", "2026-11-02", home=built_copy.home, check=False)
    assert proc.returncode == 1
    # Ingest writes the lake only: analysts see the same warehouse, without these outcomes, until a build.
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    with _con(built_copy.home) as con:
        early = con.execute("SELECT COUNT(*) FROM ingest_outcomes WHERE file_name IN "
                            "('truncated.csv.gz', 'notes.csv', 'empty.csv')").fetchone()
    assert early == (0,)
    linkindex("build", home=built_copy.home)
    with _con(built_copy.home) as con:
        rows = dict(con.execute(
            "SELECT file_name, status || ': ' || COALESCE(error, '') FROM ingest_outcomes "
            "WHERE file_name IN ('truncated.csv.gz', 'notes.csv', 'empty.csv', ?)", [good.name]).fetchall())
    assert rows["notes.csv"].startswith("failed: notes.csv") and "unrecognized" in rows["notes.csv"]
    assert rows["empty.csv"].startswith("failed: empty.csv")
    assert rows["truncated.csv.gz"].startswith("failed: truncated.csv.gz")
    assert rows[good.name].startswith(("ok", "partial"))


def test_report_prints_a_domain_profile(built: Built) -> None:
    target = built.manifest.targets[0]
    out = linkindex("report", target, home=built.home).stdout
    for heading in ("totals", "top referring domains", "anchor mix", "velocity", "source coverage"):
        assert heading in out
    missing = linkindex("report", "not-a-target.example", home=built.home, check=False)
    assert missing.returncode == 1


@pytest.mark.parametrize("command", ["demo", "ingest", "build", "report", "rollback", "airflow"])
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    out = linkindex(command, "--help", home=tmp_path).stdout
    assert "--home" in out


def test_demo_command_runs_end_to_end(tmp_path: Path) -> None:
    proc = linkindex("demo", "--domains", "300", "--seed", "5", home=tmp_path)
    assert "files failed: 0" in proc.stdout and "quality checks:" in proc.stdout
    for target in ("acme-tools.com", "xn--bcher-welt-9db.de", "example-shop.co.uk"):
        assert f" {target} " in proc.stdout
    assert (tmp_path / "linkindex.toml").exists() and (tmp_path / "warehouse.duckdb").exists()
    with _con(tmp_path) as con:
        assert con.execute("SELECT COUNT(*) FROM anchors WHERE category = 'exact_match'").fetchone()[0] > 0  # type: ignore[index]
