"""The workbench application: one project, one coder, a start screen and a document screen.

``make_app`` is the one factory the CLI and the tests use. The app holds the main-thread connection to the
project (a sqlite3 connection belongs to the thread that opened it); thread workers open their own.

Every change the workbench makes to the study goes through ``change`` (and ``undo``/``redo``): planned from the
file and written as one undoable step by ``coding.history.History``, through the ``Saver``, then ``changed``
brings everything the workbench holds up to date — the codebook, the recent codes (never one that is gone),
the remembered places, the code counts — before the screen that asked shows it.
"""

from __future__ import annotations

import getpass
import sqlite3
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding

from ..codebook.files import project_codes
from ..coding.codings import study_counts
from ..coding.history import History
from ..coding.memos import describe_target, get_memo, memo_change, remember_coder, remembered_coder
from ..coding.places import Place, load_place, save_place
from ..errors import QualcodeError, debugging, fault_line
from ..project.changes import Change
from ..project.connection import explain
from ..project.facts import Code, Coding, Memo
from ..project.store import Project
from .dialogs import CoderDialog, ConfirmDialog, HelpScreen, KeyGuide, MemoDialog
from .document import DocumentScreen
from .saving import Saver
from .start import StartScreen
from .suggestions import teach

REMEMBER_SECONDS = 10  # how often the coder's place is written while it changes
REMEMBER_AFTER_CODING = 1.0  # and how soon after a coding (which changes the recent codes)


