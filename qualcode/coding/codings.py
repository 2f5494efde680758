"""Adding and removing codings: one code, one coder, one ``[start, end)`` range of one document.

The range can be given as offsets, as a segment number, or as a piece of text to find; all three resolve
to code-point offsets into the document's normalised text, so ``text[start:end]`` is always the excerpt.

Each change is planned here as a value (``adding``, ``removing``, ``starring``) from what the file holds —
removing a coding removes the memos written on it, so that none is left behind — and written by
``project.changes.apply``, whose inverse is what undo writes. The functions the command line calls
(``apply_code``, ``remove_code``, ``star``) plan and write in one transaction.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from ..errors import QualcodeError
from ..project import changes
from ..project.changes import Change, Edit
from ..project.facts import Coding, Memo, coding_id, codings_by_id, memos_on_codings
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
    from ..codebook.files import project_codes
    from ..codebook.matching import unknown_code

    raise QualcodeError(unknown_code(code_id, project_codes(project)))


def adding(
    project: Project,
    document_id: int,
    code_ids: list[str],
    coder_id: int,
    start: int,
    end: int,
    origin: str = "manual",
    note: str | None = None,
    created: bool = False,
) -> Change:
    """The change that codes ``[start, end)`` with each code not already there (by this coder, exactly);
    ``created``: the codes are being created in the same change, so they are not looked for yet."""
    if origin not in ORIGINS:
        raise QualcodeError(f"unknown origin {origin!r}")
    now = now_iso()
    facts = []
    for code_id in dict.fromkeys(code_ids):
        if not created:
            check_code(project, code_id)
        fact = Coding(document_id, code_id, coder_id, start, end, origin, now, False, note)
        if not project.db.execute(
            'SELECT 1 FROM coding WHERE document_id = ? AND code_id = ? AND coder_id = ? AND start = ? AND "end" = ?',
            list(fact.key),
        ).fetchone():
            facts.append(fact)
    names = ", ".join(f.code for f in facts) or "nothing new"
    return changes.adding(f"{names} on [{start}, {end})", facts)


def removing(project: Project, coding_ids: list[int]) -> Change:
    """The change that removes codings and every memo written on them (memos first: none outlives its coding)."""
    found = codings_by_id(project.db, coding_ids)
    missing = sorted(set(coding_ids) - set(found))
    if missing:
        raise QualcodeError(f"no coding with id {missing[0]}")
    memos = memos_on_codings(project.db, found)
    edits = [Edit(memo, None) for cid in found for memo in memos.get(cid, [])]
    edits += [Edit(fact, None) for fact in found.values()]
    noted = sum(len(m) for m in memos.values())
    what = f"removal of {len(found)} coding(s)" + (f" and {noted} memo(s) on them" if noted else "")
    return Change(what, tuple(edits))


def starring(project: Project, coding_ids: list[int], starred: bool) -> Change:
    """The change that stars (or unstars) codings as key quotes."""
    found = codings_by_id(project.db, coding_ids)
    edits = tuple(Edit(fact, replace(fact, key_quote=starred)) for fact in found.values() if fact.key_quote != starred)
    return Change("key-quote star" if starred else "key-quote star removed", edits)


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
    doc = project.document(document)
    check_code(project, code)
    start, end = resolve(project, doc, selector)
    with project.transaction():
        coder_id = project.coder_id(coder)
        change = changes.write(project, lambda: adding(project, doc["id"], [code], coder_id, start, end, origin, memo))
    row = _coding(project, doc["id"], code, coder_id, start, end)
    row["created"] = bool(change)
    row["text"] = doc["text"][start:end]
    return row


def remove_code(project: Project, *, coder: str, document: str, code: str, selector: Selector) -> dict[str, Any]:
    """Remove one coding and the memos on it; the row says how many memos went with it (``memos``)."""
    doc = project.document(document)
    check_code(project, code)
    start, end = resolve(project, doc, selector)
    coder_id = project.coder_id(coder, create=False)
    with project.transaction():  # found and removed under one lock
        row = _coding(project, doc["id"], code, coder_id, start, end)
        change = changes.write(project, lambda: removing(project, [row["id"]]))
    row["memos"] = len(change.facts(Memo, added=False))
    row["text"] = doc["text"][start:end]
    return row


def star(
    project: Project, *, coder: str, document: str, code: str, selector: Selector, starred: bool = True
) -> dict[str, Any]:
    """Mark (or unmark) one existing coding as a key quote."""
    doc = project.document(document)
    check_code(project, code)
    start, end = resolve(project, doc, selector)
    with project.transaction():
        row = _coding(project, doc["id"], code, project.coder_id(coder, create=False), start, end)
        changes.write(project, lambda: starring(project, [row["id"]], starred))
    row["key_quote"] = int(starred)
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


# -- one step each, for scripts, tests and the demo ----------------------------------------------------


def add_coding(
    project: Project,
    document_id: int,
    code_id: str,
    coder_id: int,
    start: int,
    end: int,
    origin: str = "manual",
) -> int | None:
    """Add one coding (through ``changes``); its new id, or None if that exact coding already exists."""
    change = changes.write(project, lambda: adding(project, document_id, [code_id], coder_id, start, end, origin))
    return coding_id(project.db, (document_id, code_id, coder_id, start, end)) if change else None


def set_key_quotes(project: Project, coding_ids: list[int], starred: bool) -> None:
    """Star (or unstar) codings as key quotes, in one transaction."""
    changes.write(project, lambda: starring(project, coding_ids, starred))


# -- reading ---------------------------------------------------------------------------------------------


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
