"""Sentence segments: the coding unit a coder steps through, never crossing a speaker turn.

The pipeline is ``spacy.blank("en")`` with the rule-based ``sentencizer`` and the lookup lemmatizer (tables
from spacy-lookups-data), so nothing is downloaded; a trained pipeline such as ``en_core_web_sm`` is used
only when a user names one. spaCy runs once over each whole document (``nlp.pipe`` in batches, as fast as
spaCy goes), and its sentences are then cut at turn boundaries and line breaks and trimmed of white space,
so every segment lies inside one turn and ``text[start:end]`` is exactly its words. spaCy is imported
inside ``load_pipeline`` only: ``qualcode --help`` and the TUI's first paint never pay for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..errors import QualcodeError

if TYPE_CHECKING:
    from spacy.language import Language

BATCH_SIZE = 32
# Import needs sentences only: the lemmatizer (for search and suggestions) is not run, since nothing stores
# lemmas at import. A trained pipeline keeps its parser, which is what finds its sentences.
NOT_FOR_IMPORT = ("lemmatizer", "ner", "textcat", "attribute_ruler", "tagger", "morphologizer")
RUN = 100  # characters without a space: longer is no word, and spaCy's suffix search on it is quadratic
_LONG_RUN = re.compile(rf"\S{{{RUN + 1},}}")


def tokenisable(text: str) -> str:
    """``text`` as spaCy is given it: the same length, so every offset holds, with each run of more than
    ``RUN`` characters without a space broken by a space every ``RUN`` (a line of 20,000 colons would
    otherwise take spaCy minutes). Every call of the pipeline goes through here."""
    if not _LONG_RUN.search(text):
        return text
    return _LONG_RUN.sub(lambda m: "".join(" " if n % RUN == RUN - 1 else c for n, c in enumerate(m.group())), text)


@lru_cache(maxsize=2)  # loading takes ~1 s; one pipeline per process serves every import
def load_pipeline(model: str | None = None, lemmas: bool = True) -> Language:
    """The blank English pipeline with sentencizer and lookup lemmatizer, or an installed trained one.
    Import asks for no ``lemmas``: it stores none, and loading the tables is a tenth of its start-up."""
    import spacy

    if model:
        try:
            nlp = spacy.load(model, exclude=["ner", "textcat"])
        except OSError:
            raise QualcodeError(f"spaCy pipeline {model!r} is not installed") from None
    else:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        if lemmas:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            try:
                nlp.initialize()
            except (ValueError, OSError) as exc:
                raise QualcodeError(
                    f"spaCy lookup lemmatizer tables are missing; install spacy-lookups-data ({exc})"
                ) from None
    nlp.max_length = 50_000_000  # no parser or NER here, so long transcripts cost little memory
    return nlp


class Lemmas:
    """Lower-cased lookup lemmas for matching words in any form and case ("Stopped" and "stopped" both give
    "stop"): the lookup lemmatizer on its own leaves a capitalised word as it is."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
        self.table = lemmatizer.lookups.get_table("lemma_lookup") if lemmatizer is not None else {}

    def of(self, word: str) -> str:
        return self.table.get(word.lower(), word.lower())

    def fix(self, doc: Any) -> Any:
        """Set every token's lemma to its lower-cased lookup lemma; returns the doc."""
        for token in doc:
            token.lemma_ = self.table.get(token.lower_, token.lower_)
        return doc

    def doc(self, text: str) -> Any:
        return self.fix(self.nlp(tokenisable(text)))


_OPENERS = "([{“‘«"


