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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import QualcodeError, located

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
DEFAULT_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Name: words   **Name:** words   Name (00:01:02): words
    re.compile(r"(?:\*\*|__)?(?P<label>[^\W\d_][\w.'’() :-]{0,50}?)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?(?=\s|$)"),
    # [Name] words
    re.compile(r"\[(?P<label>[^\W\d_][^\]\n:]{0,39})\]"),
    # <v Name> words   (WebVTT voice tags pasted into text)
    re.compile(r"<v(?:\.[\w.-]+)?[ \t]+(?P<label>[^>\n]{1,40})>"),
    # Name   0:03   (label and clock time alone on a line; the words follow on the next lines)
    re.compile(rf"(?P<label>[^\W\d_][\w.'’ -]{{0,39}}?)[ \t]{{2,}}(?P<time>{_TIME})[ \t]*$"),
)


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
    if label.lower() in METADATA_LABELS:
        return False
    if len(words) > 2:
        return all(w[0].isupper() or w[0].isdigit() or w[0] == "(" for w in words)
    return True


def match_speaker(line: str, patterns: Sequence[re.Pattern[str]] | None = None) -> tuple[str, float | None, int] | None:
    """(label, seconds or None, length of the prefix) when ``line`` opens a turn, else None."""
    custom = patterns is not None
    stripped = len(line) - len(line.lstrip(" \t"))
    position = stripped
    time: float | None = None
    lead = _LEADING_TIME.match(line, position)
    if lead and not custom:
        time = parse_clock(lead.group("time"))
        position = lead.end()
    for pattern in patterns if custom else DEFAULT_PATTERNS:
        found = pattern.match(line, position)
        if not found:
            continue
        label = found.group("label").strip()
        inline = _LABEL_TIME.search(label)
        if inline:
            time = parse_clock(inline.group("time"))
            label = (label[: inline.start()] + " " + label[inline.end() :]).strip()
        if "time" in pattern.groupindex and found.group("time"):
            time = parse_clock(found.group("time"))
        if not label or (not custom and not _plausible_label(label)):
            continue
        return label, time, found.end()
    return None


def is_interviewer(label: str, extra_roles: Iterable[str] = ()) -> bool:
    """Interviewer, I, Q, Int., Moderator 2, Facilitator (Jo)... — or any label the study names."""
    plain = re.sub(r"\(.*?\)", " ", label.lower())
    plain = re.sub(r"[\d.:_#-]+", " ", plain).strip()
    roles = INTERVIEWER_ROLES | {r.strip().lower() for r in extra_roles}
    return plain in roles or label.strip().lower() in roles


def find_turns(text: str, patterns: Sequence[re.Pattern[str]] | None = None, source: object = "") -> list[RawTurn]:
    """Split a document into turns. Text before the first label becomes an unlabelled turn. ``source`` names
    the document in a message about a line."""
    turns: list[RawTurn] = []
    current: RawTurn | None = None
    position = 0
    for number, line in enumerate(text.split("\n"), start=1):
        try:
            found = match_speaker(line, patterns)
        except ClockError as error:
            raise located(source, number, str(error)) from None
        if found:
            if current:
                turns.append(current)
            label, time, prefix = found
            current = RawTurn(position + prefix, position + len(line), label, time)
        elif current is None:
            current = RawTurn(position, position + len(line), None)
        else:
            current.end = position + len(line)
        position += len(line) + 1
    if current:
        turns.append(current)
    return [t for t in (trim(text, t) for t in turns) if t is not None]


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
