"""The public URL, IDNA and PSL conformance suites in ../shared/data/urltests, against our parser and policy.

Every case either passes or is listed in known_differences.yaml with a reason. A test fails when an unlisted
case fails, and when a listed case passes (or no longer exists), so that the list stays honest.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import yaml
from ada_url import URL, URLSearchParams

from pipelines.stage.domains import DomainResolver
from pipelines.stage.urls import Canon, canonicalize

KNOWN_DIFFERENCES = Path(__file__).with_name("known_differences.yaml")

Key = tuple[tuple[str, Any], ...]
Outcome = tuple[Key, str | None]  # a case and what differs, None when it passes
Record = Callable[[str, int, int], None]

_URL_PARTS = (
    "href",
    "origin",
    "protocol",
    "username",
    "password",
    "host",
    "hostname",
    "port",
    "pathname",
    "search",
    "hash",
)


def key(**fields: Any) -> Key:
    """A case's identity, as known_differences.yaml writes it."""
    return tuple(sorted(fields.items()))


@cache
def _known() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(KNOWN_DIFFERENCES.read_text(encoding="utf-8"))
    return loaded


def known_differences(suite: str) -> set[Key]:
    """The listed cases of one suite; a bare string stands for {input: string}."""
    listed = set()
    for group in _known().get(suite, []):
        assert group.get("reason"), f"{suite}: every group of known differences needs a reason"
        for case in group["cases"]:
            listed.add(key(input=case) if isinstance(case, str) else key(**case))
    return listed


def check(suite: str, outcomes: list[Outcome], record: Record, listed: set[Key] | None = None) -> None:
    """Record the pass rate and compare the failing cases with the reviewed list (known_differences.yaml)."""
    failing = {case: problem for case, problem in outcomes if problem is not None}
    record(suite, sum(problem is None for _, problem in outcomes), len(outcomes))
    if listed is None:
        listed = known_differences(suite)
    unexpected = sorted(((dict(case), failing[case]) for case in failing.keys() - listed), key=repr)
    assert not unexpected, f"{suite}: {len(unexpected)} unlisted failures, e.g. {unexpected[:10]}"
    stale = sorted((dict(case) for case in listed - failing.keys()), key=repr)
    assert not stale, f"{suite}: listed as known differences but passing or absent: {stale[:10]}"


