"""Logic-model codebooks: YAML files validated with FILE:LINE messages, loaded into and out of a project.

A codebook file is a mapping with ``codebook`` (its name), optional ``title``/``description``, and ``codes``:
a list of codes, each with ``id`` (a stable slug), ``name``, ``level`` (a logic-model level, inherited by
children), ``beneficiary``, ``definition``, ``include``, ``exclude``, ``example``, ``keywords``, ``colour``,
and either nested ``children`` or a ``parent`` id. Every problem is reported as ``FILE:LINE: message`` so an
editor can jump to it; nothing is loaded into a project unless the whole file is valid.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import QualcodeError, did_you_mean, located
from ..project import facts, limits
from ..project.changes import Change, Edit, write
from ..project.schema import LEVELS
from ..project.store import Project

FIELDS = (
    "id",
    "name",
    "parent",
    "level",
    "beneficiary",
    "definition",
    "include",
    "exclude",
    "example",
    "keywords",
    "phrases",
    "colour",
    "codebook",
    "children",
)
_ALIASES = {"color": "colour", "inclusion": "include", "exclusion": "exclude", "description": "definition"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
LEVEL_COLOURS = {
    "input": "#8d99ae",
    "activity": "#4ea8de",
    "output": "#48bfe3",
    "short_term_outcome": "#80ed99",
    "medium_term_outcome": "#57cc99",
    "long_term_outcome": "#38a3a5",
    "barrier": "#ef476f",
    "enabler": "#ffd166",
    "context": "#b8b8d1",
    "other": "#cdb4db",
}


@dataclass
class Code:
    id: str
    name: str
    level: str
    line: int
    parent: str | None = None
    beneficiary: str | None = None
    definition: str = ""
    include: str = ""
    exclude: str = ""
    example: str = ""
    keywords: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    colour: str | None = None
    codebook: str | None = None

    def row(self, position: int) -> dict[str, Any]:
        return {
            "id": self.id,
            "parent": self.parent,
            "name": self.name,
            "level": self.level,
            "beneficiary": self.beneficiary,
            "definition": self.definition,
            "include": self.include,
            "exclude": self.exclude,
            "example": self.example,
            "keywords": json.dumps(self.keywords, ensure_ascii=False),
            "phrases": json.dumps(self.phrases, ensure_ascii=False),
            "colour": self.colour,
            "codebook": self.codebook,
            "position": position,
        }


@dataclass
class Codebook:
    name: str
    codes: list[Code]
    title: str = ""
    description: str = ""


class _LineLoader(limits.SafeLoader):
    """The input budget's safe loader (no aliases, bounded nesting) that also remembers the line of every
    mapping and of each of its keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        lines: dict[str, int] = {}
        for key_node, _ in node.value:
            key = key_node.value
            if key in lines:
                raise located(self.name, key_node.start_mark.line + 1, f"field {key!r} appears twice")
            lines[key] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = lines
        return mapping


def load_codebook(path: str | Path, known: dict[str, tuple[str | None, str]] | None = None) -> Codebook:
    """Read and validate a YAML codebook; raise QualcodeError('FILE:LINE: ...') on the first problem.

    ``known`` maps ids of codes already in a project to (parent, level), so that a file may hang new codes
    under them; without it the file must be complete in itself.
    """
    path = Path(path)
    if path.suffix.lower() == ".qdc":
        raise QualcodeError(f"{path}: REFI-QDA .qdc codebooks are not supported by this version; use YAML")
    data = limits.load_yaml(limits.read_utf8(path, "codebook"), path, _LineLoader)
    if isinstance(data, list):
        data = {"codes": data, "__line__": 1, "__lines__": {}}
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list) or not data["codes"]:
        raise located(path, 1, "a codebook needs a non-empty 'codes:' list")
    name = str(data.get("codebook") or path.stem)
    codes: list[Code] = []
    for entry in data["codes"]:
        _walk(path, entry, None, name, codes)
    _check_references(path, codes, known)
    return Codebook(name, codes, str(data.get("title") or ""), str(data.get("description") or ""))


