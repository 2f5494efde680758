"""Transcripts in the layouts of Otter, Teams, Zoom, Rev, Trint and typists: every layout gives the same turns,
with the timestamps taken into the turn's time and never left in the words."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from qualcode.ingest.formats import read_transcript
from qualcode.ingest.turns import find_turns, is_wrapped

DATA = Path(__file__).parent / "data" / "transcripts"
SPEAKERS = ["Priya Shah", "Daniel", "Priya Shah", "Daniel"]
FIRST_WORDS = ["Thanks for coming in today.", "Yeah, it was in the hall", "What difference did that make?",
               "Honestly, a big one."]  # fmt: skip
TIMES = [3.0, 11.0, 19.0, 23.0]
LAYOUTS = ["otter.txt", "teams.txt", "teams_2021.txt", "teams.vtt", "zoom.vtt", "zoom_cloud.txt", "rev.txt",
           "rev_older.txt", "trint.txt", "time_name_tab.txt", "name_time_single_space.txt", "name_bracket_time.txt"]  # fmt: skip


def as_docx(source: Path, folder: Path) -> Path:
    """The layout as the service delivers it in Word: one paragraph per line."""
    document = docx.Document()
    for line in source.read_text(encoding="utf-8").split("\n"):
        document.add_paragraph(line)
    path = folder / (source.stem + ".docx")
    document.save(str(path))
    return path


def check(path: Path) -> None:
    transcript = read_transcript(path, path.name)
    spoken = [t for t in transcript.turns if t.speaker is not None]
    assert [t.speaker for t in spoken] == SPEAKERS, path.name
    for turn, words, time in zip(spoken, FIRST_WORDS, TIMES, strict=True):
        said = transcript.text[turn.start : turn.end]
        assert said.startswith(words), (path.name, said)
        assert round(turn.time_start or -1) == time, (path.name, turn.time_start)
        assert ":" not in said.split()[0] and "[" not in said and "(00" not in said, (path.name, said)


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_layout_gives_the_same_turns(name: str) -> None:
    check(DATA / name)


@pytest.mark.parametrize("name", ["trint.txt", "teams.txt", "teams_2021.txt"])
def test_the_word_files_those_services_deliver(name: str, tmp_path: Path) -> None:
    check(as_docx(DATA / name, tmp_path))


@pytest.mark.parametrize(
    "name", ["teams_surname.txt", "teams_surname.vtt", "teams_surname.docx", "teams_one_surname.txt"]
)
def test_teams_names_written_surname_first_are_speakers(name: str, tmp_path: Path) -> None:
    """Teams in many UK public-sector organisations writes "Kerr, Joanne   0:03": the interviewer's lines are
    a turn of their own, never merged into the mentee's."""
    for path in (DATA / name, *([as_docx(DATA / name, tmp_path)] if name.endswith(".txt") else [])):
        transcript = read_transcript(path, path.name)
        spoken = [t for t in transcript.turns if t.speaker is not None]
        expected = [s.replace("Priya Shah", "Shah, Priya") for s in SPEAKERS]
        if name != "teams_one_surname.txt":
            expected = [s.replace("Daniel", "Kerr, Daniel") for s in expected]
        assert [t.speaker for t in spoken] == expected, (path.name, [t.speaker for t in spoken])
        for turn, words in zip(spoken, FIRST_WORDS, strict=True):
            assert transcript.text[turn.start : turn.end].startswith(words), path.name
            assert "0:" not in transcript.text[turn.start : turn.end], path.name  # no timestamp in the words


def test_a_preamble_stays_unattributed() -> None:
    transcript = read_transcript(DATA / "teams.txt", "teams.txt")
    first = transcript.turns[0]
    assert first.speaker is None and transcript.text[first.start : first.end].startswith("Mentee interview 3")


@pytest.mark.parametrize(
    "text",
    [
        "[00:00:10] Okay.\n[00:00:14] So we went down the road and that was that.\n[00:00:20] Right then",
        "Sunday 10:30\nWe met at the cafe as usual and talked about the week.",
        "We met at 10:30\nand talked.",
        "Q1\tHow often do you meet?\nEvery week.",
    ],
)
def test_lines_that_only_look_like_a_layout_are_words(text: str) -> None:
    assert [t.speaker for t in find_turns(text)] == [None]


def test_hard_wrapped_prose() -> None:
    text = (DATA / "wrapped.txt").read_text(encoding="utf-8")
    assert is_wrapped(text)
    turns = find_turns(text, wrapped=True)
    assert [t.speaker for t in turns] == ["Interviewer", "Mentee", "Interviewer", "Mentee"]
    assert "Mum said: no way" in text[turns[1].start : turns[1].end]


def test_reported_speech_is_never_a_speaker() -> None:
    assert [t.speaker for t in find_turns("Dee: she came round.\nMum said: no way.\nDee: aye.")] == ["Dee", "Dee"]


@pytest.mark.parametrize("name", ["otter.txt", "trint.txt", "teams_2021.txt", "rev.txt", "zoom_cloud.txt"])
def test_transcripts_are_not_taken_for_wrapped_prose(name: str) -> None:
    assert not is_wrapped((DATA / name).read_text(encoding="utf-8"))


def test_the_sample_study_is_not_wrapped() -> None:
    samples = Path(__file__).parent.parent / "sample_transcripts"
    for path in samples.glob("*.txt"):
        assert not is_wrapped(path.read_text(encoding="utf-8")), path.name


def test_a_label_carried_on_from_a_wrapped_line_is_words() -> None:
    text = ("Interviewer: What did the housing people say when you went back to the office\n"
            "the week after? Tell me how it went from the start to the very end of it.\n\n"
            "Mentee: I went in with the letter and the woman at the desk read it, and the\n"
            "Housing Options: team, she said, would not see me until the Monday after, so I\n"
            "went home again and waited for the whole weekend with nothing at all to do,\n"
            "which is the worst thing for me, because that is when I start to drink again.\n")  # fmt: skip
    assert is_wrapped(text)
    assert [t.speaker for t in find_turns(text, wrapped=True)] == ["Interviewer", "Mentee"]
    assert [t.speaker for t in find_turns(text)] == ["Interviewer", "Mentee", "Housing Options"]


def test_wrapped_sentences_are_one_segment_each(invoke, project_path: Path) -> None:
    import json

    result = invoke("import", project_path, DATA / "wrapped.txt", "--group", "mentee")
    assert result.exit_code == 0, result.output
    turns = json.loads(invoke("turns", project_path, "wrapped.txt", "--json").output)
    first = [s["text"] for s in turns[0]["segments"]]
    assert first == ["So tell me about how you first met your mentor and what you\nthought of them at the time."]
    second = [s["text"] for s in turns[1]["segments"]]
    assert (
        second[1]
        == "I'd had a lot of people promise me\nthings, and when I told my mum about it she was not having any of it."
    )
