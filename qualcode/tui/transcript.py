"""The transcript view: turns with their speakers, coded passages in colour, a keyboard selection.

Built on Textual's line API (``ScrollView.render_line``) so that a 50,000-word transcript costs only the
lines on screen: the text is wrapped once per width into ``_Line`` records, each mapping a screen row to a
``[start, end)`` range of document offsets, and only visible rows are styled. Every position on screen maps
back to an offset, so selection by keyboard (segments, turns, words) and by mouse (characters) both end as
offsets into the stored text — the excerpt a coding stores is exactly what was highlighted.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..text import word_end, word_start
from .transcript_mouse import GUTTER, MouseSelection

_WORD = re.compile(r"\S+\s*|\s+")


@dataclass
class _Line:
    turn: int
    start: int = 0  # document offsets of the text on this row (header rows: the turn's start)
    end: int = 0
    header: bool = False


def dim(colour: str | None, amount: float = 0.35) -> str:
    """A code colour mixed towards black, readable as a background behind light text."""
    colour = (colour or "#888888").lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"#{int(r * amount):02x}{int(g * amount):02x}{int(b * amount):02x}"


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(seconds)
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class TranscriptView(MouseSelection, ScrollView, can_focus=True, inherit_bindings=False):
    """Shows one document; owns the selection; posts ``SelectionChanged``.

    ScrollView's own arrow-key bindings are not inherited: in a transcript the arrows move the selection
    (the document screen's keys), and only paging scrolls.
    """

    BINDINGS = [
        Binding(
            "pagedown",
            "page_down",
            "Page down",
            show=False,
            id="transcript.page_down",
            tooltip="Page down through the transcript",
        ),
        Binding(
            "pageup",
            "page_up",
            "Page up",
            show=False,
            id="transcript.page_up",
            tooltip="Page up through the transcript",
        ),
    ]

    DEFAULT_CSS = """
    TranscriptView { background: $surface; }
    """

    class SelectionChanged(Message):
        def __init__(self, start: int, end: int, segment: int) -> None:
            super().__init__()
            self.start, self.end, self.segment = start, end, segment

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = ""
        self.turns: list[dict[str, Any]] = []
        self.segments: list[tuple[int, int, int]] = []  # (start, end, turn index)
        self._segment_starts: list[int] = []
        self.codings: list[dict[str, Any]] = []
        self.others: list[dict[str, Any]] = []  # another coder's codings, when shown
        self.noted: set[str] = set()  # participants with a memo, marked in their turns' headers
        self.cursor = 0  # segment index
        self.anchor = 0
        self.sel_start = self.sel_end = 0
        self._lines: list[_Line] = []
        self._text_rows: list[int] = []  # indexes into _lines of text rows, for offset lookup
        self._row_starts: list[int] = []
        self._by_row: dict[int, list[tuple[bool, dict[str, Any]]]] = {}  # screen row -> (own?, coding)
        self._width = 0
        self._drag_from: int | None = None

    # -- data ----------------------------------------------------------------------------------------

    def load(
        self,
        text: str,
        turns: list[dict[str, Any]],
        segments: list[tuple[int, int, int]],
        codings: list[dict[str, Any]],
    ) -> None:
        self.text, self.turns, self.segments, self.codings = text, turns, segments, codings
        self._segment_starts = [s[0] for s in segments]
        self.cursor = self.anchor = 0
        self._width = 0
        self._lines = []
        if self.size.width:  # before the first resize the width is unknown: on_resize lays it out
            self._layout()
        self._select_segments(0, 0)
        self.scroll_to(0, 0, animate=False)

    def set_codings(
        self,
        codings: list[dict[str, Any]],
        others: list[dict[str, Any]] | None = None,
        changed: tuple[int, int] | None = None,
    ) -> None:
        """New codings to show; ``changed`` (offsets) limits the redraw to the rows that range covers."""
        self.codings = codings
        if others is not None:
            self.others = others
        self._index_codings()
        if changed is None or not self._text_rows:
            self.refresh()
        else:
            first, last = self.row_of(changed[0]), self.row_of(max(changed[0], changed[1] - 1))
            self.refresh_lines(first, last - first + 1)

    def _index_codings(self) -> None:
        """Which codings touch which screen rows, so drawing a row never scans the whole document's codings."""
        by_row: dict[int, list[tuple[bool, dict[str, Any]]]] = {}
        for own, codings in ((True, self.codings), (False, self.others)):
            for coding in codings:
                first = self._text_index(coding["start"])
                last = self._text_index(max(coding["start"], coding["end"] - 1))
                for index in range(first, last + 1):
                    by_row.setdefault(self._text_rows[index], []).append((own, coding))
        self._by_row = by_row

    def _text_index(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._row_starts, offset) - 1)

    # -- layout --------------------------------------------------------------------------------------

    def _layout(self) -> None:
        # reserve the vertical scrollbar even before it appears, or the first layout wraps too wide
        width = max(20, self.size.width - self.styles.scrollbar_size_vertical - GUTTER - 1)
        if width == self._width and self._lines:
            return
        self._width = width
        lines: list[_Line] = []
        text = self.text
        for index, turn in enumerate(self.turns):
            if lines:
                lines.append(_Line(index, turn["start"], turn["start"]))
            if turn["speaker"] or turn.get("time_start") is not None:
                lines.append(_Line(index, turn["start"], turn["start"], header=True))
            position = turn["start"]
            for paragraph in text[turn["start"] : turn["end"]].split("\n"):
                lines.extend(self._wrap(index, position, paragraph, width))
                position += len(paragraph) + 1
        self._lines = lines
        self._text_rows = [i for i, line in enumerate(lines) if not line.header and line.end > line.start]
        self._row_starts = [lines[i].start for i in self._text_rows]
        self.virtual_size = Size(self.size.width, len(lines))
        if self._text_rows:
            self._index_codings()

    @staticmethod
    def _wrap(turn: int, offset: int, paragraph: str, width: int) -> list[_Line]:
        rows: list[_Line] = []
        row_start, used = offset, 0
        ascii_only = paragraph.isascii()  # then a character is a cell, and measuring is free
        for found in _WORD.finditer(paragraph):
            piece = found.group()
            cells = len(piece.rstrip()) if ascii_only else cell_len(piece.rstrip())
            if used and used + cells > width:
                rows.append(_Line(turn, row_start, offset + found.start()))
                row_start, used = offset + found.start(), 0
            used += len(piece) if ascii_only else cell_len(piece)
        rows.append(_Line(turn, row_start, offset + len(paragraph)))
        return rows

    def on_resize(self, event: events.Resize) -> None:
        self._layout()
        self.refresh()

    # -- rendering -----------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.size.width
        if row >= len(self._lines):
            return Strip.blank(width)
        line = self._lines[row]
        turn = self.turns[line.turn]
        interviewer = turn["role"] != "participant"
        if line.header:
            return Strip(self._header(turn)).adjust_cell_length(width)
        here = [(own, c) for own, c in self._by_row.get(row, ()) if c["start"] < line.end and c["end"] > line.start]
        overlapping = [c for own, c in here if own]
        others = [c for own, c in here if not own]
        gutter = [Segment("▌", Style(color=c["colour"] or "#888888")) for c in overlapping[:3]]
        gutter += [Segment(" ")] * (GUTTER - len(gutter))
        body = self._body(line, overlapping, others, interviewer)
        return Strip(gutter + body).adjust_cell_length(width)

    def _header(self, turn: dict[str, Any]) -> list[Segment]:
        stamp = clock(turn.get("time_start"))
        if turn["role"] == "interviewer":
            label = f"{turn['speaker']} (interviewer)"
            style = Style(color="#8a8a8a", italic=True)
        elif turn["role"] == "participant":
            label = f"{turn['participant']} · {turn.get('group_label') or turn['group'] or 'no group'}"
            style = Style(color="#e0c070", bold=True)
        else:
            label = turn["speaker"] or ""
            style = Style(color="#8a8a8a")
        segments = [Segment(" " * GUTTER), Segment(label, style)]
        if turn["role"] == "participant" and turn["participant"] in self.noted:
            segments.append(Segment(" ✎", Style(color="#c0a0ff")))
        if stamp:
            segments.append(Segment(f"  {stamp}", Style(color="#6a6a6a")))
        return segments

    def _body(
        self, line: _Line, codings: list[dict[str, Any]], others: list[dict[str, Any]], interviewer: bool
    ) -> list[Segment]:
        text = self.text
        base = Style(color="#9a9a9a", italic=True) if interviewer else Style(color="#e6e6e6")
        cuts = {line.start, line.end, self.sel_start, self.sel_end}
        for c in codings + others:
            cuts.update((c["start"], c["end"]))
        points = sorted(p for p in cuts if line.start <= p <= line.end)
        segments = []
        focused = self.has_focus
        for a, b in zip(points, points[1:], strict=False):
            style = base
            covering = [c for c in codings if c["start"] <= a and c["end"] >= b]
            if covering:
                style = style + Style(bgcolor=dim(covering[-1]["colour"]))
            if any(c["start"] <= a and c["end"] >= b for c in others):
                style = style + Style(underline=True, color="#ffb3c6")
            if self.sel_start <= a and b <= self.sel_end and self.sel_end > self.sel_start:
                style = style + (Style(reverse=True) if focused else Style(bgcolor="#3a4a6a"))
            segments.append(Segment(text[a:b].replace("\t", " "), style))
        return segments

    # -- selection -----------------------------------------------------------------------------------

    @property
    def selection(self) -> tuple[int, int]:
        return self.sel_start, self.sel_end

    def _select_segments(self, first: int, last: int) -> None:
        if not self.segments:
            return
        first, last = sorted((first, last))
        self.sel_start, self.sel_end = self.segments[first][0], self.segments[last][1]
        self._changed()

    def _changed(self) -> None:
        self.refresh()
        self.post_message(self.SelectionChanged(self.sel_start, self.sel_end, self.cursor))
        self.scroll_to_offset(self.sel_start)

    def move(self, step: int, extend: bool = False) -> None:
        if not self.segments:
            return
        self.cursor = max(0, min(len(self.segments) - 1, self.cursor + step))
        if not extend:
            self.anchor = self.cursor
        self._select_segments(self.anchor, self.cursor)

    def move_turn(self, step: int, extend: bool = False) -> None:
        """To the first segment of the next/previous turn (extending: to its last / first segment)."""
        if not self.segments:
            return
        current = self.segments[self.cursor][2]
        target = current + step
        indexes = [i for i, s in enumerate(self.segments) if s[2] == target]
        while not indexes and 0 <= target < len(self.turns):
            target += step
            indexes = [i for i, s in enumerate(self.segments) if s[2] == target]
        if not indexes:
            return
        self.cursor = indexes[-1] if extend and step > 0 else indexes[0]
        if not extend:
            self.anchor = self.cursor
        self._select_segments(self.anchor, self.cursor)

    def go_to_segment(self, index: int) -> None:
        if self.segments:
            self.cursor = self.anchor = max(0, min(len(self.segments) - 1, index))
            self._select_segments(self.cursor, self.cursor)

    def select_range(self, start: int, end: int) -> None:
        """Select exact offsets (a search hit, a coded passage) and put the cursor on its segment."""
        self.cursor = self.anchor = self.segment_at(start)
        self.sel_start, self.sel_end = start, end
        self._changed()

    def narrow(self, edge: str, step: int) -> None:
        """Move the selection's start or end by one word (step -1 = left, +1 = right); never empty it."""
        start, end = self.sel_start, self.sel_end
        if edge == "end":
            end = word_end(self.text, end, step)
        else:
            start = word_start(self.text, start, step)
        if start < end:
            self.sel_start, self.sel_end = start, end
            self._changed()

    def interviewer_in(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` takes in words of an interviewer's turn."""
        return any(
            t["role"] == "interviewer"
            and t["start"] < end
            and t["end"] > start
            and self.text[max(t["start"], start) : min(t["end"], end)].strip()
            for t in self.turns
        )

    def group_at(self, offset: int) -> str | None:
        """The stakeholder group of the participant whose turn ``offset`` is in (the attribution rule's speaker
        of a passage starting there), or None for an interviewer's or an unattributed turn."""
        turn = next((t for t in self.turns if t["start"] <= offset < t["end"]), None)
        return turn["group"] if turn is not None and turn["role"] == "participant" else None

    def segment_at(self, offset: int) -> int:
        index = bisect.bisect_right(self._segment_starts, offset) - 1
        return max(0, index)

    # -- scrolling and the mouse ---------------------------------------------------------------------

    def scroll_to_offset(self, offset: int) -> None:
        """Bring the selection into view with a margin of lines above and below it (a quarter of the view,
        at most five), so the coder always sees what comes before and after; a selection taller than the
        view shows its start."""
        if not self._lines:
            return
        margin = max(1, min(5, self.size.height // 4))
        first, last = self.row_of(offset), self.row_of(max(offset, self.sel_end - 1))
        top, bottom = max(0, first - margin), last + margin
        height = self.size.height or 1
        if bottom - top + 1 > height:
            bottom = top + height - 1
        if top < self.scroll_offset.y:
            self.scroll_to(y=top, animate=False)
        elif bottom >= self.scroll_offset.y + height:
            self.scroll_to(y=min(top, bottom - height + 1), animate=False)

    def row_of(self, offset: int) -> int:
        index = bisect.bisect_right(self._row_starts, offset) - 1
        return self._text_rows[max(0, index)] if self._text_rows else 0

    def action_page_down(self) -> None:  # immediate: an animation only delays the next page over SSH
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
