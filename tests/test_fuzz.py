"""The fuzz harness, short: one mutated input for every seed file (the sample study's transcripts, the
transcription services' layouts, ODT, RTF, PDF, the participants sheet, the codebooks and framework, a real
NVivo .qdpx, a .qdc, a reliability table and a redaction list), each given to the command that reads it in a
process of its own under a memory and time cap. ``bench/fuzz_bench.py`` runs thousands."""

from __future__ import annotations

from pathlib import Path

from fuzzing import SEEDS, fuzz


def test_every_reader_survives_mutated_real_files(demo_copy: Path, tmp_path: Path) -> None:
    outcomes = fuzz(demo_copy, tmp_path, cases=len(SEEDS), seed=21)
    problems = [(o.kind, o.seed, o.problem) for o in outcomes if o.problem]
    assert problems == [], problems
    assert {o.code for o in outcomes} <= {0, 1}
    assert max(o.peak for o in outcomes) < 1024
