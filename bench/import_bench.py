"""Import throughput against bare spaCy, start-up against spaCy's own, and peak memory, in one run.

Builds (or reuses) a synthetic study (default: 120 transcripts, about 1.1 million tokens), then times, each
in a process of its own, on the same machine in the same run:

- ``start-up``: ``python -c`` importing spaCy and building ``spacy.blank("en")`` with the sentencizer, the
  least any import could cost before it reads a word (median of ``--repeat``);
- ``one file``: ``qualcode import`` of a one-line transcript into a fresh project (median of ``--repeat``);
- ``study``: ``qualcode import`` of the whole study with its participants sheet (median of ``--repeat``):
  reading, speaker attribution, segmentation and every write, in one transaction, progress bar included;
- ``pipe``: bare ``nlp.pipe`` over the same texts (blank English + sentencizer, the same batch size), timed
  inside its process after loading — the ceiling any import could reach.

Prints the marginal import throughput, (study − one file) against pipe (goal ≥ 0.6), the one-file import
against start-up (goal ≤ 1.3), and the peak RSS of the study import.

    python bench/import_bench.py --documents 120 --words 8000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUALCODE = [sys.executable, "-m", "qualcode"]
START_UP = 'import spacy; nlp = spacy.blank("en"); nlp.add_pipe("sentencizer")'


def phase_pipe(study: Path) -> dict[str, float]:
    """Bare nlp.pipe over the study's texts, timed after loading (prints JSON: run in its own process)."""
    import spacy

    from qualcode.ingest.files import collect_files
    from qualcode.ingest.formats import read_transcript
    from qualcode.ingest.segment import BATCH_SIZE

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    texts = [read_transcript(path, name).text for path, name in collect_files([study])]
    started = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=BATCH_SIZE))
    return {"seconds": time.perf_counter() - started, "tokens": tokens, "words": sum(len(t.split()) for t in texts)}


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def timed_import(project: Path, paths: list[str]) -> float:
    """Wall time of one ``qualcode import`` into a fresh project (the init is not timed)."""
    project.unlink(missing_ok=True)
    subprocess.run([*QUALCODE, "init", str(project)], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return timed([*QUALCODE, "import", str(project), *paths])


def peak_import_mb(project: Path, paths: list[str]) -> float:
    """Peak RSS of a study import, read from the child's own rusage after it ends."""
    project.unlink(missing_ok=True)
    subprocess.run([*QUALCODE, "init", str(project)], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    code = (
        "import resource, sys; from qualcode.cli import main; sys.argv = ['qualcode', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "import", str(project), *paths], capture_output=True, text=True, cwd=ROOT
    )
    return float(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=120)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing; the median is reported")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--phase", choices=["pipe"], help=argparse.SUPPRESS)
    parser.add_argument("--study", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase_pipe(args.study)))
        return

    from synthetic import build

    study = args.out / f"study-{args.documents}x{args.words}"
    if not (study / "participants.csv").exists():
        print(f"building synthetic study in {study} ...", flush=True)
        build(study, args.documents, args.words)
    one = args.out / "one-line.txt"
    one.write_text("Jo: We met on a Tuesday.\n", encoding="utf-8")
    project = args.out / f"import-{args.documents}x{args.words}.qdb"
    whole = [str(study), "--participants", str(study / "participants.csv")]
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)

    start_up, single, full, pipe = [], [], [], []
    for _ in range(args.repeat):  # interleaved, so a noisy minute falls on every measure alike
        start_up.append(timed([sys.executable, "-c", START_UP]))
        single.append(timed_import(project, [str(one)]))
        full.append(timed_import(project, whole))
        ran = subprocess.run(
            [sys.executable, __file__, "--phase", "pipe", "--study", str(study)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        figures = json.loads(ran.stdout.strip().splitlines()[-1])
        pipe.append(figures["seconds"])
    peak = peak_import_mb(project, whole)
    start_up_s, single_s, full_s, pipe_s = (statistics.median(x) for x in (start_up, single, full, pipe))
    marginal = full_s - single_s
    tokens = figures["tokens"]
    print(f"study: {args.documents} transcripts, {figures['words']:,} words, {tokens:,} tokens")
    print(f"spaCy start-up (python -c, blank en + sentencizer): {start_up_s:6.2f} s")
    print(f"qualcode import, one-line file:                     {single_s:6.2f} s  = {single_s / start_up_s:.2f}x "
          "start-up (goal <= 1.3)")  # fmt: skip
    print(f"qualcode import, whole study:                       {full_s:6.2f} s  peak {peak:,.0f} MB")
    print(f"bare nlp.pipe over the same texts:                  {pipe_s:6.2f} s  {tokens / pipe_s:10,.0f} tokens/s")
    print(f"import minus one-file import:                       {marginal:6.2f} s  {tokens / marginal:10,.0f} tokens/s"
          f"  = {pipe_s / marginal:.2f}x bare nlp.pipe (goal >= 0.6)")  # fmt: skip


if __name__ == "__main__":
    main()
