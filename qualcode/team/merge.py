"""Merging coders' project files into one.

Coders who worked in separate copies of a project are merged into one file: documents are matched by the
sha256 of their text (not by file name, which may differ), codes by id, participants by pseudonym, coders
by name. Documents new to the target are copied with their turns and sentence segments; codings keep their
coder and origin; memos follow their targets. A coding already in the target (same document, code, coder
and offsets) is not added twice, so merging the same file again adds nothing.

A conflict — the same code id with a different name or parent, or the same pseudonym in a different
stakeholder group — stops the merge with every conflict listed, and the target is left exactly as it was:
the whole merge is one transaction.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..codebook.files import project_codes
from ..errors import QualcodeError
from ..project.changes import adding, apply
from ..project.facts import CODING_COLUMNS, Coding, CodingKey, Memo, code_facts, coding_from_row, coding_id
from ..project.store import Project

_DOCUMENT = ["name", "kind", "sha256", "text", "title", "source_format", "attributes", "words", "imported_at"]


def merge_projects(out: Path, sources: list[Path]) -> dict[str, Any]:
    """Merge ``sources`` into ``out`` (created when missing, and removed again if the merge does not finish)."""
    if not out.exists():
        with Project.new(out) as created:
            return _merge_into(created, sources)
    target = Project.open(out, write=True)
    try:
        return _merge_into(target, sources)
    except BaseException:
        target.abandon_upgrade()
        raise
    finally:
        target.close()


def _merge_into(target: Project, sources: list[Path]) -> dict[str, Any]:
    opened: list[Project] = []
    try:
        opened = [Project.open(source) for source in sources]
        codes = {c["id"]: (c, target.path.name) for c in project_codes(target)}
        groups = {r[0]: (r[1], target.path.name) for r in target.db.execute(
            "SELECT pseudonym, stakeholder_group FROM participant")}  # fmt: skip
        conflicts = [c for source in opened for c in _conflicts(source, codes, groups)]
        if conflicts:
            raise QualcodeError("cannot merge: " + "; ".join(conflicts))
        for n, source in enumerate(opened):  # attached read-only, outside the transaction, as SQLite requires
            target.db.execute(f"ATTACH DATABASE ? AS merge_source_{n}", [source.attach_uri()])
        with target.transaction(f"a merge of {len(opened)} project(s)"):
            return {"sources": [_merge_one(target, source, f"merge_source_{n}") for n, source in enumerate(opened)]}
    finally:
        for source in opened:
            source.close()


def _conflicts(
    source: Project, codes: dict[str, tuple[dict[str, Any], str]], groups: dict[str, tuple[str | None, str]]
) -> list[str]:
    """What ``source`` says differently from the target and the sources before it (which it then joins)."""
    found = []
    for code in project_codes(source):
        have, where = codes.setdefault(code["id"], (code, source.path.name))
        if (have["name"], have["parent"]) != (code["name"], code["parent"]):
            found.append(
                f"{source.path.name}: code {code['id']} is {code['name']!r} under {code['parent'] or 'the top'}, "
                f"but {have['name']!r} under {have['parent'] or 'the top'} in {where}"
            )
    for pseudonym, group in source.db.execute("SELECT pseudonym, stakeholder_group FROM participant"):
        have_group, where = groups.setdefault(pseudonym, (group, source.path.name))
        if have_group != group:
            found.append(
                f"{source.path.name}: participant {pseudonym} is {group or 'ungrouped'}, "
                f"but {have_group or 'ungrouped'} in {where}"
            )
    return found


def _merge_one(target: Project, source: Project, alias: str) -> dict[str, Any]:
    db, src = target.db, source.db
    report = {"project": str(source.path), "documents_added": 0, "codes_added": 0, "codings_added": 0,
              "codings_present": 0, "memos_added": 0}  # fmt: skip
    known_codes = {r[0] for r in db.execute("SELECT id FROM code")}
    theirs = code_facts(src)
    new_codes = [theirs[c["id"]] for c in project_codes(source) if c["id"] not in known_codes]  # parents first
    apply(target, adding(f"codes from {source.path.name}", new_codes), undoable=False)
    report["codes_added"] = len(new_codes)
    coders = {old: target.coder_id(name) for old, name in src.execute("SELECT id, name FROM coder")}
    people = {}
    for old, pseudonym, group, attributes in src.execute(
        "SELECT id, pseudonym, stakeholder_group, attributes FROM participant"
    ):
        found = db.execute("SELECT id, attributes FROM participant WHERE pseudonym = ?", [pseudonym]).fetchone()
        if found is None:
            people[old] = db.execute(
                "INSERT INTO participant(pseudonym, stakeholder_group, attributes) VALUES (?, ?, ?)",
                [pseudonym, group, attributes],
            ).lastrowid
        else:
            merged = {**json.loads(attributes or "{}"), **json.loads(found[1] or "{}")}  # the target's values win
            db.execute("UPDATE participant SET attributes = ? WHERE id = ?", [json.dumps(merged), found[0]])
            people[old] = found[0]
    documents, added = {}, {}
    for old, sha in src.execute("SELECT id, sha256 FROM document"):
        found = db.execute("SELECT id FROM document WHERE sha256 = ?", [sha]).fetchone()
        documents[old] = found[0] if found else _copy_document_row(target, source, old)
        if found is None:
            added[old] = documents[old]
    report["documents_added"] = len(added)
    _copy_turns_and_segments(target, alias, added, people)
    before = target.count("coding")
    total = src.execute("SELECT count(*) FROM coding").fetchone()[0]
    indexes = []
    if total > 50_000:  # many rows: rebuild the secondary indexes once instead of updating them per row
        indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'coding' "
                             "AND sql IS NOT NULL").fetchall()  # fmt: skip
        for name, _ in indexes:
            db.execute(f'DROP INDEX "{name}"')
    _id_map(target, "merge_document", documents)
    _id_map(target, "merge_coder", coders)
    fresh = {new: 1 for new in coders.values()  # coders with nothing in the target yet: nothing to look for
             if not db.execute("SELECT 1 FROM main.coding WHERE coder_id = ? LIMIT 1", [new]).fetchone()}  # fmt: skip
    _id_map(target, "merge_fresh", fresh)
    new_codings = [  # read from the attached source, joined to the target's ids, leaving out what is there
        Coding(*row)
        for row in db.execute(
            'SELECT d.new, c.code_id, k.new, c.start, c."end", c.origin, c.created_at, c.key_quote != 0, c.memo '
            f"FROM {alias}.coding c JOIN temp.merge_document d ON d.old = c.document_id "
            "JOIN temp.merge_coder k ON k.old = c.coder_id WHERE k.new IN (SELECT old FROM temp.merge_fresh) "
            "OR NOT EXISTS (SELECT 1 FROM main.coding t WHERE t.document_id = d.new AND t.code_id = c.code_id "
            'AND t.coder_id = k.new AND t.start = c.start AND t."end" = c."end") ORDER BY 1, 2, 3, 4, 5'
        )
    ]
    apply(target, adding(f"codings from {source.path.name}", new_codings), undoable=False)
    for _, sql in indexes:
        db.execute(sql)
    report["codings_added"] = target.count("coding") - before
    report["codings_present"] = total - report["codings_added"]
    report["memos_added"] = _copy_memos(target, source, documents, coders)
    return report


def _id_map(target: Project, name: str, ids: dict[int, int]) -> None:
    """A temporary table ``temp.<name>(old, new)`` of a source's ids and the target's, for joins in SQL."""
    target.db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
    target.db.execute(f"DELETE FROM temp.{name}")
    target.db.conn.executemany(f"INSERT INTO temp.{name} VALUES (?, ?)", list(ids.items()))



def _copy_document_row(target: Project, source: Project, old: int) -> int:
    """A document new to the target (renamed if another document already has its name)."""
    db, src = target.db, source.db
    row = src.execute(f"SELECT {', '.join(_DOCUMENT)} FROM document WHERE id = ?", [old]).fetchone()
    name = row[0]
    while db.execute("SELECT 1 FROM document WHERE name = ?", [name]).fetchone():  # same name, other text
        name = f"{Path(name).stem}-{source.path.stem}{Path(name).suffix}"
    return int(
        db.execute(
            f"INSERT INTO document({', '.join(_DOCUMENT)}) VALUES ({', '.join('?' * len(_DOCUMENT))})",
            [name, *row[1:]],
        ).lastrowid
        or 0
    )


def _copy_turns_and_segments(target: Project, alias: str, added: dict[int, int], people: dict[int, int]) -> None:
    """The new documents' turns, segments and search rows, copied inside SQLite from the attached source.
    Ids are the source's shifted past the target's largest, so segments find their turns without a lookup."""
    if not added:
        return
    db = target.db
    _id_map(target, "merge_new", added)
    _id_map(target, "merge_person", people)
    turns = int(db.execute("SELECT coalesce(max(id), 0) FROM turn").fetchone()[0])
    segments = int(db.execute("SELECT coalesce(max(id), 0) FROM segment").fetchone()[0])
    db.execute(
        'INSERT INTO turn(id, document_id, seq, start, "end", speaker, role, time_start, time_end, participant_id) '
        'SELECT t.id + ?, m.new, t.seq, t.start, t."end", t.speaker, t.role, t.time_start, t.time_end, p.new '
        f"FROM {alias}.turn t JOIN temp.merge_new m ON m.old = t.document_id "
        "LEFT JOIN temp.merge_person p ON p.old = t.participant_id",
        [turns],
    )
    db.execute(
        'INSERT INTO segment(id, document_id, turn_id, seq, start, "end") '
        f'SELECT s.id + ?, m.new, s.turn_id + ?, s.seq, s.start, s."end" FROM {alias}.segment s '
        "JOIN temp.merge_new m ON m.old = s.document_id",
        [segments, turns],
    )
    db.execute(
        'INSERT INTO segment_fts(rowid, text) SELECT s.id + ?, substr(d.text, s.start + 1, s."end" - s.start) '
        f"FROM {alias}.segment s JOIN temp.merge_new m ON m.old = s.document_id "
        f"JOIN {alias}.document d ON d.id = s.document_id",
        [segments],
    )


def _copy_memos(target: Project, source: Project, documents: dict[int, int], coders: dict[int, int]) -> int:
    """The source's memos, their targets mapped to the target's (documents and codings by content;
    participants by pseudonym, which is how memos name them), leaving out any the target has already."""
    facts = []
    theirs = {}
    noted = "SELECT CAST(target_id AS INTEGER) FROM memo WHERE target_type = 'coding'"
    for row in source.db.execute(f"SELECT {CODING_COLUMNS} FROM coding c WHERE c.id IN ({noted})"):
        cid, fact = coding_from_row(row)
        theirs[cid] = fact
    for target_type, target_id, coder, text, created, updated in source.db.execute(
        "SELECT target_type, target_id, coder_id, text, created_at, updated_at FROM memo ORDER BY id"
    ).fetchall():
        mapped: str | CodingKey | None = target_id
        if target_type == "document" and target_id is not None:
            mapped = str(documents[int(target_id)])
        elif target_type == "coding":
            found = theirs.get(int(target_id)) if str(target_id).isdigit() else None
            if found is None:
                continue
            mapped = replace(found, document=documents[found.document], coder=coders[found.coder]).key
        memo = Memo(target_type, mapped, coders.get(coder) if coder is not None else None, text, created, updated)
        resolved = mapped
        if isinstance(mapped, tuple):
            found_id = coding_id(target.db, mapped)
            if found_id is None:
                continue
            resolved = str(found_id)
        if target.db.execute(
            "SELECT 1 FROM memo WHERE target_type = ? AND target_id IS ? AND coder_id IS ? AND text = ?",
            [target_type, resolved, memo.coder, text],
        ).fetchone():
            continue
        facts.append(memo)
    apply(target, adding(f"memos from {source.path.name}", facts), undoable=False)
    return len(facts)
