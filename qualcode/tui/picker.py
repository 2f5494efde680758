"""The code picker and the new-code form.

The picker ranks codes as ``matching.CodeMatcher`` does (names first, then keywords, definitions and ids;
recent codes break ties). Enter applies the row the screen shows *for the text in the box at that moment*:
if the text changed since the list was drawn, the list is ranked again before anything is applied, so a fast
``c housing⏎`` can never apply a code chosen for an earlier query. A query that matches nothing offers to
create the code (the form opens filled in); from the document screen the new code is created and applied
in one undoable step.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from ..codebook.matching import CodeMatcher
from ..errors import did_you_mean
from .keybar import binding
from .modal import Dialog
from .shown import Label, Option, OptionList, Static
from .text import shorten

_key = partial(binding, "dialog")
CREATE = "\x00create"  # the picker's answer when the coder chose to create a code: [CREATE, name, parent id]


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


class CodePicker(Dialog[list[str] | None]):
    """Type to find codes; Enter applies the highlighted one; Ctrl+T ticks several."""

    BINDINGS = [
        _key("escape", "cancel", "Cancel"),
        _key("down", "cursor(1)", "Next", show=False, priority=True),
        _key("up", "cursor(-1)", "Previous", show=False, priority=True),
        _key("ctrl+t", "tick", "Tick/untick", "Choose several codes, then Enter applies them all"),
    ]

    def __init__(
        self,
        codes: list[dict[str, Any]],
        title: str = "Apply code",
        multiple: bool = True,
        recent: list[str] | None = None,
        create_under: dict[str, Any] | None = None,
        can_create: bool = False,
        passage: str = "",
        context: dict[str, float] | None = None,
    ) -> None:
        super().__init__()
        self.codes, self.title_text, self.multiple = codes, title, multiple
        self.passage = " ".join(passage.split())  # what is being coded, kept in sight over the transcript
        self.can_create, self.create_under = can_create, create_under
        self.ticked: list[str] = []
        self.context = context  # what the passage says for each code (suggest.context), or None
        self.shown: list[dict[str, Any]] = []
        self.shown_for: str | None = None  # the query the list on screen was ranked for
        self.matcher = CodeMatcher(codes, recent or [])
        self.names = {c["id"]: c["name"] for c in codes}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label(self.title_text, classes="dialog-title")
            if self.passage:
                yield Static(Text(f"“{self.passage}”", style="italic"), id="passage")
            yield _QueryInput(
                self.show_matches, placeholder="type a name, keyword, words from a definition, or an id", id="query"
            )
            yield OptionList(id="matches")
            yield Static("", id="ticked")
            yield Static("", id="code-detail")

    def on_mount(self) -> None:
        self.show_matches("")
        if self.passage:  # two lines at most: its first and last words, as ``shorten`` cuts a name
            width = max(20, self.query_one("#passage", Static).size.width or self.app.size.width - 24)
            self.query_one("#passage", Static).update(Text(shorten(f"“{self.passage}”", 2 * width - 2), style="italic"))

    def ranked(self, query: str) -> list[dict[str, Any]]:
        """The rows for ``query``, best first; the offer to create a code last."""
        ranked = self.matcher.rank(query, 25, self.context) if query.strip() else [(c, 0.0) for c in self.codes]
        rows = [code for code, _ in ranked]
        typed = " ".join(query.split())
        if self.can_create and typed and all(c["name"].lower() != typed.lower() for c in self.codes):
            # offered last, unless a code has exactly that name; beside the code nearest what was typed, or,
            # when nothing is near, where the codebook panel points
            nearest = rows[0]["parent"] if rows else (self.create_under or {}).get("id")
            rows.append({"id": CREATE, "name": typed, "parent": nearest})
        return rows

    def set_context(self, context: dict[str, float]) -> None:
        """The passage's evidence for each code, once worked out: the list is ranked again with it."""
        self.context = context
        if self.is_mounted:
            self.show_matches(self.query_one("#query", Input).value)

    def show_matches(self, query: str) -> None:
        self.shown = self.ranked(query)
        options = [Option(self._label(code, bool(query.strip())), id=code["id"]) for code in self.shown]
        matches = self.query_one("#matches", OptionList)
        matches.set_options(options)
        if self.shown:
            matches.highlighted = 0
        self.shown_for = query
        self._detail()

    def _label(self, code: dict[str, Any], searching: bool) -> Text:
        if code["id"] == CREATE:
            parent = self.names.get(code["parent"] or "")
            where = f"under {shorten(parent, 40)}" if parent else "at the top level"
            label = Text("＋ ", style="bold green")
            label.append(f"Create code “{code['name']}” {where}", style="italic")
            return label
        depth = "" if searching else "  " * code.get("depth", 0)
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
        if code is None:
            detail.update(Text("No code matches.", style="italic"))
        elif code["id"] == CREATE:
            detail.update(Text("Enter opens the new-code form, filled in; the new code is then applied here."))
        else:
            detail.update(code_detail(code))
        ticked = self.query_one("#ticked", Static)
        ticked.update(f"Ticked: {', '.join(self.ticked)}" if self.ticked else "")

    def action_cursor(self, step: int) -> None:
        matches = self.query_one("#matches", OptionList)
        if self.shown:
            current = matches.highlighted or 0
            matches.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def action_tick(self) -> None:
        code = self._current()
        if code is None or not self.multiple or code["id"] == CREATE:
            return
        if code["id"] in self.ticked:
            self.ticked.remove(code["id"])
        else:
            self.ticked.append(code["id"])
        matches = self.query_one("#matches", OptionList)
        index = matches.highlighted
        matches.replace_option_prompt_at_index(index, self._label(code, bool(self.shown_for)))
        self._detail()

    @on(Input.Submitted, "#query")
    def submitted(self, event: Input.Submitted) -> None:
        if event.value != self.shown_for:  # the list on screen is for an earlier query: rank this one
            rows = self.ranked(event.value)
            self._choose(rows[0] if rows else None)
            return
        self._choose(self._current())

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(next((c for c in self.shown if c["id"] == event.option.id), None))

    def _choose(self, code: dict[str, Any] | None) -> None:
        if self.ticked:
            self.dismiss(list(self.ticked))
        elif code is not None and code["id"] == CREATE:
            self.dismiss([CREATE, code["name"], code["parent"] or ""])
        else:
            self.dismiss([code["id"]] if code else None)

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


