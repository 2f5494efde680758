"""Speaker turns: labels, continuation lines, timestamps, interviewer roles, and prose that is not a label."""

from __future__ import annotations

import pytest

from qualcode.errors import QualcodeError
from qualcode.ingest.turns import compile_patterns, find_turns, is_interviewer, match_speaker


def spoken(text: str, patterns=None) -> list[tuple[str | None, str]]:
    return [(t.speaker, text[t.start : t.end]) for t in find_turns(text, patterns)]


@pytest.mark.parametrize(
    ("line", "label", "time"),
    [
        ("Dee: hello", "Dee", None),
        ("INTERVIEWER: hello", "INTERVIEWER", None),
        ("I: hello", "I", None),
        ("**Evaluator:** hello", "Evaluator", None),
        ("**Ryan**: hello", "Ryan", None),
        ("[Stakeholder] hello", "Stakeholder", None),
        ("<v Jo Bloggs>hello", "Jo Bloggs", None),
        ("[00:01:05] Facilitator: hello", "Facilitator", 65.0),
        ("00:01:05 Jade: hello", "Jade", 65.0),
        ("Mentor 2 (00:10): hello", "Mentor 2", 10.0),
        ("Speaker 1   0:03", "Speaker 1", 3.0),
        ("Marcus Reid: hello", "Marcus Reid", None),
        ("Partner Org Manager: hello", "Partner Org Manager", None),
    ],
)
def test_speaker_lines(line: str, label: str, time: float | None) -> None:
    found = match_speaker(line)
    assert found is not None and found[0] == label and found[1] == time


@pytest.mark.parametrize(
    "line",
    [
        "So what I said was: no way",  # prose with a colon
        "and then: nothing",  # lower case
        "Site: Carrick",  # header metadata
        "Date: 3 May 2024",
        "https://example.org: a link",
        "12: a number",
        "The thing they all say at the end: good luck",  # too many words
        "Time 10:30 we met",
    ],
)
def test_prose_is_not_a_speaker(line: str) -> None:
    assert match_speaker(line) is None


def test_continuation_lines_and_preamble() -> None:
    text = "Header line\nSite: North\n\nInterviewer: Q one?\nDee: Answer one.\n\nStill Dee.\nI: Next?\n"
    assert spoken(text) == [
        (None, "Header line\nSite: North"),
        ("Interviewer", "Q one?"),
        ("Dee", "Answer one.\n\nStill Dee."),
        ("I", "Next?"),
    ]


def test_label_and_words_on_separate_lines() -> None:
    text = "Speaker 1   0:03\nHello there.\nMore.\nSpeaker 2   0:09\nHi."
    assert spoken(text) == [("Speaker 1", "Hello there.\nMore."), ("Speaker 2", "Hi.")]


def test_empty_turns_are_dropped() -> None:
    assert spoken("Dee:\nI:   \nDee: ok") == [("Dee", "ok")]


def test_custom_patterns_replace_defaults() -> None:
    patterns = compile_patterns([r"(?P<label>[A-Z]{2,3}) >"])
    text = "INT > how are you\nRSP > fine: thanks\nDee: not a speaker here"
    assert spoken(text, patterns) == [("INT", "how are you"), ("RSP", "fine: thanks\nDee: not a speaker here")]


def test_bad_custom_patterns() -> None:
    with pytest.raises(QualcodeError, match="not a valid regex"):
        compile_patterns(["(unclosed"])
    with pytest.raises(QualcodeError, match="named group"):
        compile_patterns([r"\w+:"])


@pytest.mark.parametrize(
    "label", ["Interviewer", "I", "Q", "Int.", "INT", "Moderator 2", "Facilitator (Jo)", "interviewer"]
)
def test_interviewer_roles(label: str) -> None:
    assert is_interviewer(label)


@pytest.mark.parametrize("label", ["Dee", "Isla", "Quentin", "Mentor", "R"])
def test_not_interviewers(label: str) -> None:
    assert not is_interviewer(label)
    assert is_interviewer(label, extra_roles=[label])