def _walk(path: Path, entry: Any, parent: Code | None, book: str, out: list[Code]) -> None:
    if not isinstance(entry, dict):
        line = parent.line if parent else 1
        raise located(path, line, f"each code must be a mapping of fields, not {type(entry).__name__}")
    line = entry.pop("__line__")
    lines = entry.pop("__lines__")
    for key in list(entry):
        canonical = _ALIASES.get(key, key)
        if canonical not in FIELDS:
            raise located(path, lines.get(key, line), f"unknown field {key!r}" + did_you_mean(str(key), FIELDS))
        if canonical != key:
            entry[canonical] = entry.pop(key)
            lines[canonical] = lines.get(key, line)

    def text(key: str) -> str:
        value = entry.get(key)
        if value is None:
            return ""
        if isinstance(value, list):
            return "\n".join(f"- {str(v).strip()}" for v in value)
        if not isinstance(value, (str, int, float)):
            raise located(path, lines.get(key, line), f"{key!r} must be text")
        return str(value).strip()

    code_id = entry.get("id")
    if code_id is None:
        raise located(path, line, "code has no 'id'")
    code_id = str(code_id)
    if not _SLUG.match(code_id):
        raise located(
            path, lines.get("id", line), f"code id {code_id!r} must be a slug: lower-case letters, digits, - _ ."
        )
    if not text("name"):
        raise located(path, line, f"code {code_id!r} has no 'name'")
    explicit_parent = text("parent") or None
    level = text("level") or (parent.level if parent else "")
    if not level and not explicit_parent:
        raise located(path, line, f"code {code_id!r} has no 'level' (one of {', '.join(LEVELS)})")
    if level and level not in LEVELS:
        raise located(path, lines.get("level", line), f"bad level {level!r} (use one of {', '.join(LEVELS)})")
    if parent and explicit_parent and explicit_parent != parent.id:
        raise located(
            path,
            lines["parent"],
            f"code {code_id!r} is nested under {parent.id!r} but names parent {explicit_parent!r}",
        )
    colour = text("colour") or None
    if colour and not _COLOUR.match(colour):
        raise located(path, lines.get("colour", line), f"bad colour {colour!r} (use #RRGGBB)")
    keywords = _listed(path, entry, lines, line, "keywords", "words or phrases")
    phrases = _listed(path, entry, lines, line, "phrases", "phrases in participants' words")
    code = Code(
        id=code_id,
        name=text("name"),
        level=level,
        line=line,
        parent=parent.id if parent else explicit_parent,
        beneficiary=text("beneficiary") or (parent.beneficiary if parent else None),
        definition=text("definition"),
        include=text("include"),
        exclude=text("exclude"),
        example=text("example"),
        keywords=keywords,
        phrases=phrases,
        colour=colour or (parent.colour if parent else None) or LEVEL_COLOURS.get(level),
        codebook=text("codebook") or (parent.codebook if parent else book),
    )
    out.append(code)
    children = entry.get("children") or []
    if not isinstance(children, list):
        raise located(path, lines.get("children", line), "'children' must be a list of codes")
    for child in children:
        _walk(path, child, code, book, out)


def _check_references(path: Path, codes: list[Code], known: dict[str, tuple[str | None, str]] | None = None) -> None:
    """Duplicate ids, unknown parents and cycles; then levels inherited through ``parent:`` references."""
    first: dict[str, Code] = {}
    for code in codes:
        if code.id in first:
            raise located(
                path, code.line, f"duplicate code id {code.id!r} (first defined on line {first[code.id].line})"
            )
        first[code.id] = code
    parents = {cid: parent for cid, (parent, _) in (known or {}).items()}
    parents.update({c.id: c.parent for c in codes})
    for code in codes:
        if code.parent and code.parent not in parents:
            message = f"code {code.id!r} has unknown parent {code.parent!r}" + did_you_mean(code.parent, parents)
            raise located(path, code.line, message)
    depths: dict[str, int] = {}  # each code's depth, found once: linear however deep the tree
    for code in codes:
        chain, current = [], code.id
        while current is not None and current not in depths:
            if current in chain:
                raise located(
                    path, code.line, f"parent cycle: {' -> '.join(chain[chain.index(current) :] + [current])}"
                )
            chain.append(current)
            current = parents.get(current)
        depth = depths[current] if current is not None else 0
        for cid in reversed(chain):
            depth += 1
            depths[cid] = depth
        if depths[code.id] > limits.CODE_DEPTH:
            raise located(path, code.line, f"code {code.id!r} is {depths[code.id]} levels deep; a codebook may "
                          f"nest codes {limits.CODE_DEPTH} levels")  # fmt: skip
    levels = {cid: level for cid, (_, level) in (known or {}).items()}
    levels.update({c.id: c.level for c in codes if c.level})
    for code in sorted(codes, key=lambda c: depths[c.id]):  # parents first: each inherits from a settled one
        if not code.level and code.parent:
            code.level = levels.get(code.parent, "")
            levels[code.id] = code.level
        code.colour = code.colour or LEVEL_COLOURS[code.level]


