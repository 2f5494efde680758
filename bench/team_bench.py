"""Team coding speed: agreement between two coders over 1,000 transcripts and 100 codes, and merging.

Builds (or reuses) a study from the workbench benchmark's 1,000 transcripts: 100 codes, a first coder who
codes 1,000 random sentences with each code (sometimes two sentences at once) and a second who agrees
about three times in four and adds codings of their own — about 200,000 codings. Then times, each in its
own process: agreement at the segment unit, at the character unit, NLTK's pure-Python alpha for a few codes
on the same segment data (the ratio is per code), and merging two 200,000-coding projects into a new file.

    python bench/team_bench.py        # targets: segment 5 s, character 10 s, merge 10 s
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def build(out: Path) -> Path:
    from workbench_bench import build as build_workbench

    from qualcode.project.store import Project

    path = out / "team-1000-100.qdb"
    if path.exists():
        return path
    source = build_workbench(out, 1000, 2000, 200_000)
    partial = path.with_suffix(".partial")
    shutil.copy(source, partial)
    rng = random.Random(5)
    with Project.open(partial, write=True) as project, project.transaction() as db:
        db.execute("DELETE FROM coding")
        segments = db.execute('SELECT document_id, start, "end" FROM segment ORDER BY document_id, start').fetchall()
        codes = [r[0] for r in db.execute("SELECT id FROM code ORDER BY id LIMIT 100")]
        first, second = project.coder_id("amira"), project.coder_id("ben")
        rows = set()
        for code in codes:
            for _ in range(1000):
                n = rng.randrange(len(segments) - 1)
                document, start, end = segments[n]
                if rng.random() < 0.2 and segments[n + 1][0] == document:
                    end = segments[n + 1][2]
                rows.add((document, code, first, start, end))
                if rng.random() < 0.75:  # the second coder agrees, sometimes on a shorter passage
                    rows.add((document, code, second, start + (2 if rng.random() < 0.3 else 0), end))
            for _ in range(250):
                document, start, end = rng.choice(segments)
                rows.add((document, code, second, start, end))
        db.conn.executemany(
            'INSERT OR IGNORE INTO coding(document_id, code_id, coder_id, start, "end", origin, created_at) '
            "VALUES (?, ?, ?, ?, ?, 'manual', '2026-01-01T00:00:00+00:00')",
            sorted(rows),
        )
    partial.rename(path)
    return path


def phase(name: str, path: Path, out: Path) -> dict[str, object]:
    from qualcode.project.store import Project
    from qualcode.team.reliability import compare

    figures: dict[str, object] = {}
    if name in ("segment", "character"):
        with Project.open(path, write=True) as project:
            started = time.perf_counter()
            report = compare(project, ["amira", "ben"], name)
            figures["seconds"] = time.perf_counter() - started
            figures["codes"] = len(report["per_code"])
            figures["alpha"] = report["pooled"]["krippendorff_alpha"]
    elif name == "nltk":
        from nltk.metrics.agreement import AnnotationTask

        with Project.open(path, write=True) as project:
            codes = [r[0] for r in project.db.execute("SELECT DISTINCT code_id FROM coding ORDER BY 1 LIMIT 3")]
            segments = [r[0] for r in project.db.execute("SELECT id FROM segment")]
            elapsed = 0.0
            for code in codes:
                hits = set(
                    project.db.execute(
                        "SELECT DISTINCT r.name, s.id FROM coding c JOIN coder r ON r.id = c.coder_id JOIN segment s "
                        'ON s.document_id = c.document_id AND s.start < c."end" AND s."end" > c.start '
                        "WHERE c.code_id = ?",
                        [code],
                    ).fetchall()
                )
                data = [(coder, s, int((coder, s) in hits)) for s in segments for coder in ("amira", "ben")]
                started = time.perf_counter()
                AnnotationTask(data=data).alpha()
                elapsed += time.perf_counter() - started
            figures["seconds_per_code"] = elapsed / len(codes)
    elif name == "merge":
        from qualcode.team.merge import merge_projects

        other = out / "team-other.qdb"
        shutil.copy(path, other)
        with Project.open(other, write=True) as project, project.transaction() as db:
            db.execute("UPDATE coder SET name = name || '-copy'")
        merged = out / "team-merged.qdb"
        for stale in (merged, Path(f"{merged}-wal"), Path(f"{merged}-shm")):
            stale.unlink(missing_ok=True)
        started = time.perf_counter()
        report = merge_projects(merged, [path, other])
        figures["seconds"] = time.perf_counter() - started
        figures["codings"] = sum(s["codings_added"] for s in report["sources"])
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.path, args.out)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    path = build(args.out)
    from qualcode.project.store import Project

    with Project.open(path, write=True) as project:
        count = project.count("coding")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"study: {path.name}, 1,000 transcripts, 100 codes, {count:,} codings by two coders")
    results = {}
    for name in ("segment", "character", "nltk", "merge"):
        done = subprocess.run(
            [sys.executable, __file__, "--phase", name, "--path", str(path), "--out", str(args.out)],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            print(f"{name}: failed\n{done.stderr.strip().splitlines()[-1]}")
            continue
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{name:10s} {json.dumps(results[name])}")
    if "segment" in results and "nltk" in results:
        ours = results["segment"]["seconds"] / results["segment"]["codes"]
        print(
            f"alpha per code at the segment unit: NLTK {results['nltk']['seconds_per_code']:.2f} s, qualcode "
            f"{ours * 1000:.1f} ms (all statistics, units counted from the project): "
            f"{results['nltk']['seconds_per_code'] / ours:,.0f}x"
        )


if __name__ == "__main__":
    main()
