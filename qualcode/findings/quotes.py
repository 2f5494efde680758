"""Choosing a findings pack's quotes, and setting each as a quotation.

Candidates are bounded per participant, not per document: for each specific question, at most
``PER_PARTICIPANT`` passages of each participant (the one speaking where the coding starts), key quotes
always, nearest a quotable length first, and at most ``CANDIDATES`` in all — so in a study of focus groups
every participant can be quoted, and a study of a million codings still costs a few thousand excerpts per
question. From them: key quotes first; then, group by group in turn (the expected groups first), the next
participant not yet quoted; never two quotes from one participant in a row. A quote already used under an
earlier question is used again only when the question has no other.

A quotation shows where it was cut: "…" where the passage starts or ends inside a sentence (a sentence as
segmentation found it), and is attributed as a report writes it: "— Dee, mentee".
"""

from __future__ import annotations

import bisect
from typing import Any

from ..reports.counting import Counted
from ..reports.excerpts import Filters, excerpts
from ..reports.snapshot import Snapshot
from ..text import whole_words

PER_PARTICIPANT = 3  # candidates per participant and question, before choosing
CANDIDATES = 800  # at most, per question
QUOTABLE = 240  # characters: candidates nearest this length first (a sentence or three)
_OPENING = " \t\r\n\"'“‘(["  # what may stand between a sentence's start and a quotation's
_CLOSING = " \t\r\n.,;:!?\"'”’)]…-–—"  # and between a quotation's end and its sentence's


def choose_quotes(
    study: Snapshot,
    codes: list[str],
    whom: Counted,
    coder_ids: list[int],
    groups: list[str],
    key_quotes_only: bool,
    limit: int,
    used: set[str] | None = None,
) -> list[dict[str, Any]]:
    """Up to ``limit`` quotes for the passages of ``codes``; ``used`` holds the quotes earlier questions took
    (it is updated)."""
    if not codes or not coder_ids or limit <= 0:
        return []
    used = used if used is not None else set()
    ids = _candidates(study, codes, coder_ids, key_quotes_only)
    if not ids:
        return []
    rows = excerpts(study, Filters(codes=codes, coders=whom.coders, key_quotes=key_quotes_only, ids=ids))
    rows = [r for r in rows if r["speakers"]]
    seen: set[str] = set()
    unique = []
    for row in sorted(rows, key=lambda r: (not r["key_quote"], abs(len(r["text"]) - QUOTABLE), r["document"])):
        key = _key(row)
        if key not in seen:
            seen.add(key)
            unique.append(row)
    fresh = [r for r in unique if _key(r) not in used]
    picked = _spread(fresh or unique, groups, limit)
    people = study.by_pseudonym
    for row in picked:
        used.add(_key(row))
        row["opens"], row["closes"] = sentence_bounds(study, row)
        row["speaker_groups"] = [people[n]["group"] for n in row["speakers"]]
    return picked


def _key(row: dict[str, Any]) -> str:
    return " ".join(row["text"].split())


def _candidates(study: Snapshot, codes: list[str], coder_ids: list[int], key_quotes_only: bool) -> list[int]:
    marks_codes, marks_coders = ", ".join("?" for _ in codes), ", ".join("?" for _ in coder_ids)
    speaker = ("(SELECT coalesce(t.participant_id, -c.document_id) FROM turn t WHERE t.document_id = c.document_id "
               "AND t.start <= c.start ORDER BY t.start DESC LIMIT 1)")  # fmt: skip
    return [
        r[0]
        for r in study.db.execute(
            f"SELECT id FROM (SELECT c.id, c.key_quote, row_number() OVER (PARTITION BY {speaker} "
            f'ORDER BY c.key_quote DESC, abs((c."end" - c.start) - {QUOTABLE}), c.document_id, c.start) AS n '
            f"FROM coding c WHERE c.code_id IN ({marks_codes}) AND c.coder_id IN ({marks_coders})"
            + (" AND c.key_quote" if key_quotes_only else "")
            + ") WHERE n <= ? OR key_quote ORDER BY key_quote DESC, n, (id * 7919) % 1009 LIMIT ?",
            [*codes, *coder_ids, PER_PARTICIPANT, CANDIDATES],
        )
    ]


def _spread(unique: list[dict[str, Any]], groups: list[str], limit: int) -> list[dict[str, Any]]:
    """Key quotes first; then each group in turn gives its next participant not yet quoted."""
    picked = [r for r in unique if r["key_quote"]][:limit]
    used = {s for r in picked for s in r["speakers"]}
    order = groups + sorted({g for r in unique for g in r["groups"]} - set(groups))
    pools = {g: [r for r in unique if g in r["groups"] and r not in picked] for g in order}
    while len(picked) < limit and any(pools.values()):
        for group in order:
            pool = pools[group]
            if not pool or len(picked) >= limit:
                continue
            fresh = next((r for r in pool if not set(r["speakers"]) & used), None)
            row = fresh or pool[0]
            for other in pools.values():
                if row in other:
                    other.remove(row)
            picked.append(row)
            used |= set(row["speakers"])
    return _no_two_in_a_row(picked)


def _no_two_in_a_row(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same quotes, reordered as little as possible (key quotes kept first where they can be) so that no
    participant is quoted twice in succession: the next quote is the first by someone else, unless one
    participant's quotes are so many that they must come now to be placed at all; a quote that can only follow
    one by the same participant is left out."""
    out: list[dict[str, Any]] = []
    left = list(rows)
    while left:
        last = set(out[-1]["speakers"]) if out else set()
        allowed = [r for r in left if not set(r["speakers"]) & last]
        if not allowed:
            break
        counts: dict[str, int] = {}
        for row in left:
            for name in row["speakers"]:
                counts[name] = counts.get(name, 0) + 1
        crowded = [n for n, k in counts.items() if 2 * k > len(left) and n not in last]
        keys = [r for r in allowed if r["key_quote"]]  # key quotes keep their place first
        row = keys[0] if keys else next((r for r in allowed if crowded and crowded[0] in r["speakers"]), allowed[0])
        left.remove(row)
        out.append(row)
    return out


def sentence_bounds(study: Snapshot, row: dict[str, Any]) -> tuple[bool, bool]:
    """Whether the passage starts where a sentence starts, and ends where one ends (``wording.quoted`` adds
    "…" where not)."""
    document_id = study.document_ids[row["document"]]
    starts, ends = study.sentences(document_id)
    source = study.text(document_id)
    start, end = whole_words(source, row["start"], row["end"])
    at = bisect.bisect_right(starts, start) - 1  # the sentence the quotation starts in
    opens = at < 0 or ends[at] <= start or not source[starts[at] : start].strip(_OPENING)
    at = bisect.bisect_left(ends, end)  # the sentence it ends in
    closes = at >= len(ends) or starts[at] >= end or not source[end : ends[at]].strip(_CLOSING)
    return opens, closes
