"""REFI-QDA exchange at scale: export the team benchmark's study (1,000 transcripts, about 200,000 codings by
two coders, 100 codes in use) to .qdpx and import it into a new project, each in its own process, with peak
memory.

    python bench/refi_bench.py
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def timed(arguments: list[str]) -> tuple[float, float, str]:
    started = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "qualcode"), *arguments], capture_output=True,
                          text=True, check=True)  # fmt: skip
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak, done.stdout.strip().splitlines()[0]


def main() -> None:
    from team_bench import build

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    study = build(out)
    archive, copy = out / "refi-bench.qdpx", out / "refi-bench-copy.qdb"
    for stale in (archive, copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
        stale.unlink(missing_ok=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    seconds, peak, said = timed(["export", "qdpx", str(study), "-o", str(archive)])
    print(f"export  {seconds:6.1f} s  peak {peak:,.0f} MB  {archive.stat().st_size / 1e6:.0f} MB archive  ({said})")
    seconds, peak, said = timed(["import-qdpx", str(copy), str(archive)])
    print(f"import  {seconds:6.1f} s  peak {peak:,.0f} MB (the larger of the two processes)  ({said})")


if __name__ == "__main__":
    main()
