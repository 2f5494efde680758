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


def project_record(project: Project, source_of: dict[int, str], units_of: dict[int, Callable[[int], int]]) -> str:
    """The record line: ``source_of`` gives each document's source GUID, ``units_of`` its UTF-16 positions."""
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
    record = {"settings": settings, "decisions": decisions, "dismissals": dismissals}
    return RECORD + json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def has_record(project: Project) -> bool:
    """Whether the project holds anything only the record carries."""
    db = project.db
    return bool(db.execute("SELECT 1 FROM project WHERE substr(key, 1, 6) = 'label:' OR key = 'framework' LIMIT 1"
                           ).fetchone() or db.execute("SELECT 1 FROM decision LIMIT 1").fetchone()
                or db.execute("SELECT 1 FROM dismissal LIMIT 1").fetchone())  # fmt: skip


def read_record(project: Project, description: str | None, documents: dict[str, int],
                mapped: dict[str, PositionMap], warnings: list[str]) -> None:  # fmt: skip
    """The record's settings, decisions and dismissals into ``project`` (inside the import's transaction):
    ``documents`` and ``mapped`` give each source GUID's document id and positions."""
    line = next((ln for ln in (description or "").splitlines() if ln.startswith(RECORD)), None)
    if line is None:
        return
    try:
        record = json.loads(line.removeprefix(RECORD))
        settings = {str(k): str(v) for k, v in record.get("settings", {}).items() if k.startswith(LABELS)
                    or k in FRAMEWORK}  # fmt: skip
        decisions = [_place(row[:3], documents, mapped) + (str(row[3]), str(row[4]), *map(str, row[5:8]))
                     for row in record.get("decisions", [])]  # fmt: skip
        dismissals = [_place(row[:3], documents, mapped) + (str(row[3]), str(row[4]))
                      for row in record.get("dismissals", [])]  # fmt: skip
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        warnings.append("the project record (labels, framework, decisions, dismissed suggestions) could not be "
                        "read; everything else was imported")  # fmt: skip
        return
    for key, value in settings.items():
        if project.meta(key) is None and (key != "framework:path" or project.meta("framework") == settings.get(
                "framework")):  # fmt: skip
            project.set_meta(key, value)
    known_codes = {r[0] for r in project.db.execute("SELECT id FROM code")}
    facts: list[Decision | Dismissal] = []
    for document, start, end, code, coder, choice, memo, decided in decisions:
        if document is not None and code in known_codes and choice in CHOICES:
            facts.append(Decision(code, document, start, end, project.coder_id(coder), choice, memo, decided))
    for document, start, end, code, coder in dismissals:
        if document is not None and code in known_codes:
            facts.append(Dismissal(project.coder_id(coder), document, start, end, code))
    have = {d.key for d in [*decisions_where(project.db, "1", []), *dismissals_where(project.db, "1", [])]}
    new = list({f.key: f for f in facts if f.key not in have}.values())
    apply(project, adding("decisions and dismissed suggestions from a REFI-QDA project", new), undoable=False)


def _place(where: list[Any], documents: dict[str, int], mapped: dict[str, PositionMap]) -> tuple[Any, ...]:
    """(document id, start, end) on the stored text, or (None, 0, 0) for a source or position not there."""
    source, start, end = str(where[0]).strip("{}").lower(), int(where[1]), int(where[2])
    if source not in documents:
        return (None, 0, 0)
    first, last = mapped[source](start), mapped[source](end)
    return (documents[source], first, last) if first is not None and last is not None and first < last else \
        (None, 0, 0)  # fmt: skip
