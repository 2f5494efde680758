"""What coding is for: coded passages with who said them — the rows of every quote bank.

A passage is what ``snapshot.passage_numbers`` says it is: the codings of one code in one document by the
counted coders, merged where they overlap, listing every coder, coding, memo and star of its parts — so a
quote bank lists a passage once however many coders (or overlapping codings of one coder) make it, exactly
as frequencies and the evidence map count it.

The attribution rule (DESIGN.md) is applied in one place, ``credited``: a passage is credited to the
participants whose turns it overlaps, and interviewer turns credit no one. A focus-group passage inside one
speaker's turn counts for that speaker only. A filter on a parent code includes its sub-codes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..text import whole_words
from .snapshot import Snapshot, passage_numbers, reading


@dataclass
class Filters:
    codes: list[str] = field(default_factory=list)  # a parent includes its children
    levels: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    attributes: dict[str, list[str]] = field(default_factory=dict)  # participant attribute -> allowed values
    key_quotes: bool = False  # only passages one of their coders starred as a key quote
    ids: list[int] | None = None  # only the passages holding one of these codings (a report's candidates)


@dataclass
class Passage:
    """Overlapping codings of one code in one document, as one."""

    document_id: int
    document: str
    kind: str
    code: str
    start: int
    end: int
    coding_ids: list[int]
    coders: list[str]
    key_quote: bool
    memos: list[str]
    origin: str


@reading
def passages(study: Snapshot, filters: Filters | None = None) -> list[Passage]:
    """The passages the filters select (all but groups and attributes, which depend on who spoke), in document
    order."""
    filters = filters or Filters()
    where, params = _where(study, filters)
    rows = study.db.execute(
        'SELECT c.id, c.document_id, c.code_id, c.start, c."end", c.memo, c.origin, c.key_quote, d.name, d.kind, '
        "r.name FROM coding c JOIN code k ON k.id = c.code_id JOIN document d ON d.id = c.document_id "
        "JOIN coder r ON r.id = c.coder_id " + (f"WHERE {' AND '.join(where)} " if where else "")
        + "ORDER BY c.document_id, c.code_id, c.start, c.id",
        params,
    ).fetchall()
    if not rows:
        return []
    codes = {code: n for n, code in enumerate(sorted({r[2] for r in rows}))}
    group = np.array([r[1] * len(codes) + codes[r[2]] for r in rows], dtype=np.int64)
    numbers = passage_numbers(group, np.array([r[3] for r in rows]), np.array([r[4] for r in rows]))
    memos = study.coding_memos
    found: dict[int, Passage] = {}
    for row, number in zip(rows, numbers.tolist(), strict=True):
        cid, document_id, code, start, end, note, origin, key, document, kind, coder = row
        notes = [m for m in (note, *memos.get(cid, [])) if m]
        passage = found.get(number)
        if passage is None:
            found[number] = Passage(document_id, document, kind, code, start, end, [cid], [coder], bool(key), notes,
                                    origin)  # fmt: skip
            continue
        passage.end = max(passage.end, end)
        passage.coding_ids.append(cid)
        passage.coders = sorted({*passage.coders, coder})
        passage.memos += notes
        passage.key_quote = passage.key_quote or bool(key)
    chosen = list(found.values())
    if filters.ids is not None:
        wanted = set(filters.ids)
        chosen = [p for p in chosen if wanted.intersection(p.coding_ids)]
    if filters.key_quotes:  # after merging: a passage one coder starred is a key quote
        chosen = [p for p in chosen if p.key_quote]
    return sorted(chosen, key=lambda p: (p.document, p.start, p.coding_ids[0]))


def _where(study: Snapshot, filters: Filters) -> tuple[list[str], list[Any]]:
    """Everything that does not depend on who spoke, as SQL."""
    where: list[str] = []
    params: list[Any] = []
    if filters.codes:
        wanted = sorted(set().union(*(study.below.get(c, {c}) for c in filters.codes)))
        where.append(f"c.code_id IN ({', '.join('?' for _ in wanted)})")
        params += wanted
    if filters.ids is not None:  # the codings' documents and codes: their passages may take in others too
        where.append("(c.document_id, c.code_id) IN (SELECT document_id, code_id FROM coding "
                     "WHERE id IN (SELECT value FROM json_each(?)))")  # fmt: skip
        params.append(json.dumps(filters.ids))
    for column, values in (("k.level", filters.levels), ("r.name", filters.coders), ("d.kind", filters.kinds)):
        if values:
            where.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params += values
    return where, params


def credited(study: Snapshot, document_id: int, start: int, end: int) -> list[int]:
    """The participants whose turns ``[start, end)`` overlaps, in turn order (interviewers credit no one)."""
    found: list[int] = []
    for turn in study.turns_over(document_id, start, end):
        if turn.participant is not None and turn.participant not in found:
            found.append(turn.participant)
    return found


@reading
def excerpts(
    study: Snapshot, filters: Filters | None = None, context: int = 0, limit: int | None = None
) -> list[dict[str, Any]]:
    """Coded passages with code path, level, speakers, groups, document, turn and line, coders and memos (the
    first ``limit`` of them, in document order, when a limit is given)."""
    filters = filters or Filters()
    out: list[dict[str, Any]] = []
    for passage in passages(study, filters):
        if limit is not None and len(out) >= limit:
            break
        speakers = [study.people[p] for p in credited(study, passage.document_id, passage.start, passage.end)]
        if filters.groups and not any(s["group"] in filters.groups for s in speakers):
            continue
        if filters.attributes and not any(
            all(str(s["attributes"].get(k)) in v for k, v in filters.attributes.items()) for s in speakers
        ):
            continue
        out.append(excerpt(study, passage, speakers, context))
    return out


def excerpt(study: Snapshot, passage: Passage, speakers: list[dict[str, Any]], context: int = 0) -> dict[str, Any]:
    """One passage as a quote bank's row."""
    text = study.text(passage.document_id)
    start, end = whole_words(text, passage.start, passage.end)
    turn = study.turn_at(passage.document_id, passage.start)
    code = study.code[passage.code]
    return {
        "id": f"E{passage.coding_ids[0]}",
        "code": passage.code,
        "code_name": code["name"],
        "code_path": study.paths.get(passage.code, passage.code),
        "level": code["level"],
        "document": passage.document,
        "document_kind": passage.kind,
        "start": passage.start,
        "end": passage.end,
        "text": text[start:end],
        "context_before": text[max(0, start - context) : start] if context else "",
        "context_after": text[end : end + context] if context else "",
        "speakers": [s["pseudonym"] for s in speakers],
        "groups": sorted({s["group"] for s in speakers}),
        "turn": turn,
        "line": text.count("\n", 0, passage.start) + 1,
        "coder": "; ".join(passage.coders),
        "coders": passage.coders,
        "coding_ids": passage.coding_ids,
        "memo": "; ".join(dict.fromkeys(passage.memos)),
        "origin": passage.origin,
        "key_quote": passage.key_quote,
        "interviewer_words": any(t.role == "interviewer" for t in study.turns_over(passage.document_id, start, end)),
    }
