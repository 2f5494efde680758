"""What the workbench shows is text, never markup: the one place text reaches a widget.

Names, codes, memos, file names and transcript words come from people and files: "[/]Dee", a group called
"[draft]" or a transcript's "[laughs]" is what it says, not a style to apply — read as markup it would stop
the workbench opening ("closing tag '[/]' has nothing to close"), hide words, or, as Textual's
"[@click=...]", run an action when clicked. Textual's own widgets read a string as markup; these, with the
same names, read it as text. Every module of the workbench takes its widgets from here (a test holds it to
that); a label that wants bold builds a ``rich.text.Text`` (``Text.assemble``), never markup. The
workbench's notices go through ``QualcodeApp.notify``, which shows them as text the same way.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import widgets
from textual.widgets.option_list import Option as _Option

__all__ = ["DataTable", "Label", "Option", "OptionList", "Static", "plain"]


def plain(value: Any) -> Any:
    """A string as text (a ``Text`` with no markup read); anything else as it is."""
    return Text(value) if isinstance(value, str) else value


class Static(widgets.Static):
    def __init__(self, content: Any = "", **options: Any) -> None:
        options.setdefault("markup", False)
        super().__init__(content, **options)


class Label(widgets.Label):
    def __init__(self, content: Any = "", **options: Any) -> None:
        options.setdefault("markup", False)
        super().__init__(content, **options)


class OptionList(widgets.OptionList):
    def __init__(self, *content: Any, **options: Any) -> None:
        options.setdefault("markup", False)
        super().__init__(*content, **options)


class Option(_Option):
    def __init__(self, prompt: Any, id: str | None = None, disabled: bool = False) -> None:  # noqa: A002
        super().__init__(plain(prompt), id=id, disabled=disabled)


class DataTable(widgets.DataTable[Any]):
    """A table whose string cells and headings are text (Textual's reads a string cell as markup)."""

    def add_column(self, label: Any, *, width: int | None = None, key: str | None = None, default: Any = None) -> Any:
        return super().add_column(plain(label), width=width, key=key, default=default)

    def add_columns(self, *labels: Any) -> list[Any]:
        return super().add_columns(*(plain(label) for label in labels))

    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None, label: Any = None) -> Any:
        return super().add_row(*(plain(cell) for cell in cells), height=height, key=key, label=plain(label))

    def update_cell(self, row_key: Any, column_key: Any, value: Any, *, update_width: bool = False) -> None:
        super().update_cell(row_key, column_key, plain(value), update_width=update_width)

    def update_cell_at(self, coordinate: Any, value: Any, *, update_width: bool = False) -> None:
        super().update_cell_at(coordinate, plain(value), update_width=update_width)
