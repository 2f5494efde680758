"""Modal dialogs: who is coding, type a name, write a memo, search, progress, get help.

Each is a ``Dialog[T]`` (``tui.modal``: a modal screen dismissed once) that ends with ``dismiss(value)``
(None when cancelled with Escape), so the screen that opened it decides what to do — attributes down,
results up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, ProgressBar, TextArea

from .keybar import binding, keys_label
from .modal import Dialog
from .shown import Label, Option, OptionList, Static

_key = partial(binding, "dialog")


class TextPrompt(Dialog[str | None]):
    """One line of text: a new code's name, a rename."""

    BINDINGS = [_key("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text, self.value, self.placeholder = title, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CoderDialog(Dialog[str | None]):
    """Who is coding: an existing coder or a new name. Remembered per project for this user."""

    BINDINGS = [_key("escape", "cancel", "Cancel")]

    def __init__(self, coders: list[str], current: str | None = None, title: str = "", allow_new: bool = True) -> None:
        super().__init__()
        self.coders, self.current, self.allow_new = coders, current, allow_new
        self.title_text = title or "Who is coding? Pick a name or type a new one."

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.allow_new:
                yield Input(self.current or "", placeholder="your name", id="coder-name")
            if self.coders:
                yield OptionList(*[Option(c, id=c) for c in self.coders], id="coders")

    def on_mount(self) -> None:
        if not self.allow_new:
            self.query_one(OptionList).focus()

    @on(Input.Submitted)
    def typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MemoDialog(Dialog[str | None]):
    """A memo. Escape or Ctrl+S saves it (nothing typed is ever thrown away); clear the text to delete it."""

    BINDINGS = [_key("escape", "save", "Save and close"), _key("ctrl+s", "save", "Save", show=False)]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog memo"):
            yield Label(f"Memo on {self.title_text} — Esc saves and closes", classes="dialog-title")
            yield TextArea(self.text, id="memo-text")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)


class ConfirmDialog(Dialog[bool]):
    BINDINGS = [_key("y", "answer(True)", "Yes"), _key("n,escape", "answer(False)", "No")]

    def __init__(self, question: str, answers: str = "y = yes, n = no") -> None:
        super().__init__()
        self.question, self.answers = question, answers

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title question")
            yield Label(self.answers)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


GUIDE = """\
Welcome to qualcode. Everything is done with keys; no mouse needed.

  ↑ ↓  or  j k       move in the list, or sentence by sentence
  Enter              open the highlighted document
  Shift+↓  Shift+↑   take in the next or previous sentence too
  ← →                move the selection's end by a word
  c                  code it: type part of a code's name, Enter
  x                  remove your code          u  undo
  g                  next sentence you have not coded
  m                  write a memo              /  search
  Esc                back to the list          ?  every key
  Ctrl+Q             leave: every coding is already saved

Press any key to start."""


class KeyGuide(Dialog[None]):
    """The keys a newcomer needs, on one screen: shown once to each coder, the first time they code."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog guide"):
            yield Label("The keys you need", classes="dialog-title")
            yield Static(Text(GUIDE))

    def on_key(self, event: Any) -> None:
        event.stop()
        self.dismiss(None)


def ask_output(app: Any, prompt: str, default: str, then: Callable[[Path], None]) -> None:
    """Where to write a file: asked, and if a file is there already, whether to replace it (the workbench's
    side of the rule every export keeps: nothing is overwritten unasked). ``then(path)`` once settled."""

    def chosen(answer: str | None) -> None:
        if not answer:
            return
        path = Path(answer).expanduser()
        if path.exists() or path.is_symlink():
            question = f"{path.name} already exists in {path.parent}. Replace it? (a hand-edited copy is lost)"
            app.push_screen(ConfirmDialog(question, "y = replace it, n = choose another name"),
                            lambda yes: then(path) if yes else ask_output(app, prompt, answer, then))  # fmt: skip
            return
        then(path)

    app.push_screen(TextPrompt(prompt, default), chosen)


class ProgressDialog(Dialog[None]):
    """A bar for slow work in a thread worker; Escape asks the worker to stop (it checks ``cancelled``)."""

    BINDINGS = [_key("escape", "cancel", "Cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title
        self.cancelled = threading.Event()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield ProgressBar(total=None, show_eta=False, id="progress")
            yield Label("Esc cancels; nothing is written until the end.", id="progress-note")

    def advance(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)

    def action_cancel(self) -> None:
        self.cancelled.set()
        self.query_one("#progress-note", Label).update("Cancelling…")


class SearchDialog(Dialog[dict[str, Any] | None]):
    """Search the study's text; Enter on a result opens the document at the hit."""

    BINDINGS = [_key("escape", "cancel", "Cancel"), _key("down", "results", "Results", show=False)]

    def __init__(self, search: Any, query: str = "") -> None:
        super().__init__()
        self.search, self.query_text = search, query
        self.hits: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog search"):
            yield Label("Search the study (every word must appear)", classes="dialog-title")
            yield Input(self.query_text, placeholder="words to find", id="search-query")
            yield Label("", id="search-count")
            yield OptionList(id="hits")

    @on(Input.Submitted, "#search-query")
    def run_search(self, event: Input.Submitted) -> None:
        self.hits = self.search(event.value)
        words = [w.lower() for w in event.value.split()]
        hits = self.query_one("#hits", OptionList)
        hits.clear_options()
        width = max(30, hits.size.width - 3 or self.app.size.width - 30)  # one line per hit where it fits
        for n, hit in enumerate(self.hits):
            hits.add_option(Option(_hit_label(hit, words, width), id=str(n)))
        self.query_one("#search-count", Label).update(f"{len(self.hits)} passage(s)")
        if self.hits:
            hits.highlighted = 0
            hits.focus()

    def action_results(self) -> None:
        self.query_one("#hits", OptionList).focus()

    @on(OptionList.OptionSelected, "#hits")
    def open_hit(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.hits[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)


def _hit_label(hit: dict[str, Any], words: list[str], width: int = 90) -> Text:
    """Two lines per hit: the document and who spoke, then as much of the text around the word found in the
    sentence that matched (not in the text before it) as the line holds."""
    context = hit["context"]
    at = max(0, hit["start"] - hit.get("context_start", hit["start"]))  # where the matched sentence begins
    lowered = context.lower()
    found = min((i for i in (lowered.find(w, at) for w in words) if i >= 0), default=at)
    label = Text(f"{hit['document']}  ", style="bold #e0c070", no_wrap=True, overflow="ellipsis")
    label.append(f"{speaker_of(hit)}\n", style="#c0c0c0")
    room = max(20, width - 2)
    start = max(0, found - room // 3)
    window = " ".join(context[start : start + room].split())
    body = Text(("…" if start else "") + window + ("…" if start + room < len(context) else ""))
    for word in words:
        body.highlight_words([word], style="reverse", case_sensitive=False)
    label.append_text(body)
    return label


def speaker_of(hit: dict[str, Any]) -> str:
    """Who said a search hit: "Dee (mentee)", "Interviewer (interviewer)", or "no speaker"."""
    if hit.get("participant"):
        group = hit.get("group_label") or (hit.get("group") or "no group").replace("_", " ")
        return f"{hit['participant']} ({group})"
    if hit.get("role") == "interviewer":
        return f"{hit.get('speaker') or 'Interviewer'} (interviewer)"
    return hit.get("speaker") or "no speaker"


class HelpScreen(Dialog[None]):
    """Every key, from the screens' bindings (so it is never out of date), grouped by screen."""

    BINDINGS = [
        _key("escape,question_mark,q", "close", "Close"),
        _key("down,j", "scroll(1)", "Down", show=False),
        _key("up,k", "scroll(-1)", "Up", show=False),
        _key("pagedown,space", "scroll(10)", "Page down", show=False),
        _key("pageup", "scroll(-10)", "Page up", show=False),
    ]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def action_scroll(self, lines: int) -> None:
        self.query_one(".help").scroll_relative(y=lines, animate=False)

    def compose(self) -> ComposeResult:
        parts: list[Any] = []
        for title, bindings in self.sections:
            parts.append(Text(title, style="bold underline"))
            # a description too long for its line wraps under itself, not under the keys
            table = Table.grid(padding=(0, 2))
            table.add_column(no_wrap=True, style="bold #80c0ff")
            table.add_column(ratio=1)
            quick = [b for b in bindings if b.action.startswith("quick(")]
            for entry in bindings:
                if entry in quick[1:]:
                    continue  # "1 … 9" is one row, not nine
                keys = f"1 … {len(quick)}" if entry in quick[:1] else keys_label(entry.key)
                about = (
                    "Apply one of your most recently used codes"
                    if entry in quick[:1]
                    else (entry.tooltip or entry.description)
                )
                table.add_row(f"  {keys}", about)
            parts.extend([table, Text("")])
        with Vertical(classes="dialog help"):
            yield Label("Keys — ↑↓ PgUp PgDn scroll · Esc closes", classes="dialog-title")
            yield Static(Group(*parts), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
