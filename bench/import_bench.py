"""Import throughput against bare spaCy, and peak memory, on a synthetic study.

Builds (or reuses) a synthetic study, then runs two phases, each in its own process so that peak memory
is measured separately:

- ``pipe``: read the same transcripts and run bare ``nlp.pipe`` over their texts with ``spacy.blank("en")``
  and the sentencizer (same batch size), nothing else — the ceiling any import could reach;
- ``import``: ``qualcode import`` into a fresh project file: parsing, speaker attribution, segmentation and
  every write, in one transaction.

Prints words per second for each, the ratio import/pipe (the target is >= 0.5) and each phase's peak RSS.

    python bench/import_bench.py --documents 1000 --words 8000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def phase_pipe(study: Path) -> dict[str, float]:
    import spacy

    from qualcode.ingest.files import collect_files
    from qualcode.ingest.formats import read_transcript
    from qualcode.ingest.segment import BATCH_SIZE

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    texts = [read_transcript(path, name).text for path, name in collect_files([study])]
    words = sum(len(t.split()) for t in texts)
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
        pass
    return {"seconds": time.perf_counter() - started, "words": words}


def phase_import(study: Path, project: Path) -> dict[str, float]:
    from qualcode.ingest.importer import Importer, ImportOptions
    from qualcode.ingest.segment import load_pipeline
    from qualcode.project.store import Project

    nlp = load_pipeline()  # loaded before the clock starts, as for the pipe phase
    project.unlink(missing_ok=True)
    started = time.perf_counter()
    with Project.create(project) as opened:
        importer = Importer(opened, [study], ImportOptions(participants=study / "participants.csv"))
        for _ in importer.read():
            pass
        for _ in importer.run(nlp):
            pass
        words = sum(len(p.transcript.text.split()) for p in importer.planned)
        report = importer.report
    return {
        "seconds": time.perf_counter() - started,
        "words": words,
        "documents": len(report.imported),
        "segments": report.segments,
        "turns": report.turns,
        "file_mb": project.stat().st_size / 1e6,
    }


def run_phase(name: str, study: Path, project: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--study", str(study), "--project", str(project)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--phase", choices=["pipe", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--study", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        figures = phase_pipe(args.study) if args.phase == "pipe" else phase_import(args.study, args.project)
        figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return

    from synthetic import build

    study = args.out / f"study-{args.documents}x{args.words}"
    if not (study / "participants.csv").exists():
        print(f"building synthetic study in {study} ...", flush=True)
        build(study, args.documents, args.words)
    project = args.out / f"import-{args.documents}x{args.words}.qdb"
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    pipe = run_phase("pipe", study, project)
    imported = run_phase("import", study, project)
    pipe_rate = pipe["words"] / pipe["seconds"]
    import_rate = imported["words"] / imported["seconds"]
    print(
        f"study: {imported['documents']} transcripts, {imported['words']:,} words, {imported['turns']:,} turns, "
        f"{imported['segments']:,} segments; project file {imported['file_mb']:.0f} MB"
    )
    for label, figures, rate in (("bare nlp.pipe  ", pipe, pipe_rate), ("qualcode import", imported, import_rate)):
        print(f"{label}: {figures['seconds']:8.1f} s {rate:10,.0f} words/s  peak {figures['peak_rss_mb']:,.0f} MB")
    print(f"ratio import/pipe: {import_rate / pipe_rate:.2f} (target >= 0.50); peak memory target < 1024 MB")


if __name__ == "__main__":
    main()
