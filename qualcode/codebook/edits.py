"""Growing the codebook during coding: add, edit, rename, move and merge codes, and count their use.

Real codebooks change while coding. Every edit here is one committed transaction that keeps the tree
valid (no unknown parent, no cycle) and never loses a coding: merging moves the source code's codings,
children and memos onto the target before the source is deleted, and a coding that would then duplicate
one the target already has (same document, coder and range) is folded into it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import QualcodeError, did_you_mean
from ..project.schema import LEVELS
from ..project.store import Project
from .files import LEVEL_COLOURS
from .matching import CodeMatcher, rank_codes  # noqa: F401  (re-exported: callers know them here)

EDITABLE = ("name", "level", "beneficiary", "definition", "include", "exclude", "example", "keywords", "colour")


def code_row(project: Project, code_id: str) -> dict[str, Any]:
    rows = list(project.db.query("SELECT * FROM code WHERE id = ?", [code_id]))
    if not rows:
        known = [r[0] for r in project.db.execute("SELECT id FROM code")]
        raise QualcodeError(f"unknown code {code_id!r}" + did_you_mean(code_id, known))
    row = dict(rows[0])
    row["keywords"] = json.loads(row["keywords"] or "[]")
    return row


def new_code_id(project: Project, name: str, parent: str | None = None) -> str:
    """A slug from the name (prefixed with the parent's id), unique in the project."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "code"
    base = f"{parent}-{slug}" if parent else slug
    base = base[:80]
    candidate, n = base, 2
    while project.db.execute("SELECT 1 FROM code WHERE id = ?", [candidate]).fetchone():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def add_code(
    project: Project,
    name: str,
    parent: str | None = None,
    level: str | None = None,
    definition: str = "",
    code_id: str | None = None,
    keywords: list[str] | None = None,
) -> str:
    """Add a code (or sub-code, inheriting level, beneficiary, colour and codebook from its parent)."""
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
    with project.transaction() as db:
        position = db.execute("SELECT coalesce(max(position), -1) + 1 FROM code").fetchone()[0]
        db["code"].insert(
            {
                "id": code_id,
                "parent": parent,
                "name": name,
                "level": level,
                "definition": definition.strip(),
                "keywords": json.dumps([k.strip() for k in keywords or [] if k.strip()], ensure_ascii=False),
                "beneficiary": parent_row["beneficiary"] if parent_row else None,
                "colour": parent_row["colour"] if parent_row else LEVEL_COLOURS[level],
                "codebook": parent_row["codebook"] if parent_row else None,
                "position": position,
            }
        )
    return code_id


def update_code(project: Project, code_id: str, **fields: Any) -> None:
    """Edit a code's name, definition, criteria, example, keywords, level or colour."""
    code_row(project, code_id)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise QualcodeError(f"cannot edit {', '.join(sorted(unknown))} of a code")
    if "name" in fields and not str(fields["name"]).strip():
        raise QualcodeError("a code needs a name")
    if "level" in fields and fields["level"] not in LEVELS:
        raise QualcodeError(f"bad level {fields['level']!r}")
    if "keywords" in fields:
        fields["keywords"] = json.dumps(list(fields["keywords"]), ensure_ascii=False)
    with project.transaction() as db:
        db["code"].update(code_id, fields)


def move_code(project: Project, code_id: str, new_parent: str | None) -> None:
    """Hang a code (with its children) under another parent, or at the top with None."""
    code_row(project, code_id)
    if new_parent is not None:
        code_row(project, new_parent)
        ancestor: str | None = new_parent
        while ancestor:
            if ancestor == code_id:
                raise QualcodeError(f"cannot move {code_id!r} under its own descendant {new_parent!r}")
            ancestor = project.db.execute("SELECT parent FROM code WHERE id = ?", [ancestor]).fetchone()[0]
    with project.transaction() as db:
        db.execute("UPDATE code SET parent = ? WHERE id = ?", [new_parent, code_id])


def merge_codes(project: Project, source: str, target: str) -> int:
    """Fold ``source`` into ``target``: its codings, children and memos move; returns codings moved."""
    if source == target:
        raise QualcodeError("cannot merge a code into itself")
    code_row(project, source)
    code_row(project, target)
    ancestor = project.db.execute("SELECT parent FROM code WHERE id = ?", [target]).fetchone()[0]
    while ancestor:
        if ancestor == source:
            raise QualcodeError(f"cannot merge {source!r} into its own descendant {target!r}")
        ancestor = project.db.execute("SELECT parent FROM code WHERE id = ?", [ancestor]).fetchone()[0]
    with project.transaction() as db:
        duplicates = [
            r[0]
            for r in db.execute(
                "SELECT s.id FROM coding s JOIN coding t ON t.code_id = ? AND t.document_id = s.document_id AND "
                't.coder_id = s.coder_id AND t.start = s.start AND t."end" = s."end" WHERE s.code_id = ?',
                [target, source],
            )
        ]
        for coding_id in duplicates:  # the target already has this passage: keep its coding, keep any memo
            db.execute(
                "UPDATE memo SET target_id = (SELECT t.id FROM coding s JOIN coding t ON t.code_id = ? "
                "AND t.document_id = s.document_id AND t.coder_id = s.coder_id AND t.start = s.start "
                'AND t."end" = s."end" WHERE s.id = ?) WHERE target_type = \'coding\' AND target_id = ?',
                [target, coding_id, str(coding_id)],
            )
            db.execute("DELETE FROM coding WHERE id = ?", [coding_id])
        moved = db.execute("UPDATE coding SET code_id = ? WHERE code_id = ?", [target, source]).rowcount
        db.execute("UPDATE code SET parent = ? WHERE parent = ?", [target, source])
        db.execute("UPDATE memo SET target_id = ? WHERE target_type = 'code' AND target_id = ?", [target, source])
        db.execute("DELETE FROM code WHERE id = ?", [source])
    return moved + len(duplicates)


def code_counts(
    project: Project, document_id: int | None, coder_ids: list[int], study: dict[str, int] | None = None
) -> dict[str, tuple[int, int]]:
    """Per code: (codings in this document, codings in the study) by the given coders, not rolled up.

    ``study`` takes study-wide counts already known (see ``study_counts``), so that only this document,
    an indexed lookup, is counted; a workbench keeps them across documents instead of recounting.
    """
    if not coder_ids:
        return {}
    if study is None:
        study = study_counts(project, coder_ids)
    marks = ", ".join("?" for _ in coder_ids)
    here = dict(
        project.db.execute(
            f"SELECT code_id, count(*) FROM coding WHERE document_id = ? AND coder_id IN ({marks}) GROUP BY code_id",
            [document_id if document_id is not None else -1, *coder_ids],
        ).fetchall()
    )
    return {code_id: (int(here.get(code_id, 0)), int(total)) for code_id, total in study.items() if total}


def study_counts(project: Project, coder_ids: list[int]) -> dict[str, int]:
    """Per code: codings by these coders in the whole study."""
    if not coder_ids:
        return {}
    marks = ", ".join("?" for _ in coder_ids)
    return dict(
        project.db.execute(
            f"SELECT code_id, count(*) FROM coding WHERE coder_id IN ({marks}) GROUP BY code_id", coder_ids
        ).fetchall()
    )
