"""How many in each stakeholder group said what: theme frequencies per code and group (or attribute value).

Per code — parents rolled up: a passage coded with a parent and its child counts once for the parent — and
per group, three things are counted separately: passages (excerpts, by the one passage rule of
``snapshot``), distinct participants credited with one (with the size of the group in the project, for
shares such as "9 of 12 mentees"), and distinct documents. A passage counts for the participants whose
turns it overlaps (``excerpts.credited``; interviewers credit no one).

``tally`` computes this column-wise (a million codings in about a second); ``reference_frequencies`` is the
same rule written passage by passage, used when turns overlap one another (where the column-wise shortcut
does not hold) and, in the tests, as the independent check of ``tally``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from . import tally
from .excerpts import credited
from .snapshot import Snapshot, reading


@reading
def frequencies(
    study: Snapshot, by: str = "group", coders: list[str] | None = None, participants_only: bool = False
) -> list[dict[str, Any]]:
    """Per code and group (or participant attribute) value: excerpts, participants, group_participants (that
    value's participants in the project), their share, documents."""
    fast = tally.frequencies(study, by, coders, participants_only)
    rows = fast if fast is not None else reference_frequencies(study, by, coders)
    for row in rows:
        row["share"] = row["participants"] / row["group_participants"] if row["group_participants"] else None
    return rows


@reading
def reference_frequencies(study: Snapshot, by: str = "group", coders: list[str] | None = None) -> list[dict[str, Any]]:
    """``frequencies``, passage by passage: for each code, its own and its sub-codes' spans in each document
    sorted and merged where they overlap (the passage rule, written out), each passage credited by its turns."""
    sizes: dict[str, int] = defaultdict(int)
    for person in study.people.values():
        sizes[study.column(person, by)] += 1
    marks = ", ".join("?" for _ in coders or [])
    where = f"WHERE r.name IN ({marks})" if coders else ""
    spans: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for code, document, start, end in study.db.execute(
        f'SELECT c.code_id, c.document_id, c.start, c."end" FROM coding c JOIN coder r ON r.id = c.coder_id {where}',
        coders or [],
    ):
        spans[code].append((document, start, end))
    rows = []
    for code in study.codes:
        found = sorted(span for below in study.below[code["id"]] for span in spans.get(below, []))
        merged: list[list[int]] = []
        for document, start, end in found:
            if merged and merged[-1][0] == document and start < merged[-1][2]:
                merged[-1][2] = max(merged[-1][2], end)
            else:
                merged.append([document, start, end])
        cells: dict[str, dict[str, set[Any]]] = defaultdict(lambda: {"excerpts": set(), "participants": set(),
                                                                     "documents": set()})  # fmt: skip
        for n, (document, start, end) in enumerate(merged):
            for participant in credited(study, document, start, end):
                cell = cells[study.column(study.people[participant], by)]
                cell["excerpts"].add(n)
                cell["participants"].add(participant)
                cell["documents"].add(document)
        for group in sorted(cells):
            cell = cells[group]
            rows.append({"code": code["id"], "code_name": code["name"], "level": code["level"], "group": group,
                         "excerpts": len(cell["excerpts"]), "participants": len(cell["participants"]),
                         "group_participants": sizes.get(group, 0), "documents": len(cell["documents"])})  # fmt: skip
    return rows
