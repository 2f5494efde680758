"""A one-line key bar: the screen's shown bindings as ``key description`` pairs.

Textual's ``Footer`` builds one widget per key and recomposes on every focus change, which costs a large
share of opening the document screen on a big study; this draws the same information as a single line of
text, computed once per screen (the keys a screen offers do not change while it is shown).
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from .shown import Static

_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "escape": "esc",
    "enter": "⏎",
    "left_curly_bracket": "{",
    "right_curly_bracket": "}",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "asterisk": "*",
    "space": "space",
}


def binding(
    scope: str, key: str, action: str, description: str, tooltip: str = "", show: bool = True, priority: bool = False
) -> Binding:
    """A binding with an ``id`` (``scope.action``, so keys can be remapped) and a tooltip for the help screen."""
    return Binding(
        key,
        action,
        description,
        show=show,
        priority=priority,
        id=f"{scope}.{action.split('(')[0]}",
        tooltip=tooltip or description,
    )


def key_label(key: str) -> str:
    """The first of a binding's keys as a person would write it."""
    first = key.split(",")[0].strip()
    return _NAMES.get(first, first)


def keys_label(key: str) -> str:
    """All of a binding's keys as a person would write them: "down, j", "}", "*"."""
    return ", ".join(_NAMES.get(k.strip(), k.strip()) for k in key.split(","))


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, bindings: list[Binding | tuple[str, ...]], **kwargs: object) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for binding in bindings:
            if isinstance(binding, Binding) and binding.show:
                text.append(key_label(binding.key), style="bold #ffa62b")
                text.append(f" {binding.description}  ")
        super().__init__(text, **kwargs)  # type: ignore[arg-type]
