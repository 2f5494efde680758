"""The codebook panel: the logic-model tree with each code's use in this document and in the study.

Drawn with Textual's line API, like the transcript: only visible rows are rendered, so a 300-code codebook
costs nothing to open and a count changing after each coding redraws one row. (Textual's ``Tree`` rebuilds
every line on each change, which made applying a code slow in big codebooks.) Parents can be collapsed.

It only shows and reports; the document screen owns the project and performs edits, then calls
``show()`` again. Counts are the coder's own codings (and the other coder's when that view is on),
written ``here/study``; a parent shows its own codings, not its children's.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .keybar import binding
from .text import shorten

_key = partial(binding, "codebook")


class CodebookPanel(ScrollView, can_focus=True, inherit_bindings=False):
    """Enter applies the highlighted code to the selection; the other keys edit the codebook."""

    BINDINGS = [
        _key("down,j", "cursor(1)", "Down", "Next code", show=False),
        _key("up,k", "cursor(-1)", "Up", "Previous code", show=False),
        _key("right,l", "expand(True)", "Expand", "Show the highlighted code's sub-codes", show=False),
        _key("left,h", "expand(False)", "Collapse", "Hide its sub-codes (or go to its parent)", show=False),
        _key("pagedown", "cursor(10)", "Page down", "Ten codes down", show=False),
        _key("pageup", "cursor(-10)", "Page up", "Ten codes up", show=False),
        _key("enter", "screen.apply_highlighted", "Apply", "Apply the highlighted code to the selected passage"),
        _key("a", "screen.add_code(True)", "Add sub-code", "Add a code under the highlighted one"),
        _key("A", "screen.add_code(False)", "Add code", "Add a top-level code"),
        _key("e", "screen.edit_definition", "Definition", "Edit the highlighted code's definition"),
        _key("r", "screen.rename_code", "Rename", "Rename the highlighted code"),
        _key("p", "screen.move_code", "Move", "Move the highlighted code under another parent"),
        _key("M", "screen.merge_code", "Merge", "Merge the highlighted code into another (codings move)"),
        _key("m", "screen.code_memo", "Memo", "Memo on the highlighted code"),
        _key("D", "screen.delete_code", "Delete",
             "Delete the highlighted code, its sub-codes and what was coded with them (u undoes it)"),
    ]

    class Highlighted(Message):
        def __init__(self, code_id: str | None) -> None:
            super().__init__()
            self.code_id = code_id

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.codes: dict[str, dict[str, Any]] = {}
        self.order: list[dict[str, Any]] = []  # every code, parents before children
        self.kids: dict[str | None, list[str]] = {}
        self.collapsed: set[str] = set()
        self.rows: list[dict[str, Any]] = []  # the visible codes
        self.counts: dict[str, tuple[int, int]] = {}
        self.memos: set[str] = set()
        self.cursor = 0

    # -- data ----------------------------------------------------------------------------------------

    def show(self, codes: list[dict[str, Any]], counts: dict[str, tuple[int, int]], memos: set[str]) -> None:
        self.counts, self.memos = counts, memos
        shape = [(c["id"], c["parent"]) for c in codes]
        if shape != [(c["id"], c["parent"]) for c in self.order]:
            highlighted = self.highlighted_code
            self.order = codes
            self.kids = {}
            for code in codes:
                self.kids.setdefault(code["parent"], []).append(code["id"])
            self._rows()
            if highlighted:
                self.select_code(highlighted)
        self.codes = {c["id"]: c for c in codes}
        self.order = codes
        self.refresh()

    def _rows(self) -> None:
        hidden: set[str] = set()
        rows = []
        for code in self.order:
            if code["parent"] in hidden or code["parent"] in self.collapsed:
                hidden.add(code["id"])
                continue
            rows.append(code)
        self.rows = rows
        self.cursor = min(self.cursor, max(0, len(rows) - 1))
        self.virtual_size = Size(self.size.width, len(rows))
        self.refresh()

    @property
    def highlighted_code(self) -> str | None:
        return self.rows[self.cursor]["id"] if self.rows else None

    def select_code(self, code_id: str) -> None:
        parent = next((c["parent"] for c in self.order if c["id"] == code_id), None)
        while parent:  # open every ancestor so the code is visible
            self.collapsed.discard(parent)
            parent = next((c["parent"] for c in self.order if c["id"] == parent), None)
        self._rows()
        for index, row in enumerate(self.rows):
            if row["id"] == code_id:
                self._move_to(index)
                return

    # -- keys and mouse ------------------------------------------------------------------------------

    def _move_to(self, index: int) -> None:
        if not self.rows:
            return
        self.cursor = max(0, min(len(self.rows) - 1, index))
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self.highlighted_code))

    def action_cursor(self, step: int) -> None:
        self._move_to(self.cursor + step)

    def action_expand(self, expand: bool) -> None:
        code_id = self.highlighted_code
        if code_id is None:
            return
        has_children = bool(self.kids.get(code_id))
        if expand and code_id in self.collapsed:
            self.collapsed.discard(code_id)
        elif not expand and has_children and code_id not in self.collapsed:
            self.collapsed.add(code_id)
        elif not expand:
            parent = self.codes[code_id]["parent"]
            if parent:
                self.select_code(parent)
            return
        self._rows()
        self.select_code(code_id)

    def on_click(self, event: events.Click) -> None:
        self.focus()
        self._move_to(self.scroll_offset.y + event.y)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- drawing -------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = self.scroll_offset.y + y
        if index >= len(self.rows):
            return Strip.blank(width)
        code = self.rows[index]
        depth = code.get("depth", 0)
        children = self.kids.get(code["id"])
        arrow = ("▶ " if code["id"] in self.collapsed else "▼ ") if children else "  "
        here, study = self.counts.get(code["id"], (0, 0))
        count = f"  {here}/{study}" if study else ""
        memo = " ✎" if code["id"] in self.memos else ""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("  " * depth + arrow, style="#6a6a6a")
        text.append("■ ", style=code.get("colour") or "#888888")
        inside = self.scrollable_content_region.width or width  # less the scrollbar, when there is one
        room = inside - len(text) - len(count) - len(memo)  # the count is never the part that is cut
        text.append(shorten(code["name"], max(4, room)))
        if count:
            text.append(count, style="#8fbcff" if here else "#6a6a6a")
        if memo:
            text.append(memo, style="#c0a0ff")
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = list(text.render(self.app.console))
        if index == self.cursor:
            highlight = Style(reverse=True) if self.has_focus else Style(bgcolor="#2f3b52")
            segments = [Segment(s.text, (s.style or Style()) + highlight) for s in segments]
        return Strip(segments).adjust_cell_length(width)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows))
