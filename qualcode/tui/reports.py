"""The Reports screen: the evidence map and theme frequencies as a shaded grid, and the quotes behind a cell.

Tables are computed in a thread worker with its own connection (a big study takes seconds), while the screen
says so; Escape leaves at any time. Enter on a cell opens the excerpts behind it (that code, its sub-codes,
that group), with who said them; ``x`` exports the table on show, written by the same core code as the CLI.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label, Static

from ..evidence import evidence_map, shade, write_evidence_map
from ..exports import write_frequencies
from ..reports import Filters, excerpts, frequencies
from ..store import Project
from .dialogs import TextPrompt
from .keybar import KeyBar, binding

_key = partial(binding, "reports")


class ReportsScreen(Screen[None]):
    BINDINGS = [
        _key("e", "show('evidence')", "Evidence map", "Outcomes x stakeholder groups: participants with evidence"),
        _key("f", "show('frequencies')", "Frequencies", "Every code x group: excerpts, participants, documents"),
        _key("enter", "quotes", "Quotes", "Read the excerpts behind the highlighted cell"),
        _key("x", "export", "Export", "Write the table on show (.md .html .xlsx .json, or .csv for frequencies)"),
        _key("question_mark", "app.help", "Help", "Show every key"),
        _key("escape,q", "app.pop_screen", "Back", "Back to the documents"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "evidence"
        self.data: Any = None
        self.cells: dict[tuple[int, int], tuple[str, str]] = {}  # (row, column) -> (code, group)

    def compose(self) -> ComposeResult:
        yield Static("", id="reports-title")
        yield DataTable(id="report-grid", cursor_type="cell", zebra_stripes=False)
        yield KeyBar(list(self.BINDINGS))

    def on_mount(self) -> None:
        self.action_show("evidence")

    def action_show(self, view: str) -> None:
        self.view = view
        self.query_one("#reports-title", Static).update(f"Computing the {self._title()}…")
        self.load(view)

    def _title(self) -> str:
        return "evidence map" if self.view == "evidence" else "frequency table"

    @work(thread=True, exclusive=True, group="reports", exit_on_error=False)
    def load(self, view: str) -> None:
        with Project.open(self.app.project.path) as project:  # type: ignore[attr-defined]
            data = evidence_map(project) if view == "evidence" else frequencies(project)
        self.app.call_from_thread(self._loaded, view, data)

    def _loaded(self, view: str, data: Any) -> None:
        if view != self.view:
            return
        self.data = data
        table = self.query_one(DataTable)
        table.clear(columns=True)
        self.cells = {}
        if view == "evidence":
            groups = data["groups"]
            table.add_columns("Outcome", *[f"{g} (n={data['group_sizes'][g]})" for g in groups])
            for r, row in enumerate(data["rows"]):
                cells = []
                for c, group in enumerate(groups, start=1):
                    cell = row["cells"][group]
                    text = Text(f"{cell['participants']}/{cell['group_participants']}", justify="right")
                    if cell["share"] > 0:
                        text.stylize(f"black on #{shade(cell['share'])}")
                    cells.append(text)
                    self.cells[(r, c)] = (row["code"], group)
                table.add_row(_fit("· " * row["depth"] + row["name"]), *cells)
            title = "Evidence map: participants with evidence / participants in the group"
        else:
            table.add_columns("Code", "Group", "Excerpts", "Participants", "Of", "Documents")
            for r, row in enumerate(data):
                table.add_row(
                    _fit(row["code_name"]),
                    row["group"],
                    row["excerpts"],
                    row["participants"],
                    row["group_participants"],
                    row["documents"],
                )
                for c in range(6):
                    self.cells[(r, c)] = (row["code"], row["group"])
            title = "Frequencies: per code (sub-codes rolled up) and stakeholder group"
        self.query_one("#reports-title", Static).update(f"[b]{title}[/b] — Enter reads the quotes behind a cell")
        table.focus()

    def action_quotes(self) -> None:
        table = self.query_one(DataTable)
        found = self.cells.get((table.cursor_row, table.cursor_column))
        if not found:
            return
        code, group = found
        rows = excerpts(self.app.project, Filters(codes=[code], groups=[group]))  # type: ignore[attr-defined]
        self.app.push_screen(QuotesDialog(f"{code} · {group}", rows))

    @on(DataTable.CellSelected)
    def cell_selected(self) -> None:
        self.action_quotes()

    def action_export(self) -> None:
        if self.data is None:
            return
        default = str(
            Path(self.app.project.path).with_name(  # type: ignore[attr-defined]
                "evidence-map.html" if self.view == "evidence" else "frequencies.xlsx"
            )
        )

        def chosen(name: str | None) -> None:
            if name:
                self.write(Path(name).expanduser(), self.view, self.data)

        self.app.push_screen(TextPrompt(f"Export the {self._title()} to", default), chosen)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def write(self, path: Path, view: str, data: Any) -> None:
        from ..errors import QualcodeError

        try:
            (write_evidence_map if view == "evidence" else write_frequencies)(path, data)
        except QualcodeError as error:
            self.app.call_from_thread(self.app.notify, str(error), severity="error", timeout=6)
            return
        self.app.call_from_thread(self.app.notify, f"Wrote {path}", timeout=4)


def _fit(name: str, width: int = 44) -> str:
    """Outcome names are long; the groups' columns matter more on a narrow terminal."""
    return name if len(name) <= width else name[: width - 1] + "…"


class QuotesDialog(ModalScreen[None]):
    """The excerpts behind one cell, with who said them (pseudonyms only)."""

    BINDINGS = [_key("escape,q", "close", "Close", "Back to the table")]

    def __init__(self, title: str, rows: list[dict[str, Any]]) -> None:
        super().__init__()
        self.title_text, self.rows = title, rows

    def compose(self) -> ComposeResult:
        text = Text()
        for row in self.rows:
            text.append(" ".join(row["text"].split()) + "\n")
            who = ", ".join(row["speakers"]) or "interviewer or unattributed"
            text.append(
                f"  — {who} ({', '.join(row['groups'])}) · {row['document']} line {row['line']} · {row['coder']}\n\n",
                style="#9a9a9a",
            )
        with Vertical(classes="dialog help"):
            yield Label(f"{len(self.rows)} excerpt(s): {self.title_text} — Esc closes", classes="dialog-title")
            yield Static(text if self.rows else "No excerpts.")

    def action_close(self) -> None:
        self.dismiss(None)