class CodeForm(Dialog[dict[str, Any] | None]):
    """A new code: name, where it hangs, its definition and keywords. Enter in any field (or Ctrl+S) saves;
    Tab moves between fields; Escape cancels. Answers the fields ``codes.add_code`` takes."""

    BINDINGS = [_key("escape", "cancel", "Cancel"), _key("ctrl+s", "save", "Save", show=False)]

    def __init__(self, codes: list[dict[str, Any]], name: str = "", parent: str | None = None) -> None:
        super().__init__()
        self.codes = {c["id"]: c for c in codes}
        self.given_name, self.given_parent = name, parent

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog code-form"):
            yield Label("New code — Tab: next field · Enter: save · Esc: cancel", classes="dialog-title")
            yield Label("Name")
            yield Input(self.given_name, id="form-name")
            yield Label("Under (a code's id; empty for the top level)")
            yield Input(self.given_parent or "", id="form-parent")
            yield Static(self._where(self.given_parent or ""), id="form-where")
            yield Label("Definition (what a passage must say to get this code)")
            yield Input("", id="form-definition")
            yield Label("Keywords (comma-separated; used by suggestions)")
            yield Input("", id="form-keywords")
            yield Static("", id="form-error")

    def on_mount(self) -> None:
        # a name typed in the picker: straight on to the definition
        self.query_one("#form-definition" if self.given_name else "#form-name", Input).focus()

    def _where(self, parent: str) -> str:
        code = self.codes.get(parent.strip())
        if not parent.strip():
            return "at the top level"
        if code is None:
            return f"no code {parent.strip()!r}" + did_you_mean(parent.strip(), self.codes)
        return f"under {code['name']} [{code['level'].replace('_', ' ')}]"

    @on(Input.Changed, "#form-parent")
    def parent_changed(self, event: Input.Changed) -> None:
        self.query_one("#form-where", Static).update(self._where(event.value))

    @on(Input.Submitted)
    def action_save(self) -> None:
        value = {k: self.query_one(f"#form-{k}", Input).value.strip() for k in ("name", "parent", "definition")}
        keywords = [k.strip() for k in self.query_one("#form-keywords", Input).value.split(",") if k.strip()]
        error = self.query_one("#form-error", Static)
        if not value["name"]:
            error.update(Text("A code needs a name.", style="bold red"))
            self.query_one("#form-name", Input).focus()
            return
        parent = value["parent"] or None
        if parent and parent not in self.codes:
            error.update(Text(self._where(parent), style="bold red"))
            self.query_one("#form-parent", Input).focus()
            return
        self.dismiss(  # the level, like the colour, comes from the parent (codes.add_code)
            {"name": value["name"], "parent": parent, "definition": value["definition"], "keywords": keywords}
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
