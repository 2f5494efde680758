"""Suggestions beside the sentence being coded: the top three codes with the words that matched (a single
keyword is enough to be shown here).

They are computed for the whole document in a thread worker when it opens (the spaCy pipeline loads once, in
the background); ``a`` accepts the first (stored as a coding with origin "suggestion", undoable like any
other), ``d`` dismisses it (remembered: not offered again), ``s`` hides or shows them. In a project with two
or more coders — an agreement study — they start hidden, so that shared suggestions do not inflate agreement.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

from rich.text import Text
from textual import work

from ..coding.codings import adding
from ..project.changes import Change
from ..project.store import Project
from ..suggest.suggester import Suggester, Suggestion, dismiss_change
from .keybar import binding
from .shown import Static
from .transcript import TranscriptView

_key = partial(binding, "document")
SHOWN = 0.35  # lower than the CLI's default: beside the sentence, a single keyword is worth showing

BINDINGS = [
    _key("a", "accept_suggestion", "Accept", "Apply the first suggested code to this sentence"),
    _key("d", "dismiss_suggestion", "Dismiss", "Do not suggest the first code for this sentence again"),
    _key("s", "toggle_suggestions", "Suggest", "Show or hide code suggestions", show=False),
]


class SuggestionsMixin:
    """Mixed into the document screen, which has ``project``, ``document``, ``coder_id``, ``codes``,
    ``apply`` and a ``#suggestions`` Static."""

    suggested: dict[int, list[Suggestion]]
    suggestions_on: bool | None = None

    def start_suggestions(self) -> None:
        screen: Any = self
        if self.suggestions_on is None:
            coders = screen.project.db.execute("SELECT count(*) FROM coder WHERE name != 'consensus'").fetchone()[0]
            self.suggestions_on = coders < 2
        self.suggested = {}
        self.show_suggestions()
        cached = screen.app.suggestion_cache.get(screen.document["name"])
        if self.suggestions_on and cached is not None:  # the study-wide run (S on the document list) did it
            self._suggestions_ready(screen.document["name"], cached)
        elif self.suggestions_on:
            self.compute_suggestions(screen.document["name"])
        elif screen.app.suggester is None:  # hidden, but the picker reads passages with it: ready by the first c
            self.warm_suggester()

    @work(thread=True, exclusive=True, group="suggester", exit_on_error=False)
    def warm_suggester(self) -> None:
        screen: Any = self
        with screen.project.reader() as project, _LOCK:
            ready_suggester(screen.app, project)

    @work(thread=True, exclusive=True, group="suggestions", exit_on_error=False)
    def compute_suggestions(self, name: str) -> None:
        screen: Any = self
        with screen.project.reader() as project:
            by_start = suggest_document(screen.app, project, name)
        screen.app.call_from_thread(self._suggestions_ready, name, by_start)

    def _suggestions_ready(self, name: str, by_start: dict[int, list[Suggestion]]) -> None:
        screen: Any = self
        if screen.document["name"] == name:
            self.suggested = by_start
            self.show_suggestions()

    def current_suggestions(self) -> list[Suggestion]:
        view: Any = self.query_one(TranscriptView)  # type: ignore[attr-defined]
        if not view.segments or not self.suggestions_on:
            return []
        start, end = view.segments[view.cursor][:2]
        here = {(c["code_id"]) for c in view.codings if c["start"] < end and c["end"] > start}
        return [s for s in self.suggested.get(start, []) if s.code not in here]

    def show_suggestions(self) -> None:
        panel: Any = self.query_one("#suggestions", Static)  # type: ignore[attr-defined]
        if not self.suggestions_on:
            panel.update(Text("Suggestions hidden (s shows them)", style="dim"))
            return
        names = {c["id"]: c["name"] for c in self.codes}  # type: ignore[attr-defined]
        found = self.current_suggestions()
        text = Text("Suggested: ", style="bold")
        if not found:
            text.append("none for this sentence", style="dim")
        for n, suggestion in enumerate(found):
            text.append(f"\n{'a ' if n == 0 else '  '}", style="bold #80c0ff")
            text.append(f"{names.get(suggestion.code, suggestion.code)[:34]} {suggestion.score:.2f}")
            text.append("\n    " + "; ".join(suggestion.reasons)[:120], style="dim")
        panel.update(text)

    def action_accept_suggestion(self) -> None:
        found = self.current_suggestions()
        if not found:
            return
        screen: Any = self
        first = found[0]
        project, document_id, coder_id = screen.project, screen.document_id, screen.coder_id

        def accepted(change: Change) -> None:
            if document_id == screen.document_id:
                screen.after_change(change)
                self.show_suggestions()

        screen.app.change(
            f"suggested {screen.code_name(first.code)} on {screen.document['name']}",
            lambda: adding(project, document_id, [first.code], coder_id, first.start, first.end, "suggestion"),
            accepted,
        )

    def action_dismiss_suggestion(self) -> None:
        found = self.current_suggestions()
        if not found:
            return
        screen: Any = self
        first = found[0]
        suggested = self.suggested

        def dismissed(_: Change) -> None:
            screen._version = screen.data_version()
            suggested[first.start] = [s for s in suggested.get(first.start, []) if s.code != first.code]
            self.show_suggestions()

        project, coder_id, document_id = screen.project, screen.coder_id, screen.document_id
        screen.app.change(
            f"dismissal of a suggestion in {screen.document['name']}",
            lambda: dismiss_change(project, coder_id, document_id, first.start, first.end, first.code),
            dismissed,
        )

    def action_toggle_suggestions(self) -> None:
        self.suggestions_on = not self.suggestions_on
        self.start_suggestions()


