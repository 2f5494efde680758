"""Cutting names to fit a column without losing the part that tells them apart.

Logic-model names share their beginnings ("Increased motivation to engage with mentoring", "… with
education, training and employment"), so cutting the end makes four rows read the same. A name that does
not fit keeps its first word and as much of its end as fits, with "…" between.
"""

from __future__ import annotations

from rich.cells import cell_len


def shorten(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells: whole if it fits; else its first words, "…", and its last words,
    cut between words where that loses little (the first word keeps up to a third of the room)."""
    text = " ".join(text.split())
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    if width < 12:
        return _head(text, width - 1) + "…"
    words = text.split(" ")
    first = cell_len(words[0])
    budget = width - 1 - min(first, width // 3)  # what the end may take
    tail = ""
    for k in range(len(words) - 1, 0, -1):
        candidate = " ".join(words[k:])
        if cell_len(candidate) > budget:
            break
        tail = candidate
    if not tail:  # the last word alone is too long: its end, cut inside the word
        tail = _tail(text, budget)
    elif first + 1 + cell_len(tail) > width and " " in tail:  # one word less at the end keeps the first whole
        shorter = tail.split(" ", 1)[1]
        if first + 1 + cell_len(shorter) <= width:
            tail = shorter
    room = width - 1 - cell_len(tail)
    head = ""
    for k in range(1, len(words)):
        candidate = " ".join(words[:k])
        if cell_len(candidate) > room or text.endswith(" " + tail) and k >= len(words) - len(tail.split(" ")):
            break
        head = candidate
    if not head:
        head = _head(words[0], room)
    used = len(head.split(" ")) if head else 0
    spare = room - cell_len(head) - 1  # room left after the whole words: the next word's start, if 3 or more
    if spare >= 3 and used < len(words) - len(tail.split(" ")):
        head += " " + _head(words[used], spare)
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


def distinct(names: list[str], width: int) -> list[str]:
    """``shorten`` for a column of names, so that names that differ still read differently when cut: those
    that would look alike keep more of their ends, and then the part where they differ."""
    out = [shorten(name, width) for name in names]
    for _ in range(2):
        seen: dict[str, list[int]] = {}
        for index, cut in enumerate(out):
            seen.setdefault(cut, []).append(index)
        alike = [group for group in seen.values() if len(group) > 1 and len({names[i] for i in group}) > 1]
        if not alike:
            break
        for group in alike:
            for index in group:
                out[index] = _around_difference(names[index], [names[i] for i in group if i != index], width)
    return out


def _around_difference(name: str, others: list[str], width: int) -> str:
    """The part of ``name`` where it first differs from ``others``, with "…" where text is left out."""
    text = " ".join(name.split())
    if cell_len(text) <= width:
        return text
    tail = "…" + _tail(text, width - 1)
    if all(not " ".join(o.split()).endswith(tail[1:]) for o in others):
        return tail
    at = min(next((i for i, (a, b) in enumerate(zip(text, o, strict=False)) if a != b), len(text)) for o in others)
    start = max(0, min(at - width // 3, len(text) - width + 1))
    window = text[start : start + width - 2]
    return ("…" if start else "") + window + "…"


def heading_width(text: str, lines: int = 2) -> int:
    """The narrowest column that holds ``text`` in ``lines`` lines without cutting it (split between words)."""
    words = text.split() or [""]
    narrowest = max(cell_len(w) for w in words)
    for width in range(narrowest, cell_len(text) + 1):
        if len(_wrap(words, width)) <= lines:
            return width
    return cell_len(text)


def heading(text: str, width: int, lines: int = 2) -> str:
    """A column heading in at most ``lines`` lines of at most ``width`` cells: split between words, the last
    line (or a word too long for any line) cut by ``shorten``."""
    wrapped = _wrap(text.split(), width)
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], " ".join(wrapped[lines - 1 :])]
    return "\n".join(shorten(line, width) for line in wrapped)


def _wrap(words: list[str], width: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines
