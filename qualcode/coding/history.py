"""Undo and redo for the workbench, where every step is already committed to the project file.

A coder's actions are written the moment they are made (nothing waits for a save), so undo is not a
rollback: it is the inverse change, written in its turn through the same ``project.changes.apply`` as the
step itself. A step is planned and written in one transaction (``do``), from what the file holds at that
moment; ``apply`` hands back the exact inverse, which is what the undo stack keeps. Undoing that gives back
the inverse of the inverse for the redo stack. So whatever a step touched — codings, the memos on them,
stars, codes, decisions — comes back exactly: a coding removed and restored comes back with its memos, its
star and its creation time, and a code created with a coding goes again with it.

The stacks change only once a transaction has committed, so a write refused by a busy or full disk leaves
both the file and the stacks as they were. A step that no longer fits the file (another process changed
what it touched) is refused whole, nothing written, and taken off its stack with a message that says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..project.changes import Change, ChangeConflict, apply, write
from ..project.store import Project


@dataclass
class History:
    project: Project
    undo_steps: list[Change] = field(default_factory=list)
    redo_steps: list[Change] = field(default_factory=list)
    limit: int = 500

    def do(self, plan: Callable[[], Change]) -> Change:
        """Plan a change from the file as it is and write it, in one transaction, as one undoable step.
        Returns the change written (empty, and no step, when there was nothing to change)."""
        change = write(self.project, plan)
        if change:
            self.undo_steps.append(change.inverse())  # apply checked every "before": this is exact
            del self.undo_steps[: -self.limit]
            self.redo_steps.clear()
        return change

    def undo(self) -> Change | None:
        """Reverse the last step; returns the change just written (None when there is nothing to undo)."""
        return self._step(self.undo_steps, self.redo_steps, "undo")

    def redo(self) -> Change | None:
        """Reverse the last undo; returns the change just written."""
        return self._step(self.redo_steps, self.undo_steps, "redo")

    def _step(self, source: list[Change], target: list[Change], verb: str) -> Change | None:
        if not source:
            return None
        change = source[-1]
        try:
            inverse = apply(self.project, change)
        except ChangeConflict as conflict:
            source.pop()
            raise ChangeConflict(f"cannot {verb} {change.what}: {conflict}; that step is taken off the list, "
                                 "nothing was changed") from None  # fmt: skip
        source.pop()
        target.append(inverse)
        return change

    def forget(self) -> None:
        self.undo_steps.clear()
        self.redo_steps.clear()
