"""The quotes behind a cell of the Reports screen, and writing a quote bank from the workbench.

A quote bank is written by the same core code as the CLI, in a thread worker behind a progress bar, through
a partial file, so that Escape leaves nothing. The dialog lists each excerpt with who said it (pseudonyms
only), and ``*`` stars one as a key quote.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen

from ..coding.codings import starring
from ..errors import QualcodeError
from ..reports.excerpts import Filters, excerpts
from ..reports.exports import Progress, write_quotes
from ..reports.snapshot import snapshot
from ..text import file_safe
from .dialogs import ProgressDialog, ask_output
from .keybar import binding
from .modal import Dialog
from .shown import Label, Option, OptionList, Static

_key = partial(binding, "reports")


class ExportCancelled(QualcodeError):
    pass


def write_file(app: Any, prompt: str, default: str, work: Callable[[Path, Progress], str]) -> None:
    """Ask where, then run ``work(path, progress)`` in a thread worker behind a progress bar; Escape makes the
    next ``progress`` call raise, so the file is not written (``write_atomically`` leaves nothing). ``work``
    returns what to say once the file is written; a ``QualcodeError`` is said instead."""

    def chosen(path: Path) -> None:
        dialog = ProgressDialog(f"Writing {path.name}")
        app.push_screen(dialog)

        def progress(done: int, total: int) -> None:
            if dialog.cancelled.is_set():
                raise ExportCancelled(f"Cancelled: {path.name} not written")
            app.call_from_thread(dialog.advance, done, total)

        def job() -> None:
            try:
                message = work(path, progress)
            except QualcodeError as error:
                app.call_from_thread(dialog.dismiss)
                app.call_from_thread(app.notify, str(error), severity="warning", timeout=6)
                return
            app.call_from_thread(dialog.dismiss)
            app.call_from_thread(announce, app, message)

        app.run_worker(job, thread=True, group="export", exit_on_error=False)

    ask_output(app, prompt, default, chosen)


def export_quotes(screen: Screen[Any], filters: Filters, name: str, about: str) -> None:
    """Ask where, then write the quote bank for ``filters`` in a thread worker behind a progress bar."""
    app: Any = screen.app

    def work(path: Path, progress: Progress) -> str:
        with app.project.reader() as project, snapshot(project) as study:
            rows = excerpts(study, filters)
            codes, people, labels = study.code, study.by_pseudonym, study.labels
        if not rows:
            raise QualcodeError(f"No excerpts match: {path.name} not written")
        write_quotes(path, rows, codes, people, progress, about, app.project.path.name, labels)
        return f"Wrote {len(rows)} excerpt(s) to {path}"

    default = str(Path(app.project.path).with_name(f"quotes-{file_safe(name)}.docx"))
    write_file(app, "Write the quote bank to (.docx .xlsx .csv .md .json)", default, work)


def announce(app: Any, message: str) -> None:
    """A file written: said on the Reports screen's detail line (in full, path included) and in a notice."""
    screens = [s for s in app.screen_stack if hasattr(s, "said")]  # the Reports screen, when it is open
    if screens:
        screens[-1].said(message)
    else:
        app.notify(message, timeout=5)


class QuotesDialog(Dialog[None]):
    """The excerpts behind one cell, with who said them (pseudonyms only); ``*`` shortlists a key quote."""

    BINDINGS = [
        _key("escape,q", "close", "Close", "Back to the table"),
        _key("asterisk", "star", "Key quote", "Star or unstar the highlighted quote as a key quote"),
        _key("w", "write_quotes", "Quote bank", "Write these quotes to a file"),
    ]

    def __init__(self, title: str, rows: list[dict[str, Any]], filters: Filters, about: str = "") -> None:
        super().__init__()
        self.title_text, self.rows, self.filters, self.about = title, rows, filters, about

    @staticmethod
    def prompt(row: dict[str, Any]) -> Text:
        text = Text("★ " if row["key_quote"] else "", style="bold #e5c07b")
        text.append(" ".join(row["text"].split()))
        who = ", ".join(row["speakers"]) or ("the interviewer" if row.get("interviewer_words") else "unattributed")
        if row["speakers"] and row.get("interviewer_words"):
            who += " (with the interviewer's words)"
        text.append(
            f"\n  — {who} ({', '.join(row['groups'])}) · {row['document']} line {row['line']} · {row['coder']}\n",
            style="#9a9a9a",
        )
        return text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog quotes"):
            yield Label(
                f"{len(self.rows)} excerpt(s): {self.title_text} — * stars a key quote, w writes them to a file, "
                "Esc closes",
                classes="dialog-title",
            )
            if self.rows:
                yield OptionList(*[Option(self.prompt(row), id=row["id"]) for row in self.rows], id="quotes")
            else:
                yield Static("No excerpts.")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_star(self) -> None:
        if not self.rows:
            return
        quotes = self.query_one(OptionList)
        index = quotes.highlighted if quotes.highlighted is not None else 0
        row = self.rows[index]
        starred = not row["key_quote"]
        project = self.app.project  # type: ignore[attr-defined]

        def marked(_: object) -> None:
            row["key_quote"] = starred
            quotes.replace_option_prompt_at_index(index, self.prompt(row))

        self.app.change(  # type: ignore[attr-defined]
            "key-quote star", lambda: starring(project, row["coding_ids"], starred), marked
        )

    def action_write_quotes(self) -> None:
        export_quotes(self, self.filters, self.filters.codes[0] if self.filters.codes else "all", self.about)