def import_codebook(project: Project, codebook: Codebook, path: str | Path = "") -> dict[str, int]:
    """Add new codes, update changed ones (codings keep pointing at the same ids), keep the rest: one change,
    new codes first (parents before children), then the edits of known ones."""
    counts = {"added": 0, "updated": 0, "unchanged": 0}

    def plan() -> Change:
        existing = facts.code_facts(project.db)
        known = {c.id: (c.parent, c.level) for c in existing.values() if c.id not in {k.id for k in codebook.codes}}
        _check_references(Path(path or codebook.name), codebook.codes, known)
        base = 1 + max((c.position for c in existing.values()), default=-1)
        added, updated = [], []
        for offset, code in enumerate(codebook.codes):
            old = existing.get(code.id)
            new = facts.Code(**code.row(old.position if old else base + offset))
            if old is None:
                added.append(Edit(None, new))
            elif old != new:
                updated.append(Edit(old, new))
        counts.update(added=len(added), updated=len(updated), unchanged=len(codebook.codes) - len(added) - len(updated))
        return Change(f"codebook {codebook.name}", tuple(added + updated))

    write(project, plan)
    return counts


def known_codes(project: Project) -> dict[str, tuple[str | None, str]]:
    """Codes already in a project, as ``load_codebook(known=...)`` takes them."""
    return {r["id"]: (r["parent"], r["level"]) for r in project.db.query("SELECT id, parent, level FROM code")}


def _listed(path: Path, entry: dict[str, Any], lines: dict[str, int], line: int, key: str, what: str) -> list[str]:
    """A list field (keywords, phrases): a YAML list, or one text split at commas and semicolons."""
    found = entry.get(key) or []
    if isinstance(found, str):
        found = re.split(r"[;,]", found)
    if not isinstance(found, list) or not all(isinstance(k, (str, int, float)) for k in found):
        raise located(path, lines.get(key, line), f"'{key}' must be a list of {what}")
    return [str(k).strip() for k in found if str(k).strip()]


LISTED = ("keywords", "phrases")  # the code fields a project stores as JSON lists


def decoded(row: dict[str, Any]) -> dict[str, Any]:
    """A code's row as the project stores it, its ``LISTED`` fields as lists."""
    for key in LISTED:
        row[key] = json.loads(row.get(key) or "[]")
    return row


def project_codes(project: Project) -> list[dict[str, Any]]:
    """Codes in tree order (parents before their children, siblings by position)."""
    rows = [decoded(dict(r)) for r in project.db.query("SELECT * FROM code ORDER BY position, id")]
    children: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        children.setdefault(row["parent"], []).append(row)
    ordered: list[dict[str, Any]] = []
    stack = [(row, 0) for row in reversed(children.get(None, []))]  # depth first, without recursion
    while stack:
        row, depth = stack.pop()
        row["depth"] = depth
        ordered.append(row)
        stack.extend((child, depth + 1) for child in reversed(children.get(row["id"], [])))
    return ordered


def export_yaml(project: Project, path: str | Path) -> int:
    """Write the project's codebook as nested YAML that ``load_codebook`` reads back unchanged."""
    rows = project_codes(project)
    by_parent: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        by_parent.setdefault(row["parent"], []).append(row)
    books = {r["codebook"] for r in rows if r["codebook"]}

    def entry(row: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": row["id"], "name": row["name"]}
        parent_row = next((r for r in rows if r["id"] == row["parent"]), None)
        if parent_row is None or parent_row["level"] != row["level"]:
            out["level"] = row["level"]
        for key in ("beneficiary", "definition", "include", "exclude", "example", "keywords", "phrases", "colour"):
            if row[key]:
                out[key] = row[key]
        if parent_row is None and len(books) > 1 and row["codebook"]:
            out["codebook"] = row["codebook"]
        kids = by_parent.get(row["id"], [])
        if kids:
            out["children"] = [entry(k) for k in kids]
        return out

    name = books.pop() if len(books) == 1 else Path(project.path).stem
    document = {"codebook": name, "codes": [entry(r) for r in by_parent.get(None, [])]}
    from ..project.output import write_atomically

    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    for suffix in (".yaml", ".yml"):
        if Path(path).suffix.lower() == suffix:
            write_atomically(Path(path), {suffix: lambda target: target.write_text(text, "utf-8")})
    return len(rows)
