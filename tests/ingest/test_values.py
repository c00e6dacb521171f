"""Value parsers, checked with Hypothesis against plain-Python reference readings of the same formats:
well-formed values round-trip, and anything else is rejected, never read as a different value."""

from __future__ import annotations

import re
from datetime import datetime

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest.vendors.values import (
    DAY_FIRST_DATE,
    DAY_FIRST_DATETIME,
    FLAG,
    ISO_DATE,
    ISO_DATETIME,
    ISO_T_DATETIME,
    ISO_T_DATETIME_Z,
    TRUE_FALSE,
    YES_NO,
    Bool,
    DateFormat,
    Int,
    Stamp,
    normalise_name,
)

FORMATS = [ISO_DATE, ISO_DATETIME, ISO_T_DATETIME, ISO_T_DATETIME_Z, DAY_FIRST_DATETIME, DAY_FIRST_DATE]
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
moments = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59))


def parse_one(parser: Stamp | Bool | Int, value: str) -> tuple[object, bool]:
    parsed = parser.parse(pa.array([value], pa.string()))
    return parsed.values[0].as_py(), bool(parsed.bad[0])


def written(moment: datetime, fmt: DateFormat) -> str:
    """`moment` as the vendor writes it; years below 1000 keep four digits, as exports do."""
    return (
        fmt.strptime.replace("%Y", f"{moment.year:04d}")
        .replace("%m", f"{moment.month:02d}")
        .replace("%d", f"{moment.day:02d}")
        .replace("%H", f"{moment.hour:02d}")
        .replace("%M", f"{moment.minute:02d}")
        .replace("%S", f"{moment.second:02d}")
    )


def truncated(moment: datetime, fmt: DateFormat) -> datetime:
    keep = {"Y": moment.year, "m": moment.month, "d": moment.day}
    for code, name in (("%H", "hour"), ("%M", "minute"), ("%S", "second")):
        keep[name] = getattr(moment, name) if code in fmt.strptime else 0
    return datetime(keep["Y"], keep["m"], keep["d"], keep["hour"], keep["minute"], keep["second"])


def reference(value: str, fmt: DateFormat) -> datetime | None:
    """Plain-Python reading: exact shape (ASCII digits), then a real calendar date."""
    text = value.strip()
    if not re.fullmatch(fmt.regex.strip("^$"), text, flags=re.ASCII):
        return None
    try:
        return datetime.strptime(text, fmt.strptime)
    except ValueError:
        return None


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.label for f in FORMATS])
@SETTINGS
@given(moment=moments)
def test_dates_round_trip(fmt: DateFormat, moment: datetime) -> None:
    assert parse_one(Stamp((fmt,)), written(moment, fmt)) == (truncated(moment, fmt), False)


def near_misses(fmt: DateFormat) -> st.SearchStrategy[str]:
    """Well-formed values with one character replaced, inserted or deleted, and impossible calendar dates."""
    alphabet = st.sampled_from(list("0123456789-/: TZ٣x"))

    @st.composite
    def mutate(draw: st.DrawFn) -> str:
        text = written(draw(moments), fmt)
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["replace", "insert", "delete", "impossible"]))
        if action == "replace" and at < len(text):
            return text[:at] + draw(alphabet) + text[at + 1 :]
        if action == "insert":
            return text[:at] + draw(alphabet) + text[at:]
        if action == "delete" and at < len(text):
            return text[:at] + text[at + 1 :]
        day, month = draw(
            st.sampled_from([("30", "02"), ("31", "04"), ("29", "02"), ("32", "01"), ("00", "13")])
        )
        return text.replace(f"{draw(moments).day:02d}", day, 1).replace(
            f"{draw(moments).month:02d}", month, 1
        )

    return mutate()


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.label for f in FORMATS])
@SETTINGS
@given(data=st.data())
def test_dates_reject_or_agree_with_reference(fmt: DateFormat, data: st.DataObject) -> None:
    value = data.draw(st.one_of(near_misses(fmt), st.text(max_size=25)))
    expected = reference(value, fmt)
    parsed, bad = parse_one(Stamp((fmt,)), value)
    if expected is None:
        assert parsed is None
        assert bad == (value.strip().lower() not in ("", "null"))
    else:
        assert (parsed, bad) == (expected, False)


@SETTINGS
@given(moment=moments.filter(lambda m: m.day <= 12 and m.day != m.month))
def test_day_first_never_swaps(moment: datetime) -> None:
    parsed, bad = parse_one(Stamp((DAY_FIRST_DATETIME, DAY_FIRST_DATE)), written(moment, DAY_FIRST_DATETIME))
    assert not bad and parsed.day == moment.day and parsed.month == moment.month  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("parser", "true", "false"),
    [(TRUE_FALSE, "true", "false"), (YES_NO, "yes", "no")],
    ids=["true/false", "yes/no"],
)
@SETTINGS
@given(
    value=st.one_of(
        st.sampled_from(["true", "FALSE", "Yes", "no", " True ", "1", "0", "", "null", "tru"]), st.text()
    )
)
def test_booleans(parser: Bool, true: str, false: str, value: str) -> None:
    parsed, bad = parse_one(parser, value)
    word = value.strip().lower()
    if word == true:
        assert (parsed, bad) == (True, False)
    elif word == false:
        assert (parsed, bad) == (False, False)
    elif word in ("", "null"):
        assert (parsed, bad) == (None, False)
    else:
        assert parsed is None and bad


@SETTINGS
@given(value=st.text())
def test_flags(value: str) -> None:
    assert parse_one(FLAG, value) == (value != "", False)


@SETTINGS
@given(number=st.integers(-(10**18) + 1, 10**18 - 1), grouped=st.booleans())
def test_integers_round_trip(number: int, grouped: bool) -> None:
    text = f"{number:,}" if grouped and number >= 0 else str(number)
    assert parse_one(Int(grouped=True), text) == (number, False)
    if "," not in text:
        assert parse_one(Int(), text) == (number, False)


@SETTINGS
@given(value=st.one_of(st.text(alphabet="0123456789,.- +e", max_size=12), st.text(max_size=8)))
def test_integers_reject_or_agree(value: str) -> None:
    text = value.strip()
    for parser, grouped in ((Int(), False), (Int(grouped=True), True)):
        parsed, bad = parse_one(parser, value)
        plain = re.fullmatch(r"-?\d{1,18}", text, flags=re.ASCII)
        commas = grouped and re.fullmatch(r"\d{1,3}(,\d{3}){1,5}", text, flags=re.ASCII)
        if plain or commas:
            assert (parsed, bad) == (int(text.replace(",", "")), False)
        else:
            assert parsed is None
            assert bad == (value.strip().lower() not in ("", "null"))


def test_sentinel_is_null() -> None:
    assert parse_one(Int(sentinels=("-1",)), "-1") == (None, False)
    assert parse_one(Int(), "-1") == (-1, False)


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("Traffic ", "traffic"),
        ("  Domain   Rating", "domain rating"),
        ("\ufeffPosition", "position"),
        ("UR", "ur"),
    ],
)
def test_header_names_normalise(name: str, normal: str) -> None:
    assert normalise_name(name) == normal
