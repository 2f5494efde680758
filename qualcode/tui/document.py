"""The document screen: read a transcript, select passages by keyboard or mouse, apply and remove codes.

Every change is committed to the project file the moment it is made (through the app's ``change``: one
undoable step, kept while another process holds the project and shown only once written), so a killed
terminal or a dropped SSH connection loses nothing. ``after_change`` is the one way the screen catches up.
The screen shows the coder's own codings only (blind coding) unless the coder asks to see another coder's.
Twice a second a timer asks SQLite whether anyone else has written (``PRAGMA data_version``, which costs
nothing) and, if so, reloads the codings, so two coders on one server see each other's work at once.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from ..coding.codings import code_counts, document_codings
from ..coding.memos import memos_for
from ..errors import QualcodeError
from ..ingest.labels import member_labels
from ..project.facts import Coding
from ..project.overview import turns as document_turns
from .codebook import CodebookPanel
from .codebook_edits import CodebookEditsMixin
from .coding_keys import CodingMixin
from .keybar import KeyBar, binding
from .navigation_keys import NavigationMixin
from .picker import code_detail
from .shown import Static
from .suggestions import BINDINGS as SUGGESTION_KEYS
from .suggestions import SuggestionsMixin
from .text import shorten
from .transcript import TranscriptView

_key = partial(binding, "document")
WATCH_SECONDS = 0.5  # how often to look for other processes' writes


class DocumentScreen(CodingMixin, SuggestionsMixin, CodebookEditsMixin, NavigationMixin, Screen[None]):
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
        _key(
            "right_square_bracket",
            "next_coded(False, True)",
            "Next any",
            "Next passage you coded, with any code (across documents)",
            show=False,
        ),
        _key(
            "left_square_bracket",
            "next_coded(True, True)",
            "Prev any",
            "Previous passage you coded, with any code",
            show=False,
        ),
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
    def codes(self) -> list[dict[str, Any]]:
        """The codebook as the app keeps it (one list, reloaded whenever codes change)."""
        return self.app.codes  # type: ignore[attr-defined]

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
        self.set_interval(WATCH_SECONDS, self.watch_for_others)

    def on_resize(self, event: events.Resize) -> None:
        # on a short terminal the code's definition gives way, so the tree and the suggestions keep room
        self.query_one("#code-info", Static).styles.max_height = 12 if event.size.height >= 36 else 5

    # -- loading -------------------------------------------------------------------------------------

    def gone(self) -> bool:
        """Whether this document was removed (by another process): if so, say so and go back to the list."""
        found = self.project.db.execute("SELECT 1 FROM document WHERE id = ?", [self.document_id]).fetchone()
        if found is not None:
            return False
        name = getattr(self, "document", {}).get("name", "This document")
        self.app.notify(f"{name} was removed from the project (by another process): back to the documents.",
                        severity="warning", timeout=8)  # fmt: skip
        self.app.pop_screen()
        return True

    def load_document(self, document_id: int, select: tuple[int, int] | None = None) -> None:
        if getattr(self, "document", None) is not None and document_id != self.document_id:
            self.remember()  # where the coder was in the document they are leaving
        try:
            document = self.project.document(str(document_id))
        except QualcodeError:  # removed since it was listed
            self.app.notify("That document is no longer in the project (removed by another process).",
                            severity="warning", timeout=8)  # fmt: skip
            if getattr(self, "document", None) is None:  # nothing shown yet: back to the list
                self.app.pop_screen()
            return
        self.document_id = document_id
        self.document = document
        turns = document_turns(self.project, document)
        members = member_labels(self.project)
        for turn in turns:  # a speaker's group as a reader says it: "Claire · lead organisation staff"
            turn["group_label"] = members.get(turn["group"], turn["group"]) if turn["group"] else None
        segments = [(s["start"], s["end"], index) for index, t in enumerate(turns) for s in t["segments"]]
        view = self.query_one(TranscriptView)
        view.load(document["text"], turns, segments, self.codings(self.coder_id))
        view.others = self.codings(self.others_id) if self.others_id else []
        self.load_memos()
        self.show_codebook()
        self.show_info()
        self.show_title()
        place = self.app.place  # type: ignore[attr-defined]
        place.document = document_id
        select = select or place.positions.get(str(document_id))
        if select and select[1] <= len(document["text"]):
            view.call_after_refresh(view.select_range, *select)  # once laid out, so it can be scrolled to
            view.select_range(*select)
        else:
            view.go_to_segment(0)
        self.start_suggestions()

    def remember(self) -> None:
        """Keep where the coder is in this document (written with the coder's place, see ``app.remember``)."""
        view = self.query_one(TranscriptView)
        if view.segments:
            self.app.place.positions[str(self.document_id)] = view.selection  # type: ignore[attr-defined]

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
            viewing = Text.assemble("  ·  also showing ", (name, "underline"), "'s codings")
        memo = f"  ·  ✎ {_short(self.document_memo)}" if self.document_memo else ""
        self.query_one("#doc-title", Static).update(Text.assemble(
            (d["name"], "bold"), f"  {d['kind'].replace('_', ' ')}  ·  {d['words']:,} words  ·  coding as ",
            (self.app.coder or "", "bold"), viewing, memo,  # type: ignore[attr-defined]
            *([] if self.project.writable else ["  ·  ", (" read-only ", "bold reverse")]),
        ))  # fmt: skip

    def show_codebook(self, recount: bool = True) -> None:
        if recount:
            coders = [self.coder_id] + ([self.others_id] if self.others_id else [])
            study = self.app.study_counts(tuple(coders))  # type: ignore[attr-defined]
            self.counts = code_counts(self.project, self.document_id, coders, study)
            self.code_memos = set(memos_for(self.project, "code", [self.coder_id]))
        self.query_one(CodebookPanel).show(self.codes, self.counts, self.code_memos)
        recent = Text("Recent: ", style="bold")
        names = {c["id"]: c for c in self.codes}
        used = self.app.place.recent  # type: ignore[attr-defined]
        panel = self.query_one("#recent", Static).size.width or 40
        width = max(16, panel - 12 if panel < 60 else panel // 3 - 3)  # narrow: one readable name a line
        for n, code_id in enumerate(used[:9], start=1):
            code = names.get(code_id)
            if code:
                recent.append(f"{n} ", style="bold #80c0ff")
                recent.append(f"{shorten(code['name'], width)}  ", style=code["colour"] or "")
        self.query_one("#recent", Static).update(recent if used else "Recent: (codes you apply appear here)")

    def refresh_codings(self) -> None:
        """Reload this document's codings and counts (the study-wide counts are kept exact by the app)."""
        view = self.query_one(TranscriptView)
        others = self.codings(self.others_id) if self.others_id else []
        view.set_codings(self.codings(self.coder_id), others, view.selection)
        self.show_codebook()
        self.show_status()
        self.show_suggestions()

    def after_change(self, change: Any, jump: bool = False) -> None:
        """Show a change just written (by this screen, or undone or redone): the codings, counts, memos and
        codebook as the file now has them; with ``jump``, the passage it touched selected."""
        self._version = self.data_version()
        coding = next(iter(change.facts(Coding)), None) if change is not None else None
        if jump and coding is not None:
            if coding.document != self.document_id:
                self.load_document(coding.document, (coding.start, coding.end))
                return
            self.query_one(TranscriptView).select_range(coding.start, coding.end)
        self.load_memos()
        self.show_title()
        self.refresh_codings()

    def data_version(self) -> int:
        return int(self.project.db.execute("PRAGMA data_version").fetchone()[0])

    def watch_for_others(self) -> None:
        version = self.data_version()
        if version != self._version:
            self._version = version
            if self.gone():
                return
            self.app.forget_counts()  # type: ignore[attr-defined]  # another workbench wrote: recount
            self.app.reload_codes()  # type: ignore[attr-defined]  # and its codebook edits (a code gone, say)
            self.load_memos()
            self.refresh_codings()

    # -- status --------------------------------------------------------------------------------------

    def on_transcript_view_selection_changed(self, event: TranscriptView.SelectionChanged) -> None:
        self.remember()
        self.show_status()
        self.show_suggestions()

    def show_status(self) -> None:
        view = self.query_one(TranscriptView)
        start, end = view.selection
        here = [c for c in view.codings if c["start"] < end and c["end"] > start]
        words = len(view.text[start:end].split())
        codes = ", ".join(dict.fromkeys(("★ " if c["key_quote"] else "") + c["code_name"] for c in here)) or "not coded"
        memo = next((self.coding_memos[str(c["id"])] for c in here if str(c["id"]) in self.coding_memos), "")
        waiting = self.app.saver.status()  # type: ignore[attr-defined]
        self.query_one("#status", Static).update(Text.assemble(
            *([(waiting, "bold reverse"), "  ·  "] if waiting else []),
            f"Sentence {view.cursor + 1}/{len(view.segments)}  ·  selected {words} word(s) [{start}, {end})  ·  "
            f"{codes}" + (f"  ·  ✎ {_short(memo)}" if memo else ""),
        ))  # fmt: skip

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
        self.remember()
        self.app.remember()  # type: ignore[attr-defined]
        self.app.pop_screen()


def _short(text: str, size: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= size else line[: size - 1] + "…"
