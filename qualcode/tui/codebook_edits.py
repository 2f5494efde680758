"""Memos and growing the codebook from the document screen: mixed into ``DocumentScreen``.

Memos go on the coding at the cursor (or the document), the participant speaking, or the highlighted code;
the codebook grows during coding — add a code or sub-code, edit a definition, rename, move, merge, delete —
each change committed at once as one undoable step and shown in the panel.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ..codebook.edits import (
    add_code_change,
    added_code,
    delete_code_change,
    merge_codes_change,
    move_code_change,
    removed,
    update_code_change,
)
from ..project.changes import Change
from ..project.facts import Coding
from .codebook import CodebookPanel
from .dialogs import ConfirmDialog, TextPrompt
from .picker import CodeForm, CodePicker
from .transcript import TranscriptView


class CodebookEditsMixin:
    """Needs the screen's ``project``, ``codes``, ``coder_id``, ``show_codebook`` and friends."""

    # -- memos ---------------------------------------------------------------------------------------

    def action_memo(self) -> None:
        view = self.query_one(TranscriptView)
        start, end = view.selection
        mine = [c for c in view.codings if c["start"] < end and c["end"] > start]
        if mine:
            self.app.edit_memo("coding", mine[0]["id"], f"coding “{mine[0]['code_name']}”", self.memos_changed)  # type: ignore[attr-defined]
        else:
            self.app.edit_memo("document", self.document_id, f"document {self.document['name']}", self.memos_changed)  # type: ignore[attr-defined]

    def action_participant_memo(self) -> None:
        view = self.query_one(TranscriptView)
        turn = view.turns[view.segments[view.cursor][2]] if view.segments else None
        if not turn or not turn["participant"]:
            self.app.notify("Nobody is credited with this turn.", timeout=3)
            return
        self.app.edit_memo("participant", turn["participant"], f"participant {turn['participant']}", self.memos_changed)  # type: ignore[attr-defined]

    def memos_changed(self) -> None:
        self.load_memos()
        self.show_title()
        self.show_status()

    def action_code_memo(self) -> None:
        code_id = self.query_one(CodebookPanel).highlighted_code
        if code_id:
            self.app.edit_memo("code", code_id, f"code {code_id}", self.show_codebook)  # type: ignore[attr-defined]

    # -- growing the codebook ------------------------------------------------------------------------

    def _codebook_edit(self, what: str, plan: Any, then: Any = None) -> None:
        """One codebook change as one undoable step; the app reloads the codebook, then ``then(change)``."""

        def done(change: Change) -> None:
            self.after_change(change)
            self.start_suggestions()  # type: ignore[attr-defined]  # they come from the codebook
            if then is not None:
                then(change)

        self.app.change(what, plan, done)  # type: ignore[attr-defined]

    def action_add_code(self, under_highlighted: bool) -> None:
        parent = self.query_one(CodebookPanel).highlighted_code if under_highlighted else None
        project = self.project

        def added(change: Change) -> None:
            panel = self.query_one(CodebookPanel)
            panel.call_after_refresh(panel.select_code, added_code(change))

        def filled(fields: dict[str, Any] | None) -> None:
            if fields:
                self._codebook_edit(f"new code {fields['name']}", partial(add_code_change, project, **fields), added)

        self.app.push_screen(CodeForm(self.codes, parent=parent), filled)

    def action_edit_definition(self) -> None:
        code_id = self.query_one(CodebookPanel).highlighted_code
        code = next((c for c in self.codes if c["id"] == code_id), None)
        if code:
            project = self.project
            self.app.push_screen(
                TextPrompt(f"Definition of {code['name']}", code["definition"]),
                lambda text: text is not None and self._codebook_edit(
                    f"definition of {code['name']}", lambda: update_code_change(project, code_id, definition=text)),
            )  # fmt: skip

    def action_rename_code(self) -> None:
        code_id = self.query_one(CodebookPanel).highlighted_code
        code = next((c for c in self.codes if c["id"] == code_id), None)
        if code:
            project = self.project
            self.app.push_screen(
                TextPrompt(f"Rename {code['name']} (its id {code_id} stays)", code["name"]),
                lambda name: name and self._codebook_edit(
                    f"rename of {code['name']}", lambda: update_code_change(project, code_id, name=name)),
            )  # fmt: skip

    def action_move_code(self) -> None:
        code_id = self.query_one(CodebookPanel).highlighted_code
        if not code_id:
            return
        top = {"id": "-", "name": "(top level)", "level": "other", "colour": "#888888"}
        choices = [top] + [c for c in self.codes if c["id"] != code_id]
        project = self.project

        def chosen(ids: list[str] | None) -> None:
            if ids:
                parent = None if ids[0] == "-" else ids[0]
                self._codebook_edit(f"move of {code_id}", lambda: move_code_change(project, code_id, parent))

        self.app.push_screen(CodePicker(choices, title=f"Move {code_id} under…", multiple=False), chosen)

    def action_merge_code(self) -> None:
        source = self.query_one(CodebookPanel).highlighted_code
        if not source:
            return
        project = self.project

        def chosen(ids: list[str] | None) -> None:
            if not ids:
                return

            def merged(change: Change) -> None:
                moved = sum(1 for fact in change.facts(Coding, added=False) if fact.code == source)
                self.app.notify(f"Merged {source} into {ids[0]}: {moved} coding(s) moved; u undoes it.", timeout=4)

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._codebook_edit(f"merge of {source} into {ids[0]}",
                                        lambda: merge_codes_change(project, source, ids[0]), merged)  # fmt: skip

            self.app.push_screen(
                ConfirmDialog(f"Merge {source} into {ids[0]}? Its codings move; it is deleted."), confirmed
            )

        choices = [c for c in self.codes if c["id"] != source]
        self.app.push_screen(CodePicker(choices, title=f"Merge {source} into…", multiple=False), chosen)

    def action_delete_code(self) -> None:
        """Delete the highlighted code with its sub-codes and everything coded with them, after saying how much
        that is; ``u`` brings it all back."""
        code_id = self.query_one(CodebookPanel).highlighted_code
        if not code_id:
            return
        project = self.project
        counts = removed(delete_code_change(project, code_id))  # what would go, said before it goes
        name = self.code_name(code_id)
        parts = [f"{counts['codes'] - 1} sub-code(s)"] if counts["codes"] > 1 else []
        parts += [f"{counts['codings']} coding(s) by any coder"] if counts["codings"] else []
        parts += [f"{counts['memos']} memo(s)"] if counts["memos"] else []
        goes = f"with {', '.join(parts)}" if parts else "nothing is coded with it"

        def deleted(change: Change) -> None:
            self.app.notify(f"Deleted {name}; u brings it back.", timeout=4)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._codebook_edit(f"deletion of {name}", lambda: delete_code_change(project, code_id), deleted)

        self.app.push_screen(ConfirmDialog(f"Delete the code {name} ({goes})? u brings it all back."), confirmed)
