"""What nobody said is not a sentence to code: transcriber's notes ("[laughter]") and roll calls ("Liam.") are
joined to the words beside them, or left out of the segments when a turn has nothing else; `g` never stops
on them and progress does not count them. The transcript's text is untouched."""

from __future__ import annotations

import time

from conftest import write

from qualcode.cli import cli
from qualcode.coding.navigation import next_uncoded, progress
from qualcode.ingest.segment import cut_segments, sentence_spans, spoken, unspoken
from qualcode.project.store import Project

ROLL_CALL = """\
Facilitator: Can we go round and say first names? [laughs]
Liam: Liam. Eh, nearly a year? Because I got extended.
Shona: Shona. Two month. I'm new. [laughs]
Craig: Hi, I'm Craig.
Craig: I stopped going. [laughter]
Jade: [laughs]
Jade: (inaudible)
Jade: [pause] Up and down.
Tariq: Tariq here.
[laughter]
Tariq: My mentor gets the family stuff.
"""
SHEET = "document,speaker,participant,group\n" + "".join(
    f"fg.txt,{name},{name},mentee\n" for name in ("Liam", "Shona", "Craig", "Jade", "Tariq")
)


def cut(nlp, text: str, turns: list[tuple[int, int]], speakers: list[str | None]) -> list[tuple[int, str]]:
    segments = cut_segments(text, turns, sentence_spans(nlp(text)), False, speakers)
    return [(turn, text[a:b]) for turn, a, b in segments]


def test_notes_and_roll_calls_are_not_sentences_of_their_own() -> None:
    assert unspoken("[laughter]") and unspoken("[laughs] [pause]") and unspoken("(inaudible 00:03:12)")
    assert unspoken("…") and unspoken("[crosstalk] —")
    assert unspoken("Liam.", frozenset({"liam"})) and unspoken("Hi, I'm Craig.", frozenset({"craig"}))
    assert unspoken("Tariq here.", frozenset({"tariq"}))
    assert not unspoken("Liam.")  # nobody's name: a word someone said
    assert not unspoken("Angela.", frozenset({"dee"}))  # naming someone else is speech
    assert not unspoken("Yes.", frozenset({"dee"})) and not unspoken("Five month.", frozenset({"tariq"}))
    assert not unspoken("(I mean the council and the rest of them)")  # a long aside is the speaker's words
    assert not unspoken("Laughter is the best thing about the group.")
    assert unspoken("# Mentee interview - Ryan") and unspoken("## Part two: after release")  # headings
    assert not unspoken("#1 thing was the housing.") and not unspoken("I'd give it #10.")


def test_a_markdown_title_is_not_the_first_sentence(demo_study) -> None:
    """The demo's Markdown interview opens with a heading: the coder's first sentence is the interviewer's
    first words, and progress does not count the title."""
    with Project.open(demo_study) as project:
        document = project.document("mentee_ryan.md")
        first = project.db.execute('SELECT start, "end" FROM segment WHERE document_id = ? ORDER BY start LIMIT 1',
                                   [document["id"]]).fetchone()  # fmt: skip
    assert "# Mentee interview - Ryan" in document["text"]
    assert document["text"][first[0] : first[1]].startswith("Okay, that's us recording.")


def test_joined_to_the_words_beside_them_on_their_line(nlp) -> None:
    text = "Liam. Eh, nearly a year? Because I got extended.\nShona. Two month. I'm new. [laughs]\n[laughter]\nOK."
    first, second = text.index("Shona"), text.index("[laughter]")
    got = cut(nlp, text, [(0, first - 1), (first, second - 1), (second, len(text))], ["Liam", "Shona", None])
    assert got == [
        (0, "Liam. Eh, nearly a year?"),
        (0, "Because I got extended."),
        (1, "Shona. Two month."),
        (1, "I'm new. [laughs]"),
        (2, "[laughter]\nOK."[len("[laughter]\n") :]),
    ]


def test_a_turn_of_nothing_but_a_note_has_no_segment(nlp) -> None:
    text = "Jade: [laughs]\n"
    assert cut(nlp, text, [(6, 14)], ["Jade"]) == []
    assert spoken(text, [(0, 6, 14)], ["Jade"]) == []


def test_a_note_regex_cannot_be_made_slow() -> None:
    started = time.perf_counter()
    for passage in ("(" + "a" * 200_000, "(" + "a " * 100_000, "[" * 100_000, "(" * 50_000 + ")" * 50_000):
        unspoken(passage, frozenset({"a"}))
    assert time.perf_counter() - started < 5  # generous: a backtracking pattern takes hours


def test_g_and_progress_skip_what_nobody_said(tmp_path, project_path, invoke) -> None:
    folder = tmp_path / "in"
    write(folder / "fg.txt", ROLL_CALL)
    write(tmp_path / "sheet.csv", SHEET)
    result = invoke("import", project_path, folder, "--participants", tmp_path / "sheet.csv", "--interviewer",
                    "Facilitator")  # fmt: skip
    assert result.exit_code == 0, result.output
    with Project.open(project_path, write=True) as project:
        document, text = project.db.execute("SELECT id, text FROM document").fetchone()
        assert text == ROLL_CALL  # the text keeps every note
        rows = project.db.execute(
            'SELECT s.seq, s.start, s."end", t.role FROM segment s JOIN turn t ON t.id = s.turn_id ORDER BY s.seq'
        ).fetchall()
        passages = [text[a:b] for _, a, b, _ in rows]
        assert "[laughs]" not in passages and "[laughter]" not in passages and "Liam." not in passages
        assert "Liam. Eh, nearly a year?" in passages and "I stopped going. [laughter]" in passages
        assert "[pause] Up and down." in passages and "Tariq here." not in passages
        # every participant's segment is one `g` steps to, and none of them is nobody's words
        coder = project.coder_id("amira")
        seen, after = [], -1
        while (found := next_uncoded(project, document, [coder], after)) is not None:
            seen.append(text[rows[found][1] : rows[found][2]])
            after = found
        assert seen and not any(unspoken(p, frozenset({"liam", "shona", "craig", "jade", "tariq"})) for p in seen)
        assert progress(project, coder)[document] == (0, len(seen))


def test_the_turns_listing_shows_notes_inside_sentences(tmp_path, project_path, runner) -> None:
    write(tmp_path / "in" / "fg.txt", ROLL_CALL)
    runner.invoke(cli, ["import", str(project_path), str(tmp_path / "in"), "--interviewer", "Facilitator"])
    shown = runner.invoke(cli, ["turns", str(project_path), "--document", "fg.txt"]).output
    assert "Shona. Two month." in shown and "I'm new. [laughs]" in shown
