"""Findings-pack speed on a large study: 1,000 transcripts and 1,000,000 codings, the shipped framework.

Starts from the reports benchmark's study (1,000 transcripts, 1,000,000 codings by three coders), imports the
shipped codebooks, moves every coding onto one of their codes (each synthetic code maps to one shipped code)
and spreads the participants over the five stakeholder groups of the shipped framework. Then times, each in
its own process so that peak memory is its own, ``qualcode report`` with the shipped framework to .docx,
.html and .md, counting one coder and counting all three (which adds agreement per code).

    python bench/findings_bench.py          # target: 20 s and 1 GB each
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
FRAMEWORK = ROOT / "codebooks" / "mentoring-evaluation-framework.yaml"
GROUPS = ("mentee", "mentor", "lead_organisation", "partner_organisation", "national_stakeholder")


def build(out: Path, codings: int) -> Path:
    from reports_bench import build as build_reports
    from reports_bench import migrate

    from qualcode.codebook.files import import_codebook, load_codebook
    from qualcode.demo import shipped_codebooks
    from qualcode.project.store import Project

    path = out / f"findings-1000-{codings}.qdb"
    if path.exists():
        return path
    source = build_reports(out, codings)
    migrate(source)
    partial = path.with_suffix(".partial")
    shutil.copy(source, partial)
    rng = random.Random(16)
    with Project.open(partial, write=True) as project:
        synthetic = [r[0] for r in project.db.execute("SELECT id FROM code")]
        for codebook in shipped_codebooks():
            import_codebook(project, load_codebook(codebook), codebook)
        shipped = [r[0] for r in project.db.execute("SELECT id FROM code") if r[0] not in set(synthetic)]
        with project.transaction() as db:
            db.execute("CREATE TEMP TABLE mapping(old TEXT PRIMARY KEY, new TEXT)")
            db.conn.executemany("INSERT INTO mapping VALUES (?, ?)", [(c, rng.choice(shipped)) for c in synthetic])
            db.execute("UPDATE OR IGNORE coding SET code_id = (SELECT new FROM mapping WHERE old = code_id)")
            db.execute("DELETE FROM coding WHERE code_id IN (SELECT old FROM mapping)")  # collisions
            people = [r[0] for r in db.execute("SELECT id FROM participant")]
            db.conn.executemany(
                "UPDATE participant SET stakeholder_group = ? WHERE id = ?", [(rng.choice(GROUPS), p) for p in people]
            )
        print(f"built {path.name}: {project.count('coding'):,} codings on {len(shipped)} shipped codes")
    partial.rename(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path = build(args.out, args.codings)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"study: {path.name} ({path.stat().st_size / 1e6:.0f} MB)")
    for whom in (["--coder", "amira"], ["--coders", "all"]):
        for suffix in ("docx", "html", "md"):
            target = args.out / f"bench-findings.{suffix}"
            started = time.perf_counter()
            result = subprocess.run(
                ["/usr/bin/time", "-v", sys.executable, "-m", "qualcode", "report", str(path), "--framework",
                 str(FRAMEWORK), "-o", str(target), "--force", *whom],
                capture_output=True, text=True, check=True, cwd=ROOT,
            )  # fmt: skip
            seconds = time.perf_counter() - started
            peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1)) / 1024
            verdict = "ok" if seconds <= 20 and peak <= 1024 else "SLOW"
            print(f"{' '.join(whom):14s} .{suffix:4s} {seconds:6.2f} s  peak {peak:6.0f} MB  "
                  f"({target.stat().st_size / 1e3:,.0f} kB)  target 20 s, 1 GB  {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
