"""Read-only views of a project: the study at a glance, its documents, participants, turns and segments.

These are what ``qualcode info``, ``documents``, ``participants`` and ``turns`` print, and what the workbench's
start screen shows; each is a handful of aggregate queries over the indexed tables, never a scan of text.
"""

from __future__ import annotations

import json
from typing import Any

from .schema import SCHEMA_VERSION
from .store import Project

NO_GROUP = "ungrouped"


def info(project: Project) -> dict[str, Any]:
    db = project.db
    groups = {
        (row[0] or NO_GROUP): row[1]
        for row in db.execute(
            "SELECT stakeholder_group, count(*) FROM participant GROUP BY stakeholder_group ORDER BY 1"
        )
    }
    kinds = {row[0]: row[1] for row in db.execute("SELECT kind, count(*) FROM document GROUP BY kind ORDER BY 1")}
    roles = {row[0]: row[1] for row in db.execute("SELECT role, count(*) FROM turn GROUP BY role")}
    return {
        "path": str(project.path),
        "schema_version": SCHEMA_VERSION,
        "documents": project.count("document"),
        "kinds": kinds,
        "words": int(db.execute("SELECT coalesce(sum(words), 0) FROM document").fetchone()[0]),
        "turns": project.count("turn"),
        "interviewer_turns": roles.get("interviewer", 0),
        "unattributed_turns": roles.get("none", 0),
        "segments": project.count("segment"),
        "codes": project.count("code"),
        "codebooks": [
            r[0] for r in db.execute("SELECT DISTINCT codebook FROM code WHERE codebook IS NOT NULL ORDER BY 1")
        ],
        "coders": [r[0] for r in db.execute("SELECT name FROM coder ORDER BY name")],
        "codings": project.count("coding"),
        "participants": groups,
        "memos": project.count("memo"),
    }


def documents(project: Project) -> list[dict[str, Any]]:
    rows = project.db.query(
        """
        SELECT d.id, d.name, d.title, d.kind, d.source_format, d.sha256, d.words, d.attributes,
          (SELECT count(*) FROM turn t WHERE t.document_id = d.id) AS turns,
          (SELECT count(*) FROM segment s WHERE s.document_id = d.id) AS segments,
          (SELECT count(*) FROM coding c WHERE c.document_id = d.id) AS codings,
          (SELECT json_group_array(DISTINCT p.pseudonym) FROM turn t JOIN participant p ON p.id = t.participant_id
             WHERE t.document_id = d.id) AS participants,
          (SELECT json_group_array(DISTINCT p.stakeholder_group)
             FROM turn t JOIN participant p ON p.id = t.participant_id
             WHERE t.document_id = d.id AND p.stakeholder_group IS NOT NULL) AS groups
        FROM document d ORDER BY d.name
        """
    )
    out = []
    for row in rows:
        row = dict(row)
        row["attributes"] = json.loads(row["attributes"])
        row["participants"] = sorted(json.loads(row["participants"]))
        row["groups"] = sorted(json.loads(row["groups"]))
        out.append(row)
    return out


def participants(project: Project) -> list[dict[str, Any]]:
    rows = project.db.query(
        """
        SELECT p.pseudonym, p.stakeholder_group AS "group", p.attributes,
          count(t.id) AS turns,
          json_group_array(DISTINCT d.name) AS documents
        FROM participant p LEFT JOIN turn t ON t.participant_id = p.id LEFT JOIN document d ON d.id = t.document_id
        GROUP BY p.id ORDER BY p.stakeholder_group, p.pseudonym
        """
    )
    out = []
    for row in rows:
        row = dict(row)
        row["attributes"] = json.loads(row["attributes"])
        row["documents"] = sorted(n for n in json.loads(row["documents"]) if n)
        out.append(row)
    return out


def turns(project: Project, document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every turn of a document with its speaker, participant, group and sentence segments."""
    text = document["text"]
    rows = [
        dict(r)
        for r in project.db.query(
            """
        SELECT t.id, t.seq, t.start, t."end", t.speaker, t.role, t.time_start, t.time_end,
               p.pseudonym AS participant, p.stakeholder_group AS "group"
        FROM turn t LEFT JOIN participant p ON p.id = t.participant_id
        WHERE t.document_id = ? ORDER BY t.seq
        """,
            [document["id"]],
        )
    ]
    by_turn: dict[int, list[dict[str, Any]]] = {}
    for seg in project.db.query(
        'SELECT turn_id, seq, start, "end" FROM segment WHERE document_id = ? ORDER BY seq', [document["id"]]
    ):
        by_turn.setdefault(seg["turn_id"], []).append(
            {"seq": seg["seq"], "start": seg["start"], "end": seg["end"], "text": text[seg["start"] : seg["end"]]}
        )
    for row in rows:
        row["text"] = text[row["start"] : row["end"]]
        row["segments"] = by_turn.get(row.pop("id"), [])
    return rows
