"""Codes side by side: co-occurrence (which codes meet on the same passages) and 0/1 code-presence tables for
statistics packages.

Co-occurrence counts passages, by the one passage rule (``snapshot``): two codes co-occur once for each place
where a passage of one overlaps a passage of the other (or, with ``same_turn``, where their passages start in
one speaker turn). A passage several coders coded, or that one coder coded twice over, is one passage, so a
sentence is counted once in the matrix as it is once in the quote bank. Codes are not rolled up here: a
parent and its sub-code would always co-occur.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Any

from .excerpts import Filters, Passage, credited, passages
from .snapshot import NO_GROUP, Snapshot, reading


@reading
def cooccurrence(
    study: Snapshot, coders: list[str] | None = None, same_turn: bool = False, pair: tuple[str, str] | None = None
) -> list[dict[str, Any]]:
    """One row per co-occurrence: the two codes (in id order), the document, the shared stretch (for
    ``same_turn``, the stretch from the first start to the last end), both passages, and their coders."""
    found = passages(study, Filters(codes=list(pair) if pair else [], coders=coders or []))
    if pair:
        found = [p for p in found if p.code in pair]
    rows = []
    if same_turn:  # passages starting in one speaker turn, whatever their order within it
        by_turn: dict[tuple[int, int | None], list[Passage]] = defaultdict(list)
        for passage in found:
            by_turn[(passage.document_id, study.turn_at(passage.document_id, passage.start))].append(passage)
        for here in by_turn.values():
            rows += [_row(a, b, True) for i, a in enumerate(here) for b in here[i + 1 :] if a.code != b.code]
    else:  # passages that overlap: sorted by start, each meets those starting before it ends
        by_document: dict[int, list[Passage]] = defaultdict(list)
        for passage in found:
            by_document[passage.document_id].append(passage)
        for here in by_document.values():
            here.sort(key=lambda p: (p.start, p.end, p.code))
            for i, a in enumerate(here):
                for b in here[i + 1 :]:
                    if b.start >= a.end:
                        break
                    if a.code != b.code:
                        rows.append(_row(a, b, False))
    return sorted(rows, key=lambda r: (r["document"], r["start"], r["code_a"], r["code_b"]))


def _row(a: Passage, b: Passage, same_turn: bool) -> dict[str, Any]:
    first, second = (a, b) if a.code < b.code else (b, a)
    start, end = (min(a.start, b.start), max(a.end, b.end)) if same_turn else (max(a.start, b.start),
                                                                             min(a.end, b.end))  # fmt: skip
    return {
        "code_a": first.code,
        "code_b": second.code,
        "document": a.document,
        "document_id": a.document_id,
        "start": start,
        "end": end,
        "a_start": first.start,
        "a_end": first.end,
        "b_start": second.start,
        "b_end": second.end,
        "coder": "; ".join(sorted({*first.coders, *second.coders})),
    }


def cooccurrence_matrix(rows: list[dict[str, Any]], codes: list[str]) -> list[list[int]]:
    """Counts of co-occurrences for every pair of ``codes`` (symmetric; the diagonal is 0)."""
    index = {code: n for n, code in enumerate(codes)}
    matrix = [[0] * len(codes) for _ in codes]
    for row in rows:
        a, b = index.get(row["code_a"]), index.get(row["code_b"])
        if a is not None and b is not None:
            matrix[a][b] += 1
            matrix[b][a] += 1
    return matrix


@reading
def presence_matrix(
    study: Snapshot, per: str = "segment", coders: list[str] | None = None, codes: list[str] | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """A 0/1 table for statistics packages: one row per segment (or participant), one column per code.

    A segment has a code when a passage of it (by the chosen coders) overlaps the segment; a participant has a
    code when a passage credited to them has it. Parents are rolled up: a sub-code's passage also marks its
    ancestors. Returns (code columns, rows)."""
    columns = [c["id"] for c in study.codes if not codes or c["id"] in codes]
    found = passages(study, Filters(coders=coders or []))
    if per == "participant":
        marked: dict[int, set[str]] = defaultdict(set)
        for passage in found:
            for participant in credited(study, passage.document_id, passage.start, passage.end):
                marked[participant] |= set(study.ancestors[passage.code])
        rows = []
        for participant_id, person in sorted(study.people.items(), key=lambda kv: kv[1]["pseudonym"]):
            rows.append({"participant": person["pseudonym"], "group": person["group"],
                         **{code: int(code in marked[participant_id]) for code in columns}})  # fmt: skip
        return columns, rows
    if per != "segment":
        raise ValueError(per)
    segments: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # by document, in order: start, end, id
    for segment_id, document, start, end in study.db.execute(
        'SELECT id, document_id, start, "end" FROM segment ORDER BY document_id, start'
    ):
        segments[document].append((start, end, segment_id))
    starts = {document: [s[0] for s in runs] for document, runs in segments.items()}
    longest = {document: max(e - s for s, e, _ in runs) for document, runs in segments.items()}
    by_segment: dict[int, set[str]] = defaultdict(set)
    for passage in found:  # the segments a passage overlaps, found by bisection, looking back the longest one
        here = segments[passage.document_id]
        at = bisect.bisect_left(starts[passage.document_id], passage.start - longest[passage.document_id])
        while at < len(here) and here[at][0] < passage.end:
            if here[at][1] > passage.start:
                by_segment[here[at][2]] |= set(study.ancestors[passage.code])
            at += 1
    rows = []
    for segment_id, document, seq, participant, group in study.db.execute(
        "SELECT s.id, d.name, s.seq, p.pseudonym, p.stakeholder_group FROM segment s "
        "JOIN document d ON d.id = s.document_id JOIN turn t ON t.id = s.turn_id "
        "LEFT JOIN participant p ON p.id = t.participant_id ORDER BY d.name, s.seq"
    ):
        rows.append({"document": document, "segment": seq, "participant": participant or "",
                     "group": (group or NO_GROUP) if participant else "",
                     **{code: int(code in by_segment[segment_id]) for code in columns}})  # fmt: skip
    return columns, rows
