"""Coding by search in the workbench: every passage that matches, in context, ticked; untick the wrong ones,
pick the code, apply.

``A`` in a document asks for the search: words or phrases separated by ``;`` (matched on lemmas, so every
form of a word counts) or ``/a regular expression/``, and optionally where to code (``match``, ``segment``
or ``turn``, after a ``|``: ``drink;drugs | segment``). The hits across the whole study are listed ticked;
space unticks one, Enter asks for the code and codes the ticked hits in one transaction (origin "auto"), as
one step that ``u`` undoes.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import SelectionList

from ..errors import QualcodeError
from ..project.changes import Change
from ..project.facts import Coding
from ..suggest.autocode import SCOPES, Hit, find_hits, hits_change
from .dialogs import TextPrompt
from .keybar import binding
from .modal import Dialog
from .picker import CodePicker
from .shown import Label

_key = partial(binding, "autocode")


def parse_search(query: str) -> dict[str, Any]:
    """``terms | scope`` or ``/regex/ | scope`` into find_hits arguments."""
    search, _, scope = query.partition("|")
    search, scope = search.strip(), (scope.strip() or "match")
    if scope not in SCOPES:
        raise QualcodeError(f"code the {' or the '.join(SCOPES)}, not {scope!r}")
    if len(search) > 2 and search.startswith("/") and search.endswith("/"):
        return {"pattern": search[1:-1], "scope": scope}
    return {"terms": search, "lemma": True, "scope": scope}


class AutocodeDialog(Dialog[list[Hit] | None]):
    """The hits, ticked; Enter returns the ticked ones."""

    BINDINGS = [
        _key("escape", "cancel", "Cancel", "Code nothing"),
        _key("enter", "done", "Choose code", "Code the ticked passages", priority=True),
        _key("ctrl+a", "tick_all(True)", "Tick all", "Tick every passage"),
        _key("ctrl+n", "tick_all(False)", "Untick all", "Untick every passage"),
    ]

    def __init__(self, query: str, hits: list[Hit]) -> None:
        super().__init__()
        self.query_text, self.hits = query, hits

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog autocode"):
            yield Label(
                f"{len(self.hits)} passage(s) match {self.query_text!r} — space unticks, Enter picks the code, "
                "Esc cancels",
                classes="dialog-title",
            )
            yield SelectionList[int](*[(self._label(h), n, True) for n, h in enumerate(self.hits)], id="hits")

    def _label(self, hit: Hit) -> Text:
        text = Text(f"{hit.document}:{hit.line}  ", style="#9a9a9a")
        context = hit.context
        at = context.lower().find(hit.matched.lower()) if hit.matched else -1
        if at < 0:
            text.append(context[:110])
        else:
            before = context[max(0, at - 50) : at]
            text.append(("…" if at > 50 else "") + before)
            text.append(context[at : at + len(hit.matched)], style="bold reverse")
            text.append(context[at + len(hit.matched) : at + len(hit.matched) + 60])
        return text

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_tick_all(self, tick: bool) -> None:
        hits = self.query_one(SelectionList)
        hits.select_all() if tick else hits.deselect_all()

    def action_done(self) -> None:
        ticked = set(self.query_one(SelectionList).selected)
        for n, hit in enumerate(self.hits):
            hit.keep = n in ticked
        self.dismiss(self.hits)

    def action_cancel(self) -> None:
        self.dismiss(None)


def code_by_search(screen: Any) -> None:
    """Ask for the search, show the hits, ask for the code, apply — from the document screen."""
    app = screen.app

    def searched(query: str | None) -> None:
        if not query or not query.strip():
            return
        try:
            options = parse_search(query)
        except QualcodeError as error:
            app.notify(str(error), severity="error", timeout=6)
            return
        app.notify("Searching the study…", timeout=2)

        def search() -> None:  # a thread worker with its own connection: a big study takes a while
            from ..ingest.segment import load_pipeline

            try:
                with screen.project.reader() as project:
                    hits = find_hits(project, nlp=load_pipeline(), **options)
            except QualcodeError as error:
                app.call_from_thread(app.notify, str(error), severity="error", timeout=6)
                return
            app.call_from_thread(show, query.strip(), hits)

        app.run_worker(search, thread=True, group="autocode", exit_on_error=False)

    def show(query: str, hits: list[Hit]) -> None:
        if not hits:
            app.notify("Nothing matches.", timeout=3)
            return
        app.push_screen(AutocodeDialog(query, hits), reviewed)

    def reviewed(hits: list[Hit] | None) -> None:
        if not hits or not any(h.keep for h in hits):
            return

        def chosen(code_ids: list[str] | None) -> None:
            if not code_ids:
                return
            project, coder_id = screen.project, screen.coder_id
            kept = sum(h.keep for h in hits)

            def coded(change: Change) -> None:  # one step: u undoes the whole batch
                screen.after_change(change)
                added = len(change.facts(Coding, added=True))
                app.notify(f"Coded {added} passage(s); {kept - added} already were. u undoes them all.", timeout=5)

            app.change(f"coding by search ({kept} passages)", lambda: hits_change(project, hits, coder_id, code_ids[0]),
                       coded)  # fmt: skip

        app.push_screen(CodePicker(screen.codes, title="Code the ticked passages with", multiple=False), chosen)

    app.push_screen(
        TextPrompt("Code by search: words;phrases or /regex/, then optionally | match, segment or turn", ""),
        searched,
    )
