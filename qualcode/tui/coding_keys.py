"""Applying and removing codes from the document screen: mixed into ``DocumentScreen``.

Every change goes through the app's ``change`` (one undoable step, planned from the file, written at once or
kept while another process holds the project). The interviewer's words are not what a study counts: coding
them asks once per session. A code the picker did not find can be created there and applied in one step.
Removing a coding that carries a memo asks first, and says that ``u`` brings both back.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from textual import work

from ..codebook.edits import add_code_change, added_code
from ..coding.codings import adding, removing, starring
from ..project.changes import Change
from ..project.facts import Coding
from .codebook import CodebookPanel
from .dialogs import ConfirmDialog
from .picker import CREATE, CodeForm, CodePicker
from .suggestions import picker_context
from .transcript import TranscriptView


class CodingMixin:
    """Needs the screen's ``project``, ``document``, ``codes``, ``after_change`` and friends."""

    def apply(self, code_ids: list[str], asked: bool = False) -> None:
        view = self.query_one(TranscriptView)
        start, end = view.selection
        if start >= end:
            return
        if not asked and view.interviewer_in(start, end) and not self.app.interviewer_ok:  # type: ignore[attr-defined]
            self._ask_interviewer(partial(self.apply, code_ids, True))
            return
        project, document_id, coder_id = self.project, self.document_id, self.coder_id

        def applied(change: Change) -> None:
            self.app.place.use(code_ids)  # type: ignore[attr-defined]
            self.app.remember_soon()  # type: ignore[attr-defined]
            self.after_change(change)
            if not change:
                self.app.notify("Already coded with that.", timeout=3)

        self.app.change(  # type: ignore[attr-defined]
            f"{', '.join(self.code_name(c) for c in code_ids)} on {self.document['name']} [{start}, {end})",
            lambda: adding(project, document_id, code_ids, coder_id, start, end),
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
        view = self.query_one(TranscriptView)
        start, end = view.selection
        passage, group = view.text[start:end], view.group_at(start)
        context = None
        if end > start:  # at once when the suggester is ready (it is built as a document opens)
            context = picker_context(self.app, self.project, passage, group, wait=False)
        picker = CodePicker(
            self.codes,
            title="Apply a code to",
            passage=passage,
            context=context,
            recent=self.app.place.recent,  # type: ignore[attr-defined]
            can_create=self.project.writable,
            create_under=next((c for c in self.codes if c["id"] == under), None),
        )
        self.app.push_screen(picker, chosen)
        if end > start and context is None:
            self._read_passage(picker, passage, group)

    @work(thread=True, exclusive=True, group="picker-context", exit_on_error=False)
    def _read_passage(self, picker: CodePicker, passage: str, group: str | None) -> None:
        """The picker reads the passage: its evidence for each code orders what the typed words match (the
        picker is usable at once; the order follows within a moment, the first time spaCy loads)."""
        with self.app.project.reader() as project:  # type: ignore[attr-defined]
            context = picker_context(self.app, project, passage, group)
        if context is not None:
            self.app.call_from_thread(picker.set_context, context)

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
        project, document_id, coder_id = self.project, self.document_id, self.coder_id

        def plan(fields: dict[str, Any]) -> Change:
            create = add_code_change(project, **fields)
            if start >= end:
                return create
            code = adding(project, document_id, [added_code(create)], coder_id, start, end, created=True)
            return create.then(code, f"new code {fields['name']} applied")

        def created(change: Change) -> None:
            code_id = added_code(change)
            self.app.place.use([code_id])  # type: ignore[attr-defined]
            self.app.remember_soon()  # type: ignore[attr-defined]
            self.after_change(change)
            panel = self.query_one(CodebookPanel)
            panel.call_after_refresh(panel.select_code, code_id)
            done = "Created and applied" if change.facts(Coding) else "Created"
            self.app.notify(f"{done} {self.code_name(code_id)} ({code_id}); u undoes it.", timeout=3)

        def filled(fields: dict[str, Any] | None) -> None:
            if fields:
                self.app.change(f"new code {fields['name']}", partial(plan, fields), created)  # type: ignore[attr-defined]

        self.app.push_screen(CodeForm(self.codes, name, parent), filled)

    def action_apply_highlighted(self) -> None:
        code_id = self.query_one(CodebookPanel).highlighted_code
        if code_id:
            self.apply([code_id])

    def action_quick(self, number: int) -> None:
        recent = self.app.place.recent  # type: ignore[attr-defined]  # only codes still in the codebook
        if number <= len(recent):
            self.apply([recent[number - 1]])
        else:
            self.app.notify(f"No recent code {number} yet: codes you apply are numbered 1 to 9.", timeout=3)

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

    def remove_codings(self, coding_ids: list[int], asked: bool = False) -> None:
        """Remove codings; when one carries a memo, ask first (the memo goes with it, and ``u`` brings both
        back): a memo is never lost without a word."""
        memos = [self.coding_memos[str(i)] for i in coding_ids if str(i) in self.coding_memos]
        if memos and not asked:
            shown = " ".join(memos[0].split())
            shown = shown if len(shown) <= 60 else shown[:59] + "…"

            def answered(yes: bool | None) -> None:
                if yes:
                    self.remove_codings(coding_ids, True)

            self.app.push_screen(ConfirmDialog(
                f"Remove the coding and your memo on it (“{shown}”)? u brings both back.",
                "y = remove both, n = keep them"), answered)  # fmt: skip
            return
        project = self.project

        def removed(change: Change) -> None:
            self.after_change(change)
            if memos:
                self.app.notify(f"Removed, with {len(memos)} memo(s); u brings them back.", timeout=4)

        self.app.change(  # type: ignore[attr-defined]
            f"removal of {len(coding_ids)} coding(s) in {self.document['name']}",
            lambda: removing(project, coding_ids),
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
        ids, project = [c["id"] for c in exact], self.project

        def marked(change: Change) -> None:
            self.after_change(change)
            self.app.notify("Starred as a key quote." if starred else "Key-quote star removed.", timeout=2)

        self.app.change(  # type: ignore[attr-defined]
            f"key-quote star in {self.document['name']}", lambda: starring(project, ids, starred), marked
        )

    def action_undo(self) -> None:
        self.app.step(True, partial(self._stepped, "Nothing to undo.", "Undid"))  # type: ignore[attr-defined]

    def action_redo(self) -> None:
        self.app.step(False, partial(self._stepped, "Nothing to redo.", "Redid"))  # type: ignore[attr-defined]

    def _stepped(self, nothing: str, done: str, change: Change | None) -> None:
        if change is None:
            self.app.notify(nothing, timeout=2)
            return
        self.after_change(change, jump=True)
        self.app.notify(f"{done}: {change.what}.", timeout=3)
