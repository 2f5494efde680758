"""Memos and growing the codebook from the document screen: mixed into ``DocumentScreen``.

Memos go on the coding at the cursor (or the document), the participant speaking, or the highlighted code;
the codebook grows during coding — add a code or sub-code, edit a definition, rename, move, merge — each
change committed at once and shown in the panel.
"""

from __future__ import annotations

from typing import Any

from ..codebook.edits import add_code, merge_codes, move_code, update_code
from ..codebook.files import project_codes
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

    def _codebook_edit(self, operation: Any, *args: Any, then: Any = None, **kwargs: Any) -> None:
        """One codebook change through the app's saver; ``then(result)`` once it is written."""
        project = self.project

        def done(result: Any) -> None:
            self.app.forget_counts()  # type: ignore[attr-defined]  # a merge moves codings between codes
            self.codes = project_codes(self.project)
            self.refresh_codings()
            self.app.forget_suggestions()  # type: ignore[attr-defined]  # suggestions come from the codebook
            self.start_suggestions()  # type: ignore[attr-defined]
            if then is not None:
                then(result)

        self.app.saver.save(  # type: ignore[attr-defined]
            f"codebook change ({operation.__name__.replace('_', ' ')})",
            lambda: operation(project, *args, **kwargs),
            done,
        )

    def action_add_code(self, under_highlighted: bool) -> None:
        parent = self.query_one(CodebookPanel).highlighted_code if under_highlighted else None

        def added(new: str | None) -> None:
            if new:
                panel = self.query_one(CodebookPanel)
                panel.call_after_refresh(panel.select_code, new)

        def filled(fields: dict[str, Any] | None) -> None:
            if fields:
                self._codebook_edit(add_code, **fields, then=added)

        self.app.push_screen(CodeForm(self.codes, parent=parent), filled)

    def action_edit_definition(self) -> None:
        code_id = self.query_one(CodebookPanel).highlighted_code
        code = next((c for c in self.codes if c["id"] == code_id), None)
        if code:
            self.app.push_screen(
                TextPrompt(f"Definition of {code['name']}", code["definition"]),
                lambda text: text is not None and self._codebook_edit(update_code, code_id, definition=text),
            )

    def action_rename_code(self) -> None:
        code_id = self.query_one(CodebookPanel).highlighted_code
        code = next((c for c in self.codes if c["id"] == code_id), None)
        if code:
            self.app.push_screen(
                TextPrompt(f"Rename {code['name']} (its id {code_id} stays)", code["name"]),
                lambda name: name and self._codebook_edit(update_code, code_id, name=name),
            )

    def action_move_code(self) -> None:
        code_id = self.query_one(CodebookPanel).highlighted_code
        if not code_id:
            return
        top = {"id": "-", "name": "(top level)", "level": "other", "colour": "#888888"}
        choices = [top] + [c for c in self.codes if c["id"] != code_id]

        def chosen(ids: list[str] | None) -> None:
            if ids:
                self._codebook_edit(move_code, code_id, None if ids[0] == "-" else ids[0])

        self.app.push_screen(CodePicker(choices, title=f"Move {code_id} under…", multiple=False), chosen)

    def action_merge_code(self) -> None:
        source = self.query_one(CodebookPanel).highlighted_code
        if not source:
            return

        def chosen(ids: list[str] | None) -> None:
            if not ids:
                return

            def merged(moved: int) -> None:
                self.app.notify(f"Merged {source} into {ids[0]}: {moved} coding(s) moved.", timeout=4)

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._codebook_edit(merge_codes, source, ids[0], then=merged)

            self.app.push_screen(
                ConfirmDialog(f"Merge {source} into {ids[0]}? Its codings move; it is deleted."), confirmed
            )

        choices = [c for c in self.codes if c["id"] != source]
        self.app.push_screen(CodePicker(choices, title=f"Merge {source} into…", multiple=False), chosen)
