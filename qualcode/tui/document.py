"""The document screen: read a transcript, select passages by keyboard or mouse, apply and remove codes.

Every coding change is committed to the project file the moment it is made (through ``History``, which
also makes it undoable), so a killed terminal or a dropped SSH connection loses nothing. The screen shows
the coder's own codings only (blind coding) unless the coder asks to see another coder's. A timer notices
when another workbench has written to the project (``PRAGMA data_version``) and reloads the codings.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from ..codebook import project_codes
from ..codes import add_code, code_counts, merge_codes, move_code, update_code
from ..coding import document_codings, set_key_quote
from ..errors import QualcodeError
from ..history import History
from ..memos import memos_for
from ..navigation import next_coded, next_uncoded, search
from ..overview import turns as document_turns
from .codebook import CodebookPanel
from .dialogs import CodePicker, ConfirmDialog, SearchDialog, TextPrompt, code_detail
from .keybar import KeyBar, binding
from .suggestions import BINDINGS as SUGGESTION_KEYS
from .suggestions import SuggestionsMixin
from .transcript import TranscriptView

_key = partial(binding, "document")


class DocumentScreen(SuggestionsMixin, Screen[None]):
    BINDINGS = [
        _key("down,j", "move(1)", "Next", "Next sentence", show=False),
        _key("up,k", "move(-1)", "Prev", "Previous sentence", show=False),
        _key("shift+down,J", "move(1, True)", "Extend", "Extend the selection by the next sentence", show=False),
        _key("shift+up,K", "move(-1, True)", "Extend up", "Extend the selection by the previous sentence", show=False),
        _key("t", "turn(1)", "Next turn", "Next speaker turn", show=False),
        _key("T", "turn(-1)", "Prev turn", "Previous speaker turn", show=False),
        _key(
            "right_curly_bracket",
            "turn(1, True)",
            "Extend turn",
            "Extend the selection to the end of the next turn",
            show=False,
        ),
        _key(
            "left_curly_bracket", "turn(-1, True)", "Extend turn back", "Extend the selection back a turn", show=False
        ),
        _key("left", "narrow('end', -1)", "End −word", "Move the selection's end back one word", show=False),
        _key("right", "narrow('end', 1)", "End +word", "Move the selection's end on one word", show=False),
        _key(
            "shift+left", "narrow('start', -1)", "Start −word", "Move the selection's start back one word", show=False
        ),
        _key("shift+right", "narrow('start', 1)", "Start +word", "Move the selection's start on one word", show=False),
        _key("c", "pick_code", "Code", "Apply codes to the selection (fuzzy picker)"),
        _key("x", "remove_code", "Uncode", "Remove your codes from the selection"),
        _key("u,ctrl+z", "undo", "Undo", "Undo the last coding change"),
        _key("U,ctrl+y", "redo", "Redo", "Redo"),
        _key("n", "next_coded(False)", "Next coded", "Next passage with the code highlighted in the codebook"),
        _key("N", "next_coded(True)", "Prev coded", "Previous passage with the highlighted code", show=False),
        _key("g", "next_uncoded", "Uncoded", "Next sentence you have not coded"),
        _key("slash", "search", "Search", "Search the whole study's text"),
        _key("m", "memo", "Memo", "Memo on your coding at the cursor, or on the document"),
        _key("asterisk", "key_quote", "Key quote", "Star or unstar your coding here as a key quote", show=False),
        _key("P", "participant_memo", "Speaker memo", "Memo on the participant speaking here", show=False),
        _key("o", "others", "Others", "Show or hide another coder's codings (blind coding is the default)"),
        _key("b", "toggle_focus", "Codebook", "Move between the transcript and the codebook"),
        _key("i", "toggle_info", "Info", "Show or hide the highlighted code's definition", show=False),
        _key("f5,ctrl+r", "refresh", "Refresh", "Reload codings (others' work appears on its own too)", show=False),
        _key("R", "reports", "Reports", "Evidence map and frequencies (the whole study)", show=False),
        *SUGGESTION_KEYS,
        _key("A", "code_by_search", "Code by search", "Code every passage that matches a search, after a preview"),
        _key("question_mark", "app.help", "Help", "Show every key"),
        _key("escape,q", "back", "Documents", "Back to the document list"),
    ] + [_key(str(n), f"quick({n})", f"Code {n}", f"Apply recent code {n}", show=False) for n in range(1, 10)]

    def __init__(self, document_id: int) -> None:
        super().__init__()
        self.document_id = document_id
        self.others_id: int | None = None
        self.recent: list[str] = []
        self.codes: list[dict[str, Any]] = []
        self.counts: dict[str, tuple[int, int]] = {}
        self.code_memos: set[str] = set()
        self.coding_memos: dict[str, str] = {}
        self.document_memo = ""
        self._version = 0

    @property
    def project(self) -> Any:
        return self.app.project  # type: ignore[attr-defined]

    @property
    def coder_id(self) -> int:
        return self.app.coder_id  # type: ignore[attr-defined]

    @property
    def history(self) -> History:
        return self.app.history  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Static("", id="doc-title")
        with Horizontal():
            yield TranscriptView(id="transcript")
            with Vertical(id="side"):
                yield CodebookPanel(id="codebook")
                yield Static("", id="code-info")
                yield Static("", id="recent")
                yield Static("", id="suggestions")
        yield Static("", id="status")
        yield KeyBar(list(self.BINDINGS))

    def on_mount(self) -> None:
        self.load_document(self.document_id)
        self.query_one(TranscriptView).focus()
        self._version = self.data_version()
        self.set_interval(2.0, self.watch_for_others)

    # -- loading -------------------------------------------------------------------------------------

    def load_document(self, document_id: int, select: tuple[int, int] | None = None) -> None:
        self.document_id = document_id
        document = self.project.document(str(document_id))
        self.document = document
        turns = document_turns(self.project, document)
        segments = [(s["start"], s["end"], index) for index, t in enumerate(turns) for s in t["segments"]]
        view = self.query_one(TranscriptView)
        view.load(document["text"], turns, segments, self.codings(self.coder_id))
        view.others = self.codings(self.others_id) if self.others_id else []
        self.codes = project_codes(self.project)
        self.load_memos()
        self.show_codebook()
        self.show_info()
        self.show_title()
        if select:
            view.select_range(*select)
        else:
            view.go_to_segment(0)
        self.start_suggestions()

    def codings(self, coder_id: int | None) -> list[dict[str, Any]]:
        return document_codings(self.project, self.document_id, [coder_id]) if coder_id else []

    def load_memos(self) -> None:
        """The coder's memos on codings, this document and participants, to show where they belong."""
        mine = [self.coder_id]
        self.coding_memos = memos_for(self.project, "coding", mine)
        self.document_memo = memos_for(self.project, "document", mine).get(str(self.document_id), "")
        view = self.query_one(TranscriptView)
        view.noted = set(memos_for(self.project, "participant", mine))
        view.refresh()

    def show_title(self) -> None:
        d = self.document
        viewing = ""
        if self.others_id:
            name = self.project.db.execute("SELECT name FROM coder WHERE id = ?", [self.others_id]).fetchone()[0]
            viewing = f"  ·  also showing [u]{name}[/u]'s codings"
        memo = f"  ·  ✎ {_short(self.document_memo)}" if self.document_memo else ""
        self.query_one("#doc-title", Static).update(
            f"[b]{d['name']}[/b]  {d['kind'].replace('_', ' ')}  ·  {d['words']:,} words  ·  coding as "
            f"[b]{self.app.coder}[/b]{viewing}{memo}"  # type: ignore[attr-defined]
        )

    def show_codebook(self, recount: bool = True) -> None:
        if recount:
            coders = [self.coder_id] + ([self.others_id] if self.others_id else [])
            study = self.app.study_counts(tuple(coders))  # type: ignore[attr-defined]
            self.counts = code_counts(self.project, self.document_id, coders, study)
            self.code_memos = set(memos_for(self.project, "code", [self.coder_id]))
        self.query_one(CodebookPanel).show(self.codes, self.counts, self.code_memos)
        recent = Text("Recent: ", style="bold")
        names = {c["id"]: c for c in self.codes}
        for n, code_id in enumerate(self.recent[:9], start=1):
            code = names.get(code_id)
            if code:
                recent.append(f"{n} ", style="bold #80c0ff")
                recent.append(f"{code['name'][:28]}  ", style=code["colour"] or "")
        self.query_one("#recent", Static).update(recent if self.recent else "Recent: (codes you apply appear here)")

    def refresh_codings(self, counted: list[tuple[str, int, int]] | None = None) -> None:
        """Reload this document's codings; ``counted`` (code, document, +1/-1) adjusts the code counts in
        place instead of recounting the whole study, which keeps applying a code instant in big studies."""
        view = self.query_one(TranscriptView)
        others = self.codings(self.others_id) if self.others_id else []
        view.set_codings(self.codings(self.coder_id), others, view.selection if counted is not None else None)
        if counted is None:
            self.show_codebook()
        else:
            coders = (self.coder_id, self.others_id) if self.others_id else (self.coder_id,)
            study_counts = self.app.study_counts(coders)  # type: ignore[attr-defined]
            for code_id, document_id, change in counted:
                study_counts[code_id] = study_counts.get(code_id, 0) + change
                here, study = self.counts.get(code_id, (0, 0))
                self.counts[code_id] = (here + change * (document_id == self.document_id), study + change)
                if self.counts[code_id][1] <= 0:
                    del self.counts[code_id]
            self.show_codebook(recount=False)
        self.show_status()
        self.show_suggestions()

    def data_version(self) -> int:
        return int(self.project.db.execute("PRAGMA data_version").fetchone()[0])

    def watch_for_others(self) -> None:
        version = self.data_version()
        if version != self._version:
            self._version = version
            self.app.forget_counts()  # type: ignore[attr-defined]  # another workbench wrote: recount
            self.codes = project_codes(self.project)
            self.refresh_codings()

    # -- status --------------------------------------------------------------------------------------

    def on_transcript_view_selection_changed(self, event: TranscriptView.SelectionChanged) -> None:
        self.show_status()
        self.show_suggestions()

    def show_status(self) -> None:
        view = self.query_one(TranscriptView)
        start, end = view.selection
        here = [c for c in view.codings if c["start"] < end and c["end"] > start]
        words = len(view.text[start:end].split())
        codes = ", ".join(dict.fromkeys(("★ " if c["key_quote"] else "") + c["code_name"] for c in here)) or "not coded"
        memo = next((self.coding_memos[str(c["id"])] for c in here if str(c["id"]) in self.coding_memos), "")
        self.query_one("#status", Static).update(
            f"Sentence {view.cursor + 1}/{len(view.segments)}  ·  selected {words} word(s) [{start}, {end})  ·  {codes}"
            + (f"  ·  ✎ {_short(memo)}" if memo else "")
        )

    def on_codebook_panel_highlighted(self) -> None:
        self.show_info()

    def show_info(self) -> None:
        info = self.query_one("#code-info", Static)
        code_id = self.query_one(CodebookPanel).highlighted_code
        code = next((c for c in self.codes if c["id"] == code_id), None)
        info.update(code_detail(code) if code else "")
        info.set_class(code is None, "empty")

    def notify_error(self, error: QualcodeError) -> None:
        self.app.notify(str(error), severity="error", timeout=6)

    # -- moving and selecting ------------------------------------------------------------------------

    def action_move(self, step: int, extend: bool = False) -> None:
        self.query_one(TranscriptView).move(step, extend)

    def action_turn(self, step: int, extend: bool = False) -> None:
        self.query_one(TranscriptView).move_turn(step, extend)

    def action_narrow(self, edge: str, step: int) -> None:
        self.query_one(TranscriptView).narrow(edge, step)

    def action_reports(self) -> None:
        from .reports import ReportsScreen

        self.app.push_screen(ReportsScreen())

    def action_toggle_focus(self) -> None:
        panel = self.query_one(CodebookPanel)
        (self.query_one(TranscriptView) if panel.has_focus else panel).focus()

    def action_toggle_info(self) -> None:
        info = self.query_one("#code-info", Static)
        info.display = not info.display

    def action_back(self) -> None:
        view = self.query_one(TranscriptView)
        segment = view.segments[view.cursor] if view.segments else None
        if segment and view.selection != (segment[0], segment[1]):
            view.go_to_segment(view.cursor)  # Esc first drops a wider or narrower selection
            return
        self.app.pop_screen()

    # -- coding --------------------------------------------------------------------------------------

    def apply(self, code_ids: list[str]) -> None:
        start, end = self.query_one(TranscriptView).selection
        if start >= end:
            return
        try:
            added = self.history.add_many(self.document_id, code_ids, self.coder_id, start, end)
        except QualcodeError as error:
            self.notify_error(error)
            return
        for code_id in code_ids:
            if code_id in self.recent:
                self.recent.remove(code_id)
            self.recent.insert(0, code_id)
        self._version = self.data_version()
        self.refresh_codings([(c, self.document_id, 1) for c, new in zip(code_ids, added, strict=True) if new])
        if not any(added):
            self.app.notify("Already coded with that.", timeout=3)

    def action_code_by_search(self) -> None:
        from .autocode import code_by_search

        code_by_search(self)

    def action_pick_code(self) -> None:
        def chosen(code_ids: list[str] | None) -> None:
            if code_ids:
                self.apply(code_ids)

        self.app.push_screen(CodePicker(self.codes), chosen)

    def action_apply_highlighted(self) -> None:
        code_id = self.query_one(CodebookPanel).highlighted_code
        if code_id:
            self.apply([code_id])

    def action_quick(self, number: int) -> None:
        if number <= len(self.recent):
            self.apply([self.recent[number - 1]])

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
        try:
            removed = self.history.remove(coding_ids)
        except QualcodeError as error:
            self.notify_error(error)
            removed = None
        self._version = self.data_version()
        self.refresh_codings(None if removed is None else [(r["code_id"], r["document_id"], -1) for r in removed])

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
        for coding in exact:
            set_key_quote(self.project, coding["id"], starred)
        self._version = self.data_version()
        self.refresh_codings([])
        self.app.notify("Starred as a key quote." if starred else "Key-quote star removed.", timeout=2)

    def action_undo(self) -> None:
        self._step(self.history.undo, "Nothing to undo.")

    def action_redo(self) -> None:
        self._step(self.history.redo, "Nothing to redo.")

    def _step(self, operation: Any, nothing: str) -> None:
        try:
            step = operation()
        except QualcodeError as error:
            self.notify_error(error)
            return
        if step is None:
            self.app.notify(nothing, timeout=2)
            return
        place = step[0].row
        if place["document_id"] != self.document_id:
            self.load_document(place["document_id"], (place["start"], place["end"]))
        else:
            self.query_one(TranscriptView).select_range(place["start"], place["end"])
        self._version = self.data_version()
        self.refresh_codings([(c.row["code_id"], c.row["document_id"], 1 if c.added else -1) for c in step])

    # -- navigation ----------------------------------------------------------------------------------

    def action_next_coded(self, backwards: bool) -> None:
        code_id = self.query_one(CodebookPanel).highlighted_code
        if not code_id:
            self.app.notify("Highlight a code in the codebook first (b).", timeout=3)
            return
        view = self.query_one(TranscriptView)
        coders = [self.coder_id] + ([self.others_id] if self.others_id else [])
        offset = view.selection[0]
        place = next_coded(self.project, [code_id], coders, self.document_id, offset, backwards)
        if place is None:
            self.app.notify("No more passages with that code.", timeout=3)
        elif place.document_id == self.document_id:
            view.select_range(place.start, place.end)
        else:
            self.load_document(place.document_id, (place.start, place.end))

    def action_next_uncoded(self) -> None:
        view = self.query_one(TranscriptView)
        found = next_uncoded(self.project, self.document_id, [self.coder_id], view.cursor)
        if found is None:
            found = next_uncoded(self.project, self.document_id, [self.coder_id], -1)
            if found is not None and found != view.cursor:
                self.app.notify("Wrapped to the start of the document.", timeout=2)
        if found is None:
            self.app.notify("Every sentence in this document has a code of yours.", timeout=3)
        else:
            view.go_to_segment(found)

    def action_search(self) -> None:
        def chosen(hit: dict[str, Any] | None) -> None:
            if hit is None:
                return
            if hit["document_id"] != self.document_id:
                self.load_document(hit["document_id"], (hit["start"], hit["end"]))
            else:
                self.query_one(TranscriptView).select_range(hit["start"], hit["end"])

        self.app.push_screen(SearchDialog(lambda words: search(self.project, words)), chosen)

    def action_refresh(self) -> None:
        self.app.forget_counts()  # type: ignore[attr-defined]
        self.codes = project_codes(self.project)
        self.refresh_codings()

    def action_others(self) -> None:
        if self.others_id:
            self.others_id = None
            self.refresh_codings()
            self.show_title()
            return
        others = [
            r[0] for r in self.project.db.execute("SELECT name FROM coder WHERE id != ? ORDER BY name", [self.coder_id])
        ]
        if not others:
            self.app.notify("No other coder has coded in this project yet.", timeout=3)
            return

        def chosen(name: str | None) -> None:
            if name and name in others:
                self.others_id = self.project.coder_id(name, create=False)
                self.refresh_codings()
                self.show_title()

        from .dialogs import CoderDialog

        title = "Show whose codings beside yours? (Esc: none)"
        self.app.push_screen(CoderDialog(others, title=title, allow_new=False), chosen)

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

    def _codebook_edit(self, operation: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = operation(self.project, *args, **kwargs)
        except QualcodeError as error:
            self.notify_error(error)
            return None
        self.app.forget_counts()  # type: ignore[attr-defined]  # a merge moves codings between codes
        self.codes = project_codes(self.project)
        self.refresh_codings()
        return result

    def action_add_code(self, under_highlighted: bool) -> None:
        parent = self.query_one(CodebookPanel).highlighted_code if under_highlighted else None

        def named(name: str | None) -> None:
            if name:
                new = self._codebook_edit(add_code, name, parent)
                if new:
                    panel = self.query_one(CodebookPanel)
                    panel.call_after_refresh(panel.select_code, new)

        where = f"under {parent}" if parent else "at the top level"
        self.app.push_screen(TextPrompt(f"New code {where}: name"), named)

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

            def confirmed(yes: bool | None) -> None:
                if yes:
                    moved = self._codebook_edit(merge_codes, source, ids[0])
                    if moved is not None:
                        self.app.notify(f"Merged {source} into {ids[0]}: {moved} coding(s) moved.", timeout=4)

            self.app.push_screen(
                ConfirmDialog(f"Merge {source} into {ids[0]}? Its codings move; it is deleted."), confirmed
            )

        choices = [c for c in self.codes if c["id"] != source]
        self.app.push_screen(CodePicker(choices, title=f"Merge {source} into…", multiple=False), chosen)


def _short(text: str, size: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= size else line[: size - 1] + "…"
