"""The codebook panel: the logic-model tree with each code's use in this document and in the study.

It only shows and reports; the document screen owns the project and performs edits, then calls
``show()`` again. Counts are the coder's own codings (and the other coder's when that view is on),
written ``here/study``; a parent shows its own codings, not its children's.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode


def _key(key: str, action: str, description: str, tooltip: str) -> Binding:
    return Binding(key, action, description, id=f"codebook.{action}", tooltip=tooltip)


class CodebookPanel(Tree[str]):
    """Enter applies the highlighted code to the selection; the other keys edit the codebook."""

    BINDINGS = [
        _key("enter", "screen.apply_highlighted", "Apply", "Apply the highlighted code to the selected passage"),
        _key("a", "screen.add_code(True)", "Add sub-code", "Add a code under the highlighted one"),
        _key("A", "screen.add_code(False)", "Add code", "Add a top-level code"),
        _key("e", "screen.edit_definition", "Definition", "Edit the highlighted code's definition"),
        _key("r", "screen.rename_code", "Rename", "Rename the highlighted code"),
        _key("p", "screen.move_code", "Move", "Move the highlighted code under another parent"),
        _key("M", "screen.merge_code", "Merge", "Merge the highlighted code into another (codings move)"),
        _key("m", "screen.code_memo", "Memo", "Memo on the highlighted code"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("Codebook", **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self.codes: dict[str, dict[str, Any]] = {}
        self._shape: list[tuple[Any, ...]] = []

    def show(self, codes: list[dict[str, Any]], counts: dict[str, tuple[int, int]], memos: set[str]) -> None:
        """Relabel in place when only counts or memos changed; rebuild when the tree itself changed."""
        shape = [(c["id"], c["parent"], c["name"], c["colour"]) for c in codes]
        self.codes = {c["id"]: c for c in codes}
        if shape == self._shape:
            for node in self._every_node():
                node.set_label(self._label(self.codes[node.data], counts, memos))
            return
        self._shape = shape
        highlighted = self.highlighted_code
        expanded = {n.data for n in self._every_node() if n.is_expanded} or None
        self.clear()
        nodes: dict[str | None, TreeNode[str]] = {None: self.root}
        for code in codes:
            parent = nodes.get(code["parent"], self.root)
            label = self._label(code, counts, memos)
            nodes[code["id"]] = parent.add(label, data=code["id"], expand=expanded is None or code["id"] in expanded)
        for node in nodes.values():
            if node is not self.root and not node.children:
                node.allow_expand = False
        if highlighted:
            self.call_after_refresh(self.select_code, highlighted)

    @staticmethod
    def _label(code: dict[str, Any], counts: dict[str, tuple[int, int]], memos: set[str]) -> Text:
        here, study = counts.get(code["id"], (0, 0))
        label = Text("■ ", style=code["colour"] or "#888888")
        label.append(code["name"])
        if study:
            label.append(f"  {here}/{study}", style="#8fbcff" if here else "#6a6a6a")
        if code["id"] in memos:
            label.append(" ✎", style="#c0a0ff")
        return label

    def _every_node(self) -> list[TreeNode[str]]:
        found, stack = [], list(self.root.children)
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(node.children)
        return found

    @property
    def highlighted_code(self) -> str | None:
        node = self.cursor_node
        return node.data if node is not None and node is not self.root else None

    def select_code(self, code_id: str) -> None:
        for node in self._every_node():
            if node.data == code_id:
                parent = node.parent
                while parent is not None:
                    parent.expand()
                    parent = parent.parent
                self.move_cursor(node)
                return
