"""Finding your way round a study: coded passages by code, uncoded segments, text search, progress.

All of it is read-only and answers from the indexes: codings by (document, start), segments by
(document, start), and the contentless FTS5 index over segment text. Jumps run across documents in name
order, so "next passage coded X" keeps going past the end of the open transcript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..project.store import Project


@dataclass
class Place:
    """A passage to jump to: document id and name, and a ``[start, end)`` range."""

    document_id: int
    document: str
    start: int
    end: int
    code_id: str = ""  # the code found there


def next_coded(
    project: Project,
    code_ids: list[str] | None,
    coder_ids: list[int],
    document_id: int,
    offset: int,
    backwards: bool = False,
) -> Place | None:
    """The next (or previous) passage after ``offset`` coded with any of ``code_ids`` (None: with any code
    at all), in study order."""
    if code_ids == [] or not coder_ids:
        return None
    codes = f"c.code_id IN ({', '.join('?' for _ in code_ids)}) AND " if code_ids else ""
    coders = ", ".join("?" for _ in coder_ids)
    name = project.db.execute("SELECT name FROM document WHERE id = ?", [document_id]).fetchone()[0]
    compare, order = ("<", "DESC") if backwards else (">", "ASC")
    row = project.db.execute(
        f'SELECT c.document_id, d.name, c.start, c."end", c.code_id FROM coding c '
        f"JOIN document d ON d.id = c.document_id WHERE {codes}c.coder_id IN ({coders}) "
        f"AND (d.name, c.start) {compare} (?, ?) ORDER BY d.name {order}, c.start {order} LIMIT 1",
        [*(code_ids or []), *coder_ids, name, offset],
    ).fetchone()
    return Place(*row) if row else None


def _counted_roles(project: Project, document_id: int) -> tuple[str, ...]:
    """The turns whose sentences a coder is meant to code: the participants', or, in a document where no
    participant is known, everything but the interviewer's."""
    found = project.db.execute(
        "SELECT 1 FROM turn WHERE document_id = ? AND role = 'participant' LIMIT 1", [document_id]
    ).fetchone()
    return ("participant",) if found else ("participant", "none")


def next_uncoded(project: Project, document_id: int, coder_ids: list[int], after_seq: int) -> int | None:
    """The number of the next participant's segment after ``after_seq`` that no coding by these coders
    overlaps (the interviewer's sentences are not waiting to be coded)."""
    roles = _counted_roles(project, document_id)
    segments = project.db.execute(
        'SELECT s.seq, s.start, s."end" FROM segment s JOIN turn t ON t.id = s.turn_id WHERE s.document_id = ? '
        f"AND s.seq > ? AND t.role IN ({', '.join('?' for _ in roles)}) ORDER BY s.seq",
        [document_id, after_seq, *roles],
    ).fetchall()
    if not segments:
        return None
    coders = ", ".join("?" for _ in coder_ids) or "NULL"
    ranges = project.db.execute(
        f'SELECT start, "end" FROM coding WHERE document_id = ? AND coder_id IN ({coders}) AND "end" > ? '
        "ORDER BY start",
        [document_id, *coder_ids, segments[0][1]],
    ).fetchall()
    i = 0
    for seq, start, end in segments:
        while i < len(ranges) and ranges[i][1] <= start:
            i += 1
        if not any(s < end and e > start for s, e in ranges[i : i + 64]):
            return int(seq)
    return None


def progress(project: Project, coder_id: int | None) -> dict[int, tuple[int, int]]:
    """Per document: (participants' segments this coder has coded any part of, all participants' segments).

    The interviewer's sentences and headers do not count, so a fully coded interview reaches 100%; a
    document with no known participant counts everything but the interviewer's sentences. One SQL
    statement: for each coding, the segments it overlaps are found through the (document, start) index,
    bounded below by the longest segment's length, so the cost follows the codings, not the text.
    """
    counts = project.db.execute(
        "SELECT s.document_id, sum(t.role = 'participant'), sum(t.role != 'interviewer') "
        "FROM segment s JOIN turn t ON t.id = s.turn_id GROUP BY 1"
    ).fetchall()
    people = {d for d, participants, _ in counts if participants}
    totals = {d: (0, int(participants if d in people else others)) for d, participants, others in counts}
    if coder_id is None:
        return totals
    longest = project.longest_span("segment")
    for document_id, participants, others in project.db.execute(
        "SELECT c.document_id, count(DISTINCT CASE WHEN t.role = 'participant' THEN s.id END), "
        "count(DISTINCT CASE WHEN t.role != 'interviewer' THEN s.id END) "
        "FROM coding c JOIN segment s ON s.document_id = c.document_id "
        'AND s.start < c."end" AND s.start >= c.start - ? AND s."end" > c.start JOIN turn t ON t.id = s.turn_id '
        "WHERE c.coder_id = ? GROUP BY c.document_id",
        [longest, coder_id],
    ):
        coded = participants if document_id in people else others
        totals[document_id] = (int(coded), totals.get(document_id, (0, 0))[1])
    return totals


def fts_query(text: str) -> str:
    """A user's words as a safe FTS5 query: every word must appear; the last may be a prefix."""
    words = re.findall(r"\w+", text.lower())
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def search(project: Project, text: str, limit: int = 500) -> list[dict[str, Any]]:
    """Segments containing every word of ``text`` (accents ignored), in study order, with their context."""
    query = fts_query(text)
    if not query:
        return []
    rows = project.db.query(
        'SELECT s.document_id, d.name AS document, s.seq, s.start, s."end", '
        'substr(d.text, max(1, s.start + 1 - 80), s."end" - s.start + 160) AS context, max(0, s.start - 80) AS '
        'context_start, t.role, t.speaker, p.pseudonym AS participant, p.stakeholder_group AS "group" '
        "FROM segment_fts f JOIN segment s ON s.id = f.rowid JOIN document d ON d.id = s.document_id "
        "JOIN turn t ON t.id = s.turn_id LEFT JOIN participant p ON p.id = t.participant_id "
        "WHERE segment_fts MATCH ? ORDER BY d.name, s.start LIMIT ?",
        [query, limit],
    )
    return [dict(r) for r in rows]
