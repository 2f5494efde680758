"""Where each coder was: per document the last selection, the codes they used most recently, and the
start screen's filter — kept in the project file, so a workbench reopened tomorrow (or on another server)
starts where the coder stopped.

One row of the ``project`` table per coder (``workbench:NAME``, JSON). It is written when the coder leaves a
document, every few seconds while they move about, and on quitting; a position is a convenience, so a
malformed or out-of-date entry is ignored, never an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..project.store import Project

RECENT = 9  # the codes 1 … 9 apply


@dataclass
class Place:
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)  # document id -> [start, end)
    recent: list[str] = field(default_factory=list)
    filter: str = ""
    document: int | None = None  # the document open last
    guided: bool = False  # the first-launch key guide has been shown to this coder

    def use(self, code_ids: list[str]) -> None:
        """Codes just applied go to the front of the recent list."""
        for code_id in code_ids:  # the last of several applied at once ends up first
            if code_id in self.recent:
                self.recent.remove(code_id)
            self.recent.insert(0, code_id)
        del self.recent[RECENT * 2 :]

    def keep_only(self, codes: set[str], documents: set[int]) -> None:
        """Forget what is no longer in the project: a code deleted (by undo, a merge, another coder), a document
        removed. Nothing the workbench offers may point at either."""
        self.recent = [c for c in self.recent if c in codes]
        self.positions = {k: v for k, v in self.positions.items() if int(k) in documents}
        if self.document is not None and self.document not in documents:
            self.document = None

    def as_json(self) -> str:
        return json.dumps(
            {
                "positions": {k: list(v) for k, v in self.positions.items()},
                "recent": self.recent,
                "filter": self.filter,
                "document": self.document,
                "guided": self.guided,
            },
            sort_keys=True,
        )


def _key(coder: str) -> str:
    return f"workbench:{coder}"


def load_place(project: Project, coder: str) -> Place:
    """The coder's place, with anything no longer in the project (a removed document or code) left out."""
    try:
        raw: Any = json.loads(project.meta(_key(coder)) or "{}")
    except ValueError:
        return Place()
    if not isinstance(raw, dict):
        return Place()
    lengths = dict(project.db.execute("SELECT id, length(text) FROM document").fetchall())
    positions: dict[str, tuple[int, int]] = {}
    for key, value in (raw.get("positions") or {}).items():
        if str(key).isdigit() and _inside(value, lengths.get(int(key), -1)):
            positions[str(key)] = (value[0], value[1])
    document = raw.get("document")
    place = Place(
        positions=positions,
        recent=[c for c in raw.get("recent") or [] if isinstance(c, str)],
        filter=str(raw.get("filter") or ""),
        document=document if isinstance(document, int) else None,
        guided=raw.get("guided") is True,
    )
    place.keep_only({r[0] for r in project.db.execute("SELECT id FROM code")}, set(lengths))
    return place


def _inside(value: Any, length: int) -> bool:
    """A remembered ``[start, end)`` that still lies inside a document's text."""
    return (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)
            and 0 <= value[0] < value[1] <= length)  # fmt: skip


def save_place(project: Project, coder: str, place: Place) -> None:
    with project.transaction():
        project.set_meta(_key(coder), place.as_json())
