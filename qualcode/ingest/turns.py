"""Finding speaker turns in a transcript's normalised text.

A turn starts at a line that opens with a speaker label — ``Name:``, ``NAME:``, ``**Name:**``, ``[Name]``,
``<v Name>``, or a name and a clock time alone on a line as Otter and Teams write them — optionally after a
timestamp such as ``[00:01:23]``. Lines without a label continue the current turn, so multi-paragraph answers
stay one turn. A turn's ``[start, end)`` covers what was said, never the label, and is trimmed of
surrounding white space, so ``text[start:end]`` is exactly the words of the turn.

The default ``Name:`` rule is deliberately strict (a capitalised label of at most four words, and more than
two words only when each is capitalised) so that prose such as "What I said was: no" is not taken for a
speaker; a study with other conventions passes its own patterns (a regex with a named group ``label`` and
optionally ``time``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import QualcodeError, located

INTERVIEWER_ROLES = frozenset({"interviewer", "i", "q", "int", "moderator", "facilitator", "researcher", "evaluator"})
# Header lines such as "Site: Carrick" or "Date: 3 May" are metadata, not speakers (default patterns only).
METADATA_LABELS = frozenset(
    {
        "site",
        "date",
        "time",
        "location",
        "place",
        "venue",
        "note",
        "notes",
        "title",
        "project",
        "duration",
        "recorded",
        "recording",
        "transcriber",
        "transcribed by",
        "file",
        "subject",
        "re",
        "ref",
        "reference",
        "present",
        "attendees",
        "participants",
        "interview",
        "interview date",
        "length",
        "setting",
        "source",
    }
)
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_LEADING_TIME = re.compile(rf"[\[(]?(?P<time>{_TIME})[\])]?[ \t]+")
_LABEL_TIME = re.compile(rf"\s*[\[(]\s*(?P<time>{_TIME})\s*[\])]\s*")
# A bracketed time right after the label's colon (Rev's older "Name: (00:04) words"), or a time that is all
# the rest of the line (Zoom's "[Name] 10:03:12"): the turn's time, never spoken words.
_AFTER_TIME = re.compile(rf"[ \t]*[\[(](?P<time>{_TIME})[\])]")
_ONLY_TIME = re.compile(rf"[ \t]*[\[(]?(?P<time>{_TIME})[\])]?[ \t]*$")
# A cue timing alone on a line, as Teams' older .docx transcripts write before the speaker's name.
_CUE = re.compile(r"[ \t]*(?P<time>\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d+)?|\d{1,2}:\d{2}[.,]\d+)[ \t]*-->[ \t]*\S+[ \t]*$")
_NAME = r"[^\W\d_][\w.'’ -]{0,39}?"
# A name on a line of its own before a clock time may be written "Surname, Forename", as Microsoft Teams
# writes it in many UK public-sector organisations ("Kerr, Joanne   0:03").
_LISTED_NAME = rf"{_NAME}(?:,[ \t]?[^\W\d_][\w.'’ -]{{0,39}}?)?"
# Reported speech at the start of a line ("Mum said: no way") is not a speaker label.
_REPORTING = frozenset({"said", "says", "asked", "asks", "told", "tells", "goes", "went", "replied", "shouted",
                        "wrote", "writes", "thought", "thinks", "answered", "added"})  # fmt: skip
DEFAULT_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Name: words   **Name:** words   Name (00:01:02): words   Name: (00:04) words
    re.compile(r"(?:\*\*|__)?(?P<label>[^\W\d_][\w.'’() :-]{0,50}?)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?(?=\s|$)"),
    # [Name] words   [Name] 10:03:12
    re.compile(r"\[(?P<label>[^\W\d_][^\]\n:]{0,39})\]"),
    # <v Name> words   (WebVTT voice tags pasted into text)
    re.compile(r"<v(?:\.[\w.-]+)?[ \t]+(?P<label>[^>\n]{1,40})>"),
    # Name   0:03   (label and clock time alone on a line, as Otter and Teams write; the words follow)
    re.compile(rf"(?P<label>{_LISTED_NAME})[ \t]{{2,}}(?P<time>{_TIME})[ \t]*$"),
)
# Shapes that prose can take by chance: a document must use one at least twice before it counts.
_WEAK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Name 00:00:04   Name [00:00:04]   Name (00:04)   (alone on a line)
    ("name_stamp", re.compile(rf"(?P<label>{_LISTED_NAME})(?:[ \t]+[\[(]?|[ \t]*[\[(])(?P<time>{_TIME})[\])]?[ \t]*$")),
    # [00:00:04] Name<TAB>words   Name<TAB>words
    ("tab", re.compile(rf"(?P<label>{_NAME})\t+(?=\S)")),
)
_ALONE_NAME = re.compile(rf"(?P<label>{_LISTED_NAME})[ \t]*$")
_DEFAULT_SHAPES = [*zip(("colon", "bracket", "voice", "name_time"), DEFAULT_PATTERNS, strict=True), *_WEAK_PATTERNS]


@dataclass
class Label:
    """A speaker label found at the start of a line: the label, the turn's time if the line gives one, the
    length of the line's prefix that is not spoken words, and the shape it was written in."""

    label: str
    time: float | None
    prefix: int
    shape: str


