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

from ..errors import QualcodeError
from .turns import ClockError, RawTurn, compile_patterns, find_turns

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


def suggest_pattern(text: str) -> tuple[str, list[str]] | None:
    """A ``--speaker-pattern`` that fits how most of the document's first lines open, with the speakers it
    finds in the whole document when imported with it; None when no pattern tried finds two or more."""
    lines = [line.strip() for line in text.split("\n") if line.strip()][:40]
    candidates = []
    for separator in _SEPARATORS:
        heads = [line.split(separator, 1)[0] for line in lines if separator in line]
        fitting = [h for h in heads if 0 < len(h) <= 30 and h[0].isalpha() and h[0].isupper()]
        if lines and len(fitting) >= max(2, len(lines) // 2):
            stop, shown = _literal(separator.strip() or "\t"), _literal(separator)
            candidates.append(rf"(?P<label>[^\W\d_][^{stop}\n]{{0,29}}?){shown}")
    candidates.append(r"(?P<label>[A-Z][\w .'-]{0,29}?)\s*[:>=-]\s")
    for pattern in candidates:
        speakers = _speakers_found(text, pattern)
        if speakers is not None:
            return pattern, speakers
    return None


def unlabelled(name: str, text: str) -> str:
    """The warning for a document where no speaker label was recognised: how it opens, and a pattern that
    was tried on it and finds its speakers, when one does."""
    shown = " | ".join(first_lines(text))
    found = suggest_pattern(text)
    if found:
        pattern, speakers = found
        named = ", ".join(speakers[:4]) + (", …" if len(speakers) > 4 else "")
        fix = f"import again with --speaker-pattern '{pattern}' (it finds {len(speakers)} speakers here: {named})"
    else:
        fix = "give a --speaker-pattern that matches them (README: Speaker layouts)"
    return (
        f"{name}: no speaker label recognised, so no one is credited with its words (it opens: {shown}). "
        f"If it has labels, {fix}; if it is one person's, give --group or a sheet row with an empty speaker"
    )


def _speakers_found(text: str, pattern: str) -> list[str] | None:
    """The speakers an import with ``pattern`` would find, in order of first turn, when they look like a
    conversation: two to thirty labels, each speaking at least twice or the only other voice."""
    try:
        turns = find_turns(text, compile_patterns([pattern]))
    except (ClockError, QualcodeError):
        return None
    counts: dict[str, int] = {}
    for turn in turns:
        if turn.speaker:
            counts[turn.speaker] = counts.get(turn.speaker, 0) + 1
    if not 2 <= len(counts) <= 30 or sum(counts.values()) < 3:
        return None
    return list(counts)


def _literal(text: str) -> str:
    """``text`` as a regex a user can read and type: metacharacters escaped, a tab as \\t, spaces as spaces."""
    return "".join(r"\t" if c == "\t" else "\\" + c if c in ".^$*+?{}[]\\|()-" else c for c in text)


def kind_voices(speakers: dict[str | None, Any], probable: str | None) -> int:
    """How many participants speak, not counting one who probably is the interviewer."""
    return len({s.pseudonym for label, s in speakers.items() if s.role == "participant" and label != probable})
