"""Sentence segments: spaCy's sentences, repaired for transcripts, cut at turns and line breaks."""

from __future__ import annotations

from qualcode.segment import cut_segments, sentence_spans


def segments(nlp, text: str) -> list[str]:
    spans = sentence_spans(nlp(text))
    return [text[s:e] for _, s, e in cut_segments(text, [(0, len(text))], spans)]


def test_bracketed_asides_stay_whole(nlp) -> None:
    got = segments(nlp, "As long as it's not going to the polis or anything. [laughs] Go on then.")
    assert not any(s.endswith("[") for s in got)
    assert any("[laughs]" in s for s in got)
    assert "".join(got).replace(
        " ", ""
    ) == "As long as it's not going to the polis or anything. [laughs] Go on then.".replace(" ", "")


def test_quotes_and_parentheses(nlp) -> None:
    got = segments(nlp, "She said it was fine. “Really fine.” (Long pause.) Then we left.")
    assert not any(s.endswith(("“", "(")) for s in got)


def test_cut_at_turns_and_lines(nlp) -> None:
    text = "One. Two\nthree. Four."
    spans = sentence_spans(nlp(text))
    cut = cut_segments(text, [(0, 4), (5, len(text))], spans)
    assert [(t, text[s:e]) for t, s, e in cut] == [(0, "One."), (1, "Two"), (1, "three."), (1, "Four.")]
