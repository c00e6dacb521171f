"""link_velocity_* on generated link histories: daily counts, live totals, spikes, quiet days, roll-ups."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

from tests.models.harness import observation, rows, run

START = date(2026, 9, 1)
EXPORT_DAY = date(2026, 10, 20)
SPIKE_DAY = START + timedelta(days=35)


def _history() -> list[dict[str, object]]:
    """Two new links a day from Sept 1, a 25-link burst on one day, then a second source's first export."""
    obs = []
    n = 0
    for offset in range((EXPORT_DAY - START).days):
        day = START + timedelta(days=offset)
        for _ in range(25 if day == SPIKE_DAY else 2):
            n += 1
            obs.append(observation(
                observed_on=EXPORT_DAY, source_url=f"https://site{n}.example{n % 7}.org/p{n}",
                target_url="https://acme.com/", first_seen_claim=day, last_seen_claim=EXPORT_DAY,
            ))
    # Semrush covers the target for the first time on the export day: 30 links it alone knows look new.
    obs += [
        observation(source_system="semrush", observed_on=EXPORT_DAY,
                    source_url=f"https://only-semrush-{i}.net/", target_url="https://acme.com/")
        for i in range(30)
    ]
    return obs


def test_daily_counts_spike_and_coverage_day() -> None:
    con = run(_history())
    daily = {r["day"]: r for r in rows(con, "SELECT * FROM link_velocity_daily WHERE target_domain = 'acme.com'")}
    assert min(daily) == START and max(daily) == EXPORT_DAY
    assert daily[START]["new_backlinks"] == 2
    assert daily[SPIKE_DAY]["new_backlinks"] == 25
    assert daily[SPIKE_DAY]["is_spike_new"] is True
    assert daily[SPIKE_DAY]["robust_z_new"] > 3.5
    # The first days have no baseline yet, and ordinary days never flag.
    assert not any(r["is_spike_new"] for d, r in daily.items() if d != SPIKE_DAY)
    export = daily[EXPORT_DAY]
    assert export["coverage_changed"] is True
    assert export["new_backlinks"] == 30 and export["is_spike_new"] is False
    total = 2 * ((EXPORT_DAY - START).days - 1) + 25 + 30
    assert export["live_backlinks"] == total
    weekly = rows(con, "SELECT SUM(new_backlinks) AS n, MAX(spike_days) AS s FROM link_velocity_weekly")
    assert weekly[0]["n"] == total and weekly[0]["s"] == 1
    monthly = rows(con, "SELECT month_start, new_backlinks FROM link_velocity_monthly ORDER BY 1")
    assert [m["month_start"] for m in monthly] == [date(2026, 9, 1), date(2026, 10, 1)]
    assert sum(m["new_backlinks"] for m in monthly) == total


def test_lost_links_lower_live_totals_and_referring_domains() -> None:
    obs = [
        observation(observed_on="2026-10-01", source_url="https://a.example.org/", target_url="https://acme.com/"),
        observation(observed_on="2026-10-01", source_url="https://b.example.net/", target_url="https://acme.com/"),
        observation(observed_on="2026-11-01", source_url="https://a.example.org/", target_url="https://acme.com/"),
    ]
    con = run(obs)
    last = rows(con, "SELECT * FROM link_velocity_daily WHERE day = DATE '2026-11-01'")[0]
    assert (last["lost_backlinks"], last["lost_referring_domains"]) == (1, 1)
    assert (last["live_backlinks"], last["live_referring_domains"]) == (1, 1)


def _robust_z(counts: dict[date, int], day: date, lo: date, window: int = 28) -> float | None:
    """The documented spike score, computed over every calendar day of the trailing window (zeros included)."""
    prior = [counts.get(day - timedelta(days=i), 0) for i in range(1, window + 1) if day - timedelta(days=i) >= lo]
    if not prior:
        return None
    med = statistics.median(prior)
    mad = statistics.median(abs(x - med) for x in prior)
    return (counts.get(day, 0) - med) / max(1.4826 * mad, 1.0)


def test_rows_are_event_days_and_quiet_days_count_as_zero_in_the_baseline() -> None:
    """A 1991 first-seen claim adds one event day, not 35 years of empty rows; the gaps still weigh as zeros."""
    claimed = date(1991, 5, 1)
    obs = [observation(observed_on=EXPORT_DAY, source_url="https://old.example.edu/links", target_url="https://acme.com/",
                       first_seen_claim=claimed, last_seen_claim=EXPORT_DAY)]
    new: dict[date, int] = {claimed: 6}  # the old link, and the five lost below
    lost: dict[date, int] = {}
    n = 0
    for offset in range(0, 48, 3):  # a new link every third day, a burst of 12 on one of them
        day = START + timedelta(days=offset)
        new[day] = 12 if offset == 36 else 1 + offset % 4
        for _ in range(new[day]):
            n += 1
            obs.append(observation(
                observed_on=EXPORT_DAY, source_url=f"https://site{n}.example{n % 5}.org/p{n}",
                target_url="https://acme.com/", first_seen_claim=day, last_seen_claim=day + timedelta(days=1),
            ))
    for i, offset in enumerate((10, 20, 26, 41, 43)):  # stated losses on days without arrivals
        day = START + timedelta(days=offset)
        lost[day] = lost.get(day, 0) + 1
        obs.append(observation(
            observed_on=EXPORT_DAY, source_url=f"https://gone{i}.example.net/", target_url="https://acme.com/",
            first_seen_claim=claimed, last_seen_claim=day - timedelta(days=1), lost_at_claim=day,
            lost_reason_claim="link_removed",
        ))
    con = run(obs)
    daily = {r["day"]: r for r in rows(con, "SELECT * FROM link_velocity_daily WHERE target_domain = 'acme.com'")}
    assert set(daily) == set(new) | set(lost) | {EXPORT_DAY}
    assert daily[claimed]["live_backlinks"] == 6
    for day, row in daily.items():
        assert row["new_backlinks_dated"] == new.get(day, 0), day
        assert row["lost_backlinks_dated"] == lost.get(day, 0), day
        for column, counts in (("robust_z_new", new), ("robust_z_lost", lost)):
            want = _robust_z(counts, day, claimed)
            assert (row[column] is None) == (want is None) and (want is None or abs(row[column] - want) < 1e-9), (
                day, column, row[column], want)
    burst = START + timedelta(days=36)
    assert daily[burst]["is_spike_new"] is True
    assert [d for d, r in daily.items() if r["is_spike_new"] or r["is_spike_lost"]] == [burst]
    assert daily[EXPORT_DAY]["live_backlinks"] == 1 + n
    weekly = rows(con, "SELECT week_start, new_backlinks, days FROM link_velocity_weekly ORDER BY week_start")
    assert sum(w["new_backlinks"] for w in weekly) == 6 + n
    assert [w["week_start"] for w in weekly] == sorted({d - timedelta(days=d.weekday()) for d in daily})
    # days: the week's calendar days inside the target's active range, quiet ones included, for per-day means.
    assert [w["days"] for w in weekly] == [
        sum(claimed <= w["week_start"] + timedelta(days=i) <= EXPORT_DAY for i in range(7)) for w in weekly]
