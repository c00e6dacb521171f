"""`linkindex report` and `linkindex export` through the installed CLI, checked against SQL on the warehouse."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.e2e.conftest import Built, linkindex
from tests.report.conftest import warehouse


def _profile(built: Built, *args: str) -> dict[str, Any]:
    proc = linkindex("report", *args, "--json", home=built.home)
    profile: dict[str, Any] = json.loads(proc.stdout)
    return profile


def _one(built: Built, sql: str, *params: object) -> tuple[Any, ...]:
    with warehouse(built.home) as con:
        row = con.execute(sql, list(params)).fetchone()
    assert row is not None
    return row


def _top_page(built: Built) -> str:
    url: str = _one(built, "SELECT target_url FROM backlinks WHERE target_domain = ? "
                    "AND REGEXP_MATCHES(target_url, '^https://[^/]+/.+') GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 1",
                    built.manifest.targets[0])[0]
    return url


def test_json_totals_and_top_domain_agree_with_sql(built: Built) -> None:
    target = built.manifest.targets[0]
    profile = _profile(built, target, "--limit", "3")
    totals = profile["totals"]
    assert profile["scope"]["mode"] == "domain"
    assert (totals["backlinks"], totals["live_backlinks"], totals["referring_domains"]) == _one(
        built, "SELECT COUNT(*), COUNT(*) FILTER (WHERE is_live), COUNT(DISTINCT source_domain) FROM backlinks "
        "WHERE target_domain = ?", target)
    top = profile["top_referring_domains"]
    assert len(top) == 3
    assert (top[0]["referring_domain"], top[0]["live_backlinks"]) == _one(
        built, "SELECT source_domain, COUNT(*) FILTER (WHERE is_live) AS live FROM backlinks WHERE target_domain = ? "
        "GROUP BY 1 ORDER BY live DESC, COUNT(*) DESC, 1 LIMIT 1", target)


def test_exact_url_is_not_the_whole_domain_and_says_so(built: Built) -> None:
    """Issue 12: a page URL silently reported the whole domain."""
    target, url = built.manifest.targets[0], _top_page(built)
    domain, exact = _profile(built, target), _profile(built, url)
    # An analyst pastes http:// for an https:// page; the scheme does not split a page in two.
    pasted = _profile(built, url.replace("https://", "http://", 1))
    assert exact["scope"]["mode"] == "exact"
    assert exact["totals"] == pasted["totals"]
    assert exact["totals"]["backlinks"] == _one(
        built, "SELECT COUNT(*) FROM backlinks WHERE target_url = ?", url)[0]
    assert 0 < exact["totals"]["backlinks"] < domain["totals"]["backlinks"]
    assert {p["target_url"] for p in exact["top_pages"]} == {url}
    prefix = _profile(built, url + "*")
    assert prefix["scope"]["mode"] == "prefix"
    assert prefix["totals"]["backlinks"] == _one(
        built, "SELECT COUNT(*) FROM backlinks WHERE STARTS_WITH(SUBSTR(target_url, STRPOS(target_url, '://') + 3), "
        "?)", url.split("://", 1)[1])[0]
    text = linkindex("report", url, home=built.home).stdout
    assert "scope: exact URL (exact)" in text
    assert "scope: registrable domain, every host (domain)" in linkindex("report", target, home=built.home).stdout


def test_page_option_reports_one_page(built: Built) -> None:
    target, url = built.manifest.targets[0], _top_page(built)
    assert _profile(built, target, "--page", url)["totals"] == _profile(built, url)["totals"]


def test_live_only_and_since_filter_the_backlinks(built: Built) -> None:
    target = built.manifest.targets[0]
    since = _one(built, "SELECT MAX(last_seen) - INTERVAL 10 DAY FROM backlinks WHERE target_domain = ?",
                 target)[0].date()
    live = _profile(built, target, "--live-only")["totals"]
    assert live["backlinks"] == live["live_backlinks"] == _one(
        built, "SELECT COUNT(*) FROM backlinks WHERE target_domain = ? AND is_live", target)[0]
    assert live["lost_backlinks"] == 0
    recent = _profile(built, target, "--since", since.isoformat())
    assert recent["filters"]["since"] == since.isoformat()
    assert recent["totals"]["backlinks"] == _one(
        built, "SELECT COUNT(*) FROM backlinks WHERE target_domain = ? AND last_seen >= ?", target, since)[0]
    assert recent["totals"]["backlinks"] < _profile(built, target)["totals"]["backlinks"]
    assert date.fromisoformat(recent["totals"]["first_seen"]) <= since


def test_unknown_target_exits_1_with_one_line(built: Built) -> None:
    proc = linkindex("report", "no-such-target-anywhere.example", home=built.home, check=False)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "no-such-target-anywhere.example" in proc.stderr


def test_idn_target_shows_its_unicode_form(built: Built) -> None:
    idn = next(t for t in built.manifest.targets if t.startswith("xn--"))
    text = linkindex("report", idn, home=built.home).stdout
    scope_line = next(line for line in text.splitlines() if line.startswith("scope:"))
    assert f"target domain {idn} (bücher-welt.de)" in scope_line
    assert "(empty text or alt)" in text, "the empty anchor of the top anchors is named"


def test_not_a_target_is_a_usage_error(built: Built) -> None:
    proc = linkindex("report", "not a domain", home=built.home, check=False)
    assert proc.returncode == 2 and "not a URL, host or domain" in proc.stderr


def _export(built: Built, out: Path, table: str, *args: str, check: bool = True) -> Any:
    return linkindex("export", table, "--target", built.manifest.targets[0], *args, "--out", out,
                     home=built.home, check=check)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_export_writes_the_filtered_rows(built: Built, tmp_path: Path, fmt: str) -> None:
    target = built.manifest.targets[0]
    out = tmp_path / f"live.{fmt}"
    proc = _export(built, out, "backlinks", "--where", "is_live=true", "--where", "link_type=text",
                   "--format", fmt)
    with warehouse(built.home) as con:
        expected = con.execute(
            "SELECT source_url, target_url FROM backlinks WHERE target_domain = ? AND is_live AND link_type = 'text' "
            "ORDER BY source_url, target_url", [target]).fetchall()
    assert len(expected) > 0 and f"wrote {len(expected):,} rows" in proc.stdout
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        assert [(r["source_url"], r["target_url"]) for r in rows] == expected
        assert {r["is_live"] for r in rows} == {"true"}
        assert all(";" in r["source_systems"] or r["source_systems"].isalpha() for r in rows)
    elif fmt == "parquet":
        table = pq.read_table(out)
        assert list(zip(table["source_url"].to_pylist(), table["target_url"].to_pylist(), strict=True)) == expected
        assert table.schema.field("source_systems").type.value_type == "string"
    else:
        with zipfile.ZipFile(out) as book:
            sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
            strings = book.read("xl/sharedStrings.xml").decode("utf-8")
        assert len(re.findall(r"<row ", sheet)) == len(expected) + 1  # a header row, then one per backlink
        assert expected[0][0].replace("&", "&amp;") in strings


def test_hostile_where_value_matches_nothing(built: Built, tmp_path: Path) -> None:
    """The value is bound, never pasted: SQL in it is just an odd referring domain."""
    some = _one(built, "SELECT referring_domain FROM referring_domains WHERE target_domain = ? LIMIT 1",
                built.manifest.targets[0])[0]
    plain = _export(built, tmp_path / "one.csv", "referring_domains", "--where", f"referring_domain={some}")
    assert "wrote 1 rows" in plain.stdout
    for where in ("referring_domain=x' OR '1'='1", "referring_domain~x' OR '1'='1", 'referring_domain=x" OR 1=1 --'):
        out = tmp_path / "hostile.csv"
        proc = _export(built, out, "referring_domains", "--where", where)
        assert "wrote 0 rows" in proc.stdout, where
        assert out.read_text(encoding="utf-8").count("\n") == 1  # the header only


@pytest.mark.parametrize(("table", "where", "message"), [
    ("no_such_table", "is_live=true", "is not an exportable table"),
    ("build_info", "is_live=true", "is not an exportable table"),
    ("backlinks", "no_such_column=1", "has no column 'no_such_column'"),
    ('backlinks" --', "is_live=true", "is not an exportable table"),
    ("backlinks", "is_live; DROP TABLE backlinks", "expected COLUMN<OP>VALUE"),
    ("backlinks", "first_seen>yesterday", "does not fit its column"),
])
def test_export_usage_errors_exit_2(built: Built, tmp_path: Path, table: str, where: str, message: str) -> None:
    out = tmp_path / "x.csv"
    proc = _export(built, out, table, "--where", where, check=False)
    assert proc.returncode == 2, proc.stderr
    error = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(error) == 1 and message in error[0], proc.stderr
    assert proc.stderr.rstrip().endswith(error[0]), "the error is one line, with no SQL echoed after it"
    assert not out.exists()
