"""The study machine, long: random sequences of every change a team makes (code, uncode, memo, star, undo, redo,
create, delete and merge codes, settle a disagreement, merge a colleague's file), each through qualcode's core
on a real project file and through a pure-Python model, compared after every step with ``qualcode check``
and the no-orphan-memo rule (``tests/study_machine.py``; a short run of the same is in the test suite).

    python bench/machine_bench.py                     # 2,000 sequences of up to 100 steps
    python bench/machine_bench.py --examples 200 --steps 50 --seed 7

Prints the steps taken, by kind, the invariants checked, the undo/redo steps refused because the file no
longer fitted them (each must leave the file untouched), and the failures (0, or the shrunk sequence).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from hypothesis import HealthCheck, seed, settings
    from hypothesis.stateful import run_state_machine_as_test
    from study_machine import FIGURES, StudyMachine, prepare
    from test_study_machine import build

    folder = Path(tempfile.mkdtemp(prefix="qualcode-machine-"))
    StudyMachine.base, StudyMachine.colleague = prepare(folder, build)
    StudyMachine.folder = folder
    started = time.perf_counter()
    failure = ""
    try:
        seed(args.seed)(lambda: run_state_machine_as_test(StudyMachine, settings=settings(
            max_examples=args.examples, stateful_step_count=args.steps, deadline=None, database=None,
            suppress_health_check=list(HealthCheck))))()  # fmt: skip
    except Exception as error:  # the shrunk failing sequence, as Hypothesis prints it
        failure = str(error)
    seconds = time.perf_counter() - started
    print(f"machine: {platform.machine()}, {platform.python_version()}, {args.examples} sequences of up to "
          f"{args.steps} steps, seed {args.seed}")  # fmt: skip
    steps = sum(FIGURES["by_rule"].values())
    print(f"steps: {steps:,} in {seconds:.0f} s; invariants checked: {FIGURES['checks']:,}")
    print("by kind: " + ", ".join(f"{k} {v:,}" for k, v in sorted(FIGURES["by_rule"].items())))
    print(f"undo/redo refused whole (the file had changed under them): {FIGURES['conflicts']:,}")
    print(f"failures: {1 if failure else 0}")
    if failure:
        print(failure)
        sys.exit(1)


if __name__ == "__main__":
    main()
