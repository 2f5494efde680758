"""Sentence segments: spaCy's sentences, repaired for transcripts, cut at turns and line breaks."""

from __future__ import annotations

from qualcode.ingest.segment import cut_segments, sentence_spans


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


def test_sentences_from_arrays_cut_as_doc_sents_do(nlp) -> None:
    """The fast path (spaCy's arrays, no lemmatizer) gives the segments ``doc.sents`` gives, on the sample
    study and on random text full of the characters that move sentence edges."""
    import random
    from pathlib import Path

    from qualcode.ingest.formats import read_transcript
    from qualcode.ingest.segment import cut_segments, legacy_sentence_spans, sentence_spans

    samples = Path(__file__).parent.parent / "sample_transcripts"
    texts = [
        read_transcript(p, p.name).text
        for p in sorted(samples.iterdir())
        if p.suffix in (".txt", ".md", ".docx", ".vtt")
    ]
    rnd = random.Random(7)
    pieces = ["a", " ", ".", "\n", "[", "(", "“", "?", "b c", "!", "\n\n", "Dee: ", "…"]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 80))) for _ in range(400)]
    for text in texts:
        turns = [(0, len(text))] if text.strip() else []
        full = nlp(text)
        fast = next(nlp.pipe([text], disable=["lemmatizer"]))
        assert cut_segments(text, turns, sentence_spans(fast)) == cut_segments(text, turns, legacy_sentence_spans(full))
