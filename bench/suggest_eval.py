"""How good are the suggestions? Top-1 and top-3 hit rates and precision against hand-written gold codes.

The gold codes are for sentences of transcripts of the sample study that no sample coding touches, so the
coder's past codings (amira's, on other transcripts) cannot have seen them: ``bench/suggest_gold.yaml`` (a
mentee interview; the weights were chosen looking at it) and ``bench/suggest_gold_mentor.yaml`` (a mentor
interview, written after the weights were fixed: the held-out figure).
Compared with a baseline that only matches keywords exactly (case-insensitive, whole words). Also times
suggestions for a 10,000-word transcript once the pipeline is loaded.

    python bench/suggest_eval.py [--study]   # --study: also a whole 1,000-transcript study
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def baseline(codes: list[dict], text: str) -> list[tuple[str, float]]:
    """Codes ranked by how many of their keywords appear verbatim (whole words, any case)."""
    hits = []
    for code in codes:
        found = sum(bool(re.search(rf"\b{re.escape(k.lower())}\b", text.lower())) for k in code["keywords"])
        if found:
            hits.append((code["id"], float(found)))
    return sorted(hits, key=lambda h: -h[1])


GOLD = [
    ("suggest_gold.yaml", "the weights were chosen looking at this set"),
    ("suggest_gold_mentor.yaml", "written after the weights were fixed: held out"),
    ("suggest_gold_partner.yaml", "a partner organisation, written after the weights were fixed: held out"),
]


def gold_passages(project: object, gold_file: dict) -> tuple[list[str], list[set[str]]]:
    """Each gold passage's whole sentence segment, and its gold codes."""
    document = project.document(gold_file["document"])  # type: ignore[attr-defined]
    passages, gold = [], []
    for item in gold_file["passages"]:
        start = document["text"].find(item["text"])
        assert start >= 0, item["text"]
        segment = project.db.execute(  # type: ignore[attr-defined]
            'SELECT start, "end" FROM segment WHERE document_id = ? AND start <= ? AND "end" > ?',
            [document["id"], start, start],
        ).fetchone()
        passages.append(document["text"][segment[0] : segment[1]])
        gold.append(set(item["codes"]))
    return passages, gold


def evaluate(ranked: list[list[tuple[str, float]]], gold: list[set[str]], threshold: float) -> dict[str, float]:
    top1 = sum(bool(r) and r[0][0] in g for r, g in zip(ranked, gold, strict=True)) / len(gold)
    top3 = sum(any(c in g for c, _ in r[:3]) for r, g in zip(ranked, gold, strict=True)) / len(gold)
    shown = [(c, g) for r, g in zip(ranked, gold, strict=True) for c, s in r[:3] if s >= threshold]
    right = sum(c in g for c, g in shown)
    wanted = sum(len(g) for g in gold)
    return {"top1": top1, "top3": top3, "precision": right / len(shown) if shown else 0.0,
            "recall": right / wanted, "shown": len(shown)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", action="store_true", help="Also time a whole 1,000-transcript study.")
    args = parser.parse_args()
    from qualcode.codebook.files import project_codes
    from qualcode.demo import build_demo
    from qualcode.ingest.segment import load_pipeline
    from qualcode.project.store import Project
    from qualcode.suggest.suggester import THRESHOLD, Suggester

    nlp = load_pipeline()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.qdb"
        for _ in build_demo(path, nlp):
            pass
        with Project.open(path, write=True) as project:
            codes = project_codes(project)
            suggester = Suggester(project, nlp, "amira")
            print(
                f"machine: {platform.machine()}, Python {platform.python_version()}; {len(codes)} codes; "
                f"threshold {THRESHOLD} (the baseline shows any keyword hit)"
            )
            for gold_name, label in GOLD:
                gold_file = yaml.safe_load((ROOT / "bench" / gold_name).read_text(encoding="utf-8"))
                passages, gold = gold_passages(project, gold_file)
                print(f"{len(passages)} gold passages from {gold_file['document']} ({label})")
                ours = [[(c, s) for c, s, _ in suggester.rank(text)] for text in passages]
                plain = [baseline(codes, text) for text in passages]
                for name, ranked, threshold in (("qualcode", ours, THRESHOLD), ("keywords only", plain, 1.0)):
                    figures = evaluate(ranked, gold, threshold)
                    print(
                        f"  {name:14s} top-1 {figures['top1']:.0%}  top-3 {figures['top3']:.0%}  precision of "
                        f"shown {figures['precision']:.0%} ({figures['shown']} shown)  recall {figures['recall']:.0%}"
                    )
            speed(project, nlp, suggester, Path(folder))
    if args.study:
        whole_study(nlp)


def whole_study(nlp: object) -> None:
    """Suggestions for every transcript of the workbench benchmark's study (1,000 transcripts of 2,000
    words, a 300-code synthetic codebook, 200,000 codings to learn from)."""
    from workbench_bench import build as build_workbench

    from qualcode.project.store import Project
    from qualcode.suggest.suggester import suggest_study

    path = build_workbench(ROOT / "bench" / "out", 1000, 2000, 200_000)
    with Project.open(path, write=True) as project:
        started = time.perf_counter()
        count = documents = 0
        for done, _, found in suggest_study(project, nlp, "amira", None, 3, 0.5):
            count, documents = count + len(found), done
        elapsed = time.perf_counter() - started
    print(
        f"whole study: {documents:,} transcripts, {count:,} suggestions in {elapsed:.1f} s "
        f"({elapsed / documents * 1000:.0f} ms per transcript)"
    )


def speed(project: object, nlp: object, suggester: object, folder: Path) -> None:
    import random

    from synthetic import sentences, transcript

    from qualcode.ingest.importer import Importer, ImportOptions
    from qualcode.project.store import Project

    questions, answers = sentences()
    text = transcript(random.Random(3), questions, answers, ["Dee"], 10_000)
    (folder / "long.txt").write_text(text, encoding="utf-8")
    with Project.open(project.path, write=True) as opened:  # type: ignore[attr-defined]
        importer = Importer(opened, [folder / "long.txt"], ImportOptions())
        for _ in importer.read():
            pass
        for _ in importer.run(nlp):
            pass
        document = opened.document("long.txt")
        started = time.perf_counter()
        found = suggester.document(opened, document, "amira")  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - started
    print(f"10,000-word transcript: {len(found)} suggestions in {elapsed:.2f} s (target 1 s)")


if __name__ == "__main__":
    main()