def usv(text: str) -> str:
    """The text as a JavaScript URL API sees it: lone surrogates become U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def wpt(urltests: Path, name: str) -> list[dict[str, Any]]:
    """The test objects of a WPT resource file (string entries are comments)."""
    entries = json.loads((urltests / "wpt" / name).read_text(encoding="utf-8"))
    return [entry for entry in entries if isinstance(entry, dict)]


def urlcanon(urltests: Path, name: str) -> Any:
    """A urlcanon fixture as its upstream tests read it: as bytes, duplicate keys kept (as lists of pairs).

    Each string's bytes are then read as UTF-8 where they are UTF-8, else as Latin-1: "\\u00e2\\u0098\\u0083"
    means the UTF-8 bytes of "☃", while "B\\u00fccher" means a Latin-1 "Bücher".
    """

    def text(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return value.encode("latin-1").decode("utf-8")
            except UnicodeDecodeError:
                return value
        return [text(item) for item in value] if isinstance(value, list | tuple) else value

    raw = (urltests / "urlcanon" / name).read_bytes().decode("latin-1")
    return text(json.loads(raw, object_pairs_hook=list))


def test_check_fails_on_unlisted_failures_and_on_listed_passes() -> None:
    """The reviewed list must match the failures exactly, in both directions."""
    outcomes: list[Outcome] = [(key(input="a"), None), (key(input="b"), "differs")]
    check("example", outcomes, lambda *_: None, listed={key(input="b")})
    with pytest.raises(AssertionError, match="unlisted failures"):
        check("example", outcomes, lambda *_: None, listed=set())
    with pytest.raises(AssertionError, match="passing or absent"):
        check("example", outcomes, lambda *_: None, listed={key(input="a"), key(input="b")})


# --- WHATWG URL parsing (ada) -------------------------------------------------------------------------------


def _wpt_url_problem(case: dict[str, Any]) -> str | None:
    try:
        url = URL(usv(case["input"]), None if case["base"] is None else usv(case["base"]))
    except ValueError:
        return None if case.get("failure") else "rejected"
    if case.get("failure"):
        return f"accepted as {url.href!r}"
    diffs = [
        f"{part}={getattr(url, part)!r}" for part in _URL_PARTS if part in case and getattr(url, part) != case[part]
    ]
    # url.searchParams parses the query as it is; the URLSearchParams constructor would drop a leading "?" of
    # it ("??a=b"), and a leading "&" is an empty pair that parsing skips.
    search_params = str(URLSearchParams("&" + url.search[1:]))
    if "searchParams" in case and search_params != case["searchParams"]:
        diffs.append(f"searchParams={search_params!r}")
    return "; ".join(diffs) or None


def test_wpt_urltestdata_through_ada(urltests: Path, record_pass_rate: Record) -> None:
    """Every WPT URL parsing case: the same parts as WHATWG for valid inputs, a rejection for failures."""
    outcomes = [(key(input=c["input"], base=c["base"]), _wpt_url_problem(c)) for c in wpt(urltests, "urltestdata.json")]
    check("wpt_urltestdata", outcomes, record_pass_rate)


def _policy_url(case: dict[str, Any]) -> str:
    """The WPT-expected URL under our policy: no userinfo, fragment, empty query or trailing host dot."""
    port = f":{case['port']}" if case["port"] else ""
    return f"{case['protocol']}//{case['hostname'].rstrip('.')}{port}{case['pathname']}{case['search']}"


def _canonicalize_problem(case: dict[str, Any]) -> str | None:
    got = canonicalize(case["input"])
    if case.get("failure"):
        expected = "an error code"
        ok = isinstance(got, str)
    elif case["protocol"] in ("http:", "https:"):
        expected = _policy_url(case)
        ok = isinstance(got, Canon) and got.url == expected
    else:
        expected = "unsupported_scheme"
        ok = got == expected
    return None if ok else f"expected {expected}, got {got}"


def test_wpt_urltestdata_through_canonicalize(urltests: Path, record_pass_rate: Record) -> None:
    """The WPT cases without a base URL through canonicalize: WHATWG's http(s) URL with our policy applied,
    unsupported_scheme for other valid URLs, an error code for inputs WHATWG rejects."""
    cases = [c for c in wpt(urltests, "urltestdata.json") if c["base"] is None]
    outcomes = [(key(input=c["input"]), _canonicalize_problem(c)) for c in cases]
    check("wpt_urltestdata_canonicalize", outcomes, record_pass_rate)


# --- IDNA: host parsing -------------------------------------------------------------------------------------


def _host_via_url(host: str, output: str | None) -> str | None:
    """WPT's "using URL" check: https://<host>/x parses to the expected host, or is rejected for null."""
    try:
        url = URL(f"https://{usv(host)}/x")
    except ValueError:
        return None if output is None else "rejected"
    if output is None:
        return f"accepted as {url.host!r}"
    got = (url.host, url.hostname, url.pathname, url.href)
    return None if got == (output, output, "/x", f"https://{output}/x") else f"got {got}"


def _host_via_setter(host: str, output: str | None, part: str) -> str | None:
    """WPT's "using URL.host(name)" check: the setter takes the expected host, or leaves "x" for null."""
    url = URL("https://x/x")
    with contextlib.suppress(ValueError):  # a rejected value leaves the URL as it was: checked below
        setattr(url, part, usv(host))
    expected = "x" if output is None else output
    return None if url.host == expected else f"host {url.host!r}"


def test_wpt_toascii(urltests: Path, record_pass_rate: Record) -> None:
    """WPT toascii.json through the URL parser and the host and hostname setters."""
    outcomes: list[Outcome] = []
    for case in wpt(urltests, "toascii.json"):
        host, output = case["input"], case["output"]
        outcomes.append((key(input=host, via="URL"), _host_via_url(host, output)))
        for part in ("host", "hostname"):
            outcomes.append((key(input=host, via=part), _host_via_setter(host, output, part)))
    check("wpt_toascii", outcomes, record_pass_rate)


def test_wpt_idna_test_v2(urltests: Path, record_pass_rate: Record) -> None:
    """WPT IdnaTestV2.json (UTS #46 cases) through the URL parser, skipping the empty input as WPT does."""
    cases = [c for c in wpt(urltests, "IdnaTestV2.json") if c["input"]]
    outcomes = [(key(input=c["input"]), _host_via_url(c["input"], c["output"])) for c in cases]
    check("wpt_idna_test_v2", outcomes, record_pass_rate)