@dataclass
class RawTurn:
    """A turn before it is stored: a range into the document text and the label as written."""

    start: int
    end: int
    speaker: str | None
    time_start: float | None = None
    time_end: float | None = None


def compile_patterns(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise QualcodeError(f"speaker pattern {pattern!r}: not a valid regex ({exc})") from None
        if "label" not in regex.groupindex:
            raise QualcodeError(f"speaker pattern {pattern!r}: needs a named group (?P<label>...)")
        compiled.append(regex)
    return tuple(compiled)


CLOCK_MESSAGE = ("a --speaker-pattern's time group matched text that is not a clock time; make it match only "
                 "times such as 12:34, 1:02:03 or 00:01:02.500")  # fmt: skip


class ClockError(ValueError):
    """A time group matched something that is not a clock time (a user's speaker pattern can)."""


def parse_clock(value: str) -> float:
    """'01:02:03.5' or '02:03' or '2:03,5' to seconds."""
    parts = value.replace(",", ".").split(":")
    seconds = 0.0
    try:
        for part in parts:
            seconds = seconds * 60 + float(part)
    except ValueError:
        raise ClockError(CLOCK_MESSAGE) from None
    return seconds


def _plausible_label(label: str) -> bool:
    words = label.split()
    if not words or len(label) > 40 or len(words) > 4 or not label[0].isupper():
        return False
    if label.lower() in METADATA_LABELS or (len(words) > 1 and words[-1].lower() in _REPORTING):
        return False
    if len(words) > 2:
        return all(w[0].isupper() or w[0].isdigit() or w[0] == "(" for w in words)
    return True


def match_speaker(line: str, patterns: Sequence[re.Pattern[str]] | None = None) -> tuple[str, float | None, int] | None:
    """(label, seconds or None, length of the prefix) when ``line`` opens a turn, else None."""
    found = match_line(line, patterns)
    return (found.label, found.time, found.prefix) if found else None


def match_line(line: str, patterns: Sequence[re.Pattern[str]] | None = None) -> Label | None:
    """The speaker label that opens ``line``, if any, with its shape (see ``find_turns`` for which shapes
    need to recur in a document before they count)."""
    custom = patterns is not None
    position = len(line) - len(line.lstrip(" \t"))
    lead = None if custom else _LEADING_TIME.match(line, position)
    time = parse_clock(lead.group("time")) if lead else None
    position = lead.end() if lead else position
    shapes = [("custom", p) for p in patterns] if patterns is not None else _DEFAULT_SHAPES
    for shape, pattern in shapes:
        found = pattern.match(line, position)
        if not found:
            continue
        label, when = found.group("label").strip(), time
        inline = _LABEL_TIME.search(label)
        if inline:
            when = parse_clock(inline.group("time"))
            label = (label[: inline.start()] + " " + label[inline.end() :]).strip()
        if "time" in pattern.groupindex and found.group("time"):
            when = parse_clock(found.group("time"))
        if not label or (not custom and not _plausible_label(label)):
            continue
        prefix = found.end()
        rest = _ONLY_TIME.match(line, prefix) if shape == "bracket" else None
        after = _AFTER_TIME.match(line, prefix) if shape in ("colon", "bracket") else None
        if rest:
            when, prefix = parse_clock(rest.group("time")), len(line)
        elif after:
            when, prefix = parse_clock(after.group("time")), after.end()
        return Label(label, when, prefix, shape)
    alone = _ALONE_NAME.match(line, position) if lead else None  # Trint: "[00:00:04] Name", words below
    if alone and alone.group("label")[-1] not in ".,?!" and _plausible_label(alone.group("label").strip()):
        return Label(alone.group("label").strip(), time, len(line), "time_name")
    return None


def is_interviewer(label: str, extra_roles: Iterable[str] = ()) -> bool:
    """Interviewer, I, Q, Int., Moderator 2, Facilitator (Jo)... — or any label the study names."""
    plain = re.sub(r"\(.*?\)", " ", label.lower())
    plain = re.sub(r"[\d.:_#-]+", " ", plain).strip()
    roles = INTERVIEWER_ROLES | {r.strip().lower() for r in extra_roles}
    return plain in roles or label.strip().lower() in roles


def find_turns(
    text: str, patterns: Sequence[re.Pattern[str]] | None = None, source: object = "", wrapped: bool = False
) -> list[RawTurn]:
    """Split a document into turns. Text before the first label becomes an unlabelled turn. ``source`` names
    the document in a message about a line; ``wrapped`` says the text is hard-wrapped prose (``is_wrapped``),
    where a label on a line that continues the previous line's sentence is words, not a speaker."""
    lines = text.split("\n")
    found: list[Label | None] = []
    for number, line in enumerate(lines, start=1):
        try:
            found.append(match_line(line, patterns))
        except ClockError as error:
            raise located(source, number, str(error)) from None
    if patterns is None:
        _cue_names(lines, found)
        _drop_chance_shapes(lines, found)
        if wrapped:
            _drop_continuations(lines, found)
    turns: list[RawTurn] = []
    current: RawTurn | None = None
    position = 0
    for line, label in zip(lines, found, strict=True):
        if label:
            if current:
                turns.append(current)
            end = max(position + len(line), position + label.prefix)
            current = RawTurn(position + label.prefix, end, label.label, label.time)
        elif current is None:
            current = RawTurn(position, position + len(line), None)
        else:
            current.end = max(current.end, position + len(line))
        position += len(line) + 1
    if current:
        turns.append(current)
    return [t for t in (trim(text, t) for t in turns) if t is not None]


def _cue_names(lines: list[str], found: list[Label | None]) -> None:
    """Teams' older .docx layout: a cue timing alone on a line, the speaker's name alone on the next."""
    for i in range(len(lines) - 1):
        cue = _CUE.match(lines[i])
        name = _ALONE_NAME.match(lines[i + 1].strip()) if cue else None
        if cue and name and name.group("label")[-1] not in ".,?!" and _plausible_label(name.group("label")):
            prefix = len(lines[i]) + 1 + len(lines[i + 1])
            found[i] = Label(name.group("label").strip(), parse_clock(cue.group("time")), prefix, "cue")
            found[i + 1] = None


def _drop_chance_shapes(lines: list[str], found: list[Label | None]) -> None:
    """Shapes that ordinary lines can take by chance count only when the document uses them as a layout: at
    least twice, and for a name alone after a time, on at least half of the lines that open with a time."""
    counts = Counter(f.shape for f in found if f)
    led = sum(1 for line in lines if _LEADING_TIME.match(line.lstrip(" \t")))
    for i, label in enumerate(found):
        if label is None or label.shape not in _CHANCE_SHAPES:
            continue
        if counts[label.shape] < 2 or (label.shape == "time_name" and counts["time_name"] * 2 < led):
            found[i] = None


def _drop_continuations(lines: list[str], found: list[Label | None]) -> None:
    """In hard-wrapped prose, a label on a line that carries on the previous line's sentence is words — unless
    the same label opens a turn elsewhere in the document at a clear place, or is an interviewer's."""

    def clear(i: int) -> bool:
        before, label = lines[i - 1], found[i - 1]
        alone = label is not None and label.prefix >= len(before.rstrip())  # "Name  0:03" with no words
        return i == 0 or not before.strip() or alone or ends_sentence(before)

    opened = {label.label for i, label in enumerate(found) if label and clear(i)}
    for i, label in enumerate(found):
        alone = label is not None and label.prefix >= len(lines[i].rstrip())  # "Dee:" and nothing else
        if label and not alone and not clear(i) and label.label not in opened and not is_interviewer(label.label):
            found[i] = None


_CHANCE_SHAPES = frozenset({"name_stamp", "tab", "time_name", "cue"})
_TERMINAL = (".", "?", "!", "…", '"', "'", "”", "’", ")", "]", ":", ";", "-", "–", "—")


def ends_sentence(line: str) -> bool:
    return line.rstrip().endswith(_TERMINAL)


def is_wrapped(text: str) -> bool:
    """Whether ``text`` is hard-wrapped prose (a typist's or a PDF's fixed line width): most lines are about
    as long as the longest and many break off mid-sentence, so a single line break is not a paragraph."""
    lines = text.split("\n")
    body = sorted(len(line.rstrip()) for line in lines if line.strip())
    if len(body) < 6:
        return False
    width = body[int(0.9 * (len(body) - 1))]
    if not 30 <= width <= 110:
        return False
    pairs = [a.rstrip() for a, b in zip(lines, lines[1:], strict=False) if a.strip() and b.strip()]
    running = sum(1 for a in pairs if not ends_sentence(a) and len(a) >= 0.6 * width)
    return len(pairs) >= 4 and running >= 0.3 * len(pairs)


def trim(text: str, turn: RawTurn) -> RawTurn | None:
    """Shrink a turn to exclude surrounding white space; None if nothing is left."""
    start, end = turn.start, turn.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return None
    turn.start, turn.end = start, end
    return turn
