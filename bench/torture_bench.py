"""Never lose work, at length: the torture of ``tests/torture.py`` for minutes, with hundreds of SIGKILLs.

Builds the demo study, then runs two workbenches (the real app, each its own process), two command-line
writers (``code``, ``uncode``, ``star``), ``autocode`` and a reader (``info``, ``export quotes``,
``check``) on one project, killing one of their processes with SIGKILL every 0.8-2.5 s, and checks at every
kill and at the end that each acknowledged change is in the file (see tests/torture.py). Then measures how
soon a second workbench shows a coding made in the first, with no key pressed.

    python bench/torture_bench.py                    # 15 minutes, seed 1
    python bench/torture_bench.py --seconds 60 --seed 7

Prints the figures as JSON: operations by kind, acknowledged changes, kills by kind, changes in flight when
their process was killed (landed whole / not at all), codings lost (must be 0), failures (must be 0), and
the seen-by-the-other-workbench latency (median and worst of 20).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from processes import Workbench  # noqa: E402
from torture import Torture  # noqa: E402


def build(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "qualcode", "demo", "--no-tui", "--dir", str(folder)], check=True,
                   capture_output=True)  # fmt: skip
    path = folder / "demo.qdb"
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    return path


def latency(path: Path, trials: int = 20) -> dict[str, float]:
    """Seconds from one workbench showing its new coding to the other showing it, with no key pressed."""
    kim, lee = Workbench(path, "latency-kim"), Workbench(path, "latency-lee")
    try:
        kim.do(do="open", document="mentor_tom.txt")
        lee.do(do="open", document="mentor_tom.txt")
        kim.do(do="code", segment=0, code="st-mentee-engage-mentor")
        lee.do(do="others", coder="latency-kim")
        seen = []
        for n in range(1, trials + 1):
            applied = kim.do(do="code", segment=n, code="st-mentee-engage-mentor")["mine"]
            shown = time.monotonic()
            while lee.do(do="state")["others"] != applied:
                time.sleep(0.02)
            seen.append(time.monotonic() - shown)
    finally:
        kim.quit(), lee.quit()
    return {"median_s": round(statistics.median(seen), 3), "worst_s": round(max(seen), 3), "trials": trials}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=900)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, help="Work here (default: a new temporary folder).")
    options = parser.parse_args()
    folder = options.dir or Path(tempfile.mkdtemp(prefix="qualcode-torture-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = build(folder)
    started = time.monotonic()
    figures = Torture(path, seed=options.seed, seconds=options.seconds).run()
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "seed": options.seed,
        "wall_seconds": round(time.monotonic() - started),
        **figures.summary(),
        "seen_by_the_other_workbench": latency(path),
    }
    print(json.dumps(result, indent=2))
    for failure in figures.failures[:20]:
        print("FAILURE:", failure, file=sys.stderr)
    sys.exit(1 if figures.failures or figures.lost else 0)


if __name__ == "__main__":
    main()
