"""The never-lose-work torture, short and seeded (the long run is ``bench/torture_bench.py``)."""

from __future__ import annotations

import os
from pathlib import Path

from torture import Torture

SECONDS = float(os.environ.get("QUALCODE_TORTURE_SECONDS", "40"))


def test_many_processes_and_kills_lose_nothing(demo_copy: Path) -> None:
    figures = Torture(demo_copy, seed=11, seconds=SECONDS).run()
    summary = figures.summary()
    print(summary)
    assert figures.failures == [], figures.failures[:10]
    assert figures.lost == 0
    assert summary["kills"] >= 5 and figures.acknowledged >= 20, summary  # the run did exercise something
