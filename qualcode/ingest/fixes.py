"""Putting an import right afterwards, each in one transaction, codings kept: a document's text never changes,
so every offset holds while who said what is corrected.

- ``remap_speaker``: one label in one document becomes the interviewer, or a named participant.
- ``rename_participant``: a pseudonym changed, or two participants merged into one.
- ``apply_sheet``: a corrected participants sheet re-maps documents already imported, saying what changed.
- ``remove_document``: a document with its codings, memos, decisions and search rows (a backup first).
Participants left with no turn and no memo are removed, so counts per group stay true.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import QualcodeError, located
from ..project.changes import Change, Edit, apply, removing
from ..project.facts import codings_by_id, decisions_where, dismissals_where, memos_on_codings, memos_where
from ..project.store import Project, dumps
from .groups import INTERVIEWER_GROUPS, Groups, add_participant, group_key
from .participants import read_sheet


def _labels(project: Project, document_id: int) -> list[str]:
    rows = project.db.execute(
        "SELECT DISTINCT speaker FROM turn WHERE document_id = ? AND speaker IS NOT NULL ORDER BY seq", [document_id]
    ).fetchall()
    return [r[0] for r in rows]


def _participant(project: Project, groups: Groups, pseudonym: str, group: str | None, attributes: dict[str, Any],
                 source: str, overwrite: bool = False) -> int:  # fmt: skip
    """The participant's id (created when new), the group as the project spells it."""
    return add_participant(project.db, pseudonym, groups.resolve(group, source), attributes, source, overwrite)[0]


def _attributes(project: Project, pseudonym: str) -> dict[str, Any] | None:
    """A participant's group and attributes as they stand, or None for a participant not yet in the project."""
    row = project.db.execute("SELECT stakeholder_group, attributes FROM participant WHERE pseudonym = ?",
                             [pseudonym]).fetchone()  # fmt: skip
    return None if row is None else {"group": row[0], **json.loads(row[1] or "{}")}


def _tidy_people(project: Project) -> list[str]:
    """Remove participants who no longer speak anywhere and have no memo; their pseudonyms."""
    rows = project.db.execute(
        "SELECT id, pseudonym FROM participant p WHERE NOT EXISTS (SELECT 1 FROM turn t WHERE t.participant_id = p.id) "
        "AND NOT EXISTS (SELECT 1 FROM memo m WHERE m.target_type = 'participant' AND m.target_id = p.pseudonym)"
    ).fetchall()
    for participant_id, _ in rows:
        project.db.execute("DELETE FROM participant WHERE id = ?", [participant_id])
    return [r[1] for r in rows]


def _who(project: Project, document_id: int, label: str | None) -> str:
    row = project.db.execute(
        "SELECT t.role, p.pseudonym, p.stakeholder_group FROM turn t "
        "LEFT JOIN participant p ON p.id = t.participant_id "
        "WHERE t.document_id = ? AND t.speaker IS ? LIMIT 1",
        [document_id, label],
    ).fetchone()
    if row is None or row[0] != "participant":
        return {"interviewer": "the interviewer"}.get(row[0] if row else "", "no one")
    return f"{row[1]} [{row[2] or 'no group'}]"


