"""Cutting names to fit a column without losing the part that tells them apart.

Logic-model names share their beginnings ("Increased motivation to engage with mentoring", "… with
education, training and employment"), so cutting the end makes four rows read the same. A name that does
not fit keeps its first word and as much of its end as fits, with "…" between.
"""

from __future__ import annotations

from rich.cells import cell_len


def shorten(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells: whole if it fits, else its first word, "…", and its end."""
    text = " ".join(text.split())
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    if width < 12:
        return _head(text, width - 1) + "…"
    first = text.split(" ", 1)[0]
    head = _head(first, min(cell_len(first), width // 3))
    tail = _tail(text, width - cell_len(head) - 1)
    space = tail.find(" ", 0, len(tail) // 2)
    if space > 0:  # start the end at a word, not inside one
        tail = tail[space + 1 :]
    return f"{head}…{tail}"


def _head(text: str, width: int) -> str:
    out, used = [], 0
    for char in text:
        used += cell_len(char)
        if used > width:
            break
        out.append(char)
    return "".join(out)


def _tail(text: str, width: int) -> str:
    return _head(text[::-1], width)[::-1]
