"""Who the labels in one transcript are, beyond what a sheet says: role labels that belong to one document,
a speaker who asks the questions without being labelled the interviewer, and why a document has no speakers.

Role and generic labels ("Respondent", "Mentee", "RESP", "Officer", "Speaker 2", "P1"...) name a part, not a
person: "Mentee" in one transcript and "Mentee" in the next are two people, so such a label becomes a
participant of its own document ("mentee_07 Mentee") unless a sheet or front matter says who it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .turns import RawTurn

_ROLES = (
    r"r|p|a|b|c|d|m|f|resp|respondent|participant|interviewee|speaker|unknown|unidentified|guest|voice|"
    r"mentee|mentor|peer mentor|officer|probation officer|offender manager|worker|support worker|key worker|"
    r"case worker|caseworker|staff|staff member|client|service user|young person|person|man|woman|male|female|"
    r"member|attendee|delegate|stakeholder|partner|manager|volunteer|practitioner|professional|prisoner|"
    r"offender|audience|audience member|other|inaudible"
)
GENERIC_LABEL = re.compile(rf"^(?:(?:{_ROLES})(?:[\s_#-]*(?:\d{{1,3}}|[A-Z]))?|[A-Z]{{1,3}}[-_ ]?\d{{1,3}})$", re.I)


def is_generic(label: str) -> bool:
    """A label that names a part in the conversation rather than a person."""
    return bool(GENERIC_LABEL.match(label.strip().rstrip(".")))


def probable_interviewer(text: str, turns: Sequence[RawTurn], participants: set[str]) -> str | None:
    """The participant label that asks the questions — most of their turns ask one, and twice as often as
    anyone else's do — in a document where no one is labelled the interviewer; else None."""
    asked: dict[str, list[int]] = {}
    for turn in turns:
        if turn.speaker in participants:
            said = text[turn.start : turn.end]
            asked.setdefault(turn.speaker, [0, 0])
            asked[turn.speaker][0] += "?" in said
            asked[turn.speaker][1] += 1
    if len(asked) < 2:
        return None
    shares = {label: q / n for label, (q, n) in asked.items()}
    best = max(shares, key=lambda label: (shares[label], asked[label][0]))
    others = max(share for label, share in shares.items() if label != best)
    if asked[best][0] >= 2 and shares[best] >= 0.4 and shares[best] >= 2 * others:
        return best
    return None


def first_lines(text: str, count: int = 3, width: int = 60) -> list[str]:
    """The first non-blank lines, shortened: shown to the user who imported the file, never logged."""
    lines = [line.strip() for line in text.split("\n") if line.strip()][:count]
    return [line if len(line) <= width else line[: width - 1] + "…" for line in lines]


_SEPARATORS = (" - ", " – ", " > ", " | ", "\t", ") ", ". ", " = ")


def suggest_pattern(text: str) -> str:
    """A ``--speaker-pattern`` that fits how most of the document's first lines open, or a general one."""
    lines = [line.strip() for line in text.split("\n") if line.strip()][:40]
    for separator in _SEPARATORS:
        heads = [line.split(separator, 1)[0] for line in lines if separator in line]
        fitting = [h for h in heads if 0 < len(h) <= 30 and h[0].isalpha() and h[0].isupper()]
        if lines and len(fitting) >= max(2, len(lines) // 2):
            stop, shown = _literal(separator.strip() or "\t"), _literal(separator)
            return rf"(?P<label>[^\W\d_][^{stop}\n]{{0,29}}?){shown}"
    return r"(?P<label>[A-Z][\w .'-]{0,29}?)\s*[:>=-]\s"


def _literal(text: str) -> str:
    """``text`` as a regex a user can read and type: metacharacters escaped, a tab as \\t, spaces as spaces."""
    return "".join(r"\t" if c == "\t" else "\\" + c if c in ".^$*+?{}[]\\|()-" else c for c in text)


def kind_voices(speakers: dict[str | None, Any], probable: str | None) -> int:
    """How many participants speak, not counting one who probably is the interviewer."""
    return len({s.pseudonym for label, s in speakers.items() if s.role == "participant" and label != probable})
