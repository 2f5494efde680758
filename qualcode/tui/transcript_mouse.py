"""Selecting with the mouse in the transcript: a click selects the sentence, a drag exactly the characters
dragged over (trimmed of surrounding spaces). Mixed into ``TranscriptView``, whose ``_lines`` map every
screen row to document offsets."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual import events

GUTTER = 4  # cells left of the text: one coloured mark per code on the line


class MouseSelection:
    """Needs the view's ``_lines``, ``text``, ``scroll_offset``, ``segment_at`` and selection fields."""

    _lines: list[Any]
    _drag_from: int | None
    text: str

    def offset_at(self, x: int, y: int) -> int | None:
        row = self.scroll_offset.y + y
        if not 0 <= row < len(self._lines) or self._lines[row].header:
            return None
        line = self._lines[row]
        used = GUTTER
        for position in range(line.start, line.end):
            used += cell_len(self.text[position])
            if used > x:
                return position
        return line.end

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.focus()
        offset = self.offset_at(event.x, event.y)
        if offset is not None:
            self._drag_from = offset
            self.cursor = self.anchor = self.segment_at(offset)
            self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_from is None:  # the mouse is captured from press to release: every move is a drag
            return
        offset = self.offset_at(event.x, event.y)
        if offset is not None and offset != self._drag_from:
            self.sel_start, self.sel_end = sorted((self._drag_from, offset))
            self.refresh()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_from is None:
            return
        self.release_mouse()
        offset = self.offset_at(event.x, event.y)
        start = self._drag_from
        self._drag_from = None
        if offset is None or offset == start:  # a click selects the sentence
            self._select_segments(self.cursor, self.cursor)
            return
        start, end = sorted((start, offset))
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        if start < end:
            self.sel_start, self.sel_end = start, end
            self._changed()