class QualcodeApp(App[None]):
    CSS_PATH = "qualcode.tcss"
    TITLE = "qualcode"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit", tooltip="Leave qualcode (all work is saved)"),
    ]

    def __init__(self, project_path: Path, coder: str | None = None, user: str | None = None) -> None:
        super().__init__()
        self.project = Project.open_for_workbench(project_path)
        self.saver = Saver(self)
        self.user = user or getpass.getuser()
        self.coder = coder or remembered_coder(self.project, self.user) or ""
        self.coder_id = 0
        self.history = History(self.project)
        self._study_counts: dict[tuple[int, ...], dict[str, int]] = {}
        self.suggestion_cache: dict[str, dict[int, list]] = {}  # document -> sentence start -> suggestions
        self.suggester: Any = None  # built once per coder and codebook (tui.suggestions)
        self.place = Place()  # where this coder was: positions, recent codes, filter (see places.py)
        self.codes: list[dict[str, Any]] = []  # the codebook in tree order: one list every screen and picker uses
        self._saved_place = ""
        self.interviewer_ok = False  # asked once per session before coding the interviewer's words

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notice, shown as text, never markup: it names files, codes and people (see ``tui.shown``)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_mount(self) -> None:
        self.sub_title = str(self.project.path)
        if self.project.upgrade_note:
            self.notify(self.project.upgrade_note, timeout=10)
        if not self.project.writable:
            self.notify(
                f"Read-only: {self.project.read_only_reason}. You can read and report; nothing can be saved.",
                severity="warning",
                timeout=10,
            )
        self.set_interval(REMEMBER_SECONDS, self.remember)
        if self.coder:
            self.set_coder(self.coder)
            self.push_screen(StartScreen())
        else:
            self.push_screen(StartScreen())
            self.action_switch_coder()

    def set_coder(self, name: str, guide: bool = False) -> None:
        """Code as ``name``; with ``guide`` (a name chosen in the "Who is coding?" dialog), a coder who has not
        seen the key guide is shown it once."""

        def remembered(_: object = None) -> None:
            self.coder = name
            try:
                self.coder_id = self.project.coder_id(name, create=False)
            except QualcodeError:  # read-only, and a coder the project does not know: nothing of theirs to show
                self.coder_id = 0
            self.history = History(self.project)
            self.place = load_place(self.project, name)
            self.reload_codes()
            self._saved_place = self.place.as_json()
            self.forget_suggestions()  # they were for another coder
            self.forget_counts()
            screen = self.screen
            if isinstance(screen, StartScreen):
                screen.reload()
            if guide and not self.place.guided:
                self.place.guided = True  # written with the coder's place
                self.push_screen(KeyGuide())

        if self.project.writable:
            self.saver.save(f"coder {name}", lambda: remember_coder(self.project, self.user, name), remembered, None)
        else:
            remembered()

    def action_switch_coder(self) -> None:
        coders = [r[0] for r in self.project.db.execute("SELECT name FROM coder ORDER BY name")]

        def chosen(name: str | None) -> None:
            if name:
                self.set_coder(name, guide=True)
            elif not self.coder:
                self.exit(message="No coder chosen; nothing was changed.")

        self.push_screen(CoderDialog(coders, self.coder), chosen)

    def remember(self) -> None:
        """Write the coder's place (positions, recent codes, filter) if it changed since last written."""
        if isinstance(self.screen, DocumentScreen):
            self.screen.remember()
        state = self.place.as_json()
        if state == self._saved_place or not self.coder or not self.project.writable or self.saver.waiting:
            return
        try:  # not through the saver: a place is a convenience, never a change to wait for or warn about
            save_place(self.project, self.coder, self.place)
        except (QualcodeError, sqlite3.Error):
            return  # busy or failing: tried again in a few seconds, and the coder's work is not affected
        self._saved_place = state

    def remember_soon(self) -> None:
        """After a coding: write the place within a second (once, however many codings come meanwhile)."""
        if getattr(self, "_remember_timer", None) is None:

            def due() -> None:
                self._remember_timer = None
                self.remember()

            self._remember_timer = self.set_timer(REMEMBER_AFTER_CODING, due)

    # -- changes ---------------------------------------------------------------------------------------

    def change(self, what: str, plan: Callable[[], Change], then: Callable[[Change], None] | None = None,
               screen: Any = ...) -> None:  # fmt: skip
        """Plan and write one change as one undoable step (waiting, through the saver, while another process
        writes), bring the workbench up to date with it, then ``then(change)`` on the screen that asked."""
        self.saver.save(what, lambda: self.history.do(plan), partial(self._changed, then), screen)

    def step(self, undo: bool, then: Callable[[Change | None], None]) -> None:
        """Undo (or redo) the last step; ``then`` gets the change written, or None when there was none."""
        self.saver.save("undo" if undo else "redo", self.history.undo if undo else self.history.redo,
                        partial(self._changed, then))  # fmt: skip

    def _changed(self, then: Callable[[Any], None] | None, change: Change | None) -> None:
        if change is not None:
            self.changed(change)
        if then is not None:
            then(change)

    def changed(self, change: Change) -> None:
        """What the workbench holds, made true to the file again after ``change``: the codebook (and the recent
        codes that point into it) when codes changed, what the suggester learned from codings, and the kept
        code counts, by the codings it added and removed."""
        if change.facts(Code):
            self.reload_codes()
            self.forget_suggestions()  # suggestions come from the codebook
        else:
            teach(self, change)  # what its codings teach, or no longer teach, the suggester
        for coders, counts in self._study_counts.items():
            for sign, added in ((-1, False), (1, True)):
                for fact in change.facts(Coding, added):
                    if fact.coder in coders:
                        counts[fact.code] = counts.get(fact.code, 0) + sign
            for code_id in [c for c, n in counts.items() if n <= 0]:
                del counts[code_id]

    def reload_codes(self) -> None:
        """The codebook as the file has it now; the recent codes and places keep only what is still there."""
        self.codes = project_codes(self.project)
        documents = {r[0] for r in self.project.db.execute("SELECT id FROM document")}
        self.place.keep_only({c["id"] for c in self.codes}, documents)

    def study_counts(self, coders: tuple[int, ...]) -> dict[str, int]:
        """Study-wide codings per code for these coders: counted once, then kept up to date by the screens."""
        if coders not in self._study_counts:
            self._study_counts[coders] = study_counts(self.project, list(coders))
        return self._study_counts[coders]

    def seed_study_counts(self, coders: tuple[int, ...], counts: dict[str, int]) -> None:
        """Counts worked out elsewhere (the start screen's worker), unless newer ones are already kept."""
        self._study_counts.setdefault(coders, counts)

    def forget_suggestions(self) -> None:
        """After a change of coder or codebook: suggestions are worked out again when next wanted."""
        self.suggestion_cache = {}
        self.suggester = None

    def forget_counts(self) -> None:
        self._study_counts.clear()

    def open_document(self, document_id: int) -> None:
        self.push_screen(DocumentScreen(document_id))

    def edit_memo(self, target_type: str, target_id: Any, title: str, then: Callable[[], None] | None = None) -> None:
        """Write or change the coder's memo on a target, as one undoable step (empty text deletes it)."""
        text = get_memo(self.project, target_type, target_id, self.coder_id)
        where = describe_target(self.project, target_type, target_id)

        def written(change: Change) -> None:
            if change:
                done = "deleted" if not change.facts(Memo, added=True) else "saved"
                self.notify(f"Memo on {where} {done}; u undoes it.", timeout=2)
            if then:
                then()

        def saved(new: str | None) -> None:
            if new is not None and new != text:
                project, coder_id = self.project, self.coder_id
                self.change(f"memo on {where}", lambda: memo_change(project, target_type, target_id, coder_id, new),
                            written)  # fmt: skip

        self.push_screen(MemoDialog(title, text), saved)

    def action_help(self) -> None:
        """Every key, grouped by screen: the screen on show first (with its panel's keys when the panel has the
        focus), then the other screens, then the keys that work everywhere. Textual's own widgets' keys (the
        arrows in a table or a text box) are not listed: they do what they always do."""
        from .agreement import AgreementScreen, DisagreementScreen
        from .codebook import CodebookPanel
        from .framework import FrameworkScreen
        from .reports import ReportsScreen
        from .transcript import TranscriptView

        titles = [
            (StartScreen, "Documents (the start screen)"),
            (DocumentScreen, "A transcript (the document screen)"),
            (TranscriptView, "Paging through a transcript"),
            (CodebookPanel, "The codebook panel (b moves there and back)"),
            (ReportsScreen, "Reports"),
            (AgreementScreen, "Agreement"),
            (DisagreementScreen, "Settling disagreements"),
            (FrameworkScreen, "The evaluation framework (g on the Reports screen)"),
        ]
        here = type(self.screen)
        panel = type(self.focused) if isinstance(self.focused, CodebookPanel) else None
        ordered = sorted(titles, key=lambda item: (item[0] is not panel, item[0] is not here))
        sections = [(title, list(kind.BINDINGS)) for kind, title in ordered]
        sections.append(("Everywhere", list(self.BINDINGS)))
        self.push_screen(HelpScreen([(t, [b for b in bs if isinstance(b, Binding)]) for t, bs in sections]))

    async def action_quit(self) -> None:
        self.remember()
        if not self.saver.waiting:
            self.exit()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.exit(message=f"Quit with {len(self.saver.waiting)} change(s) not saved (the project was busy).")

        waiting = len(self.saver.waiting)
        self.push_screen(
            ConfirmDialog(
                f"Quit and lose {waiting} change(s) not saved yet? The project is busy: {self.saver.holder} is "
                "writing to it; they are saved as soon as it finishes.",
                "y = quit and lose them, n = keep waiting",
            ),
            answered,
        )

    def _handle_exception(self, error: Exception) -> None:
        """A damaged project file met while reading: one line and a clean exit, never a traceback."""
        explained = explain(self.project.path, error) if isinstance(error, sqlite3.DatabaseError) else None
        if explained is not None and "damaged" in str(explained):
            self.project.writable = False
            self.exit(return_code=1, message=str(explained))
            return
        if not debugging():  # one line, never a traceback that could quote the transcript on screen
            self.exit(return_code=2, message=fault_line(error, f"qualcode open ({self.project.path})"))
            return
        super()._handle_exception(error)

    def on_unmount(self) -> None:
        self.project.close()


def make_app(project_path: str | Path, coder: str | None = None, user: str | None = None) -> QualcodeApp:
    return QualcodeApp(Path(project_path), coder, user)