# --- Public Suffix List -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def psl_resolver(urltests: Path) -> DomainResolver:
    return DomainResolver(include_private=True, suffix_list_path=urltests / "psl" / "public_suffix_list.dat")


def _psl_outcome(resolver: DomainResolver, host: str | None, expected: str | None) -> Outcome:
    if host is None:
        got = resolver.resolve_array(pa.array([None], pa.string()))["registrable_domain"][0].as_py()
    else:
        domain = resolver.resolve(host)
        # The suites' null ("no registrable domain") is, for us, a host that stands for itself: an IP literal
        # or a host with an empty label (no suffix), or a host that is a public suffix itself.
        got = domain.registrable_domain if domain.suffix and domain.registrable_domain != domain.suffix else None
    return key(host=host), None if got == expected else f"got {got!r}"


def _psl_cases(lines: Iterator[str], pattern: re.Pattern[str]) -> list[tuple[str | None, str | None]]:
    cases = []
    for line in lines:
        match = None if line.startswith("//") else pattern.fullmatch(line.strip())
        if match:
            host, expected = (None if value == "null" else value.strip("'") for value in match.groups())
            cases.append((host, expected))
    return cases


def test_psl_test_psl_txt(urltests: Path, psl_resolver: DomainResolver, record_pass_rate: Record) -> None:
    """psl/test_psl.txt: checkPublicSuffix(host, registrable domain or null) against the shared list."""
    lines = (urltests / "psl" / "test_psl.txt").read_text(encoding="utf-8").splitlines()
    cases = _psl_cases(iter(lines), re.compile(r"checkPublicSuffix\((null|'[^']*'), (null|'[^']*')\);"))
    assert len(cases) == 78
    check("psl_test_psl", [_psl_outcome(psl_resolver, *case) for case in cases], record_pass_rate)


def test_psl_tests_txt(urltests: Path, psl_resolver: DomainResolver, record_pass_rate: Record) -> None:
    """psl/tests.txt: "host registrable-domain-or-null" lines against the shared list."""
    lines = (urltests / "psl" / "tests.txt").read_text(encoding="utf-8").splitlines()
    cases = _psl_cases(iter(lines), re.compile(r"(\S+) (\S+)"))
    assert len(cases) == 78
    check("psl_tests", [_psl_outcome(psl_resolver, *case) for case in cases], record_pass_rate)


# --- urlcanon (IIPC) ----------------------------------------------------------------------------------------


def _idempotence_problem(raw: str) -> str | None:
    first = canonicalize(raw)
    if isinstance(first, str):
        return None  # rejected: an error code is trivially stable
    again = canonicalize(first.url)
    return None if again == first else f"{first} then {again}"


def test_urlcanon_idempotence(urltests: Path, record_pass_rate: Record) -> None:
    """urlcanon idempotence.json: canonicalizing a canonical URL changes nothing."""
    inputs = urlcanon(urltests, "idempotence.json")
    outcomes = [(key(input=raw), _idempotence_problem(raw)) for raw in inputs]
    accepted = sum(isinstance(canonicalize(raw), Canon) for raw in inputs)
    print(f"urlcanon idempotence: {accepted} of {len(inputs)} inputs canonicalize, the rest are rejected")
    check("urlcanon_idempotence", outcomes, record_pass_rate)


def test_urlcanon_surt(urltests: Path, record_pass_rate: Record) -> None:
    """urlcanon surt.json: the sections that canonicalize whole URLs; the rest are listed not applicable."""
    sections = urlcanon(urltests, "surt.json")
    not_applicable: dict[str, str] = _known()["urlcanon_surt_not_applicable"]
    names = [name for name, _ in sections]
    assert set(not_applicable) <= set(names), "a section listed as not applicable is gone from surt.json"
    outcomes: list[Outcome] = []
    for name, pairs in sections:
        if name in not_applicable:
            continue
        for raw, expected in pairs:
            got = canonicalize(raw)
            got_text = got.url if isinstance(got, Canon) else got
            outcomes.append((key(section=name, input=raw), None if got_text == expected else f"got {got_text!r}"))
    print(
        f"urlcanon surt: sections run {sorted(set(names) - set(not_applicable))}, not applicable "
        f"{sorted(not_applicable)}"
    )
    check("urlcanon_surt", outcomes, record_pass_rate)
