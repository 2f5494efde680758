"""Memos: a coder's notes on the project, a document, a code, a participant or one coding.

One memo per target per coder, written the moment it is saved; saving empty text deletes it. Memos are
shown where they belong (beside the coding, the document, the code) and, like codings, belong to their
author, so a blind coder sees their own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import QualcodeError
from ..project.changes import Change, Edit, write
from ..project.facts import CodingKey, Memo, codings_by_id
from ..project.store import Project, now_iso

TARGETS = ("project", "document", "code", "participant", "coding")


def get_memo(project: Project, target_type: str, target_id: str | int | None, coder_id: int) -> str:
    row = project.db.execute(
        "SELECT text FROM memo WHERE target_type = ? AND target_id IS ? AND coder_id = ?",
        [target_type, None if target_id is None else str(target_id), coder_id],
    ).fetchone()
    return row[0] if row else ""


def memo_change(project: Project, target_type: str, target_id: str | int | None, coder_id: int, text: str) -> Change:
    """The change that sets a coder's memo on a target (empty text: deletes it). A memo on a coding names the
    coding by its key, so that it follows the coding through undo."""
    if target_type not in TARGETS:
        raise QualcodeError(f"memos go on {', '.join(TARGETS)}, not {target_type!r}")
    key = None if target_id is None else str(target_id)
    target: str | CodingKey | None = key
    if target_type == "coding":
        found = codings_by_id(project.db, [int(str(target_id))])
        if not found:
            raise QualcodeError(f"no coding with id {target_id}")
        target = next(iter(found.values())).key
    row = project.db.execute(
        "SELECT text, created_at, updated_at FROM memo WHERE target_type = ? AND target_id IS ? AND coder_id = ? "
        "ORDER BY id LIMIT 1",
        [target_type, key, coder_id],
    ).fetchone()
    before = Memo(target_type, target, coder_id, *row) if row else None
    now = now_iso()
    if not text.strip():
        after = None
    elif before is not None:
        after = None if before.text == text else replace(before, text=text, updated_at=now)
        if after is None:
            return Change("memo unchanged")
    else:
        after = Memo(target_type, target, coder_id, text, now, now)
    if before is None and after is None:
        return Change("no memo to remove")
    return Change(f"memo on {describe_target(project, target_type, target_id)}", (Edit(before, after),))


def set_memo(project: Project, target_type: str, target_id: str | int | None, coder_id: int, text: str) -> None:
    """Set (or, with empty text, delete) a coder's memo on a target, in one transaction."""
    write(project, lambda: memo_change(project, target_type, target_id, coder_id, text))


def memos_for(project: Project, target_type: str, coder_ids: list[int]) -> dict[str, str]:
    """All memos of one kind by these coders, by target id (for marking what has a memo)."""
    if not coder_ids:
        return {}
    marks = ", ".join("?" for _ in coder_ids)
    return {
        r[0]: r[1]
        for r in project.db.execute(
            f"SELECT target_id, text FROM memo WHERE target_type = ? AND coder_id IN ({marks})",
            [target_type, *coder_ids],
        )
    }


def remembered_coder(project: Project, user: str) -> str | None:
    """The coder this operating-system user last coded as in this project."""
    return project.meta(f"coder:{user}")


def remember_coder(project: Project, user: str, coder: str) -> None:
    with project.transaction():
        project.coder_id(coder)
        project.set_meta(f"coder:{user}", coder)


def describe_target(project: Project, target_type: str, target_id: Any) -> str:
    if target_type == "document":
        row = project.db.execute("SELECT name FROM document WHERE id = ?", [target_id]).fetchone()
        return f"document {row[0]}" if row else "document"
    if target_type == "code":
        return f"code {target_id}"
    if target_type == "participant":
        return f"participant {target_id}"
    if target_type == "coding":
        return "this coding"
    return "the project"


def report_memos(project: Project, coders: list[str] | None = None) -> dict[str, dict[str, list[str]]]:
    """The analysts' memos a report can quote beside its findings: on codes (by code id), on documents (by
    document name) and on the project (key ""), by the given coders (everyone's when None), oldest first."""
    marks = ", ".join("?" for _ in coders or [])
    rows = project.db.execute(
        "SELECT m.target_type, m.target_id, d.name, m.text FROM memo m JOIN coder r ON r.id = m.coder_id "
        "LEFT JOIN document d ON m.target_type = 'document' AND d.id = CAST(m.target_id AS INTEGER) "
        "WHERE m.target_type IN ('code', 'document', 'project')"
        + (f" AND r.name IN ({marks})" if coders else "")
        + " ORDER BY m.created_at, m.id",
        coders or [],
    )
    found: dict[str, dict[str, list[str]]] = {"codes": {}, "documents": {}, "project": {}}
    for target_type, target_id, document, text in rows:
        if target_type == "code":
            found["codes"].setdefault(target_id, []).append(text)
        elif target_type == "document" and document:
            found["documents"].setdefault(document, []).append(text)
        elif target_type == "project":
            found["project"].setdefault("", []).append(text)
    return found
