"""Undo and redo for coding, where every step is already committed to the project file.

A coder's actions are written the moment they are made (nothing waits for a save), so undo is not a
rollback: it is the inverse action, committed in its turn. A step may hold several changes (one code
applied to a passage, or several codes at once); it is written in one transaction and undone as one, and
the undo and redo stacks change only once that transaction has committed, so a write refused by a busy or
full disk leaves both the file and the stacks as they were. Undoing a removal restores the coding with its
original memo, origin and time, under a new id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..codebook.edits import add_code
from ..project.store import Project
from .codings import add_coding, delete_coding


@dataclass
class Change:
    """One coding (or, with ``kind`` "code", one code) added (``added``) or removed; ``row`` holds its fields."""

    added: bool
    row: dict[str, Any]
    kind: str = "coding"


@dataclass
class History:
    project: Project
    undo_steps: list[list[Change]] = field(default_factory=list)
    redo_steps: list[list[Change]] = field(default_factory=list)
    limit: int = 500

    def add(
        self, document_id: int, code_id: str, coder_id: int, start: int, end: int, origin: str = "manual"
    ) -> int | None:
        """Apply a code as one undoable step; None (and no step) if it was already there."""
        return self.add_many(document_id, [code_id], coder_id, start, end, origin)[0]

    def add_many(
        self, document_id: int, code_ids: list[str], coder_id: int, start: int, end: int, origin: str = "manual"
    ) -> list[int | None]:
        with self.project.transaction():
            ids = [add_coding(self.project, document_id, code_id, coder_id, start, end, origin) for code_id in code_ids]
            step = [Change(True, self._row(new_id)) for new_id in ids if new_id is not None]
        self._push(step)
        return ids

    def create_and_apply(
        self, fields: dict[str, Any], document_id: int, coder_id: int, start: int, end: int
    ) -> tuple[str, int | None]:
        """Create a code (``add_code``'s fields) and apply it to a passage: one transaction, one undo step."""
        with self.project.transaction():
            code_id = add_code(self.project, **fields)
            coding_id = add_coding(self.project, document_id, code_id, coder_id, start, end)
            step = [Change(True, self._code(code_id), "code")]
            if coding_id is not None:
                step.append(Change(True, self._row(coding_id)))
        self._push(step)
        return code_id, coding_id

    def record_added(self, coding_ids: list[int]) -> None:
        """Make codings already written in one batch (coding by search) one undoable step."""
        self._push([Change(True, self._row(coding_id)) for coding_id in coding_ids])

    def remove(self, coding_ids: list[int]) -> list[dict[str, Any]]:
        """Remove codings as one undoable step; returns the removed rows."""
        with self.project.transaction():
            removed = [delete_coding(self.project, coding_id) for coding_id in coding_ids]
        self._push([Change(False, row) for row in removed])
        return removed

    def undo(self) -> list[Change] | None:
        """Reverse the last step. Returns the changes just performed (None when there is nothing to undo)."""
        if not self.undo_steps:
            return None
        with self.project.transaction():
            performed = [self._invert(change) for change in reversed(self.undo_steps[-1])]
        self.undo_steps.pop()
        self.redo_steps.append(performed)
        return performed

    def redo(self) -> list[Change] | None:
        """Reverse the last undo. Returns the changes just performed."""
        if not self.redo_steps:
            return None
        with self.project.transaction():
            performed = [self._invert(change) for change in reversed(self.redo_steps[-1])]
        self.redo_steps.pop()
        self.undo_steps.append(performed)
        return performed

    def _push(self, step: list[Change]) -> None:
        if step:
            self.undo_steps.append(step)
            del self.undo_steps[: -self.limit]
            self.redo_steps.clear()

    def _invert(self, change: Change) -> Change:
        """Perform the opposite of ``change`` and return the change that now undoes it."""
        row = change.row
        if change.kind == "code":
            return self._invert_code(change)
        if change.added:  # found by what it is, not its id: a restored coding gets a new id
            found = self.project.db.execute(
                "SELECT id FROM coding WHERE document_id = ? AND code_id = ? AND coder_id = ? AND start = ? "
                'AND "end" = ?',
                [row["document_id"], row["code_id"], row["coder_id"], row["start"], row["end"]],
            ).fetchone()
            if found is None:  # already gone (merged away, say): nothing left to undo
                return Change(False, row)
            return Change(False, delete_coding(self.project, found[0]))
        new_id = add_coding(
            self.project,
            row["document_id"],
            row["code_id"],
            row["coder_id"],
            row["start"],
            row["end"],
            row["origin"],
            row["memo"],
            row["created_at"],
        )
        return Change(True, self._row(new_id) if new_id is not None else row)

    def _invert_code(self, change: Change) -> Change:
        """Delete a code the step created (only if nothing else uses it now), or create it again."""
        row, db = change.row, self.project.db
        if change.added:
            used = db.execute(
                "SELECT 1 FROM coding WHERE code_id = ? UNION ALL SELECT 1 FROM code WHERE parent = ? "
                "UNION ALL SELECT 1 FROM memo WHERE target_type = 'code' AND target_id = ? LIMIT 1",
                [row["id"], row["id"], row["id"]],
            ).fetchone()
            if used is None:
                db.execute("DELETE FROM code WHERE id = ?", [row["id"]])
            return Change(False, row, "code")
        if db.execute("SELECT 1 FROM code WHERE id = ?", [row["id"]]).fetchone() is None:
            db["code"].insert(row)
        return Change(True, row, "code")

    def _code(self, code_id: str) -> dict[str, Any]:
        return next(iter(self.project.db.query("SELECT * FROM code WHERE id = ?", [code_id])))

    def _row(self, coding_id: int) -> dict[str, Any]:
        return next(iter(self.project.db.query("SELECT * FROM coding WHERE id = ?", [coding_id])))
