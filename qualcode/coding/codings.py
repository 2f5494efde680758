"""Adding and removing codings: one code, one coder, one ``[start, end)`` range of one document.

The range can be given as offsets, as a segment number, or as a piece of text to find; all three resolve
to code-point offsets into the document's normalised text, so ``text[start:end]`` is always the excerpt.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from ..errors import QualcodeError, did_you_mean
from ..project.schema import ORIGINS
from ..project.store import Project, now_iso


@dataclass
class Selector:
    """Exactly one of: offsets, a segment number (0-based), or text to match (its n-th occurrence)."""

    start: int | None = None
    end: int | None = None
    segment: int | None = None
    match: str | None = None
    occurrence: int = 1


def resolve(project: Project, document: dict[str, Any], selector: Selector) -> tuple[int, int]:
    text: str = document["text"]
    name = document["name"]
    given = [
        selector.start is not None or selector.end is not None,
        selector.segment is not None,
        selector.match is not None,
    ]
    if sum(given) != 1:
        raise QualcodeError("give exactly one of --start/--end, --segment or --match")
    if selector.segment is not None:
        row = project.db.execute(
            'SELECT start, "end" FROM segment WHERE document_id = ? AND seq = ?',
            [document["id"], selector.segment],
        ).fetchone()
        if row is None:
            total = project.db.execute(
                "SELECT count(*) FROM segment WHERE document_id = ?", [document["id"]]
            ).fetchone()[0]
            raise QualcodeError(f"{name}: no segment {selector.segment} (segments are numbered 0 to {total - 1})")
        return int(row[0]), int(row[1])
    if selector.match is not None:
        needle = unicodedata.normalize("NFC", selector.match.replace("\r\n", "\n"))
        if not needle:
            raise QualcodeError("--match text is empty")
        position = -1
        for _ in range(max(selector.occurrence, 1)):
            position = text.find(needle, position + 1)
            if position == -1:
                which = "" if selector.occurrence == 1 else f" {selector.occurrence} times"
                raise QualcodeError(f"{name}: text {_preview(needle)} not found{which}")
        return position, position + len(needle)
    if selector.start is None or selector.end is None:
        raise QualcodeError("give both --start and --end")
    start, end = selector.start, selector.end
    if not 0 <= start < end <= len(text):
        raise QualcodeError(f"{name}: offsets [{start}, {end}) are outside the document (0 to {len(text)}) or empty")
    return start, end


def _preview(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def check_code(project: Project, code_id: str) -> None:
    if project.db.execute("SELECT 1 FROM code WHERE id = ?", [code_id]).fetchone():
        return
    ids = [r[0] for r in project.db.execute("SELECT id FROM code")]
    raise QualcodeError(f"unknown code {code_id!r}" + did_you_mean(code_id, ids))


def apply_code(
    project: Project,
    *,
    coder: str,
    document: str,
    code: str,
    selector: Selector,
    memo: str | None = None,
    origin: str = "manual",
) -> dict[str, Any]:
    """Store one coding (a no-op, said so, if that exact coding exists). Returns the coding row."""
    if origin not in ORIGINS:
        raise QualcodeError(f"unknown origin {origin!r}")
    doc = project.document(document)
    check_code(project, code)
    start, end = resolve(project, doc, selector)
    with project.transaction() as db:
        coder_id = project.coder_id(coder)
        cursor = db.execute(
            'INSERT INTO coding(document_id, code_id, coder_id, start, "end", memo, origin, created_at)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [doc["id"], code, coder_id, start, end, memo, origin, now_iso()],
        )
        created = cursor.rowcount == 1
    row = _coding(project, doc["id"], code, coder_id, start, end)
    row["created"] = created
    row["text"] = doc["text"][start:end]
    return row


def remove_code(project: Project, *, coder: str, document: str, code: str, selector: Selector) -> dict[str, Any]:
    doc = project.document(document)
    check_code(project, code)
    start, end = resolve(project, doc, selector)
    coder_id = project.coder_id(coder, create=False)
    row = _coding(project, doc["id"], code, coder_id, start, end)
    with project.transaction() as db:
        db.execute("DELETE FROM memo WHERE target_type = 'coding' AND target_id = ?", [str(row["id"])])
        db.execute("DELETE FROM coding WHERE id = ?", [row["id"]])
    row["text"] = doc["text"][start:end]
    return row


def _coding(project: Project, document_id: int, code: str, coder_id: int, start: int, end: int) -> dict[str, Any]:
    rows = list(
        project.db.query(
            "SELECT coding.*, coder.name AS coder FROM coding JOIN coder ON coder.id = coding.coder_id "
            'WHERE document_id = ? AND code_id = ? AND coder_id = ? AND start = ? AND "end" = ?',
            [document_id, code, coder_id, start, end],
        )
    )
    if not rows:
        raise QualcodeError(f"no coding of {code!r} by that coder at [{start}, {end})")
    return rows[0]


# -- primitives the workbench builds on: by id, one transaction each ------------------------------------


def add_coding(
    project: Project,
    document_id: int,
    code_id: str,
    coder_id: int,
    start: int,
    end: int,
    origin: str = "manual",
    memo: str | None = None,
    created_at: str | None = None,
) -> int | None:
    """Insert one coding and commit; the new id, or None if that exact coding already exists."""
    with project.transaction() as db:
        cursor = db.execute(
            'INSERT INTO coding(document_id, code_id, coder_id, start, "end", memo, origin, created_at)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [document_id, code_id, coder_id, start, end, memo, origin, created_at or now_iso()],
        )
        return int(cursor.lastrowid) if cursor.rowcount == 1 else None


def delete_coding(project: Project, coding_id: int) -> dict[str, Any]:
    """Delete one coding (and its memos) and commit; returns the row so that it can be restored."""
    rows = list(project.db.query("SELECT * FROM coding WHERE id = ?", [coding_id]))
    if not rows:
        raise QualcodeError(f"no coding with id {coding_id}")
    with project.transaction() as db:
        db.execute("DELETE FROM memo WHERE target_type = 'coding' AND target_id = ?", [str(coding_id)])
        db.execute("DELETE FROM coding WHERE id = ?", [coding_id])
    return rows[0]


def document_codings(project: Project, document_id: int, coder_ids: list[int]) -> list[dict[str, Any]]:
    """Codings of one document by the given coders, in text order, with code name and colour."""
    if not coder_ids:
        return []
    marks = ", ".join("?" for _ in coder_ids)
    return [
        dict(r)
        for r in project.db.query(
            f'SELECT c.id, c.code_id, c.coder_id, c.start, c."end", c.memo, c.origin, c.key_quote, k.name AS code_name,'
            f" k.colour, k.level FROM coding c JOIN code k ON k.id = c.code_id"
            f' WHERE c.document_id = ? AND c.coder_id IN ({marks}) ORDER BY c.start, c."end", k.position',
            [document_id, *coder_ids],
        )
    ]


def set_key_quotes(project: Project, coding_ids: list[int], starred: bool) -> None:
    """Star (or unstar) codings as key quotes, in one transaction."""
    with project.transaction() as db:
        db.conn.executemany("UPDATE coding SET key_quote = ? WHERE id = ?", [(int(starred), i) for i in coding_ids])


def star(
    project: Project, *, coder: str, document: str, code: str, selector: Selector, starred: bool = True
) -> dict[str, Any]:
    """Mark (or unmark) one existing coding as a key quote."""
    doc = project.document(document)
    check_code(project, code)
    start, end = resolve(project, doc, selector)
    row = _coding(project, doc["id"], code, project.coder_id(coder, create=False), start, end)
    set_key_quotes(project, [row["id"]], starred)
    row["key_quote"] = int(starred)
    row["text"] = doc["text"][start:end]
    return row
