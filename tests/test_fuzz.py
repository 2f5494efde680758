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


# -- in process, with Hypothesis: each reader's core on arbitrary input -------------------------------------

import contextlib  # noqa: E402
import string  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from qualcode.errors import QualcodeError  # noqa: E402

PIECES = st.sampled_from(["Dee:", "Interviewer:", "[00:01:02]", "<v Sam>", "-->", "\n", "\n\n", "---", ":", "<",
                          "[", "(", "é", "\u200f", "\t", "  ", "Q.", "A.", "00:00:01.000 --> 00:00:02.000",
                          "WEBVTT", "9" * 50, "Speaker 1  0:03", "Kerr, Joanne   0:03"])  # fmt: skip
TEXT = st.lists(st.one_of(PIECES, st.text(string.printable + "éø—“”", max_size=30)), max_size=60).map("".join)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(TEXT)
def test_any_text_is_a_transcript_or_one_clear_refusal(text: str) -> None:
    from qualcode.ingest.formats import transcript_from_text

    try:
        found = transcript_from_text(text, "t.txt")
    except QualcodeError:
        return
    for turn in found.turns:  # whatever it made holds together
        assert 0 <= turn.start < turn.end <= len(found.text)


@FAST
@given(TEXT, st.sampled_from([".vtt", ".srt", ".txt", ".md"]))
def test_any_file_is_read_or_refused_in_one_line(tmp_path_factory, text: str, suffix: str) -> None:
    from qualcode.ingest.formats import read_transcript

    path = tmp_path_factory.mktemp("f") / f"t{suffix}"
    path.write_text(text, encoding="utf-8")
    try:
        read_transcript(path, path.name)
    except QualcodeError as error:
        assert "\n" not in str(error).strip() or str(error).count("\n") <= 1


@FAST
@given(st.lists(st.one_of(st.sampled_from(["codebook: c", "codes:", "  - id: a", "    name: A", "    level: input",
                                           "    children:", "      - id: b", "&x", "*x", "{", "[", "- ", "    "]),
                          st.text(string.printable, max_size=20)), max_size=30).map("\n".join))  # fmt: skip
def test_any_yaml_is_a_codebook_or_one_clear_refusal(tmp_path_factory, text: str) -> None:
    from qualcode.codebook.files import load_codebook

    path = tmp_path_factory.mktemp("c") / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with contextlib.suppress(QualcodeError):
        load_codebook(path)
