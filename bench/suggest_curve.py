"""How fast do suggestions learn from the team? A learning curve, cross-validated, and the time to suggest
codes for a whole 2,000-sentence study.

The passages are the hand-coded gold of ``bench/suggest_gold.yaml``, ``bench/suggest_gold_mentor.yaml`` and
``bench/suggest_gold_partner.yaml`` (117 sentences of three sample transcripts: a mentee, a mentor, a partner
organisation). For each of ``--repeats`` shuffles, the suggester (the shipped codebooks, none of the project's
codings) learns N of them as a coder would code them (``learn_passage``, each with its gold codes) and is
scored on the rest: top-1 and top-3 (a gold code first, or among the first
three), for N = 0 (zero-shot), 10, 25, 50 and 100 (each N that leaves at least ten passages to score).

Caveat: the sample study is qualcode's own, so these figures show the learning, not how the suggestions do
on interview text nobody on the team wrote. ``--gold FILE`` scores any other set instead, in the same YAML
shape as the gold files but standalone: ``{source: "...", passages: [{text, codes, group}]}`` (``group``, the
speaker's stakeholder group, optional), so that a set assembled from public evaluation reports' quoted
passages, with the code each report filed them under, can be measured the same way. ``--embeddings DIR``
adds closeness in meaning from a local model2vec model (qualcode's ``embeddings`` extra).

    python bench/suggest_curve.py [--repeats 10] [--study-sentences 2000] [--gold FILE] [--embeddings DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from suggest_eval import GOLD, gold_passages  # noqa: E402

STEPS = (0, 10, 25, 50, 100)


def curve(suggester: object, passages: list[str], gold: list[set[str]], groups: list[str | None],
          repeats: int) -> dict[int, tuple[float, float]]:  # fmt: skip
    steps = [n for n in STEPS if len(passages) - n >= 10]
    totals = {n: [0.0, 0.0, 0] for n in steps}
    priors = {group: suggester.prior(group) for group in set(groups)}  # type: ignore[attr-defined]
    for seed in range(repeats):
        order = list(range(len(passages)))
        random.Random(seed).shuffle(order)
        for n in steps:
            suggester.forget()  # type: ignore[attr-defined]
            for i in order[:n]:  # coded, as a coder codes: each gold code of the passage
                for code in gold[i]:
                    suggester.learn_passage(code, passages[i])  # type: ignore[attr-defined]
            held = order[n:]
            for i in held:
                heard = [suggester.heard(s, priors[groups[i]], groups[i])  # type: ignore[attr-defined]
                         for s in suggester.rank(passages[i])]  # type: ignore[attr-defined]
                ranked = [c for c, _, _ in sorted(heard, key=lambda s: -s[1])]
                totals[n][0] += bool(ranked) and ranked[0] in gold[i]
                totals[n][1] += any(c in gold[i] for c in ranked[:3])
            totals[n][2] += len(held)
    return {n: (t1 / count, t3 / count) for n, (t1, t3, count) in totals.items()}


def study_time(nlp: object, sentences: int) -> tuple[int, float]:
    """Suggestions for every sentence of a synthetic study of about ``sentences`` participants' sentences."""
    from synthetic import build

    from qualcode.codebook.files import import_codebook, load_codebook
    from qualcode.ingest.importer import Importer, ImportOptions
    from qualcode.project.store import Project
    from qualcode.suggest.suggester import suggest_study

    with tempfile.TemporaryDirectory() as folder:
        study = build(Path(folder) / "study", max(1, sentences // 100), 1_600)
        with Project.create(Path(folder) / "s.qdb") as project:
            for name in ("mentoring-logic-model", "partnership-logic-model", "barriers-enablers"):
                path = ROOT / "codebooks" / f"{name}.yaml"
                import_codebook(project, load_codebook(path), path)
            importer = Importer(project, [study], ImportOptions(participants=study / "participants.csv"))
            list(importer.read())
            list(importer.run(nlp))
            counted = project.db.execute(
                "SELECT count(*) FROM segment s JOIN turn t ON t.id = s.turn_id WHERE t.role != 'interviewer'"
            ).fetchone()[0]
            started = time.perf_counter()
            for _ in suggest_study(project, nlp, None, None, 3, 0.5):
                pass
            return int(counted), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--study-sentences", type=int, default=2000)
    parser.add_argument("--gold", type=Path, help="Another hand-coded set: {source, passages: [{text, codes, group}]}.")
    parser.add_argument("--embeddings", type=Path, help="A local model2vec model's folder: closeness in meaning too.")
    options = parser.parse_args()

    from qualcode.ingest.segment import load_pipeline
    from qualcode.project.store import Project
    from qualcode.suggest.meaning import use
    from qualcode.suggest.suggester import Suggester

    use(options.embeddings)
    nlp = load_pipeline()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        from click.testing import CliRunner

        from qualcode.cli import cli

        CliRunner().invoke(cli, ["demo", "--dir", folder, "--no-tui"], catch_exceptions=False)
        with Project.open(Path(folder) / "demo.qdb") as project:
            passages, gold, groups = [], [], []
            if options.gold:
                given = yaml.safe_load(options.gold.read_text(encoding="utf-8"))
                print(f"{options.gold}: {given.get('source', 'source not given')}")
                for item in given["passages"]:
                    passages.append(item["text"])
                    gold.append(set(item["codes"]))
                    groups.append(item.get("group"))
            for name, _ in [] if options.gold else GOLD:
                read = yaml.safe_load((ROOT / "bench" / name).read_text(encoding="utf-8"))
                found = gold_passages(project, read)
                group = project.db.execute(
                    "SELECT p.stakeholder_group FROM turn t JOIN participant p ON p.id = t.participant_id "
                    "JOIN document d ON d.id = t.document_id WHERE d.name = ? AND t.role = 'participant' LIMIT 1",
                    [read["document"]],
                ).fetchone()[0]
                passages += found[0]
                gold += found[1]
                groups += [group] * len(found[0])
            suggester = Suggester(project, nlp, None, learn=False)
    print(f"{len(passages)} hand-coded sentences; {options.repeats} shuffles; learned from N, scored on the rest")
    for n, (top1, top3) in curve(suggester, passages, gold, groups, options.repeats).items():
        print(f"  N = {n:3d} coded:  top-1 {top1:4.0%}  top-3 {top3:4.0%}")
    counted, seconds = study_time(nlp, options.study_sentences)
    print(f"suggestions for a study of {counted:,} participants' sentences: {seconds:.1f} s (goal: 2,000 in 30 s)")


if __name__ == "__main__":
    main()