_LOCK = threading.Lock()  # one suggester (and one spaCy pipeline) shared by the worker threads


def suggest_document(app: Any, project: Project, name: str) -> dict[int, list[Suggestion]]:
    """One document's suggestions by sentence start, kept in the app's cache. The suggester (the compiled
    codebook and what the coder's codings taught it) is built once per coder and codebook, not per document."""
    with _LOCK:
        found = ready_suggester(app, project).document(project, project.document(name), app.coder, top=3,
                                                       threshold=SHOWN)  # fmt: skip
    by_start: dict[int, list[Suggestion]] = {}
    for suggestion in found:
        by_start.setdefault(suggestion.start, []).append(suggestion)
    app.suggestion_cache[name] = by_start
    return by_start


def ready_suggester(app: Any, project: Project) -> Suggester:
    """The app's suggester (the compiled codebook, what the team's codings taught it, and in whose words they
    gave each code), built once per coder and codebook; call with ``_LOCK`` held."""
    from ..ingest.segment import load_pipeline

    if app.suggester is None:
        app.suggester = Suggester(project, load_pipeline(), app.coder)
    return app.suggester


def picker_context(app: Any, project: Project, text: str, group: str | None,
                   wait: bool = True) -> dict[str, float] | None:  # fmt: skip
    """What a passage (``text``, said by someone in ``group``) says for each code, for the picker's order
    (``suggest.context``). Without ``wait`` (the screen's own thread): None at once when the suggester is not
    built or is busy elsewhere."""
    from ..suggest.context import passage_context

    if not _LOCK.acquire(blocking=wait):
        return None
    try:
        if app.suggester is None and not wait:
            return None
        return passage_context(ready_suggester(app, project), text, group)
    finally:
        _LOCK.release()


def teach(app: Any, change: Change) -> None:
    """What a change's codings teach the suggester — those it removes unlearned, those it adds learned, by
    coding, uncoding, undo, redo or settling alike (``Suggester.taught``) — in a thread of its own (the
    suggester may be busy with a document): the next suggestion and the picker's next order already know."""
    from ..project.facts import Coding

    suggester = app.suggester
    steps = [(fact, False) for fact in change.facts(Coding, added=False)]
    steps += [(fact, True) for fact in change.facts(Coding, added=True)]
    if suggester is None or not steps:
        return
    db = app.project.db  # read here, on the thread that owns the connection
    coders = dict(db.execute("SELECT id, name FROM coder").fetchall())
    texts = {d: db.execute("SELECT text FROM document WHERE id = ?", [d]).fetchone()[0]
             for d in {fact.document for fact, _ in steps}}  # fmt: skip

    def learn() -> None:
        with _LOCK:
            for fact, present in steps:
                where = (fact.document, fact.start, fact.end)
                suggester.taught(fact.code, where, coders[fact.coder], texts[fact.document][fact.start : fact.end],
                                 present)  # fmt: skip

    app.run_worker(learn, thread=True, group="teach", exit_on_error=False)


def suggest_whole_study(app: Any) -> None:
    """Suggestions for every transcript in a thread worker, behind a progress bar (Escape stops it; what was
    done is kept), so that each document then opens with its suggestions ready."""
    from .dialogs import ProgressDialog

    dialog = ProgressDialog("Suggesting codes for every transcript")
    app.push_screen(dialog)

    def job() -> None:
        done = found = 0
        with app.project.reader() as project:
            names = [r[0] for r in project.db.execute("SELECT name FROM document ORDER BY name")]
            for done, name in enumerate(names, start=1):
                found += sum(len(s) for s in suggest_document(app, project, name).values())
                app.call_from_thread(dialog.advance, done, len(names))
                if dialog.cancelled.is_set():
                    break
        app.call_from_thread(dialog.dismiss)
        stopped = " (stopped)" if done < len(names) else ""
        app.call_from_thread(app.notify, f"{found:,} suggestions for {done:,} of {len(names):,} transcripts{stopped}")

    app.run_worker(job, thread=True, group="suggest-study", exit_on_error=False)
