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
from pathlib import Path
from typing import Any

from ..codebook.files import project_codes
from ..errors import QualcodeError
from ..project.store import Project, remove_project_files

_DOCUMENT = ["name", "kind", "sha256", "text", "title", "source_format", "attributes", "words", "imported_at"]
_CODE = ["id", "parent", "name", "level", "beneficiary", "definition", "include", "exclude", "example", "keywords",
         "colour", "codebook", "position"]  # fmt: skip


def merge_projects(out: Path, sources: list[Path]) -> dict[str, Any]:
    """Merge ``sources`` into ``out`` (created when missing, and removed again if the merge fails)."""
    created = not out.exists()
    target = Project.create(out) if created else Project.open(out, write=True)
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
    except BaseException:
        target.abandon_upgrade()
        if created:
            target.close()
            remove_project_files(out)
        raise
    finally:
        for source in opened:
            source.close()
        target.close()


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
    for code in project_codes(source):  # tree order: parents first
        if code["id"] not in known_codes:
            row = src.execute(f"SELECT {', '.join(_quoted(_CODE))} FROM code WHERE id = ?", [code["id"]]).fetchone()
            db.execute(f"INSERT INTO code({', '.join(_quoted(_CODE))}) VALUES ({', '.join('?' * len(_CODE))})", row)
            report["codes_added"] += 1
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
    db.execute(  # inside SQLite: the source is attached, nothing passes through Python
        'INSERT OR IGNORE INTO main.coding(document_id, code_id, coder_id, start, "end", memo, origin, created_at, '
        'key_quote) SELECT d.new, c.code_id, k.new, c.start, c."end", c.memo, c.origin, c.created_at, c.key_quote '
        f"FROM {alias}.coding c JOIN temp.merge_document d ON d.old = c.document_id "
        "JOIN temp.merge_coder k ON k.old = c.coder_id ORDER BY 1, 2, 3, 4, 5"
    )
    for _, sql in indexes:
        db.execute(sql)
    report["codings_added"] = target.count("coding") - before
    report["codings_present"] = total - report["codings_added"]
    report["memos_added"] = _copy_memos(target, source, documents, people, coders)
    return report


def _id_map(target: Project, name: str, ids: dict[int, int]) -> None:
    """A temporary table ``temp.<name>(old, new)`` of a source's ids and the target's, for joins in SQL."""
    target.db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
    target.db.execute(f"DELETE FROM temp.{name}")
    target.db.conn.executemany(f"INSERT INTO temp.{name} VALUES (?, ?)", list(ids.items()))


def _quoted(columns: list[str]) -> list[str]:
    return [f'"{c}"' for c in columns]


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


def _copy_memos(
    target: Project, source: Project, documents: dict[int, int], people: dict[int, int], coders: dict[int, int]
) -> int:
    added = 0
    for target_type, target_id, coder, text, created, updated in source.db.execute(
        "SELECT target_type, target_id, coder_id, text, created_at, updated_at FROM memo"
    ).fetchall():
        new_target = target_id
        if target_type == "document" and target_id is not None:
            new_target = str(documents[int(target_id)])
        elif target_type == "participant" and target_id is not None:
            new_target = str(people[int(target_id)])
        elif target_type == "coding" and target_id is not None:
            new_target = _coding_in_target(target, source, int(target_id), documents, coders)
            if new_target is None:
                continue
        new_coder = coders.get(coder) if coder is not None else None
        if target.db.execute(
            "SELECT 1 FROM memo WHERE target_type = ? AND target_id IS ? AND coder_id IS ? AND text = ?",
            [target_type, new_target, new_coder, text],
        ).fetchone():
            continue
        target.db.execute(
            "INSERT INTO memo(target_type, target_id, coder_id, text, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [target_type, new_target, new_coder, text, created, updated],
        )
        added += 1
    return added


def _coding_in_target(
    target: Project, source: Project, coding_id: int, documents: dict[int, int], coders: dict[int, int]
) -> str | None:
    row = source.db.execute(
        'SELECT document_id, code_id, coder_id, start, "end" FROM coding WHERE id = ?', [coding_id]
    ).fetchone()
    if row is None:
        return None
    found = target.db.execute(
        'SELECT id FROM coding WHERE document_id = ? AND code_id = ? AND coder_id = ? AND start = ? AND "end" = ?',
        [documents[row[0]], row[1], coders[row[2]], row[3], row[4]],
    ).fetchone()
    return str(found[0]) if found else None
