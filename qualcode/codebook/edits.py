"""Growing the codebook during coding: add, edit, move, merge and delete codes.

Real codebooks change while coding. Each edit is planned here as a change (``project.changes``) from what the
file holds, so that it keeps the tree valid (no unknown parent, no cycle), never loses a coding, and can be
undone exactly:

- merging moves the source code's codings (with their memos and stars), sub-codes, memos, decisions and
  dismissed suggestions onto the target before the source goes; a coding that would then duplicate one the
  target already has (same document, coder and range) is folded into it, its memos moving with it;
- deleting a code deletes its sub-codes and everything coded with them, memos included, as one change, so a
  coder who regrets it presses ``u``.

``add_code``, ``update_code``, ``move_code``, ``merge_codes`` and ``delete_code`` plan and write in one
transaction; the ``*_change`` planners are what the workbench's undoable steps are made of.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from ..errors import QualcodeError
from ..project import changes
from ..project.changes import Change, Edit, write
from ..project.facts import (
    Code,
    Coding,
    Memo,
    coding_at,
    codings_by_id,
    decisions_where,
    dismissals_where,
    memos_on_codings,
    memos_where,
)
from ..project.schema import LEVELS
from ..project.store import Project
from .files import LEVEL_COLOURS, LISTED, decoded

EDITABLE = ("name", "level", "beneficiary", "definition", "include", "exclude", "example", "keywords", "phrases",
            "colour")


def code_row(project: Project, code_id: str) -> dict[str, Any]:
    rows = list(project.db.query("SELECT * FROM code WHERE id = ?", [code_id]))
    if not rows:
        from .files import project_codes
        from .matching import unknown_code

        raise QualcodeError(unknown_code(code_id, project_codes(project)))
    return decoded(dict(rows[0]))


def _fact(project: Project, code_id: str) -> Code:
    row = code_row(project, code_id)
    listed = {key: json.dumps(row[key], ensure_ascii=False) for key in LISTED}
    return Code(**{**row, **listed})


def new_code_id(project: Project, name: str, parent: str | None = None) -> str:
    """A slug from the name (prefixed with the parent's id), unique in the project."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "code"
    base = f"{parent}-{slug}" if parent else slug
    base = base[:80]
    candidate, n = base, 2
    while project.db.execute("SELECT 1 FROM code WHERE id = ?", [candidate]).fetchone():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def add_code_change(
    project: Project,
    name: str,
    parent: str | None = None,
    level: str | None = None,
    definition: str = "",
    code_id: str | None = None,
    keywords: list[str] | None = None,
) -> Change:
    """The change that adds a code (or sub-code, inheriting level, beneficiary, colour and codebook from its
    parent); its id is the added ``Code`` fact's (``added_code``)."""
    name = name.strip()
    if not name:
        raise QualcodeError("a code needs a name")
    parent_row = code_row(project, parent) if parent else None
    level = level or (parent_row["level"] if parent_row else "other")
    if level not in LEVELS:
        raise QualcodeError(f"bad level {level!r} (use one of {', '.join(LEVELS)})")
    code_id = code_id or new_code_id(project, name, parent)
    if project.db.execute("SELECT 1 FROM code WHERE id = ?", [code_id]).fetchone():
        raise QualcodeError(f"code id {code_id!r} already exists")
    position = project.db.execute("SELECT coalesce(max(position), -1) + 1 FROM code").fetchone()[0]
    fact = Code(
        id=code_id,
        parent=parent,
        name=name,
        level=level,
        beneficiary=parent_row["beneficiary"] if parent_row else None,
        definition=definition.strip(),
        keywords=json.dumps([k.strip() for k in keywords or [] if k.strip()], ensure_ascii=False),
        colour=parent_row["colour"] if parent_row else LEVEL_COLOURS[level],
        codebook=parent_row["codebook"] if parent_row else None,
        position=int(position),
    )
    return changes.adding(f"new code {name}", [fact])


def added_code(change: Change) -> str:
    """The id of the code a change adds."""
    return change.facts(Code, added=True)[0].id


def update_code_change(project: Project, code_id: str, **fields: Any) -> Change:
    """An edit of a code's name, definition, criteria, example, keywords, level or colour."""
    before = _fact(project, code_id)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise QualcodeError(f"cannot edit {', '.join(sorted(unknown))} of a code")
    if "name" in fields and not str(fields["name"]).strip():
        raise QualcodeError("a code needs a name")
    if "level" in fields and fields["level"] not in LEVELS:
        raise QualcodeError(f"bad level {fields['level']!r}")
    for key in LISTED:
        if key in fields:
            fields[key] = json.dumps(list(fields[key]), ensure_ascii=False)
    after = replace(before, **fields)
    return Change(f"edit of code {before.name}", (Edit(before, after),) if after != before else ())


def move_code_change(project: Project, code_id: str, new_parent: str | None) -> Change:
    """Hang a code (with its children) under another parent, or at the top with None."""
    before = _fact(project, code_id)
    if new_parent is not None:
        code_row(project, new_parent)
        _refuse_descendant(project, code_id, new_parent, "move")
    after = replace(before, parent=new_parent)
    return Change(f"move of code {before.name}", (Edit(before, after),) if after != before else ())


def _refuse_descendant(project: Project, code_id: str, other: str, verb: str) -> None:
    ancestor: str | None = other
    while ancestor:
        if ancestor == code_id:
            where = "under" if verb == "move" else "into"
            raise QualcodeError(f"cannot {verb} {code_id!r} {where} its own descendant {other!r}")
        ancestor = project.db.execute("SELECT parent FROM code WHERE id = ?", [ancestor]).fetchone()[0]


def merge_codes_change(project: Project, source: str, target: str) -> Change:
    """The change that folds ``source`` into ``target``: its codings move (with their memos and stars), and its
    sub-codes, the memos on it, its decisions and dismissals, then it goes."""
    if source == target:
        raise QualcodeError("cannot merge a code into itself")
    old, _ = _fact(project, source), _fact(project, target)
    _refuse_descendant(project, source, target, "merge")
    db = project.db
    edits: list[Edit] = []
    ids = [r[0] for r in db.execute("SELECT id FROM coding WHERE code_id = ?", [source])]
    codings = codings_by_id(db, ids)
    memos = memos_on_codings(db, codings)
    for cid, fact in codings.items():
        moved = replace(fact, code=target)
        there = coding_at(db, moved.key)
        edits += [Edit(memo, None) for memo in memos.get(cid, [])]
        edits.append(Edit(fact, None))
        if there is None:
            edits.append(Edit(None, moved))
        elif fact.key_quote and not there.key_quote:  # the target has this passage: it keeps the star
            edits.append(Edit(there, replace(there, key_quote=True)))
        edits += [Edit(None, replace(memo, target=moved.key)) for memo in memos.get(cid, [])]  # and the memos
    for child_id in [r[0] for r in db.execute("SELECT id FROM code WHERE parent = ?", [source])]:
        child = _fact(project, child_id)
        edits.append(Edit(child, replace(child, parent=target)))
    for memo in memos_where(db, "code", source, any_coder=True):
        edits.append(Edit(memo, replace(memo, target=target)))
    decision_key = 'code_id = ? AND document_id = ? AND start = ? AND "end" = ? AND coder_id = ?'
    dismissal_key = 'coder_id = ? AND document_id = ? AND start = ? AND "end" = ? AND code_id = ?'
    for read, key in ((decisions_where, decision_key), (dismissals_where, dismissal_key)):
        for fact in read(db, "code_id = ?", [source]):  # moved, unless the target has one there already
            edits.append(Edit(fact, None))
            moved_fact = replace(fact, code=target)
            if not read(db, key, list(moved_fact.key)):
                edits.append(Edit(None, moved_fact))
    edits.append(Edit(old, None))
    return Change(f"merge of {old.name} into {target}", tuple(edits))


def delete_code_change(project: Project, code_id: str) -> Change:
    """The change that deletes a code with its sub-codes and everything that refers to them (codings with their
    memos, memos on the codes, decisions, dismissed suggestions); ``removed`` counts what goes."""
    top = _fact(project, code_id)
    db = project.db
    tree = [top]
    for code in tree:  # breadth first: a parent before its children
        children = db.execute("SELECT id FROM code WHERE parent = ? ORDER BY id", [code.id]).fetchall()
        tree += [_fact(project, r[0]) for r in children]
    ids = [c.id for c in tree]
    marks = ", ".join("?" * len(ids))
    codings = codings_by_id(db, [r[0] for r in db.execute(f"SELECT id FROM coding WHERE code_id IN ({marks})", ids)])
    memos = memos_on_codings(db, codings)
    code_memos = [m for c in ids for m in memos_where(db, "code", c, any_coder=True)]
    decisions = decisions_where(db, f"code_id IN ({marks})", ids)
    dismissals = dismissals_where(db, f"code_id IN ({marks})", ids)
    edits = [Edit(m, None) for cid in codings for m in memos.get(cid, [])]
    edits += [Edit(fact, None) for fact in codings.values()]
    edits += [Edit(fact, None) for fact in (*code_memos, *decisions, *dismissals)]
    edits += [Edit(code, None) for code in reversed(tree)]  # children before their parents
    return Change(f"deletion of code {top.name}", tuple(edits))


def removed(change: Change) -> dict[str, int]:
    """How many codes, codings and memos a change takes away."""
    return {kind: len(change.facts(fact, added=False)) for kind, fact in
            (("codes", Code), ("codings", Coding), ("memos", Memo))}  # fmt: skip


# -- plan and write in one transaction -------------------------------------------------------------------


def add_code(project: Project, name: str, parent: str | None = None, level: str | None = None, definition: str = "",
             code_id: str | None = None, keywords: list[str] | None = None) -> str:  # fmt: skip
    return added_code(write(project, lambda: add_code_change(project, name, parent, level, definition, code_id,
                                                             keywords)))  # fmt: skip


def update_code(project: Project, code_id: str, **fields: Any) -> None:
    write(project, lambda: update_code_change(project, code_id, **fields))


def move_code(project: Project, code_id: str, new_parent: str | None) -> None:
    write(project, lambda: move_code_change(project, code_id, new_parent))


def merge_codes(project: Project, source: str, target: str) -> int:
    """Fold ``source`` into ``target``; how many codings moved."""
    change = write(project, lambda: merge_codes_change(project, source, target))
    return sum(1 for fact in change.facts(Coding, added=False) if fact.code == source)


def delete_code(project: Project, code_id: str) -> dict[str, int]:
    return removed(write(project, lambda: delete_code_change(project, code_id)))