def remap_speaker(
    project: Project, document: str, label: str, interviewer: bool = False, participant: str | None = None,
    group: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Make ``label`` in ``document`` the interviewer, or participant ``participant`` (in ``group``)."""
    if interviewer == bool(participant):
        raise QualcodeError("say either --interviewer or --participant NAME")
    with project.transaction(f"re-mapping speaker {label!r}"):
        doc = project.document(document)
        labels = _labels(project, doc["id"])
        if label not in labels:
            raise QualcodeError(f"no speaker {label!r} in {doc['name']!r} (speakers: {', '.join(labels) or 'none'})")
        was = _who(project, doc["id"], label)
        groups = Groups(project)
        moved = ""
        if interviewer:
            turns = project.db.execute(
                "UPDATE turn SET role = 'interviewer', participant_id = NULL WHERE document_id = ? AND speaker = ?",
                [doc["id"], label],
            ).rowcount
        else:
            name = " ".join(str(participant).split())
            if not name:
                raise QualcodeError("--participant: the participant's pseudonym is empty")
            before = _attributes(project, name)
            # a group named here moves a participant who is in another: the user said which group they are in
            person = _participant(project, groups, name, group, {}, f"{doc['name']}: {label}", overwrite=bool(group))
            after = _attributes(project, name)
            if before is not None and before.get("group") != after.get("group"):
                moved = (f"{name} moved from group {before.get('group') or '(none)'} to {after.get('group')}, in "
                         "every document they speak in")  # fmt: skip
            turns = project.db.execute(
                "UPDATE turn SET role = 'participant', participant_id = ? WHERE document_id = ? AND speaker = ?",
                [person, doc["id"], label],
            ).rowcount
        now = _who(project, doc["id"], label)
        removed = _tidy_people(project)
    return {"document": doc["name"], "label": label, "turns": turns, "was": was, "now": now, "removed": removed,
            "moved": moved, "warnings": groups.warnings}  # fmt: skip


def rename_participant(project: Project, old: str, new: str) -> dict[str, Any]:
    """Rename a participant, or merge ``old`` into ``new`` when ``new`` exists (same group, no clashing
    attribute); their turns and memos follow."""
    new = " ".join(new.split())
    if not new:
        raise QualcodeError("the new pseudonym is empty")
    if new == old:
        raise QualcodeError(f"{old!r} is already called that: nothing to rename")
    with project.transaction(f"renaming participant {old!r}"):
        db = project.db
        source = db.execute(
            "SELECT id, stakeholder_group, attributes FROM participant WHERE pseudonym = ?", [old]
        ).fetchone()
        if source is None:
            raise QualcodeError(f"no participant {old!r} in {project.path}")
        target = db.execute(
            "SELECT id, stakeholder_group, attributes FROM participant WHERE pseudonym = ?", [new]
        ).fetchone()
        if target is None:
            db.execute("UPDATE participant SET pseudonym = ? WHERE id = ?", [new, source[0]])
            merged = False
        else:
            if source[1] and target[1] and group_key(source[1]) != group_key(target[1]):
                raise QualcodeError(f"{old!r} is in group {source[1]!r} but {new!r} in {target[1]!r}: not merged "
                                    "(move one first with qualcode participants apply)")  # fmt: skip
            mine, theirs = json.loads(source[2] or "{}"), json.loads(target[2] or "{}")
            for key in mine.keys() & theirs.keys():
                if mine[key] != theirs[key]:
                    raise QualcodeError(f"{old!r} has {key}={mine[key]!r} but {new!r} has {theirs[key]!r}: not merged")
            db.execute("UPDATE turn SET participant_id = ? WHERE participant_id = ?", [target[0], source[0]])
            db.execute(
                "UPDATE participant SET stakeholder_group = coalesce(stakeholder_group, ?), attributes = ? "
                "WHERE id = ?",
                [source[1], dumps({**theirs, **mine}), target[0]],
            )
            db.execute("DELETE FROM participant WHERE id = ?", [source[0]])
            merged = True
        memos = memos_where(db, "participant", old, any_coder=True)  # a participant's memos name their pseudonym
        apply(project, Change(f"memos on {old}, now {new}", tuple(Edit(m, replace(m, target=new)) for m in memos)))
        turns = db.execute(
            "SELECT count(*) FROM turn t JOIN participant p ON p.id = t.participant_id WHERE p.pseudonym = ?", [new]
        ).fetchone()[0]
    return {"old": old, "new": new, "merged": merged, "turns": turns}


def apply_sheet(project: Project, sheet_path: Path) -> dict[str, Any]:
    """Re-map the documents a corrected sheet names; documents not in the project are listed, not an error."""
    project.refuse_own_file(sheet_path, "participants sheet")
    sheet = read_sheet(sheet_path)
    changes: list[str] = []
    altered: list[str] = []  # participants whose group or attributes the sheet changed
    missing: list[str] = []
    with project.transaction(f"applying {sheet_path.name}"):
        groups = Groups(project)
        for row in sheet.rows:
            try:
                doc = project.document(row.document)
            except QualcodeError:
                missing.append(row.document)
                continue
            labels = _labels(project, doc["id"])
            label: str | None = row.speaker or None
            if label is not None and label not in labels:
                raise located(sheet.path, row.line, f"speaker {label!r} does not speak in {doc['name']!r} "
                                                    f"(found: {', '.join(labels) or 'no speaker labels'})")  # fmt: skip
            if label is None and labels:
                spoken = ", ".join(labels)
                raise located(sheet.path, row.line, f"{doc['name']!r} has speakers ({spoken}); map each on its own row")
            was = _who(project, doc["id"], label)
            if row.group.lower() in INTERVIEWER_GROUPS:
                project.db.execute(
                    "UPDATE turn SET role = 'interviewer', participant_id = NULL "
                    "WHERE document_id = ? AND speaker IS ?",
                    [doc["id"], label],
                )
            else:
                source = f"{sheet.path}:{row.line}"
                before = _attributes(project, row.participant)
                person = _participant(project, groups, row.participant, row.group, dict(row.attributes), source, True)
                after = _attributes(project, row.participant)
                if before is not None and after != before:  # says so: it changes them in every document
                    changed = ", ".join(f"{k} {before.get(k, '(none)')} -> {after.get(k, '(none)')}"
                                        for k in sorted(before.keys() | after.keys()) if before.get(k) != after.get(k))
                    altered.append(f"participant {row.participant}: {changed} (wherever they speak)")
                project.db.execute(
                    "UPDATE turn SET role = 'participant', participant_id = ? WHERE document_id = ? AND speaker IS ?",
                    [person, doc["id"], label],
                )
            now = _who(project, doc["id"], label)
            if now != was:
                changes.append(f"{doc['name']}: {label or '(whole document)'}: {was} -> {now}")
        removed = _tidy_people(project)
    return {"changes": changes, "participants_changed": list(dict.fromkeys(altered)),
            "not_in_project": sorted(set(missing)), "removed": removed, "warnings": groups.warnings}  # fmt: skip


def removal_counts(project: Project, document: str) -> dict[str, Any]:
    """What removing ``document`` would take with it, for the question before it is removed."""
    doc = project.document(document)
    one = project.db.execute
    return {
        "document": doc["name"],
        "codings": one("SELECT count(*) FROM coding WHERE document_id = ?", [doc["id"]]).fetchone()[0],
        "coders": [
            r[0]
            for r in one(
                "SELECT DISTINCT r.name FROM coding c JOIN coder r ON r.id = c.coder_id "
                "WHERE c.document_id = ? ORDER BY r.name",
                [doc["id"]],
            )
        ],  # fmt: skip
        "memos": one(
            "SELECT count(*) FROM memo WHERE (target_type = 'document' AND target_id = ?) OR (target_type = 'coding' "
            "AND target_id IN (SELECT CAST(id AS TEXT) FROM coding WHERE document_id = ?))",
            [str(doc["id"]), doc["id"]],
        ).fetchone()[0],
        "segments": one("SELECT count(*) FROM segment WHERE document_id = ?", [doc["id"]]).fetchone()[0],
    }


def remove_document(project: Project, document: str) -> dict[str, Any]:
    """Remove a document and everything that hangs on it, in one transaction; the caller makes a backup first.
    Participants who spoke only there (and have no memo) go too."""
    with project.transaction(f"removing document {document!r}"):
        counts = removal_counts(project, document)
        doc_id = project.document(document)["id"]
        db = project.db
        codings = codings_by_id(db, [r[0] for r in db.execute("SELECT id FROM coding WHERE document_id = ?", [doc_id])])
        on_codings = memos_on_codings(db, codings)
        content = [m for cid in codings for m in on_codings.get(cid, [])] + list(codings.values())
        content += memos_where(db, "document", str(doc_id), any_coder=True)
        content += decisions_where(db, "document_id = ?", [doc_id]) + dismissals_where(db, "document_id = ?", [doc_id])
        apply(project, removing(f"the codings and memos of {document}", content))  # as every change to them
        db.execute(  # the search index is contentless: a row is deleted by giving back the text it indexed
            "INSERT INTO segment_fts(segment_fts, rowid, text) SELECT 'delete', s.id, "
            'substr(d.text, s.start + 1, s."end" - s.start) FROM segment s JOIN document d ON d.id = s.document_id '
            "WHERE s.document_id = ?",
            [doc_id],
        )
        for table in ("segment", "turn"):
            db.execute(f"DELETE FROM {table} WHERE document_id = ?", [doc_id])
        db.execute("DELETE FROM document WHERE id = ?", [doc_id])
        counts["removed_participants"] = _tidy_people(project)
    return counts