def sentence_spans(doc: object, text: str | None = None) -> list[tuple[int, int]]:
    """spaCy's sentences as character ranges, read from the doc's arrays (no Python object per token or
    sentence): each runs to where the next begins, and ``cut_segments`` trims the white space between.
    Repaired: an opening bracket or quote that the sentencizer left at the end of one sentence ("anything. ["
    + "laughs]") starts the next one instead, so "[laughs]" stays whole. ``text`` is the doc's text when the
    caller has it (``doc.text`` builds it again token by token: a third of an import's time outside spaCy)."""
    from spacy.attrs import IDX, SENT_START

    if text is None:
        text = doc.text  # type: ignore[attr-defined]
    if not len(doc):  # type: ignore[arg-type]
        return []
    array = doc.to_array([SENT_START, IDX])  # type: ignore[attr-defined]
    starts: list[int] = array[array[:, 0] == 1, 1].tolist()
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    spans = [[a, b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    return _move_openers(text, spans)


def _move_openers(text: str, spans: list[list[int]]) -> list[tuple[int, int]]:
    """An opening bracket or quote left at the end of one sentence starts the next one instead."""
    for current, following in zip(spans, spans[1:], strict=False):
        end = current[1]
        while end > current[0] and text[end - 1].isspace():
            end -= 1
        cut = end
        while cut > current[0] and text[cut - 1] in _OPENERS:
            cut -= 1
        if cut < end and cut > current[0]:
            current[1] = cut
            following[0] = cut
    return [(a, b) for a, b in spans]


def legacy_sentence_spans(doc: object) -> list[tuple[int, int]]:
    """The same from ``doc.sents``, one Python object per sentence: kept to check the fast path against."""
    spans = [[s.start_char, s.end_char] for s in doc.sents]  # type: ignore[attr-defined]
    text: str = doc.text  # type: ignore[attr-defined]
    return _move_openers(text, spans)


def cut_segments(
    text: str,
    turns: Sequence[tuple[int, int]],
    sentences: Sequence[tuple[int, int]],
    wrapped: bool = False,
    speakers: Sequence[str | None] = (),
) -> list[tuple[int, int, int]]:
    """(turn index, start, end) for every segment: sentences clipped to turns, split at line breaks — in
    hard-wrapped prose (``wrapped``) only at blank lines, since a single break there is the typist's margin —
    and with what nobody said joined to the words beside it (``spoken``; ``speakers`` names each turn's
    speaker, for roll calls).

    ``turns`` and ``sentences`` are sorted, non-overlapping ``[start, end)`` ranges. A turn with no
    sentence in it (spaCy found none) still gets one segment per line so every word can be coded.
    """
    add = _add_paragraphs if wrapped else _add_lines
    segments: list[tuple[int, int, int]] = []
    first = 0
    for index, (turn_start, turn_end) in enumerate(turns):
        while first < len(sentences) and sentences[first][1] <= turn_start:
            first += 1
        position = first
        covered = turn_start
        while position < len(sentences) and sentences[position][0] < turn_end:
            start = max(sentences[position][0], turn_start)
            end = min(sentences[position][1], turn_end)
            if start > covered:  # text spaCy left outside every sentence
                add(text, index, covered, start, segments)
            add(text, index, start, end, segments)
            covered = max(covered, end)
            position += 1
        if covered < turn_end:
            add(text, index, covered, turn_end, segments)
    return spoken(text, segments, speakers, wrapped)


def _add_lines(text: str, turn: int, start: int, end: int, out: list[tuple[int, int, int]]) -> None:
    line_start = start
    while line_start < end:
        newline = text.find("\n", line_start, end)
        line_end = end if newline == -1 else newline
        _add_trimmed(text, turn, line_start, line_end, out)
        line_start = line_end + 1


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _add_paragraphs(text: str, turn: int, start: int, end: int, out: list[tuple[int, int, int]]) -> None:
    """Like ``_add_lines``, splitting only where a blank line ends a paragraph."""
    cut = start
    for gap in _BLANK_LINE.finditer(text, start, end):
        _add_trimmed(text, turn, cut, gap.start(), out)
        cut = gap.end()
    _add_trimmed(text, turn, cut, end, out)


def _add_trimmed(text: str, turn: int, a: int, b: int, out: list[tuple[int, int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a < b:
        out.append((turn, a, b))


# What a transcriber adds: "[laughter]", "[long pause]", "(inaudible 00:03:12)" — a square-bracketed note of any
# kind, or a parenthesised one of up to four words (a longer one may be the speaker's aside).
_NOTE = re.compile(r"\[[^\[\]\n]{0,120}\]|\((?:[^()\s]++\s*+){0,4}+\)")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_HEADING = re.compile(r"#{1,6}[ \t]")  # a Markdown heading: a document's title or section, not speech
# Words that may stand beside one's own name in a roll call ("Hi, I'm Jade", "Liam here").
_ROLL_CALL = {"hi", "hello", "hiya", "hey", "i'm", "i’m", "im", "it's", "it’s", "its", "this", "is", "me", "here"}
_ROLL_CALL |= {"present", "aye", "yeah", "yes", "and"}


def unspoken(passage: str, names: frozenset[str] = frozenset()) -> bool:
    """True when ``passage`` is nobody's words: a heading ("# Mentee interview - Ryan", "## Part two"),
    transcriber's notes and punctuation only, or a roll call — the speaker saying their own name (``names``:
    the lower-cased words of it), as a focus group goes round."""
    if _HEADING.match(passage):
        return True
    if "[" not in passage and "(" not in passage:  # most sentences: their first word settles it
        first = _WORD.search(passage)
        if first is None:
            return True
        if (word := first.group().lower()) not in names and word not in _ROLL_CALL:
            return False
    words = [w.lower() for w in _WORD.findall(_NOTE.sub(" ", passage))]
    if not words:
        return True
    return any(w in names for w in words) and all(w in names or w in _ROLL_CALL for w in words)


def spoken(
    text: str, segments: list[tuple[int, int, int]], speakers: Sequence[str | None] = (), wrapped: bool = False
) -> list[tuple[int, int, int]]:
    """``segments`` with every unspoken one (see ``unspoken``) joined to the spoken segment before it on its
    line ("I'm new. [laughs]"), else to the one after ("Liam. Eh, nearly a year?"), else left out: "[laughter]"
    alone is not a sentence a coder steps to, codes or counts in progress. Its text stays in the transcript."""
    out: list[tuple[int, int, int]] = []
    waiting: tuple[int, int, int] | None = None  # unspoken, for the next spoken segment on its line

    def joined(end: int, start: int) -> bool:
        gap = text[end:start]
        return not _BLANK_LINE.search(gap) if wrapped else "\n" not in gap

    names_of: dict[int, frozenset[str]] = {}
    for turn, start, end in segments:
        if turn not in names_of:
            label = speakers[turn] if turn < len(speakers) else None
            names_of[turn] = frozenset(w.lower() for w in _WORD.findall(label or "") if len(w) > 1)
        if not unspoken(text[start:end], names_of[turn]):
            if waiting and waiting[0] == turn and joined(waiting[2], start):
                start = waiting[1]
            out.append((turn, start, end))
            waiting = None
        elif out and out[-1][0] == turn and joined(out[-1][2], start):
            out[-1] = (turn, out[-1][1], end)
        elif waiting and waiting[0] == turn and joined(waiting[2], start):
            waiting = (turn, waiting[1], end)
        else:
            waiting = (turn, start, end)
    return out
