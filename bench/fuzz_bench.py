"""The fuzz harness, long (``tests/fuzzing.py``): many mutated real files, each given to the command that reads
it in a process of its own under a 2 GB address-space cap and a time cap in proportion to its size. Prints
inputs tried by kind, exit codes, problems (expected: none, each listed with its seed and what went wrong),
peak memory (the largest, and the largest for a refused input) and the worst seconds per megabyte.

    python bench/fuzz_bench.py                  # 600 inputs
    python bench/fuzz_bench.py --cases 3000 --seed 7
    python bench/fuzz_bench.py --cases 200 --kinds table
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    from fuzzing import fuzz

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kinds", help="only these kinds of input, comma-separated (transcript, sheet, codebook, "
                        "framework, qdpx, qdc, table, redaction)")  # fmt: skip
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qualcode-fuzz-"))
    subprocess.run([sys.executable, "-m", "qualcode", "demo", "--dir", str(work / "study"), "--no-tui"], check=True,
                   capture_output=True, cwd=ROOT)  # fmt: skip
    kinds = options.kinds.split(",") if options.kinds else None
    outcomes = fuzz(work / "study" / "demo.qdb", work, options.cases, options.seed, kinds)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    kinds = ", ".join(f"{k} {n}" for k, n in Counter(o.kind for o in outcomes).items())
    print(f"inputs tried: {len(outcomes)} ({kinds})")
    print(f"exit codes: {dict(Counter(o.code for o in outcomes))}")
    print(f"input sizes: {min(o.size for o in outcomes):,} to {max(o.size for o in outcomes):,} bytes")
    refused = [o for o in outcomes if o.code == 1]
    print(f"peak memory: {max(o.peak for o in outcomes):.0f} MB at most; "
          f"{max((o.peak for o in refused), default=0):.0f} MB at most for a refused input")
    worst = max(outcomes, key=lambda o: o.seconds / max(o.size / 2**20, 0.05))
    print(f"slowest: {max(o.seconds for o in outcomes):.1f} s; worst per MB: {worst.seconds:.1f} s for "
          f"{worst.size / 2**20:.2f} MB ({worst.kind}, from {worst.seed})")
    problems = [o for o in outcomes if o.problem]
    print(f"problems: {len(problems)}")
    for o in problems:
        print(f"  {o.kind} from {o.seed} ({o.size:,} bytes): {o.problem}")


if __name__ == "__main__":
    main()
