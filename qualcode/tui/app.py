"""The workbench application: one project, one coder, a start screen and a document screen.

``make_app`` is the one factory the CLI and the tests use. The app holds the main-thread connection to the
project (a sqlite3 connection belongs to the thread that opened it); thread workers open their own.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding

from ..codes import study_counts
from ..history import History
from ..memos import describe_target, get_memo, remember_coder, remembered_coder, set_memo
from ..store import Project
from .dialogs import CoderDialog, HelpScreen, MemoDialog
from .document import DocumentScreen
from .start import StartScreen


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
        self.user = user or getpass.getuser()
        self.coder = coder or remembered_coder(self.project, self.user) or ""
        self.coder_id = 0
        self.history = History(self.project)
        self._study_counts: dict[tuple[int, ...], dict[str, int]] = {}
        self.suggestion_cache: dict[str, dict[int, list]] = {}  # document -> sentence start -> suggestions
        self.suggester: Any = None  # built once per coder and codebook (tui.suggestions)

    def on_mount(self) -> None:
        self.sub_title = str(self.project.path)
        if self.coder:
            self.set_coder(self.coder)
            self.push_screen(StartScreen())
        else:
            self.push_screen(StartScreen())
            self.action_switch_coder()

    def set_coder(self, name: str) -> None:
        remember_coder(self.project, self.user, name)
        self.coder = name
        self.coder_id = self.project.coder_id(name, create=False)
        self.history = History(self.project)
        self.forget_suggestions()  # they were for another coder
        self.forget_counts()

    def action_switch_coder(self) -> None:
        coders = [r[0] for r in self.project.db.execute("SELECT name FROM coder ORDER BY name")]

        def chosen(name: str | None) -> None:
            if name:
                self.set_coder(name)
            elif not self.coder:
                self.exit(message="No coder chosen; nothing was changed.")
                return
            screen = self.screen
            if isinstance(screen, StartScreen):
                screen.reload()

        self.push_screen(CoderDialog(coders, self.coder), chosen)

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
        text = get_memo(self.project, target_type, target_id, self.coder_id)

        def saved(new: str | None) -> None:
            if new is not None and new != text:
                set_memo(self.project, target_type, target_id, self.coder_id, new)
                self.notify(f"Memo on {describe_target(self.project, target_type, target_id)} saved.", timeout=2)
                if then:
                    then()

        self.push_screen(MemoDialog(title, text), saved)

    def action_help(self) -> None:
        sections = [(type(self.screen).__name__.replace("Screen", "") or "Screen", list(self.screen.BINDINGS))]
        focused = self.focused
        if focused is not None and getattr(focused, "BINDINGS", None) and focused.BINDINGS is not self.screen.BINDINGS:
            sections.insert(0, (f"{type(focused).__name__} (focused)", list(focused.BINDINGS)))
        sections.append(("Everywhere", list(self.BINDINGS)))
        self.push_screen(HelpScreen([(t, [b for b in bs if isinstance(b, Binding)]) for t, bs in sections]))

    def on_unmount(self) -> None:
        self.project.close()


def make_app(project_path: str | Path, coder: str | None = None, user: str | None = None) -> QualcodeApp:
    return QualcodeApp(Path(project_path), coder, user)
