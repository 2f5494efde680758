"""Reading and scoring a reliability table of a million units and five coders, beside pandas + krippendorff.

Writes a 1,000,000 x 5 nominal table (four categories, about 5% of cells empty, a unit column), then times,
each in its own process and with its peak memory: ``qualcode agreement table`` without a bootstrap, with the
default 1,000 bootstrap draws for alpha, and what a team would otherwise run — ``pandas.read_csv`` and the
``krippendorff`` package's alpha. Prints the figures and the ratio (target: within 1.5x of pandas+krippendorff).

    python bench/agreement_table_bench.py [--units 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

THEIRS = """
import sys, numpy as np, pandas as pd, krippendorff
frame = pd.read_csv(sys.argv[1], index_col="unit")
codes = {label: n for n, label in enumerate(sorted(set(frame.stack().unique())))}
values = frame.apply(lambda column: column.map(codes)).to_numpy(dtype=float).T
print(krippendorff.alpha(reliability_data=values, level_of_measurement="nominal"))
"""


def write_table(path: Path, units: int, coders: int = 5, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 4, units)
    labels = np.array(["housing", "family", "work", "health", ""])
    columns = []
    for _ in range(coders):
        value = np.where(rng.random(units) < 0.8, truth, rng.integers(0, 4, units))
        value[rng.random(units) < 0.05] = 4  # an empty cell
        columns.append(labels[value])
    body = np.char.add(np.arange(units).astype(str), ",")
    for n, column in enumerate(columns):
        body = np.char.add(body, column)
        if n < coders - 1:
            body = np.char.add(body, ",")
    path.write_text("unit," + ",".join(f"coder{n}" for n in range(coders)) + "\n" + "\n".join(body) + "\n")


LAUNCH = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True)
sys.stderr.write(f"{time.perf_counter() - started} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")
sys.stdout.write(done.stdout)
"""


def timed(command: list[str]) -> tuple[float, float, str]:
    """Seconds and peak memory (MB) of one command, each measured by its own launcher; and its output."""
    done = subprocess.run([sys.executable, "-c", LAUNCH, *command], capture_output=True, text=True, check=True)
    seconds, peak_kb = done.stderr.split()[-2:]
    return float(seconds), float(peak_kb) / 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="qualcode-table-"))
    table = folder / "table.csv"
    write_table(table, options.units)
    runs = {
        "qualcode (no bootstrap)": [sys.executable, "-m", "qualcode", "agreement", "table", str(table), "--json",
                                    "--bootstrap", "0"],
        "qualcode (1,000 bootstrap draws)": [sys.executable, "-m", "qualcode", "agreement", "table", str(table),
                                             "--json"],
        "pandas + krippendorff": [sys.executable, "-c", THEIRS, str(table)],
    }  # fmt: skip
    figures: dict[str, dict[str, float]] = {}
    alphas = {}
    for name, command in runs.items():  # each command in turn, several times: the machine is shared and noisy
        seconds, peaks = [], []
        for _ in range(options.runs):
            took, peak, out = timed(command)
            seconds.append(took)
            peaks.append(peak)
        figures[name] = {"median_s": round(statistics.median(seconds), 2), "peak_mb": round(max(peaks))}
        alphas[name] = json.loads(out)["krippendorff_alpha"] if out.lstrip().startswith("{") else float(out)
    ours, theirs = figures["qualcode (no bootstrap)"]["median_s"], figures["pandas + krippendorff"]["median_s"]
    print(json.dumps({
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "units": options.units, "coders": 5, "runs": options.runs, "figures": figures,
        "ours_over_theirs": round(ours / theirs, 2), "alpha": alphas,
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
