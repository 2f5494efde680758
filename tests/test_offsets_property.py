"""The offset rule, as a property: for any transcript, every turn and segment slices out exactly its text.

Random transcripts mix speaker labels in every supported style with words containing emoji, combining
accents, tabs, empty lines and CRLF or CR line endings; they go through the real importer, the real spaCy
pipeline and a real project file. Word lines never contain ':', '[' or '<', so the expected turns are known.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.errors import QualcodeError
from qualcode.ingest.importer import Importer, ImportOptions
from qualcode.ingest.segment import unspoken
from qualcode.ingest.turns import is_wrapped
from qualcode.project.store import Project
from qualcode.text import normalise

LABELS = ["Interviewer: ", "Dee: ", "I: ", "[Jo] ", "<v Sam Reid>", "**Mentor 2:** ", "[00:01:02] Liam: "]
WORDS = st.sampled_from(
    [
        "well",
        "um",
        "I",
        "didn't",
        "trust",
        "her.",
        "Café",
        "Cafe\u0301",
        "naïve",
        "😀",
        "👩🏽‍⚕️",
        "e\u0301\u0327",
        "—",
        "“quoted”",
        "yes!",
        "no?",
        "ok...",
        "\t",
        "  ",
        "Ünïcode",
        "ﬁne",
        "Ω",
        "x.y",
        "42",
    ]
)
LINE = st.lists(WORDS, min_size=0, max_size=12).map(" ".join)
TURN = st.tuples(st.sampled_from(LABELS), st.lists(LINE, min_size=1, max_size=4))
NEWLINE = st.sampled_from(["\n", "\r\n", "\r"])


def expected_label(label: str) -> str:
    inner = label.replace("**", "").replace("<v ", "").replace(">", "").strip().rstrip(":")
    return inner.split("] ")[-1].strip("[]").rstrip(":")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(turns=st.lists(TURN, min_size=1, max_size=8), newline=NEWLINE, blank_lines=st.integers(0, 2))
def test_turns_and_segments_slice_exactly(nlp, turns, newline: str, blank_lines: int) -> None:
    lines = []
    for label, body in turns:
        lines.append(label + body[0])
        lines.extend(body[1:])
        lines.extend([""] * blank_lines)
    raw = newline.join(lines)
    expected = []
    for label, body in turns:
        words = normalise("\n".join(body) + "\n" * blank_lines).strip()
        if words:
            expected.append((expected_label(label), words))
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "t.txt"
        source.write_bytes(raw.encode("utf-8"))
        with Project.create(Path(folder) / "p.qdb") as project:
            importer = Importer(project, [source], ImportOptions())
            if not expected:  # labels and no words: refused, never imported as an empty document
                with pytest.raises(QualcodeError, match="no text"):
                    list(importer.read())
                return
            list(importer.read())
            list(importer.run(nlp))
            text = project.db.execute("SELECT text FROM document").fetchone()[0]
            stored_turns = list(project.db.query('SELECT id, start, "end", speaker FROM turn ORDER BY seq'))
            segments = list(project.db.query('SELECT turn_id, start, "end" FROM segment ORDER BY seq'))

    assert text == normalise(raw) and unicodedata.is_normalized("NFC", text)
    if not is_wrapped(
        text
    ):  # in hard-wrapped prose a label that continues a line is words (test_transcription_services)
        assert [(t["speaker"], text[t["start"] : t["end"]]) for t in stored_turns] == expected

    by_turn = {t["id"]: t for t in stored_turns}
    previous_end = 0
    covered: dict[int, set[int]] = {t["id"]: set() for t in stored_turns}
    for segment in segments:
        turn = by_turn[segment["turn_id"]]
        start, end = segment["start"], segment["end"]
        piece = text[start:end]
        assert turn["start"] <= start < end <= turn["end"], "a segment crosses its turn"
        assert start >= previous_end, "segments overlap or are out of order"
        assert piece == piece.strip()
        assert "\n" not in piece if not is_wrapped(text) else re.search(r"\n[ \t]*\n", piece) is None
        covered[turn["id"]].update(range(start, end))
        previous_end = end
    for turn in stored_turns:  # every word is in a segment, but what nobody said ("[laughter]" alone on a line)
        names = frozenset(w.lower() for w in re.findall(r"[^\W_]+", turn["speaker"] or "") if len(w) > 1)
        left = "".join(c if i not in covered[turn["id"]] else "\n" for i, c in enumerate(text) if
                       turn["start"] <= i < turn["end"])  # fmt: skip
        for stretch in (s.strip() for s in left.split("\n")):
            assert not stretch or unspoken(stretch, names), f"words that belong to no segment: {stretch!r}"
