"""link_velocity_* on a generated month of history: daily counts, live totals, spikes, roll-ups."""

from __future__ import annotations

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
