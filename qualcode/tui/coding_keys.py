"""Applying and removing codes from the document screen: mixed into ``DocumentScreen``.

Every change goes through ``History`` (one undoable step) and the app's ``Saver`` (written at once, or kept
while another process holds the project). The interviewer's words are not what a study counts: coding
them asks once per session. A code the picker did not find can be created there and applied in one step.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ..codebook.files import project_codes
from ..coding.codings import set_key_quotes
from .codebook import CodebookPanel
from .dialogs import ConfirmDialog
from .picker import CREATE, CodeForm, CodePicker
from .transcript import TranscriptView


class CodingMixin:
    """Needs the screen's ``project``, ``document``, ``codes``, ``history``, ``refresh_codings`` and friends."""

    def apply(self, code_ids: list[str], asked: bool = False) -> None:
        view = self.query_one(TranscriptView)
        start, end = view.selection
        if start >= end:
            return
        if not asked and view.interviewer_in(start, end) and not self.app.interviewer_ok:  # type: ignore[attr-defined]
            self._ask_interviewer(partial(self.apply, code_ids, True))
            return
        document_id, coder_id, history = self.document_id, self.coder_id, self.history

        def applied(added: list[int | None]) -> None:
            self.app.place.use(code_ids)  # type: ignore[attr-defined]
            self.app.remember_soon()  # type: ignore[attr-defined]
            if document_id != self.document_id:
                return  # written after the coder moved on: shown when the document is opened again
            self._version = self.data_version()
            self.refresh_codings([(c, document_id, 1) for c, new in zip(code_ids, added, strict=True) if new])
            if not any(added):
                self.app.notify("Already coded with that.", timeout=3)

        self.app.saver.save(  # type: ignore[attr-defined]
            f"{', '.join(self.code_name(c) for c in code_ids)} on {self.document['name']} [{start}, {end})",
            lambda: history.add_many(document_id, code_ids, coder_id, start, end),
            applied,
        )

    def _ask_interviewer(self, go_on: Any) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.app.interviewer_ok = True  # type: ignore[attr-defined]
                go_on()
            else:
                self.app.notify("Not coded. Select the participant's words (t moves by turn).", timeout=4)

        self.app.push_screen(
            ConfirmDialog(
                "Code the interviewer's words? The selection includes the interviewer's turn; such codings are "
                "marked in quote banks and not credited to any participant. (Asked once per session.)"
            ),
            answered,
        )

    def code_name(self, code_id: str) -> str:
        return next((c["name"] for c in self.codes if c["id"] == code_id), code_id)

    def action_code_by_search(self) -> None:
        from .autocode import code_by_search

        code_by_search(self)

    def action_pick_code(self) -> None:
        def chosen(answer: list[str] | None) -> None:
            if answer and answer[0] == CREATE:
                self.create_and_apply(answer[1], answer[2] or None)
            elif answer:
                self.apply(answer)

        under = self._new_code_parent()
        picker = CodePicker(
            self.codes,
            recent=self.app.place.recent,  # type: ignore[attr-defined]
            can_create=self.project.writable,
            create_under=next((c for c in self.codes if c["id"] == under), None),
        )
        self.app.push_screen(picker, chosen)

    def _new_code_parent(self) -> str | None:
        """Where a code created from the picker goes: beside the code highlighted in the codebook (under it,
        when it has sub-codes of its own)."""
        code_id = self.query_one(CodebookPanel).highlighted_code
        code = next((c for c in self.codes if c["id"] == code_id), None)
        if code is None:
            return None
        if any(c["parent"] == code_id for c in self.codes):
            return code_id
        return code["parent"]

    def create_and_apply(self, name: str, parent: str | None) -> None:
        view = self.query_one(TranscriptView)
        start, end = view.selection
        document_id, coder_id, history = self.document_id, self.coder_id, self.history

        def created(result: tuple[str, int | None]) -> None:
            code_id = result[0]
            self.codes = project_codes(self.project)
            self.app.place.use([code_id])  # type: ignore[attr-defined]
            self.app.remember_soon()  # type: ignore[attr-defined]
            self.app.forget_suggestions()  # type: ignore[attr-defined]
            self._version = self.data_version()
            self.refresh_codings([(code_id, document_id, 1)] if result[1] else None)
            panel = self.query_one(CodebookPanel)
            panel.call_after_refresh(panel.select_code, code_id)
            self.app.notify(f"Created and applied {self.code_name(code_id)} ({code_id}).", timeout=3)

        def filled(fields: dict[str, Any] | None) -> None:
            if not fields:
                return
            if start >= end:
                self._codebook_edit_add(fields)
                return
            self.app.saver.save(  # type: ignore[attr-defined]
                f"new code {fields['name']} on {self.document['name']}",
                lambda: history.create_and_apply(fields, document_id, coder_id, start, end),
                created,
            )

        self.app.push_screen(CodeForm(self.codes, name, parent), filled)

    def _codebook_edit_add(self, fields: dict[str, Any]) -> None:
        from ..codebook.edits import add_code

        self._codebook_edit(add_code, **fields)  # type: ignore[attr-defined]

    def action_apply_highlighted(self) -> None:
        code_id = self.query_one(CodebookPanel).highlighted_code
        if code_id:
            self.apply([code_id])

    def action_quick(self, number: int) -> None:
        recent = self.app.place.recent  # type: ignore[attr-defined]
        if number <= len(recent):
            self.apply([recent[number - 1]])

    def action_remove_code(self) -> None:
        view = self.query_one(TranscriptView)
        start, end = view.selection
        here = [c for c in view.codings if c["start"] < end and c["end"] > start]
        if not here:
            self.app.notify("No codes of yours here.", timeout=3)
            return
        exact = [c for c in here if (c["start"], c["end"]) == (start, end)]
        if len(here) == 1 or (exact and len({c["code_id"] for c in exact}) == 1 and len(exact) == 1):
            self.remove_codings([(exact or here)[0]["id"]])
            return
        choices = [{**next(k for k in self.codes if k["id"] == c["code_id"]), "coding": c["id"]} for c in here]
        unique = list({c["id"]: c for c in choices}.values())

        def chosen(code_ids: list[str] | None) -> None:
            if code_ids:
                self.remove_codings([c["id"] for c in here if c["code_id"] in code_ids])

        self.app.push_screen(CodePicker(unique, title="Remove which code? (Ctrl+T ticks several)"), chosen)

    def remove_codings(self, coding_ids: list[int]) -> None:
        history = self.history

        def removed(rows: list[dict[str, Any]]) -> None:
            self._version = self.data_version()
            self.refresh_codings([(r["code_id"], r["document_id"], -1) for r in rows])

        self.app.saver.save(  # type: ignore[attr-defined]
            f"removal of {len(coding_ids)} coding(s) in {self.document['name']}",
            lambda: history.remove(coding_ids),
            removed,
        )

    def action_key_quote(self) -> None:
        """Star the coding at the selection as a key quote (or unstar it); several codes here: all of them."""
        view = self.query_one(TranscriptView)
        start, end = view.selection
        here = [c for c in view.codings if c["start"] < end and c["end"] > start]
        exact = [c for c in here if (c["start"], c["end"]) == (start, end)] or here
        if not exact:
            self.app.notify("No coding of yours here to star.", timeout=3)
            return
        starred = not all(c["key_quote"] for c in exact)
        ids = [c["id"] for c in exact]

        def marked(_: object) -> None:
            self._version = self.data_version()
            self.refresh_codings([])
            self.app.notify("Starred as a key quote." if starred else "Key-quote star removed.", timeout=2)

        self.app.saver.save(  # type: ignore[attr-defined]
            f"key-quote star in {self.document['name']}", lambda: set_key_quotes(self.project, ids, starred), marked
        )

    def action_undo(self) -> None:
        self._step("undo", self.history.undo, "Nothing to undo.")

    def action_redo(self) -> None:
        self._step("redo", self.history.redo, "Nothing to redo.")

    def _step(self, what: str, operation: Any, nothing: str) -> None:
        self.app.saver.save(what, operation, partial(self._stepped, nothing))  # type: ignore[attr-defined]

    def _stepped(self, nothing: str, step: Any) -> None:
        if step is None:
            self.app.notify(nothing, timeout=2)
            return
        codings = [c for c in step if c.kind == "coding"]
        if len(codings) < len(step):  # a code created (or removed again) with this step
            self.codes = project_codes(self.project)
            self.app.forget_suggestions()  # type: ignore[attr-defined]
        if codings:
            place = codings[0].row
            if place["document_id"] != self.document_id:
                self.load_document(place["document_id"], (place["start"], place["end"]))
            else:
                self.query_one(TranscriptView).select_range(place["start"], place["end"])
        self._version = self.data_version()
        self.refresh_codings(
            [(c.row["code_id"], c.row["document_id"], 1 if c.added else -1) for c in codings]
            if len(codings) == len(step)
            else None
        )
