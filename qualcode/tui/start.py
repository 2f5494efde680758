"""The start screen: the study at a glance, the coder's own progress per document, and a filter.

The table paints at once from cheap aggregate queries; each document's progress (share of its segments
the coder has coded) is computed afterwards in a thread worker with its own connection, so a study of a
thousand transcripts is usable immediately.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input

from ..coding.codings import study_counts
from ..coding.navigation import progress
from ..ingest.labels import NO_GROUP_LABEL, group_labels, people
from ..project.overview import NO_GROUP, documents, info
from ..project.store import Project
from .keybar import KeyBar, binding
from .shown import DataTable, Static
from .text import shorten

_key = partial(binding, "start")


class StartScreen(Screen[None]):
    BINDINGS = [
        _key("enter", "open_document", "Open", "Open the highlighted document"),
        _key("slash", "filter", "Filter", "Filter by name, kind, group or participant (kind:focus group:mentor)"),
        _key("c", "app.switch_coder", "Coder", "Change who is coding"),
        _key("m", "project_memo", "Memo", "Memo on the whole project"),
        _key("r", "reports", "Reports", "Evidence map, frequencies per group, and the quotes behind them"),
        _key("a", "agreement", "Agreement", "Agreement between coders per code, and settling disagreements"),
        _key(
            "S", "suggest_study", "Suggest all", "Compute code suggestions for every transcript (Esc stops)", show=False
        ),
        _key(
            "w",
            "who_spoke",
            "Speakers",
            "Who a speaker of the highlighted document is: interviewer or participant",
            show=False,
        ),  # fmt: skip
        _key(
            "delete",
            "remove_document",
            "Remove",
            "Remove the highlighted document (asks first; a backup first)",
            show=False,
        ),  # fmt: skip
        _key("question_mark", "app.help", "Help", "Show every key"),
        _key("q", "app.quit", "Quit", "Leave qualcode (everything is already saved)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.done: dict[int, tuple[int, int]] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="study-summary")
        yield Input(placeholder="filter: words, kind:interview, group:mentee — Esc returns to the list", id="filter")
        yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        yield Static("", id="no-match")
        yield Static("", id="row-detail")
        yield KeyBar(list(self.BINDINGS))

    def on_mount(self) -> None:
        self.widths: list[int] = []
        self.lengths: list[list[int]] = [[8], [8], [8]]
        self.summary: tuple[list[Any], list[tuple[int, str]]] = ([], [])
        self.restored = False
        self.placed = False
        self.reload()
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        self._summary()
        self.fill()

    def _columns(self) -> None:
        """Columns sized to the terminal: the numbers always show; the kind when there is room (the line under
        the table says it too); the document's name first, then the groups, then the participants, take what
        is left, each as wide as its longest cell needs (a name cut is cut in the middle)."""
        table = self.query_one(DataTable)
        width = self.size.width or 80
        kind = 11 if width >= 100 else 0  # "focus group"
        fixed = 6 + 11 + kind  # words, coded ("  7% 12/167")
        room = max(24, width - fixed - 2 * (6 if kind else 5) - 2)  # each column pads a cell on both sides
        most = [max(6, n[-1]) for n in self.lengths]
        want = [min(6, m) for m in most]
        for i in (0, 2, 1):  # documents, groups, participants: each as wide as its longest cell, while room lasts
            want[i] = min(most[i], want[i] + max(0, room - sum(want)))
        name, speakers, groups = want
        widths = [name, kind, speakers, groups, 6, 11]
        if widths == self.widths and table.columns:
            return
        self.widths = widths
        table.clear(columns=True)
        labels = ("Document", "Kind", "Participants" if speakers >= 12 else "People", "Groups", "Words", "Coded")
        shown = [(label, w) for label, w in zip(labels, widths, strict=True) if w]
        self.progress_column = [table.add_column(label, width=w) for label, w in shown][-1]

    def _summary(self) -> None:
        """The study in two lines that fit the terminal: the groups that do not fit are counted, not cut."""
        first, counts = self.summary
        width = max(20, (self.size.width or 80) - 2)
        line = f"{sum(n for n, _ in counts)} participants: " if counts else "no participants"
        shown = [p for _, p in counts]

        def more(rest: int) -> str:
            return f", and {rest} more group{'s' if rest > 1 else ''}" if rest else ""

        while len(shown) > 1 and len(line + ", ".join(shown) + more(len(counts) - len(shown))) > width:
            shown.pop()
        line += ", ".join(shown) + more(len(counts) - len(shown))
        self.query_one("#study-summary", Static).update(Text.assemble(*first, "\n", line))

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        project: Project = self.app.project  # type: ignore[attr-defined]
        data = info(project)
        names = group_labels(project)  # the groups' display names (qualcode label)
        names.setdefault(NO_GROUP, NO_GROUP_LABEL)
        counts = sorted(((n, names.get(g, g)) for g, n in data["participants"].items()), key=lambda c: (-c[0], c[1]))
        coder = self.app.coder or "…"  # type: ignore[attr-defined]
        self.summary = (
            [(project.path.name, "bold"), " · coding as ", (coder, "bold"), f" · {data['documents']} documents, "
             f"{data['words']:,} words, {data['codes']} codes"],  # fmt: skip
            [(n, people(n, label)) for n, label in counts],
        )
        self._summary()
        self.rows = documents(project)
        for row in self.rows:
            row["people"] = ", ".join(row["participants"])
            row["group_names"] = ", ".join(names.get(g, g) for g in row["groups"])
        # the name columns' cell widths, sorted: what the columns are sized from (not on each keystroke)
        self.lengths = [sorted(len(r[k]) for r in self.rows) or [8] for k in ("name", "people", "group_names")]
        place = self.app.place  # type: ignore[attr-defined]
        if not self.restored and place.filter:  # the filter the coder left on, when they last stopped
            self.restored = True
            self.query_one("#filter", Input).value = place.filter
        self.fill()
        self.load_progress()

    @work(thread=True, exclusive=True, group="progress", exit_on_error=False)
    def load_progress(self) -> None:
        with self.app.project.reader() as project:  # type: ignore[attr-defined]
            coder = project.db.execute("SELECT id FROM coder WHERE name = ?", [self.app.coder]).fetchone()  # type: ignore[attr-defined]
            done = progress(project, coder[0] if coder else None)
            counts = study_counts(project, [coder[0]]) if coder else None
        self.app.call_from_thread(self._progress_loaded, done)
        if coder and counts is not None:  # warms the document screen's study-wide code counts
            self.app.call_from_thread(self.app.seed_study_counts, (coder[0],), counts)  # type: ignore[attr-defined]

    def _progress_loaded(self, done: dict[int, tuple[int, int]]) -> None:
        """Fill in the two progress cells of the rows on show; the rest of the table stays as it is."""
        self.done = done
        table = self.query_one(DataTable)
        for row_key in list(table.rows):
            coded, total = done.get(int(row_key.value or 0), (0, 0))
            table.update_cell(row_key, self.progress_column, coded_cell(coded, total))

    def fill(self) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        self._columns()
        table.clear()
        words = self.query_one("#filter", Input).value.lower().split()
        for row in self.rows:
            if not _matches(row, words):
                continue
            coded, total = self.done.get(row["id"], (None, None))
            name, kind, speakers, groups = self.widths[:4]
            cells = [
                shorten(row["name"], name),
                *([row["kind"].replace("_", " ")] if kind else []),
                shorten(row["people"], speakers),
                shorten(row["group_names"], groups),
                f"{row['words']:,}",
                "   …" if coded is None or total is None else coded_cell(coded, total),
            ]
            table.add_row(*cells, key=str(row["id"]))
        last = self.app.place.document  # type: ignore[attr-defined]
        if not self.placed and last is not None and str(last) in table.rows:  # the document open last
            self.placed = True
            keep = table.get_row_index(str(last))
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        note = self.query_one("#no-match", Static)
        filtered = self.rows and not table.row_count
        note.update(f"No document matches “{' '.join(words)}”. Esc, then / to change the filter." if filtered else "")
        note.display = bool(filtered)

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.app.place.filter = event.value  # type: ignore[attr-defined]  # written with the coder's place
        self.fill()

    @on(DataTable.RowHighlighted)
    def row_highlighted(self) -> None:
        """The highlighted document in full, whatever the columns had to cut."""
        row = self.highlighted()
        detail = self.query_one("#row-detail", Static)
        if row is None:
            detail.update("")
            return
        who = f"{row['people']} ({row['group_names']})" if row["people"] else "no participants"
        detail.update(f"{row['name']} · {row['kind'].replace('_', ' ')} · {who}")

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def key_escape(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_document(int(event.row_key.value or 0))  # type: ignore[attr-defined]

    def action_open_document(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
            self.app.open_document(int(key.value or 0))  # type: ignore[attr-defined]

    def highlighted(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = int(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value or 0)
        return next((row for row in self.rows if row["id"] == key), None)

    def action_remove_document(self) -> None:
        from ..ingest.fixes import removal_counts
        from .dialogs import ConfirmDialog

        row = self.highlighted()
        if row is None:
            return
        counts = removal_counts(self.app.project, row["name"])  # type: ignore[attr-defined]
        coders = f" by {', '.join(counts['coders'])}" if counts["coders"] else ""
        question = (f"Remove {row['name']} with its {counts['codings']} coding(s){coders} and {counts['memos']} "
                    "memo(s)? A backup of the project is made first.")  # fmt: skip
        self.app.push_screen(ConfirmDialog(question), lambda yes: self._remove(row["name"]) if yes else None)

    def _remove(self, name: str) -> None:
        from ..errors import QualcodeError
        from ..ingest.fixes import remove_document
        from ..project.upkeep import backup_project

        project = self.app.project  # type: ignore[attr-defined]
        try:
            copy, _ = backup_project(project.path)
        except QualcodeError as error:
            self.app.notify(f"Not removed: the backup failed ({error}).", severity="error")
            return

        def removed(result: dict[str, Any]) -> None:
            self.app.history.forget()  # type: ignore[attr-defined]  # its steps may point into the document
            self.app.forget_counts()  # type: ignore[attr-defined]
            self.app.reload_codes()  # type: ignore[attr-defined]  # no remembered place in it either
            self.app.notify(f"Removed {name} ({result['codings']} coding(s)); backup: {copy.name}")
            self.reload()

        self.app.saver.save(f"removal of {name}", lambda: remove_document(project, name), removed, self)  # type: ignore[attr-defined]

    def action_who_spoke(self) -> None:
        from .dialogs import TextPrompt

        row = self.highlighted()
        if row is None:
            return
        project = self.app.project  # type: ignore[attr-defined]
        labels = [r[0] for r in project.db.execute(
            "SELECT speaker FROM turn WHERE document_id = ? AND speaker IS NOT NULL GROUP BY speaker ORDER BY min(seq)",
            [row["id"]])]  # fmt: skip
        if not labels:
            self.app.notify(f"{row['name']} has no speaker labels.", severity="warning")
            return
        title = (f"Speakers in {row['name']}: {', '.join(labels)}\n"
                 "LABEL = interviewer, or LABEL = NAME / GROUP")  # fmt: skip
        self.app.push_screen(TextPrompt(title, f"{labels[0]} = "), lambda value: self._remap(row["name"], value))

    def _remap(self, document: str, value: str | None) -> None:
        from ..ingest.fixes import remap_speaker

        if not value or "=" not in value:
            return
        label, _, who = (part.strip() for part in value.partition("="))
        name, _, group = (part.strip() for part in who.partition("/"))
        interviewer = name.lower() in ("interviewer", "the interviewer")
        if not label or not name:  # said here in the prompt's words, not the command line's
            self.app.notify("Write who the label is after “=”: interviewer, or a name (and / a group).",
                            severity="warning", timeout=5)  # fmt: skip
            return
        project = self.app.project  # type: ignore[attr-defined]

        def write() -> dict[str, Any]:
            return remap_speaker(project, document, label, interviewer, None if interviewer else name, group or None)

        def done(result: dict[str, Any]) -> None:
            self.app.notify(f"{document}: {label}: {result['was']} -> {result['now']}")
            self.reload()

        self.app.saver.save(f"{label} in {document}", write, done, self)  # type: ignore[attr-defined]

    def action_reports(self) -> None:
        from .reports import ReportsScreen

        self.app.push_screen(ReportsScreen())

    def action_suggest_study(self) -> None:
        from .suggestions import suggest_whole_study

        suggest_whole_study(self.app)

    def action_agreement(self) -> None:
        from ..reports.counting import CONSENSUS, coding_coders
        from ..team.coverage import coded_documents, independent_coders
        from .agreement import AgreementScreen
        from .dialogs import TextPrompt

        # who double-coded (team.coverage, the rule the findings pack's methods use): a name given at the
        # workbench's start that never coded, or a practice round on one document, would only dilute agreement
        project = self.app.project  # type: ignore[attr-defined]
        coded = coded_documents(project.db, [n for n in coding_coders(project) if n != CONSENSUS])
        names, _ = independent_coders(coded)
        names = names or sorted(coded)

        def chosen(value: str | None) -> None:
            coders = [c.strip() for c in (value or "").split(",") if c.strip()]
            if len(coders) >= 2:
                self.app.push_screen(AgreementScreen(coders))
            elif value is not None:
                self.app.notify("Name two or more coders, comma-separated.", severity="warning")

        self.app.push_screen(TextPrompt("Compare which coders? (comma-separated)", ",".join(names)), chosen)

    def action_project_memo(self) -> None:
        self.app.edit_memo("project", None, "the project")  # type: ignore[attr-defined]


def coded_cell(coded: int, total: int) -> str:
    """ " 7% 12/167": the share of the participants' sentences the coder has coded, and the counts."""
    return f"{100 * coded // max(total, 1):>3d}% {coded}/{total}"


def _matches(row: dict[str, Any], words: list[str]) -> bool:
    for word in words:
        field, _, value = word.partition(":")
        if value and field in ("kind", "group", "participant"):
            haystack = {"kind": [row["kind"]], "group": row["groups"], "participant": row["participants"]}[field]
            if not any(value in h.lower() for h in haystack):
                return False
        elif not any(word in h.lower() for h in [row["name"], row["kind"], *row["groups"], *row["participants"]]):
            return False
    return True
