"""Theme frequencies computed column-wise, fast enough for a million codings.

``reports.frequencies`` states the rules; this module applies them to whole columns at once with numpy:

1. every coding is read through the covering index ``coding_by_code`` as packed integers (document and
   start in one, end and coder in the other), one ``group_concat`` per code, so nothing is built row by row;
2. the attribution rule: turns are sorted and never overlap within a document, so the turns a coding
   overlaps are one contiguous run, found with two binary searches; interviewer turns credit no one;
3. the parent roll-up: each coding is repeated once per ancestor of its code, and passages are counted per
   ancestor by the one passage rule (``snapshot.passage_numbers``: overlapping spans of the ancestor in one
   document, whoever coded them), so a passage coded with a parent and its child counts once for the parent;
4. excerpts, participants and documents are distinct counts per (code, group): sorted unique keys.
"""

from __future__ import annotations

import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..project.store import Project
from .snapshot import Snapshot, passage_numbers


def _ints(packed: str | None) -> np.ndarray:
    if not packed:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(packed, dtype=np.int64, sep=",")


def _unique(keys: np.ndarray) -> np.ndarray:
    if not len(keys):
        return keys
    ordered = np.sort(keys)
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _runs(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs of the given lengths: which run each position belongs to, and its place within the run."""
    if len(counts) and counts.min() == 1 and counts.max() == 1:  # the usual case: no repeats
        return np.arange(len(counts)), np.zeros(len(counts), dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(int(counts.sum())) - starts[owner]


@dataclass
class Codings:
    """Codings as columns: code index, document, start, end, coder."""

    code: np.ndarray
    document: np.ndarray
    start: np.ndarray
    end: np.ndarray
    coder: np.ndarray


def read_codings(project: Project, index: dict[str, int], coders: list[str] | None) -> Codings:
    """Every coding by the chosen coders, read through the covering index as packed integers: document,
    start, end and coder in one (or in two, when a document is too long for that). Codes are split into
    ranges read on separate read-only connections in parallel (SQLite lets go of the GIL while it works),
    unless this connection holds uncommitted changes."""
    documents, coder_ids = project.db.execute(
        "SELECT (SELECT max(id) FROM document), (SELECT max(id) FROM coder)"
    ).fetchone()
    doc_bits, coder_bits = (documents or 1).bit_length(), (coder_ids or 1).bit_length()
    offset_bits = min(32, (62 - doc_bits - coder_bits) // 2)
    found = _read(project, index, coders, offset_bits, coder_bits)
    if found is None:  # an offset too wide to pack three to an integer
        found = _read(project, index, coders, 0, 0)
        assert found is not None
    empty = np.zeros(0, dtype=np.int64)
    code = np.concatenate([empty] + [np.full(len(cols[0]), index[c], dtype=np.int64) for c, cols in found])
    packed = [np.concatenate([empty] + [cols[n] for _, cols in found]) for n in range(len(found[0][1]) if found else 1)]
    if len(packed) == 1:
        rest = packed[0] >> coder_bits
        coder = packed[0] & ((1 << coder_bits) - 1)
        end = rest & ((1 << offset_bits) - 1)
        rest >>= offset_bits
        start, document = rest & ((1 << offset_bits) - 1), rest >> offset_bits
    else:
        document, start = packed[0] >> 32, packed[0] & 0xFFFFFFFF
        end, coder = packed[1] >> 20, packed[1] & 0xFFFFF
    return Codings(code, document, start, end, coder)


def _read(
    project: Project, index: dict[str, int], coders: list[str] | None, offset_bits: int, coder_bits: int
) -> list[tuple[str, list[np.ndarray]]] | None:
    """Packed columns per code, or None if an end offset does not fit in ``offset_bits`` (0: two columns)."""
    if offset_bits:
        packed = f'((((document_id << {offset_bits}) | start) << {offset_bits}) | "end") << {coder_bits} | coder_id'
        columns = f'group_concat({packed}), max("end")'
    else:
        columns = 'group_concat((document_id << 32) | start), group_concat(("end" << 20) | coder_id), 0'
    where, params = "", list(coders or [])
    if coders:
        marks = ", ".join("?" for _ in coders)
        where = f"AND coder_id IN (SELECT id FROM coder WHERE name IN ({marks}))"
    query = (
        f"SELECT code_id, {columns} FROM coding INDEXED BY coding_by_code "
        f"WHERE code_id >= ? AND code_id < ? {where} GROUP BY code_id"
    )
    ids = sorted(index)
    parallel = not project.db.conn.in_transaction and not project.exclusive and len(ids) >= 2
    parts = min(4, os.cpu_count() or 1) if parallel else 1
    bounds = [ids[len(ids) * n // parts] for n in range(parts)] + ["\U0010ffff"]

    def read(n: int, connection: sqlite3.Connection | None) -> list[tuple[str, list[np.ndarray], int]]:
        db = connection or project.parallel_connection()
        assert db is not None  # parts > 1 only where readers can connect
        try:
            rows = db.execute(query, [bounds[n], bounds[n + 1], *params])
            return [(row[0], [_ints(packed) for packed in row[1:-1]], row[-1]) for row in rows]
        finally:
            if connection is None:
                db.close()

    if parts == 1:
        found = read(0, project.db.conn)
    else:
        with ThreadPoolExecutor(parts) as pool:
            found = [row for chunk in pool.map(lambda n: read(n, None), range(parts)) for row in chunk]
    if offset_bits and any(longest >= 1 << offset_bits for _, _, longest in found):
        return None
    return [(code, columns) for code, columns, _ in found]


def participant_values(study: Snapshot, by: str) -> tuple[dict[int, int], list[str], np.ndarray]:
    """Participants as dense indexes, the distinct values of ``by`` (a group or an attribute), and each
    participant's value index."""
    ids: dict[int, int] = {}
    names: list[str] = []
    value_index: dict[str, int] = {}
    values: list[int] = []
    for pid, person in study.people.items():
        value = study.column(person, by)
        if value not in value_index:
            value_index[value] = len(names)
            names.append(value)
        ids[pid] = len(values)
        values.append(value_index[value])
    return ids, names, np.array(values, dtype=np.int64)


def spans(project: Project, table: str, extra: str = "") -> list[np.ndarray]:
    """A table's spans (turns or segments) as (document << 32) | start and | end, sorted, and an ``extra``
    column (an SQL expression) in the same order."""
    columns = 'group_concat((document_id << 32) | start), group_concat((document_id << 32) | "end")'
    packed = project.db.execute(
        f"SELECT {columns}{f', group_concat({extra})' if extra else ''} FROM {table}"
    ).fetchone()
    order = np.argsort(_ints(packed[0]), kind="stable")
    return [_ints(column)[order] for column in packed]


def overlapping(starts: np.ndarray, ends: np.ndarray, codings: Codings) -> tuple[np.ndarray, np.ndarray]:
    """(coding, span) index pairs for every span a coding overlaps. Spans never overlap within a document, so
    a coding's spans are one contiguous run, found with two binary searches."""
    low = np.searchsorted(ends, (codings.document << 32) | codings.start, side="right")  # first ending after it starts
    high = np.searchsorted(
        starts, (codings.document << 32) | codings.end, side="left"
    )  # past the last starting before it ends
    owner, step = _runs(np.maximum(high - low, 0))
    return owner, low[owner] + step


def credited_turns(project: Project, ids: dict[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Turn starts and ends as (document << 32) | offset, sorted, and each turn's participant as an index of
    ``ids`` (-1 for none: interviewers); None if turns overlap anywhere (the contiguous-run rule would fail)."""
    starts, ends, participants = spans(project, "turn", "coalesce(participant_id, 0)")  # rowids start at 1
    if len(starts) > 1 and np.any(starts[1:] < ends[:-1]):
        return None
    dense = np.full(max(ids, default=0) + 1, -1, dtype=np.int64)
    dense[list(ids)] = list(ids.values())
    return starts, ends, dense[np.where(participants < len(dense), participants, 0)]


def frequencies(
    study: Snapshot, by: str = "group", coders: list[str] | None = None, participants_only: bool = False
) -> list[dict[str, Any]] | None:
    """The rows of ``reports.frequencies``, column-wise; None when the turns do not allow the shortcut.
    With ``participants_only`` (the evidence map), excerpts and documents are not counted (None)."""
    project = study.project
    ids, values, value_of = participant_values(study, by)
    turns = credited_turns(project, ids)
    if turns is None:
        return None
    if not ids:
        return []
    turn_starts, turn_ends, turn_people = turns
    sizes = np.bincount(value_of, minlength=len(values))

    tree = study.codes
    index = {code["id"]: n for n, code in enumerate(tree)}
    ancestors = [[index[a] for a in study.ancestors[code["id"]]] for code in tree]

    codings = read_codings(project, index, coders)
    if not len(codings.code):
        return []
    code = codings.code
    coding, turn = overlapping(turn_starts, turn_ends, codings)
    person = turn_people[turn]
    credited = person >= 0
    coding, person = coding[credited], person[credited]

    depth = np.array([len(chain) for chain in ancestors], dtype=np.int64)
    flat = np.array([a for chain in ancestors for a in chain], dtype=np.int64)
    offsets = np.cumsum(depth) - depth
    row, step = _runs(depth[code[coding]])
    ancestor = flat[offsets[code[coding[row]]] + step]
    person, coding_of_row = person[row], coding[row]
    value = value_of[person]
    groups = len(values)
    cell = ancestor * groups + value
    cells = len(tree) * groups

    people = _unique(ancestor * len(value_of) + person)
    participants = np.bincount((people // len(value_of)) * groups + value_of[people % len(value_of)], minlength=cells)
    excerpts = documents = None
    if not participants_only:  # passages: the passage rule per ancestor, over every coding (credited or not)
        each, each_step = _runs(depth[code])
        document_count = int(codings.document.max()) + 1
        pair_passage = passage_numbers(flat[offsets[code[each]] + each_step] * document_count + codings.document[each],
                                       codings.start[each], codings.end[each])  # fmt: skip
        first_pair = np.cumsum(depth[code]) - depth[code]
        passage_key = pair_passage[first_pair[coding_of_row] + step]
        passages = int(pair_passage.max()) + 1
        excerpts = np.bincount(_unique(cell * passages + passage_key) // passages, minlength=cells)
        documents = np.bincount(
            _unique(cell * document_count + codings.document[coding_of_row]) // document_count, minlength=cells
        )

    rows = []
    by_name = sorted(range(groups), key=lambda g: values[g])
    for n, code_row in enumerate(tree):
        for g in by_name:
            at = n * groups + g
            if participants[at]:
                rows.append(
                    {
                        "code": code_row["id"],
                        "code_name": code_row["name"],
                        "level": code_row["level"],
                        "group": values[g],
                        "excerpts": None if excerpts is None else int(excerpts[at]),
                        "participants": int(participants[at]),
                        "group_participants": int(sizes[g]),
                        "documents": None if documents is None else int(documents[at]),
                    }
                )
    return rows
