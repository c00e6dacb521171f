"""The manual DAG's form: every field is checked before anything touches the filesystem or SQL."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.orchestrate import ParamError, check_manual_params

TODAY = date(2026, 11, 21)


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    (landing / "2026-11-20").mkdir(parents=True)
    (landing / "2026-11-20" / "acme.csv").write_text("x", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("no", encoding="utf-8")
    return landing


def _check(root: Path, path: str = "2026-11-20/acme.csv", domain: str = "acme-tools.com",
           day: str = "2026-11-20") -> object:
    return check_manual_params(path, domain, day, root=root, today=TODAY)


def test_good_params_resolve_inside_the_root(root: Path) -> None:
    req = _check(root, domain="WWW.Acme-Tools.com")
    assert req.landing_path == (root / "2026-11-20" / "acme.csv").resolve()  # type: ignore[attr-defined]
    assert req.target == "acme-tools.com" and req.observed_on == date(2026, 11, 20)  # type: ignore[attr-defined]
    assert _check(root, path=str(root / "2026-11-20")).landing_path.is_dir()  # type: ignore[attr-defined]
    assert _check(root, domain="bücher-welt.de").target == "xn--bcher-welt-9db.de"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("path", "../secret.txt", "outside the landing root"),
    ("path", "2026-11-20/../../secret.txt", "outside the landing root"),
    ("path", "/etc/passwd", "outside the landing root"),
    ("path", "", "give a file or folder"),
    ("path", "2026-11-20/missing.csv", "does not exist"),
    ("path", "a\x00b", "give a file or folder"),
    ("domain", "example.com'; DROP TABLE backlinks; --", "not a domain name"),
    ("domain", "https://example.com/page", "not a domain name"),
    ("domain", "user@example.com", "not a domain name"),
    ("domain", "localhost", "not a registrable domain"),
    ("domain", "com", "not a registrable domain"),
    ("domain", "", "give a domain"),
    ("day", "2999-01-01", "in the future"),
    ("day", "2026-11-22", "in the future"),
    ("day", "2026-02-30", "not a calendar date"),
    ("day", "20261120", "not a date in the form"),
    ("day", "2026-11-20; rm -rf /", "not a date in the form"),
    ("day", "1990-01-01", "before"),
])
def test_bad_params_are_refused_with_the_field_named(root: Path, field: str, value: str, message: str) -> None:
    kwargs = {"path": {"path": value}, "domain": {"domain": value}, "day": {"day": value}}[field]
    with pytest.raises(ParamError, match=message) as err:
        _check(root, **kwargs)
    assert str(err.value).startswith({"path": "landing_path", "domain": "target_domain", "day": "observed_on"}[field])


def test_a_symlink_out_of_the_root_is_refused(root: Path) -> None:
    os.symlink(root.parent / "secret.txt", root / "2026-11-20" / "link.csv")
    with pytest.raises(ParamError, match="outside the landing root"):
        _check(root, path="2026-11-20/link.csv")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("./\\-_ab~$%\x00 2026"), max_size=30))
def test_any_path_is_inside_the_root_or_refused(tmp_path_factory: pytest.TempPathFactory, path: str) -> None:
    base = tmp_path_factory.getbasetemp() / "prop"
    root = base / "landing"
    (root / "a").mkdir(parents=True, exist_ok=True)
    (base / "b").mkdir(exist_ok=True)
    try:
        req = check_manual_params(path, "example.com", "2026-11-20", root=root, today=TODAY)
    except ParamError:
        return
    resolved = req.landing_path
    assert resolved == root.resolve() or root.resolve() in resolved.parents
