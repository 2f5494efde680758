"""The Agreement screen: per-code agreement between coders, and settling their disagreements.

``a`` on the document list asks which coders to compare (two or more), then shows one row per code with
Krippendorff's alpha, Cohen's and Fleiss' kappa, Gwet's AC1 with half its 95% interval, percent agreement
(all agree, and pairwise), the units compared and how many each coder applied it to, worst alpha first;
``s`` changes the sort, ``u`` the unit (segment, turn, character).
The statistics are computed in a thread worker. Enter on a code (two coders) steps through its
disagreements: the segment in context with what each coder did, and one key settles it into the consensus
coder — ``1`` take the first coder's, ``2`` the second's, ``b`` both, ``0`` neither, ``e`` code an edited
passage — with ``m`` for a memo saying why. Decisions are saved at once and shown when the list returns.
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
from ..project.changes import Change
from ..project.facts import Memo
from ..reports.counting import CONSENSUS
from ..reports.exports import write_table
from ..reports.figures import figure, fixed, percentage
from ..team.reconcile import disagreement_rows, settle_change, write_agreement_table
from ..team.reliability import UNITS, compare
from .keybar import KeyBar, binding
from .shown import DataTable, Static
from .text import shorten

_key = partial(binding, "agreement")
SORTS = ("krippendorff_alpha", "cohen_kappa", "percent_agreement", "units", "code")
POOLED = "All codes, pooled"
SORT_NAMES = dict(zip(SORTS, ("alpha", "kappa", "% agreement", "units", "name"), strict=True))


def _plus_minus(estimate: dict[str, Any]) -> str:
    """AC1 and half its 95% interval (before the upper end is capped at 1): "0.91 ±0.04"."""
    if estimate["value"] is None:
        return "—"
    ci = estimate["ci"]
    return fixed(estimate["value"]) + (f" ±{fixed(estimate['value'] - ci[0])}" if ci else "")


class AgreementScreen(Screen[None]):
    BINDINGS = [
        _key("enter", "disagreements", "Settle", "Step through the highlighted code's disagreements and settle them"),
        _key("u", "next_unit", "Unit", "Compare by segment, turn or character"),
        _key("s", "next_sort", "Sort", "Sort by alpha, kappa, agreement, units or code"),
        _key("x", "export", "Export", "Write the agreement table (.csv .xlsx .md .json)"),
        _key("w", "export_disagreements", "Write list", "Write every disagreement (.csv .xlsx .md .json)"),
        _key("question_mark", "app.help", "Help", "Show every key"),
        _key("escape,q", "app.pop_screen", "Back", "Back to the documents"),
    ]

    def __init__(self, coders: list[str]) -> None:
        super().__init__()
        self.coders, self.unit, self.sort = coders, "segment", 0
        self.report: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="agreement-title")
        yield DataTable(id="agreement-grid", cursor_type="row", zebra_stripes=True)
        yield KeyBar(list(self.BINDINGS))

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        if self.report is not None:
            self.reload()

    def reload(self) -> None:
        self.query_one("#agreement-title", Static).update(f"Comparing {', '.join(self.coders)} per {self.unit}…")
        self.load(self.coders, self.unit)

    @work(thread=True, exclusive=True, group="agreement", exit_on_error=False)
    def load(self, coders: list[str], unit: str) -> None:
        try:
            with self.app.project.reader() as project:  # type: ignore[attr-defined]
                report = compare(project, coders, unit)
        except QualcodeError as error:
            self.app.call_from_thread(self.app.notify, str(error), severity="error", timeout=6)
            return
        self.app.call_from_thread(self._loaded, report)

    def on_resize(self) -> None:
        if self.report is not None:
            self._loaded(self.report)

    def _loaded(self, report: dict[str, Any]) -> None:
        """The table, laid out for the terminal: all codes pooled first (it stays in sight as the list
        scrolls), then one row per code; the code's name takes the room the figures leave. Fleiss' kappa and
        pairwise agreement are shown for three coders or more (for two they repeat Cohen's and % agree)."""
        first = self.report is None
        self.report = report
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        many = len(self.coders) > 2
        figures = ["alpha", "kappa", *(["fleiss"] if many else []), "AC1 ±95%", "% agree",
                   *(["% pairs"] if many else []), "units", "applied"]  # fmt: skip
        widths = [5, 5, *([6] if many else []), 10, 7, *([7] if many else []), 6, 3 * len(self.coders) + 2]
        room = (self.size.width or self.app.size.width or 80) - sum(w + 2 for w in widths) - 4
        longest = max([len(POOLED), *(len(r["name"]) for r in report["per_code"])])
        name_width = max(12, min(longest, room))
        table.add_column("Code", width=name_width)
        for label, width in zip(figures, widths, strict=True):
            table.add_column(label, width=max(width, len(label)))
        key = SORTS[self.sort]
        if key == "code":
            rows = sorted(report["per_code"], key=lambda r: r["name"])
        else:  # worst first; undefined last
            rows = sorted(report["per_code"], key=lambda r: (r[key] is None, r[key] or 0))
        pooled = {**report["pooled"], "name": POOLED, "code": None, "applied": {}}
        for row in [pooled, *rows]:
            cells = [
                figure(row["krippendorff_alpha"]),
                figure(row["cohen_kappa"]),
                *([figure(row["fleiss_kappa"])] if many else []),
                _plus_minus(row["gwet_ac1"]),
                percentage(row["percent_agreement"]),
                *([percentage(row["percent_agreement_pairwise"]["value"])] if many else []),
                f"{row['units']:,}",
                "/".join(f"{row['applied'].get(c, 0):,.0f}" for c in self.coders) if row["applied"] else "",
            ]
            style = "bold" if row is pooled else ""
            table.add_row(Text(shorten(row["name"], name_width), style=style), *(Text(c, style=style) for c in cells),
                          key=row["code"])  # fmt: skip
        table.fixed_rows = 1
        table.move_cursor(row=min(1 if first else keep, table.row_count - 1))  # first: on the first code
        self.query_one("#agreement-title", Static).update(Text.assemble(
            ("Agreement", "bold"), f" between {', '.join(self.coders)} per {self.unit}, by {SORT_NAMES[key]}. "
            f"applied: units {'/'.join(self.coders)} coded; —: undefined, nothing varies."
        ))  # fmt: skip
        table.focus()

    def action_export(self) -> None:
        if self.report is not None:
            self._export("agreement.xlsx", lambda path: write_agreement_table(path, self.report or {}))

    def action_export_disagreements(self) -> None:
        if len(self.coders) != 2:
            self.app.notify("Disagreements are listed two coders at a time.", severity="warning")
            return

        def write(path: Path) -> None:
            rows = disagreement_rows(self.app.project, self.coders)  # type: ignore[attr-defined]
            write_table(path, rows, list(rows[0]) if rows else ["code"], "Disagreements")

        self._export("disagreements.xlsx", write)

    def _export(self, name: str, write: Any) -> None:
        from .dialogs import ask_output

        def chosen(path: Path) -> None:
            try:
                write(path)
            except QualcodeError as error:
                self.app.notify(str(error), severity="error", timeout=6)
                return
            self.app.notify(f"Wrote {path}", timeout=4)

        default = str(Path(self.app.project.path).with_name(name))  # type: ignore[attr-defined]
        ask_output(self.app, "Write to (.csv .xlsx .md .json)", default, chosen)

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:  # Enter on the table (the table's own binding comes first)
        self.action_disagreements()

    def action_next_unit(self) -> None:
        self.unit = UNITS[(UNITS.index(self.unit) + 1) % len(UNITS)]
        self.reload()

    def action_next_sort(self) -> None:
        self.sort = (self.sort + 1) % len(SORTS)
        if self.report is not None:
            self._loaded(self.report)

    def action_disagreements(self) -> None:
        table = self.query_one(DataTable)
        if self.report is None or not table.row_count:
            return
        code = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if code is None:
            return
        if len(self.coders) != 2:
            self.app.notify("Disagreements are settled two coders at a time.", severity="warning")
            return
        rows = disagreement_rows(self.app.project, self.coders, code)  # type: ignore[attr-defined]
        if not rows:
            self.app.notify("No disagreements on this code.")
            return
        self.app.push_screen(DisagreementScreen(self.coders, rows))


class DisagreementScreen(Screen[None]):
    BINDINGS = [
        _key("1", "decide('first')", "Take 1st", "Code it as the first coder did (consensus coder)"),
        _key("2", "decide('second')", "Take 2nd", "Code it as the second coder did"),
        _key("b", "decide('both')", "Both", "Keep both coders' codings"),
        _key("0", "decide('neither')", "Neither", "Leave it uncoded in the consensus"),
        _key("e", "edit", "Edit", "Code an edited passage: trim the text to what should be coded"),
        _key("m", "memo", "Memo", "Why the team decided so (saved with the decision)"),
        _key("u", "undo", "Undo", "Undo the last decision (or any last change)"),
        _key("down,n", "step(1)", "Next", "The next disagreement"),
        _key("up,p", "step(-1)", "Previous", "The previous disagreement"),
        _key("escape,q", "app.pop_screen", "Back", "Back to the agreement table"),
    ]

    def __init__(self, coders: list[str], rows: list[dict[str, Any]]) -> None:
        super().__init__()
        self.coders, self.rows, self.at = coders, rows, 0

    def compose(self) -> ComposeResult:
        yield Static("", id="disagreement-title")
        yield Static("", id="disagreement-body")
        yield KeyBar(list(self.BINDINGS))

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        row = self.rows[self.at]
        document = self.app.project.document(row["document"])  # type: ignore[attr-defined]
        text = document["text"]
        before = text[max(0, row["start"] - 300) : row["start"]]
        after = text[row["end"] : row["end"] + 300]
        body = Text()
        body.append("…" + before)
        body.append(text[row["start"] : row["end"]], style="bold reverse")
        body.append(after + "…\n\n")
        body.append(f"{row['applied_by']} coded this sentence with {row['code_name']}; ", style="bold")
        body.append(f"{row['not_applied_by']} did not.\n")
        for name in [*self.coders, CONSENSUS]:  # each coder's passages with this code around here, and the settled
            spans = self.app.project.db.execute(  # type: ignore[attr-defined]
                'SELECT c.start, c."end" FROM coding c JOIN coder r ON r.id = c.coder_id WHERE r.name = ? '
                'AND c.document_id = ? AND c.code_id = ? AND c.start < ? AND c."end" > ? ORDER BY c.start',
                [name, document["id"], row["code"], row["end"] + 300, row["start"] - 300],
            ).fetchall()
            body.append(f"{name} (settled so far): " if name == CONSENSUS else f"{name}: ", style="bold")
            quoted = [f"“{' '.join(text[a:b].split())}”" for a, b in spans]
            body.append(" · ".join(quoted) if quoted else "(no passage with this code nearby)")
            body.append("\n")
        if row["decision"]:
            body.append(f"Decided: {row['decision']}", style="bold green")
            body.append(f" — {row['memo']}\n" if row["memo"] else "\n")
        decided = sum(1 for r in self.rows if r["decision"])
        self.query_one("#disagreement-title", Static).update(Text.assemble(
            (row["code_name"], "bold"), f" — disagreement {self.at + 1} of {len(self.rows)} ({decided} decided) — "
            f"{row['document']}, line {row['line']} — 1 = {self.coders[0]}, 2 = {self.coders[1]}"
        ))  # fmt: skip
        self.query_one("#disagreement-body", Static).update(body)

    def action_step(self, by: int) -> None:
        self.at = max(0, min(len(self.rows) - 1, self.at + by))
        self.show()

    def action_decide(self, choice: str, span: tuple[int, int] | None = None) -> None:
        row = self.rows[self.at]
        project = self.app.project  # type: ignore[attr-defined]

        def decided(change: Change) -> None:
            row["decision"], row["memo"] = choice, row.get("memo", "")
            if self.rows[self.at] is row and self.at < len(self.rows) - 1:
                self.at += 1
            self.show()
            gone = len(change.facts(Memo, added=False)) - len(change.facts(Memo, added=True))
            if gone > 0:
                self.app.notify(f"{gone} memo(s) on the consensus passage went with it; u brings them back.",
                                timeout=5)  # fmt: skip

        self.app.change(  # type: ignore[attr-defined]
            f"decision on {row['code_name']}",
            lambda: settle_change(project, row, self.coders, choice, row.get("memo", ""), span=span),
            decided,
        )

    def action_undo(self) -> None:
        def undone(change: Change | None) -> None:
            if change is None:
                self.app.notify("Nothing to undo.", timeout=2)
                return
            self.rows = disagreement_rows(self.app.project, self.coders, self.rows[self.at]["code"])  # type: ignore[attr-defined]
            self.at = min(self.at, len(self.rows) - 1)
            self.show()
            self.app.notify(f"Undid: {change.what}.", timeout=3)

        self.app.step(True, undone)  # type: ignore[attr-defined]

    def action_memo(self) -> None:
        from .dialogs import MemoDialog

        row = self.rows[self.at]

        def saved(text: str | None) -> None:
            if text is not None:
                row["memo"] = text.strip()
                if row["decision"]:  # already decided: keep the decision, with the new memo
                    project, memo = self.app.project, row["memo"]  # type: ignore[attr-defined]
                    self.app.change(  # type: ignore[attr-defined]
                        f"memo on the decision on {row['code_name']}",
                        lambda: settle_change(project, row, self.coders, row["decision"], memo),
                        lambda _: self.show(),
                    )
                self.show()

        self.app.push_screen(MemoDialog(f"Why — {row['code_name']}", row.get("memo", "")), saved)

    def action_edit(self) -> None:
        from .dialogs import TextPrompt

        row = self.rows[self.at]
        text = self.app.project.document(row["document"])["text"]  # type: ignore[attr-defined]
        sentence = text[row["start"] : row["end"]]

        def chosen(value: str | None) -> None:
            if not value:
                return
            found = sentence.find(value.strip())
            if found < 0:
                self.app.notify("That text is not in the sentence; trim it, do not retype it.", severity="warning")
                return
            start = row["start"] + found
            self.action_decide("edit", (start, start + len(value.strip())))

        self.app.push_screen(TextPrompt("Code this part of the sentence (trim it)", sentence), chosen)
