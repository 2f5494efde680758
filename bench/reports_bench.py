"""Report speed on a large study: 1,000 transcripts and 1,000,000 codings.

Reuses the workbench benchmark's study (1,000 transcripts, 300 codes, 200,000 codings) and adds codings by
a third coder until there are 1,000,000, then times, each in its own process so that peak memory is its
own: the frequency table by group, the evidence map, and a 10,000-excerpt DOCX quote bank.

    python bench/reports_bench.py          # targets: 1 s, 1 s, 15 s; memory under 1 GB
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def build(out: Path, codings: int) -> Path:
    from workbench_bench import build as build_workbench

    from qualcode.project.store import Project

    path = out / f"reports-1000-{codings}.qdb"
    if path.exists():
        return path
    source = build_workbench(out, 1000, 2000, 200_000)
    partial = path.with_suffix(".partial")
    shutil.copy(source, partial)
    rng = random.Random(3)
    with Project.open(partial, write=True) as project:
        segments = project.db.execute('SELECT document_id, start, "end" FROM segment').fetchall()
        codes = [r[0] for r in project.db.execute("SELECT id FROM code")]
        existing = project.count("coding")
        coder = project.coder_id("carol")
        rows: set[tuple[int, str, int, int, int]] = set()
        while len(rows) < codings - existing:
            document, start, end = rng.choice(segments)
            rows.add((document, rng.choice(codes), coder, start, end))
        with project.transaction() as db:
            db.conn.executemany(
                'INSERT OR IGNORE INTO coding(document_id, code_id, coder_id, start, "end", origin, created_at) '
                "VALUES (?, ?, ?, ?, ?, 'manual', '2026-01-01T00:00:00+00:00')",
                sorted(rows),
            )
    partial.rename(path)
    return path


def migrate(path: Path) -> None:
    """Bring a cached study up to the current schema before anything is timed."""
    from qualcode.project.store import Project

    with Project.open(path, write=True):
        pass


def phase(name: str, path: Path, out: Path, runs: int) -> dict[str, Any]:
    """Time one report ``runs`` times in this process, after the project is open (and migrated)."""
    from qualcode.codebook.files import project_codes
    from qualcode.project.store import Project
    from qualcode.reports.evidence import evidence_map
    from qualcode.reports.excerpts import Filters, excerpts
    from qualcode.reports.exports import write_quotes
    from qualcode.reports.frequencies import frequencies, reference_frequencies

    def docx() -> int:
        rows = excerpts(project, Filters(coders=["amira"]), limit=10_000)
        write_quotes(out / "bench-quotes.docx", rows, {c["id"]: c for c in project_codes(project)}, {})
        return len(rows)

    jobs = {
        "frequencies": lambda: len(frequencies(project)),
        "evidence": lambda: len(evidence_map(project)["rows"]),
        "docx": docx,
        "reference": lambda: len(reference_frequencies(project)),
    }
    with Project.open(path, write=True) as project:
        times, count = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            count = jobs[name]()
            times.append(time.perf_counter() - started)
    return {
        "first": times[0],
        "median": statistics.median(times),
        "count": count,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each report (median shown)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.path, args.out, args.runs)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    path = build(args.out, args.codings)
    migrate(path)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"study: {path.name} ({path.stat().st_size / 1e6:.0f} MB)")
    targets = {"frequencies": 1.0, "evidence": 1.0, "docx": 15.0, "reference": None}
    medians = {}
    for name, target in targets.items():
        runs = 1 if name in ("docx", "reference") else args.runs
        result = subprocess.run(
            [
                sys.executable,
                __file__,
                "--phase",
                name,
                "--path",
                str(path),
                "--out",
                str(args.out),
                "--runs",
                str(runs),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        medians[name] = figures["median"]
        verdict = f"target {target:.0f} s  {'ok' if figures['median'] <= target else 'SLOW'}" if target else ""
        print(
            f"{name:12s} median {figures['median']:6.2f} s  first {figures['first']:6.2f} s  "
            f"({figures['count']:,} rows)  peak {figures['peak_mb']:,.0f} MB  {verdict}"
        )
    print(f"frequencies column-wise vs row by row: {medians['reference'] / medians['frequencies']:.1f}x faster")


if __name__ == "__main__":
    main()
