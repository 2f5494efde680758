"""The Reports screen: the evidence map and theme frequencies as a shaded grid, and the quotes behind a cell.

Tables are computed in a thread worker with its own connection, while the screen says so; Escape leaves at
any time. Whose codings count follows ``counting``: the only coder, or the consensus coder; with several
coders and no consensus the screen asks first. ``c`` chooses one coder or all coders (a passage several
coders coded with one code then counts once), and the title always says whose codings are counted. For
frequencies, ``b`` groups by stakeholder group or any participant attribute. Enter on a cell opens the
excerpts behind it (that code, its sub-codes, that group, those coders), with who said them. ``x`` exports
the table on show; ``w`` writes the quote bank behind the highlighted cell (or, from the quotes, those
quotes) with a progress bar and Escape to cancel. Files are written by the same core code as the CLI,
through a partial file, so a cancelled export leaves nothing.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen

from ..errors import QualcodeError
from ..reports.counting import Counted, coding_coders, counted
from ..reports.evidence import evidence_map, shade, write_evidence_map
from ..reports.excerpts import Filters, excerpts
from ..reports.exports import write_frequencies
from ..reports.figures import percent
from ..reports.frequencies import frequencies
from ..reports.snapshot import snapshot
from .dialogs import CoderDialog, ask_output
from .keybar import KeyBar, binding
from .quotes import QuotesDialog, export_quotes
from .shown import DataTable, Static
from .text import distinct, heading, heading_width, shorten

_key = partial(binding, "reports")
_EVERYONE = "all coders (a passage several coded counts once)"


class ReportsScreen(Screen[None]):
    BINDINGS = [
        _key("e", "show('evidence')", "Evidence map", "Outcomes x stakeholder groups: participants with evidence"),
        _key("f", "show('frequencies')", "Frequencies", "Every code x group: excerpts, participants, documents"),
        _key("enter", "quotes", "Quotes", "Read the excerpts behind the highlighted cell"),
        _key("c", "choose_coder", "Coders", "Count one coder's codings, or every coder's"),
        _key(
            "g",
            "framework",
            "Framework",
            "The evaluation framework's questions with their gaps; write the findings pack",
        ),
        _key("k", "key_quotes", "Key quotes", "Quotes and quote banks: only the quotes starred as key quotes"),
        _key("b", "choose_by", "By", "Frequencies by stakeholder group or by a participant attribute"),
        _key("x", "export", "Export", "Write the table on show (.md .html .xlsx .json, or .csv for frequencies)"),
        _key(
            "w",
            "write_quotes",
            "Quote bank",
            "Write the quotes behind the highlighted cell (.docx .xlsx .csv .md .json)",
        ),
        _key("question_mark", "app.help", "Help", "Show every key"),
        _key("escape,q", "app.pop_screen", "Back", "Back to the documents"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "evidence"
        self.whom: Counted | None = None  # whose codings count (asked for when it cannot be decided)
        self.key_quotes = False  # quotes behind a cell: only those starred
        self.by = "group"
        self.data: Any = None
        self.cells: dict[tuple[int, int], tuple[str, str]] = {}  # (row, column) -> (code, group)
        self.names: dict[str, str] = {}  # groups' (or attribute values') display names

    def compose(self) -> ComposeResult:
        yield Static("", id="reports-title")
        yield DataTable(id="report-grid", cursor_type="cell", zebra_stripes=False)
        yield Static("", id="reports-detail")
        yield KeyBar(list(self.BINDINGS))

    def on_resize(self) -> None:
        if self.data is not None:
            self._loaded(self.view, self.data)

    @on(DataTable.CellHighlighted)
    def cell_highlighted(self) -> None:
        """The highlighted row's full name and the cell's group, whatever the columns had to cut."""
        table = self.query_one(DataTable)
        found = self.cells.get((table.cursor_row, table.cursor_column))
        if self.data is None or table.cursor_row >= table.row_count:
            return
        row = self.data["rows"][table.cursor_row] if self.view == "evidence" else self.data[table.cursor_row]
        name = row["name"] if self.view == "evidence" else row["code_name"]
        where = f" · {self.names.get(found[1], found[1])}" if found and table.cursor_column > 0 else ""
        self.query_one("#reports-detail", Static).update(Text(f"{name} ({row['code']}){where}"))

    def said(self, message: str) -> None:
        """A result that names a file: in full on the line under the table as well as in a notice."""
        self.query_one("#reports-detail", Static).update(Text(message))
        self.app.notify(message, timeout=5)

    def on_mount(self) -> None:
        try:
            self.whom = counted(self.app.project)  # type: ignore[attr-defined]
        except QualcodeError:  # several coders and no consensus: ask
            self.action_choose_coder()
            return
        self.action_show("evidence")

    def action_show(self, view: str) -> None:
        self.view = view
        if self.whom is None:
            return
        self.query_one("#reports-title", Static).update(f"Computing the {self._title()}…")
        self.load(view, self.whom, self.by)

    def _title(self) -> str:
        return "evidence map" if self.view == "evidence" else "frequency table"

    def _filters_text(self) -> str:
        whose = self.whom.plain().removesuffix(".") if self.whom else ""  # words, not command-line options
        return whose + (" · key quotes only" if self.key_quotes else "")

    def action_framework(self) -> None:
        from .framework import FrameworkScreen

        if self.whom is not None:
            self.app.push_screen(FrameworkScreen(self.whom))

    def action_key_quotes(self) -> None:
        self.key_quotes = not self.key_quotes
        self.app.notify("Quotes: key quotes only" if self.key_quotes else "Quotes: all", timeout=3)
        self.action_show(self.view)

    @work(thread=True, exclusive=True, group="reports", exit_on_error=False)
    def load(self, view: str, whom: Counted, by: str) -> None:
        with self.app.project.reader() as project, snapshot(project) as study:  # type: ignore[attr-defined]
            if view == "evidence":
                data = {**evidence_map(study, whom.coders), "coders": whom.coders, "about": whom.plain()}
            else:
                data = frequencies(study, by, whom.coders)
        self.app.call_from_thread(self._loaded, view, data)

    def action_choose_coder(self) -> None:
        project = self.app.project  # type: ignore[attr-defined]
        coders = coding_coders(project)

        def chosen(name: str | None) -> None:
            if name is not None:
                self.whom = counted(project, everyone=True) if name == _EVERYONE else counted(project, [name])
                self.action_show(self.view)
            elif self.whom is None:  # asked on opening, and no answer: nothing to show
                self.app.pop_screen()

        title = f"This project has {len(coders)} coders: count whose codings?"
        self.app.push_screen(CoderDialog([_EVERYONE, *coders], title=title, allow_new=False), chosen)

    def action_choose_by(self) -> None:
        keys = sorted(
            {
                key
                for (attributes,) in self.app.project.db.execute("SELECT attributes FROM participant")  # type: ignore[attr-defined]
                for key in json.loads(attributes or "{}")
            }
        )

        def chosen(name: str | None) -> None:
            if name is not None:
                self.by = name
                self.action_show("frequencies")

        title = "Frequencies by stakeholder group or by which attribute?"
        self.app.push_screen(CoderDialog(["group", *keys], title=title, allow_new=False), chosen)

    def _loaded(self, view: str, data: Any) -> None:
        if view != self.view:
            return
        self.data = data
        table = self.query_one(DataTable)
        table.clear(columns=True)
        self.cells = {}
        width = self.size.width or 80
        if view == "evidence":
            groups = data["groups"]
            self.names = data["labels"]
            full = [f"{self.names[g]} ({data['group_sizes'][g]})" for g in groups]
            longest = max([7, *(2 * row["depth"] + len(row["name"]) for row in data["rows"])])
            # each group's heading whole, in two lines while the outcomes keep 28 cells, else in three while
            # they keep 20; on a terminal narrower still the groups give way (to 8 cells) before the outcomes
            lines, headers = 3, []
            for tier, keep in ((2, 28), (3, 20)):
                need = [heading_width(h, tier) for h in full]
                if sum(w + 2 for w in need) + min(longest, keep) + 4 <= width:
                    lines, headers = tier, [heading(h, w, tier) for h, w in zip(full, need, strict=True)]
                    break
            if not headers:
                spare = max(8, (width - 4 - min(longest, 20)) // max(1, len(groups)) - 2)
                headers = [heading(h, min(spare, heading_width(h, 3)), 3) for h in full]
            widths = [max(5, *(len(line) for line in h.split("\n"))) for h in headers]
            room = max(16, min(longest, width - sum(w + 2 for w in widths) - 4))
            names = distinct(
                [row["name"] for row in data["rows"]],
                max(8, room - 2 * max((r["depth"] for r in data["rows"]), default=0)),
            )
            names = ["· " * row["depth"] + name for row, name in zip(data["rows"], names, strict=True)]
            table.header_height = lines
            table.add_column("Outcome", width=room)  # explicit: a reload keeps it
            for header, column_width in zip(headers, widths, strict=True):
                table.add_column(header, width=column_width)
            for r, row in enumerate(data["rows"]):
                cells = []
                for c, group in enumerate(groups, start=1):
                    cell = row["cells"][group]
                    text = Text(f"{cell['participants']}/{cell['group_participants']}", justify="right")
                    if cell["share"] > 0:
                        text.stylize(f"black on #{shade(cell['share'])}")
                    cells.append(text)
                    self.cells[(r, c)] = (row["code"], group)
                table.add_row(names[r], *cells)
            title = "Evidence map: participants with evidence / participants in the group"
        else:
            from ..ingest.labels import value_labels

            self.names = value_labels(self.app.project, self.by)  # type: ignore[attr-defined]
            table.header_height = 1
            longest_group = max([5, *(len(self.names.get(str(row["group"]), str(row["group"]))) for row in data)])
            group_width = min(longest_group, max(10, width // 5))
            room = max(16, min(max([4, *(len(row["code_name"]) for row in data)]), width - group_width - 50))
            table.add_column("Code", width=room)
            table.add_columns(
                "Group" if self.by == "group" else self.by.capitalize(),
                "Excerpts",
                "Participants",
                "Of",
                "%",
                "Documents",
            )
            for r, row in enumerate(data):
                table.add_row(
                    shorten(row["code_name"], room),
                    shorten(self.names.get(str(row["group"]), str(row["group"])), group_width),
                    row["excerpts"],
                    row["participants"],
                    row["group_participants"],
                    percent(row["share"]),
                    row["documents"],
                )
                for c in range(7):
                    self.cells[(r, c)] = (row["code"], row["group"])
            title = "Frequencies: per code (sub-codes rolled up) and " + (
                "stakeholder group" if self.by == "group" else self.by
            )
        self.query_one("#reports-title", Static).update(
            Text.assemble((title, "bold"), f" — {self._filters_text()} — Enter reads the quotes behind a cell")
        )
        table.focus()

    def _cell_filters(self) -> tuple[str, Filters] | None:
        table = self.query_one(DataTable)
        found = self.cells.get((table.cursor_row, table.cursor_column))
        if not found:
            return None
        code, value = found
        whom = self.whom or Counted([], False, "")
        filters = Filters(codes=[code], coders=whom.coders, key_quotes=self.key_quotes)
        if self.view == "frequencies" and self.by != "group":
            filters.attributes = {self.by: [value]}
        else:
            filters.groups = [value]
        row = self.data["rows"][table.cursor_row] if self.view == "evidence" else self.data[table.cursor_row]
        name = row["name"] if self.view == "evidence" else row["code_name"]  # in words, as the screen says them
        return f"{name} · {self.names.get(value, value)} · {self._filters_text()}", filters

    def action_quotes(self) -> None:
        found = self._cell_filters()
        if found:
            title, filters = found
            with snapshot(self.app.project) as study:  # type: ignore[attr-defined]
                rows = excerpts(study, filters)
            self.app.push_screen(QuotesDialog(title, rows, filters, self.whom.plain() if self.whom else ""))

    def action_write_quotes(self) -> None:
        found = self._cell_filters()
        if found:
            _, filters = found
            name = "-".join([*filters.codes, *filters.groups, *sum(filters.attributes.values(), [])])
            export_quotes(self, filters, name, self.whom.plain() if self.whom else "")

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

        ask_output(self.app, f"Export the {self._title()} to", default,
                   lambda path: self.write(path, self.view, self.data))  # fmt: skip

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def write(self, path: Path, view: str, data: Any) -> None:
        try:
            if view == "evidence":
                write_evidence_map(path, data)
            else:
                write_frequencies(path, data, about=self.whom.plain() if self.whom else "",
                                  labels=self.names)  # fmt: skip
        except QualcodeError as error:
            self.app.call_from_thread(self.app.notify, str(error), severity="error", timeout=6)
            return
        self.app.call_from_thread(self.said, f"Wrote {path}")
