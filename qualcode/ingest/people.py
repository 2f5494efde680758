"""Who each speaker label is: from the participants sheet, the document's front matter, or the label itself.

A ``Speaker`` is what a label became — a participant (pseudonym, stakeholder group, attributes), an
interviewer, or no one — with where that was said, for messages. ``People`` gives each pseudonym one
participant row per import, reusing one the project already has and refusing a conflicting group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import QualcodeError
from ..project.store import Project
from .groups import INTERVIEWER_GROUPS, add_participant
from .participants import Sheet, SheetRow


@dataclass
class Speaker:
    role: str  # participant | interviewer | none
    pseudonym: str | None = None
    group: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # where the mapping came from, for error messages


def called(label: str | None, speaker: Speaker | None) -> str:
    """The names a speaker answers a roll call with: the transcript's label and the participant's pseudonym."""
    pseudonym = speaker.pseudonym if speaker is not None and speaker.role == "participant" else None
    return " ".join(n for n in (label, pseudonym) if n)


class People:
    """Participants by pseudonym: reuse one already in the project, refuse a conflicting group."""

    def __init__(self, project: Project) -> None:
        self.db = project.db
        self.ids: dict[str, int] = {}
        self.ungrouped: list[str] = []

    def id_for(self, speaker: Speaker) -> int:
        pseudonym = speaker.pseudonym or ""
        if pseudonym in self.ids:
            return self.ids[pseudonym]
        participant_id, new = add_participant(self.db, pseudonym, speaker.group, speaker.attributes, speaker.source)
        if new and not speaker.group:
            self.ungrouped.append(pseudonym)
        self.ids[pseudonym] = participant_id
        return participant_id

    def ungrouped_warning(self) -> list[str]:
        if not self.ungrouped:
            return []
        names = ", ".join(self.ungrouped[:8]) + (" ..." if len(self.ungrouped) > 8 else "")
        return [
            f"{len(self.ungrouped)} participant(s) have no stakeholder group: {names} "
            "(give one with --participants or --group)"
        ]


def names(name: str) -> tuple[str, ...]:
    return (name, Path(name).name)


def from_row(row: SheetRow, sheet: Sheet | None) -> Speaker:
    source = f"{sheet.path}:{row.line}" if sheet else ""
    if row.group.lower() in INTERVIEWER_GROUPS:
        return Speaker("interviewer", source=source)
    return Speaker("participant", row.participant, row.group, dict(row.attributes), source)


def front_matter_people(path: Path, declared: Any) -> dict[str, Speaker]:
    """Front matter ``participants:`` as a list of {speaker, pseudonym, group, ...} or a mapping by label."""
    if not declared:
        return {}
    if isinstance(declared, dict):
        declared = [{"speaker": k, **(v if isinstance(v, dict) else {"group": v})} for k, v in declared.items()]
    if not isinstance(declared, list):
        raise QualcodeError(f"{path}: front matter 'participants' must be a list or a mapping")
    people: dict[str, Speaker] = {}
    for entry in declared:
        if not isinstance(entry, dict) or not entry.get("speaker"):
            raise QualcodeError(f"{path}: each front matter participant needs a 'speaker' label")
        label = str(entry["speaker"])
        if label in people:
            raise QualcodeError(f"{path}: speaker {label!r} is listed twice in the front matter")
        attributes = dict(entry.get("attributes") or {})
        attributes.update({k: v for k, v in entry.items() if k not in {"speaker", "pseudonym", "group", "attributes"}})
        group = entry.get("group")
        if group and str(group).lower() in INTERVIEWER_GROUPS:
            people[label] = Speaker("interviewer")
            continue
        people[label] = Speaker(
            "participant",
            str(entry.get("pseudonym") or label),
            str(group) if group else None,
            {str(k): plain(v) for k, v in attributes.items()},
            str(path),
        )
    return people


def plain(value: Any) -> Any:
    """YAML dates and other scalars as JSON-friendly values."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)
