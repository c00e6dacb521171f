"""The server-side SVG charts: date labels on the x axis never print over each other."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest

from pipelines.report.html import line_chart, new_lost_chart

LABEL_PX = 62  # "2026-10-05" in 11 px system-ui, the widest the charts' font draws it


def _ticks(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r'<text class="tick" x="([0-9.]+)"', svg)]


@pytest.mark.parametrize("n", [1, 2, 5, 7, 8, 11, 13, 21, 52, 201, 260])
def test_date_labels_do_not_overlap(n: int) -> None:
    weeks = [date(2026, 1, 5) + timedelta(weeks=i) for i in range(n)]
    values = [float(i) for i in range(n)]
    for svg in (line_chart("live", weeks, [("live", values, "#000")]),
                new_lost_chart("new_lost", weeks, values, values)):
        xs = _ticks(svg)
        assert xs[-1] == max(xs) and f">{weeks[-1].isoformat()}</text>" in svg, "the last week is labelled"
        assert all(b - a >= LABEL_PX for a, b in itertools.pairwise(xs)), (n, xs)
