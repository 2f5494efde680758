"""What only qualcode reads, carried in a .qdpx so that its round trip loses nothing: the display names of
stakeholder groups and attribute values, the evaluation framework kept in the project, the team's
decisions on disagreements and the suggestions each coder dismissed.

REFI-QDA has no place for them, so they are one line of the project's ``Description`` (which other tools
show or ignore): ``qualcode project record: {...}`` as JSON, positions in UTF-16 code units like every
position in the file, documents by their source's GUID, coders by name. An import adds what the project does
not have yet: a label or framework the project already has is kept, a decision or dismissal it has is not
added twice. A record that cannot be read is said so, and the rest of the archive imports as usual.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..project.changes import adding, apply
from ..project.facts import CHOICES, Decision, Dismissal, decisions_where, dismissals_where
from ..project.store import Project
from .reading import PositionMap

RECORD = "qualcode project record: "
LABELS = "label:"  # the project's keys of display names (``ingest.labels``)
FRAMEWORK = ("framework", "framework:path")  # the kept framework's text and file name (``findings.framework``)


def project_record(project: Project, source_of: dict[int, str],
                   units_of: dict[int, Callable[[int], int]]) -> str | None:  # fmt: skip
    """The record line (None when the project holds none of it): ``source_of`` gives each document's source
    GUID, ``units_of`` its UTF-16 positions."""
    db = project.db
    coders = dict(db.execute("SELECT id, name FROM coder").fetchall())
    settings = {key: value for key, value in db.execute("SELECT key, value FROM project ORDER BY key")
                if key.startswith(LABELS) or key in FRAMEWORK}  # fmt: skip

    def where(document: int, start: int, end: int) -> list[Any]:
        units = units_of[document]
        return [source_of[document], units(start), units(end)]

    decisions = [[*where(d.document, d.start, d.end), d.code, coders[d.coder], d.choice, d.memo, d.decided_at]
                 for d in decisions_where(db, "1", [])]  # fmt: skip
    dismissals = [[*where(d.document, d.start, d.end), d.code, coders[d.coder]] for d in dismissals_where(db, "1", [])]
    if not (settings or decisions or dismissals):
        return None
    record = {"settings": settings, "decisions": decisions, "dismissals": dismissals}
    return RECORD + json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def read_record(project: Project, description: str | None, documents: dict[str, int],
                mapped: dict[str, PositionMap], warnings: list[str]) -> None:  # fmt: skip
    """The record's settings, decisions and dismissals into ``project`` (inside the import's transaction):
    ``documents`` and ``mapped`` give each source GUID's document id and positions."""
    line = next((ln for ln in (description or "").splitlines() if ln.startswith(RECORD)), None)
    if line is None:
        return
    known = {r[0] for r in project.db.execute("SELECT id FROM code")}
    decided: list[tuple[Any, ...]] = []  # read whole before anything is written (coders included)
    dismissed: list[tuple[Any, ...]] = []
    try:
        record = json.loads(line.removeprefix(RECORD))
        settings = {str(k): str(v) for k, v in record.get("settings", {}).items()}
        for source, start, end, code, coder, choice, memo, when in record.get("decisions", []):
            placed = _place(source, start, end, documents, mapped)
            if placed and code in known and choice in CHOICES:
                decided.append((code, *placed, str(coder), choice, str(memo), str(when)))
        for source, start, end, code, coder in record.get("dismissals", []):
            placed = _place(source, start, end, documents, mapped)
            if placed and code in known:
                dismissed.append((str(coder), *placed, code))
    except (ValueError, TypeError, AttributeError):
        warnings.append("the project record (labels, framework, decisions, dismissed suggestions) could not be "
                        "read; everything else was imported")  # fmt: skip
        return
    for key, value in settings.items():  # the project's own labels and framework stay
        if key.startswith(LABELS) and project.meta(key) is None:
            project.set_meta(key, value)
    if project.meta("framework") is None and settings.get("framework"):
        for key in FRAMEWORK:
            if key in settings:
                project.set_meta(key, settings[key])
    facts: list[Decision | Dismissal] = [Decision(c, d, s, e, project.coder_id(r), *rest)
                                         for c, d, s, e, r, *rest in decided]  # fmt: skip
    facts += [Dismissal(project.coder_id(r), d, s, e, c) for r, d, s, e, c in dismissed]
    have = {d.key for d in [*decisions_where(project.db, "1", []), *dismissals_where(project.db, "1", [])]}
    new = list({f.key: f for f in facts if f.key not in have}.values())
    apply(project, adding("decisions and dismissed suggestions from a REFI-QDA project", new), undoable=False)


def _place(source: Any, start: Any, end: Any, documents: dict[str, int],
           mapped: dict[str, PositionMap]) -> tuple[int, int, int] | None:  # fmt: skip
    """(document id, start, end) on the stored text; None for a source or position not there."""
    key = str(source).strip("{}").lower()
    if key not in documents:
        return None
    first, last = mapped[key](int(start)), mapped[key](int(end))
    return (documents[key], first, last) if first is not None and last is not None and first < last else None
