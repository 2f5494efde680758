"""Modal dialogs: who is coding, pick codes, type a name, write a memo, search, progress, get help.

Each is a ``ModalScreen[T]`` that ends with ``dismiss(value)`` (None when cancelled with Escape), so the
screen that opened it decides what to do — attributes down, results up.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, ProgressBar, Static, TextArea
from textual.widgets.option_list import Option

from ..codes import CodeMatcher
from .keybar import binding, keys_label

_key = partial(binding, "dialog")


class TextPrompt(ModalScreen[str | None]):
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


class CoderDialog(ModalScreen[str | None]):
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


class _QueryInput(Input):
    """Calls ``on_value`` in the same cycle as the keystroke, so the list is redrawn in the same frame as the
    text (a ``Changed`` message would arrive a cycle later and cost a second frame per keystroke)."""

    def __init__(self, on_value: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_value = on_value

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        if self.is_mounted:
            self.on_value(value)


class CodePicker(ModalScreen[list[str] | None]):
    """Type to find codes (fuzzy: names, ids, keywords, definitions); Enter applies; Ctrl+T ticks several."""

    BINDINGS = [
        _key("escape", "cancel", "Cancel"),
        _key("down", "cursor(1)", "Next", show=False, priority=True),
        _key("up", "cursor(-1)", "Previous", show=False, priority=True),
        _key("ctrl+t", "tick", "Tick/untick", "Choose several codes, then Enter applies them all"),
    ]

    def __init__(self, codes: list[dict[str, Any]], title: str = "Apply code", multiple: bool = True) -> None:
        super().__init__()
        self.codes, self.title_text, self.multiple = codes, title, multiple
        self.ticked: list[str] = []
        self.shown: list[dict[str, Any]] = []
        self.matcher = CodeMatcher(codes)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label(self.title_text, classes="dialog-title")
            yield _QueryInput(
                self.show_matches, placeholder="type a name, id, keyword or words from a definition", id="query"
            )
            yield OptionList(id="matches")
            yield Static("", id="ticked")
            yield Static("", id="code-detail")

    def on_mount(self) -> None:
        self.show_matches("")

    def show_matches(self, query: str) -> None:
        ranked = self.matcher.rank(query, limit=25) if query.strip() else [(c, 0.0) for c in self.codes]
        self.shown = [code for code, _ in ranked]
        matches = self.query_one("#matches", OptionList)
        matches.set_options([Option(self._label(code), id=code["id"]) for code in self.shown])
        if self.shown:
            matches.highlighted = 0
        self._detail()

    def _label(self, code: dict[str, Any]) -> Text:
        depth = "  " * code.get("depth", 0) if not self.query_one("#query", Input).value else ""
        mark = "✓ " if code["id"] in self.ticked else ""
        label = Text(f"{depth}{mark}■ ", style=code.get("colour") or "#888888")
        label.append(code["name"], style="bold" if code["id"] in self.ticked else "")
        label.append(f"  {code['id']}", style="#7a7a7a")
        return label

    @on(OptionList.OptionHighlighted)
    def highlighted(self) -> None:
        self._detail()

    def _current(self) -> dict[str, Any] | None:
        index = self.query_one("#matches", OptionList).highlighted
        return self.shown[index] if index is not None and index < len(self.shown) else None

    def _detail(self) -> None:
        """Show the highlighted code's definition, redrawing only when it or the ticked set changed."""
        code = self._current()
        shown = (code["id"] if code else None, tuple(self.ticked))
        if shown == getattr(self, "_shown_detail", None):
            return
        self._shown_detail = shown
        detail = self.query_one("#code-detail", Static)
        detail.update(code_detail(code) if code else Text("No code matches.", style="italic"))
        ticked = self.query_one("#ticked", Static)
        ticked.update(f"Ticked: {', '.join(self.ticked)}" if self.ticked else "")

    def action_cursor(self, step: int) -> None:
        matches = self.query_one("#matches", OptionList)
        if self.shown:
            current = matches.highlighted or 0
            matches.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def action_tick(self) -> None:
        code = self._current()
        if code is None or not self.multiple:
            return
        if code["id"] in self.ticked:
            self.ticked.remove(code["id"])
        else:
            self.ticked.append(code["id"])
        matches = self.query_one("#matches", OptionList)
        index = matches.highlighted
        matches.replace_option_prompt_at_index(index, self._label(code))
        self._detail()

    @on(Input.Submitted, "#query")
    def submitted(self) -> None:
        code = self._current()
        chosen = list(self.ticked) or ([code["id"]] if code else [])
        self.dismiss(chosen or None)

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(list(self.ticked) or [event.option.id])

    def action_cancel(self) -> None:
        self.dismiss(None)


def code_detail(code: dict[str, Any]) -> Text:
    """A code's definition, criteria, example and keywords, for the picker and the codebook panel."""
    text = Text()
    text.append(f"{code['name']}", style="bold")
    text.append(
        f"  [{code['level'].replace('_', ' ')}"
        + (f", {code['beneficiary']}" if code.get("beneficiary") else "")
        + "]\n",
        style="#9a9a9a",
    )
    for label, key in (
        ("Definition", "definition"),
        ("Include", "include"),
        ("Exclude", "exclude"),
        ("Example", "example"),
    ):
        if code.get(key):
            text.append(f"{label}: ", style="bold #c0c0c0")
            text.append(f"{code[key]}\n")
    if code.get("keywords"):
        text.append("Keywords: ", style="bold #c0c0c0")
        text.append(", ".join(code["keywords"]))
    return text


class MemoDialog(ModalScreen[str | None]):
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


class ConfirmDialog(ModalScreen[bool]):
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


class ProgressDialog(ModalScreen[None]):
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


class SearchDialog(ModalScreen[dict[str, Any] | None]):
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
        for n, hit in enumerate(self.hits):
            hits.add_option(Option(_hit_label(hit, words), id=str(n)))
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
    """One line per hit: the document, then a window of its text around the first word found."""
    context = " ".join(hit["context"].split())
    lowered = context.lower()
    found = min((i for i in (lowered.find(w) for w in words) if i >= 0), default=0)
    start = max(0, found - width // 3)
    window = context[start : start + width]
    label = Text(f"{hit['document']}  ", style="bold #e0c070", no_wrap=True, overflow="ellipsis")
    body = Text(("…" if start else "") + window + ("…" if start + width < len(context) else ""))
    for word in words:
        body.highlight_words([word], style="reverse", case_sensitive=False)
    label.append_text(body)
    return label


class HelpScreen(ModalScreen[None]):
    """Every key of the screen underneath, from its bindings (so it is never out of date)."""

    BINDINGS = [_key("escape,question_mark,q", "close", "Close")]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        text = Text()
        for title, bindings in self.sections:
            text.append(f"{title}\n", style="bold underline")
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
                text.append(f"  {keys:<22}", style="bold #80c0ff")
                text.append(f"{about}\n")
            text.append("\n")
        with Vertical(classes="dialog help"):
            yield Label("Keys — Esc closes", classes="dialog-title")
            yield Static(text)

    def action_close(self) -> None:
        self.dismiss(None)
