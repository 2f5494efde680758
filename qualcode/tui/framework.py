"""The framework view (``g`` on the Reports screen): the evaluation framework's questions, each with how much
evidence it has and a gap marker, and writing the findings pack behind a progress bar that Escape cancels.

The questions and their evidence are worked out in a thread worker with its own connection (the same
``findings.build_findings`` that ``qualcode report`` uses, for the same coders as the Reports screen); the
pack is written through a partial file, so a cancelled write leaves nothing.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen

from ..errors import QualcodeError
from ..reports.counting import Counted
from ..reports.exports import Progress
from .keybar import KeyBar, binding
from .quotes import write_file
from .shown import DataTable, Static

_key = partial(binding, "framework")


class FrameworkScreen(Screen[None]):
    BINDINGS = [
        _key("w", "write_pack", "Findings pack", "Write the findings pack (.docx .html .md), behind a progress bar"),
        _key("question_mark", "app.help", "Help", "Show every key"),
        _key("escape,q", "app.pop_screen", "Back", "Back to the Reports screen"),
    ]

    def __init__(self, whom: Counted) -> None:
        super().__init__()
        self.whom = whom
        self.rows: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Static("Reading the evaluation framework…", id="framework-title")
        yield DataTable(id="framework-grid", cursor_type="row", zebra_stripes=True)
        yield Static("", id="framework-detail")
        yield KeyBar(list(self.BINDINGS))

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="framework", exit_on_error=False)
    def load(self) -> None:
        from ..findings.build import build_findings
        from ..findings.framework import check_framework, stored_framework

        try:
            with self.app.project.reader() as project:  # type: ignore[attr-defined]
                framework = stored_framework(project)
                check_framework(project, framework)
                data = build_findings(project, framework, self.whom, quotes=0)
        except QualcodeError as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self._loaded, data)

    def _failed(self, message: str) -> None:
        self.query_one("#framework-title", Static).update(Text(message, style="bold red"))

    def _loaded(self, data: dict[str, Any]) -> None:
        self.rows = []
        for q_number, question in enumerate(data["questions"], start=1):
            for s_number, specific in enumerate(question["specifics"], start=1):
                self.rows.append({**specific, "number": f"{q_number}.{s_number}", "parent": question["question"]})
        self._fill()
        self.query_one("#framework-title", Static).update(
            Text.assemble((f"{data['title']}", "bold"), f" — {data['about']} — ⚠ marks a question with gaps")
        )
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        if self.rows:
            self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        width = self.size.width or 80
        room = max(20, width - 6 - 14 - 12 - 15)
        table.add_column("", width=4)
        table.add_column("Question", width=room)
        table.add_column("Evidence", width=12)
        table.add_column("Groups", width=8)
        table.add_column("Gaps", width=11)
        for row in self.rows:
            coded = sum(1 for r in row["rows"] if r["participants"])
            spoke = sum(1 for g in row["expected"] if any(r["cells"][g]["participants"] for r in row["rows"]))
            gaps = len(row["gaps"])
            table.add_row(
                row["number"],
                row["question"] if len(row["question"]) <= room else row["question"][: room - 1] + "…",
                f"{coded}/{len(row['rows'])} codes",
                f"{spoke}/{len(row['expected'])}",
                _gaps(coded, gaps),
            )

    @on(DataTable.RowHighlighted)
    def highlighted(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return
        row = self.rows[table.cursor_row]
        gaps = row["gaps"]
        detail = f"{row['number']} {row['question']}\n" + ("\n".join(f"• {g}" for g in gaps[:4]) or "No gaps.")
        if len(gaps) > 4:
            detail += f"\n… and {len(gaps) - 4} more in the findings pack"
        self.query_one("#framework-detail", Static).update(Text(detail))

    def said(self, message: str) -> None:
        """A file written: in full on the line under the table, and in a notice."""
        self.query_one("#framework-detail", Static).update(Text(message))
        self.app.notify(message, timeout=5)

    def action_write_pack(self) -> None:
        from ..findings.build import build_findings
        from ..findings.framework import check_framework, stored_framework
        from ..findings.write import write_findings

        app: Any = self.app

        def work(path: Path, progress: Progress) -> str:
            with app.project.reader() as project:
                framework = stored_framework(project)
                check_framework(project, framework)
                # one step more than the questions: writing the file
                data = build_findings(project, framework, self.whom, progress=lambda d, t: progress(d, t + 1))
            write_findings(path, data)
            return f"Wrote the findings pack to {path}"

        default = str(Path(app.project.path).with_name("findings.docx"))
        write_file(app, "Write the findings pack to (.docx .html .md)", default, work)


def _gaps(coded: int, gaps: int) -> Text:
    """ "no evidence" for a question nothing speaks to (not a count of one gap); else how many gaps."""
    if not coded:
        return Text("no evidence", style="bold #d55e00")
    if not gaps:
        return Text("✓", style="green")
    return Text(f"⚠ {gaps} gap{'s' if gaps > 1 else ''}", style="bold #e5a00d")
