"""Workbench responsiveness on a large study, measured with Textual's Pilot (medians of repeated runs).

Builds (or reuses) a study of 1,000 transcripts plus one 20,000-word transcript, a 300-code codebook, and
200,000 codings by two coders, then measures:

- launch: from creating the app to the start screen's document list being on screen;
- open: from asking for the 20,000-word transcript (once the start screen's background work is done) to
  its screen being drawn;
- apply: from pressing a quick-code key to the coding being stored and the screen redrawn;
- picker: from each keystroke in the code picker to the filtered list being redrawn (300 codes);
- long: opening a separate 50,000-word transcript, and each page-down through it (scrolling).

Pilot's own round trip (a key press that does nothing, then waiting for the screen) is measured too and
printed as ``baseline``; ``net`` is a median minus that baseline. For apply and picker the time spent in
qualcode's own handler (the coding committed to disk, the codes ranked and listed) is printed as
``handler``: what is left is Textual redrawing the screen.

    python bench/workbench_bench.py            # targets: 1.5 s, 300 ms, 50 ms, 30 ms
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def build(out: Path, documents: int, words: int, codings: int) -> Path:
    from synthetic import build as build_study
    from synthetic import sentences, transcript

    from qualcode.codebook.files import Code, Codebook, import_codebook
    from qualcode.ingest.importer import Importer, ImportOptions
    from qualcode.ingest.segment import load_pipeline
    from qualcode.project.store import Project

    path = out / f"workbench-{documents}x{words}-{codings}.qdb"
    if path.exists():
        return path
    final, path = path, path.with_suffix(".partial")  # renamed only once complete
    path.unlink(missing_ok=True)
    study = build_study(out / f"study-{documents}x{words}", documents, words)
    rng = random.Random(7)
    questions, answers = sentences()
    (study / "zz_long_interview.txt").write_text(transcript(rng, questions, answers, ["Dee"], 20_000), "utf-8")
    with Project.create(path) as project:
        words_pool = " ".join(answers).split()
        codes = []
        for p in range(30):
            parent = Code(
                f"theme-{p:02d}",
                f"Theme {p} {rng.choice(words_pool)}",
                "short_term_outcome",
                0,
                definition=" ".join(rng.choices(words_pool, k=20)),
                keywords=rng.choices(words_pool, k=4),
            )
            codes.append(parent)
            for c in range(9):
                codes.append(
                    Code(
                        f"theme-{p:02d}-{c}",
                        f"{rng.choice(words_pool)} {rng.choice(words_pool)} {c}",
                        "medium_term_outcome",
                        0,
                        parent=parent.id,
                        definition=" ".join(rng.choices(words_pool, k=25)),
                        keywords=rng.choices(words_pool, k=5),
                    )
                )
        codes.append(Code("extra-misc", "Miscellaneous", "other", 0))
        codes += [Code(f"extra-{n}", f"Extra {n}", "other", 0, parent="extra-misc") for n in range(9)]
        import_codebook(project, Codebook("bench", codes[:300]))
        importer = Importer(project, [study], ImportOptions(participants=study / "participants.csv"))
        for _ in importer.read():
            pass
        for _ in importer.run(load_pipeline()):
            pass
        segments = project.db.execute('SELECT document_id, start, "end" FROM segment').fetchall()
        code_ids = [c.id for c in codes[:300]]
        coders = [project.coder_id("amira"), project.coder_id("ben")]
        rows = set()
        while len(rows) < codings:
            doc, start, end = rng.choice(segments)
            rows.add((doc, rng.choice(code_ids), rng.choice(coders), start, end))
        with project.transaction() as db:
            db.conn.executemany(
                'INSERT INTO coding(document_id, code_id, coder_id, start, "end", origin, created_at) '
                "VALUES (?, ?, ?, ?, ?, 'manual', '2026-01-01T00:00:00+00:00')",
                sorted(rows),
            )
    path.rename(final)
    return final


async def measure(path: Path, runs: int) -> dict[str, list[float]]:
    from textual.widgets import DataTable

    from qualcode.project.store import Project
    from qualcode.tui import make_app
    from qualcode.tui.document import DocumentScreen

    with Project.open(path, write=True) as project:
        long_id = project.db.execute("SELECT id FROM document WHERE name = 'zz_long_interview.txt'").fetchone()[0]
        long_words = project.db.execute("SELECT words FROM document WHERE id = ?", [long_id]).fetchone()[0]
    figures: dict[str, list[float]] = {
        "launch": [],
        "open": [],
        "apply": [],
        "picker": [],
        "baseline": [],
        "apply handler": [],
        "picker handler": [],
    }
    print(f"long transcript: {long_words:,} words")
    for _ in range(runs):
        started = time.perf_counter()
        app = make_app(path, coder="amira", user="bench")
        async with app.run_test(size=(160, 48)) as pilot:
            while not app.screen.query(DataTable) or not app.screen.query_one(DataTable).row_count:
                await pilot.pause()
            figures["launch"].append(time.perf_counter() - started)
            await app.workers.wait_for_complete()  # the start screen's progress, computed in the background
            await pilot.pause()

            started = time.perf_counter()
            app.open_document(long_id)
            await pilot.pause()
            assert isinstance(app.screen, DocumentScreen)
            figures["open"].append(time.perf_counter() - started)

            screen = app.screen
            app.place.recent[:] = ["theme-03-4"]
            app.interviewer_ok = True  # the sentences coded below include questions: answered once, yes
            for _ in range(10):
                started = time.perf_counter()
                await pilot.press("f12")  # bound to nothing: Pilot's own cost
                await pilot.pause()
                figures["baseline"].append(time.perf_counter() - started)
            for _ in range(10):
                await pilot.press("j")
                started = time.perf_counter()
                await pilot.press("1")
                await pilot.pause()
                figures["apply"].append(time.perf_counter() - started)
            for _ in range(10):
                screen.action_move(1)
                started = time.perf_counter()
                screen.action_quick(1)
                figures["apply handler"].append(time.perf_counter() - started)
                await pilot.pause()

            await pilot.press("c")
            await pilot.pause()
            picker = app.screen
            for key in "theme 3 work":
                started = time.perf_counter()
                await pilot.press("space" if key == " " else key)
                await pilot.pause()
                figures["picker"].append(time.perf_counter() - started)
            for query in ("t", "th", "the", "them", "theme", "theme 3", "theme 3 w", "theme 3 work"):
                started = time.perf_counter()
                picker.show_matches(query)
                figures["picker handler"].append(time.perf_counter() - started)
            await pilot.press("escape")
    return figures


def build_long(out: Path, words: int = 50_000) -> Path:
    from synthetic import sentences, transcript

    from qualcode.ingest.importer import Importer, ImportOptions
    from qualcode.ingest.segment import load_pipeline
    from qualcode.project.store import Project

    path = out / f"long-{words}.qdb"
    if path.exists():
        return path
    rng = random.Random(11)
    questions, answers = sentences()
    source = out / f"long-{words}.txt"
    source.write_text(transcript(rng, questions, answers, ["Dee"], words), "utf-8")
    with Project.create(path) as project:
        importer = Importer(project, [source], ImportOptions(group="mentee"))
        for _ in importer.read():
            pass
        for _ in importer.run(load_pipeline()):
            pass
    return path


async def measure_long(path: Path, runs: int) -> dict[str, list[float]]:
    from qualcode.tui import make_app

    figures: dict[str, list[float]] = {"long open": [], "long scroll": []}
    for _ in range(runs):
        app = make_app(path, coder="amira", user="bench")
        async with app.run_test(size=(160, 48)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            started = time.perf_counter()
            app.open_document(1)
            await pilot.pause()
            figures["long open"].append(time.perf_counter() - started)
            view = app.screen.query_one("#transcript")
            view.focus()
            for _ in range(10):
                before = view.scroll_offset.y
                started = time.perf_counter()
                await pilot.press("pagedown")
                await pilot.pause()
                figures["long scroll"].append(time.perf_counter() - started)
                assert view.scroll_offset.y > before, "page down did not scroll"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--words", type=int, default=2000, help="words per ordinary transcript")
    parser.add_argument("--codings", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path = build(args.out, args.documents, args.words, args.codings)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"study: {path.name} ({path.stat().st_size / 1e6:.0f} MB)")
    figures = asyncio.run(measure(path, args.runs))
    figures.update(asyncio.run(measure_long(build_long(args.out), args.runs)))
    targets = {
        "launch": 1.5,
        "open": 0.3,
        "apply": 0.05,
        "picker": 0.03,
        "apply handler": 0.05,
        "picker handler": 0.03,
        "long open": 0.3,
        "long scroll": 0.05,
    }
    baseline = statistics.median(figures.pop("baseline"))
    print(f"baseline (Pilot press + redraw of a key bound to nothing): {baseline * 1000:.1f} ms")
    for name, values in figures.items():
        median = statistics.median(values)
        net = median - baseline if "handler" not in name and name != "launch" else median
        print(
            f"{name:15s} median {median * 1000:7.1f} ms  net {net * 1000:7.1f} ms  (n={len(values)})  "
            f"target {targets[name] * 1000:.0f} ms  {'ok' if net <= targets[name] else 'SLOW'}"
        )


if __name__ == "__main__":
    main()
