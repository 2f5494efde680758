"""Disagreements between two coders, settling them into a consensus coder, and agreement tables.

A disagreement is a sentence segment, in a document both coders have coded, that one coder coded with a code
and the other did not. The team settles each one into a consensus coder (by default named "consensus"):
take the first coder's coding, the second's, both, neither, or an edited passage — with a memo saying
why. A decision changes the consensus within the decided sentence only (``settle_change``). Each decision is
recorded (one per code and segment, replaced if the team changes its mind), and the consensus coder's
codings are ordinary codings, so every report can be run for the consensus.
"""

from __future__ import annotations

import bisect
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import QualcodeError
from ..project.changes import Change, Edit, write
from ..project.facts import CHOICES, Coding, Decision, codings_by_id, decisions_where, memos_on_codings
from ..project.store import Project, now_iso
from ..reports.counting import CONSENSUS
from ..reports.exports import write_table

AGREEMENT_COLUMNS = ["code", "name", "krippendorff_alpha", "cohen_kappa", "fleiss_kappa", "percent_agreement", "units"]
ESTIMATE_COLUMNS = [f"{name}{part}" for name in ("gwet_ac1", "brennan_prediger", "percent_agreement_pairwise")
                    for part in ("", "_se", "_ci_low", "_ci_high")]  # fmt: skip


def flat_estimates(row: dict[str, Any]) -> dict[str, Any]:
    """Each {value, se, ci} estimate as four plain columns (value, _se, _ci_low, _ci_high), for tables."""
    out: dict[str, Any] = {}
    for name in ("gwet_ac1", "brennan_prediger", "percent_agreement_pairwise"):
        found = row.get(name) or {}
        ci = found.get("ci") or (None, None)
        out.update({name: found.get("value"), f"{name}_se": found.get("se"), f"{name}_ci_low": ci[0],
                    f"{name}_ci_high": ci[1]})  # fmt: skip
    return out


def disagreement_rows(project: Project, coders: list[str], code: str | None = None) -> list[dict[str, Any]]:
    """Every disagreement between two coders, in document order: code, document, the segment's offsets,
    line and text, who applied the code, and the team's decision so far."""
    if len(coders) != 2:
        raise QualcodeError("disagreements are listed for two coders at a time (--coders A,B)")
    ids = [project.coder_id(name, create=False) for name in coders]
    longest = project.longest_span("segment")
    only = "AND c.code_id = ?" if code else ""
    rows = project.db.execute(
        f"""WITH both_coded AS (
                SELECT document_id FROM coding WHERE coder_id = ? INTERSECT
                SELECT document_id FROM coding WHERE coder_id = ?),
            hits AS (
                SELECT DISTINCT c.code_id, s.id AS segment_id, c.coder_id FROM coding c
                JOIN both_coded b ON b.document_id = c.document_id
                JOIN segment s ON s.document_id = c.document_id AND s.start < c."end" AND s.start >= c.start - ?
                    AND s."end" > c.start
                WHERE c.coder_id IN (?, ?) {only})
            SELECT h.code_id, k.name, d.id, d.name, s.start, s."end", h.coder_id
            FROM hits h JOIN segment s ON s.id = h.segment_id JOIN document d ON d.id = s.document_id
            JOIN code k ON k.id = h.code_id
            GROUP BY h.code_id, h.segment_id HAVING count(*) = 1
            ORDER BY d.name, s.start, h.code_id""",
        [*ids, longest, *ids, *([code] if code else [])],
    ).fetchall()
    decided = {
        (r[0], r[1], r[2], r[3]): (r[4], r[5])
        for r in project.db.execute('SELECT code_id, document_id, start, "end", choice, memo FROM decision')
    }
    out = []
    texts: dict[int, tuple[str, list[int]]] = {}  # the current document's text and line starts (rows come
    for code_id, name, document_id, document, start, end, coder in rows:  # by document): one in memory
        if document_id not in texts:
            full = project.db.execute("SELECT text FROM document WHERE id = ?", [document_id]).fetchone()[0]
            texts = {document_id: (full, [n for n, ch in enumerate(full) if ch == "\n"])}
        full, breaks = texts[document_id]
        text = full[start:end]
        choice, memo = decided.get((code_id, document_id, start, end), ("", ""))
        out.append(
            {
                "code": code_id,
                "code_name": name,
                "document": document,
                "start": start,
                "end": end,
                "line": bisect.bisect_left(breaks, start) + 1,
                "text": " ".join(text.split()),
                "applied_by": coders[ids.index(coder)],
                "not_applied_by": coders[1 - ids.index(coder)],
                "decision": choice,
                "memo": memo,
            }
        )
    return out


def settle_change(
    project: Project,
    row: dict[str, Any],
    coders: list[str],
    choice: str,
    memo: str = "",
    consensus: str = CONSENSUS,
    span: tuple[int, int] | None = None,
) -> Change:
    """The change that settles one disagreement — a code on one unit (``row``: a sentence) — into the consensus
    coder, touching nothing outside that unit: within it, the consensus codes what the first coder coded
    (``first``), the second (``second``), either (``both``), nothing (``neither``) or ``span`` (``edit``).

    A consensus passage that runs over the unit is cut at its edges, so the rest of it stays coded; pieces
    left touching across nothing but spaces are joined again, so that deciding one way and then the other
    gives back the passage as it was, with its memos, star and time. The decision and its memo are recorded
    (one per code and unit; deciding again replaces it)."""
    if choice not in CHOICES:
        raise QualcodeError(f"choice must be one of {', '.join(CHOICES)}")
    if choice == "edit" and span is None:
        raise QualcodeError("an edited decision needs the passage to code")
    db = project.db
    document = project.document(row["document"])
    text, code, unit = document["text"], row["code"], (int(row["start"]), int(row["end"]))
    if span is not None and not (unit[0] <= span[0] < span[1] <= unit[1]):
        raise QualcodeError(f"the edited passage [{span[0]}, {span[1]}) is not inside the sentence decided")
    target = project.coder_id(consensus)
    picked = {"first": coders[:1], "second": coders[1:], "both": coders}.get(choice, [])
    wanted: list[tuple[int, int, bool]] = [(span[0], span[1], False)] if choice == "edit" and span else []
    for name in picked:
        for start, end, key in db.execute(
            'SELECT start, "end", key_quote FROM coding WHERE coder_id = ? AND document_id = ? AND code_id = ? '
            'AND start < ? AND "end" > ?',
            [project.coder_id(name, create=False), document["id"], code, unit[1], unit[0]],
        ):
            wanted.append((max(start, unit[0]), min(end, unit[1]), bool(key)))
    low, high = _spaced(text, *unit)  # consensus passages touching the unit across spaces may be joined
    ids = [r[0] for r in db.execute(
        'SELECT id FROM coding WHERE coder_id = ? AND document_id = ? AND code_id = ? AND start <= ? AND "end" >= ?',
        [target, document["id"], code, high, low])]  # fmt: skip
    old = codings_by_id(db, ids)
    memos = memos_on_codings(db, old)
    kept = []  # what the consensus keeps outside the unit: each old passage cut at the unit's edges
    for cid, fact in old.items():
        for start, end in ((fact.start, min(fact.end, unit[0])), (max(fact.start, unit[1]), fact.end)):
            if start < end:
                kept.append((start, end, cid, False))
    now = now_iso()
    new: list[Coding] = []
    for start, end, sources, key in _joined(text, kept + [(s, e, None, k) for s, e, k in wanted]):
        if not sources:
            new.append(Coding(document["id"], code, target, start, end, "manual", now, key, memo or None))
            continue
        base = old[min(sources, key=lambda cid: old[cid].start)]  # the piece keeps its first passage's time, note
        starred = base.key_quote or key or any(old[c].key_quote for c in sources)
        new.append(replace(base, start=start, end=end, key_quote=starred))
    edits: list[Edit] = []
    for cid, fact in old.items():
        if fact not in new:
            edits += [Edit(m, None) for m in memos.get(cid, [])]
            edits.append(Edit(fact, None))
    for fact in new:
        if fact in old.values():
            continue
        edits.append(Edit(None, fact))
        for cid, was in old.items():  # memos follow the piece their passage's start lies in (else its first)
            if was not in new and _home(was, new) == fact:
                edits += [Edit(None, replace(m, target=fact.key)) for m in memos.get(cid, [])]
    decided = decisions_where(db, 'code_id = ? AND document_id = ? AND start = ? AND "end" = ? AND coder_id = ?',
                              [code, document["id"], unit[0], unit[1], target])  # fmt: skip
    decision = Decision(code, document["id"], unit[0], unit[1], target, choice, memo, now)
    edits.append(Edit(decided[0] if decided else None, decision))
    return Change(f"decision on {row.get('code_name', code)} ({choice})", tuple(edits))


def _spaced(text: str, start: int, end: int) -> tuple[int, int]:
    """The unit widened over the spaces around it."""
    while start > 0 and text[start - 1].isspace():
        start -= 1
    while end < len(text) and text[end].isspace():
        end += 1
    return start, end


def _joined(text: str, spans: list[tuple[int, int, int | None, bool]]) -> list[tuple[int, int, list[int], bool]]:
    """Spans that overlap, touch or are parted by nothing but spaces become one piece, trimmed of the spaces
    at its edges: (start, end, the old codings it came from, whether a chosen coder starred it)."""
    out: list[tuple[int, int, list[int], bool]] = []
    for start, end, source, key in sorted(spans, key=lambda s: (s[0], s[1])):
        start, end = _trimmed(text, start, end)
        if start >= end:
            continue
        if out and (start <= out[-1][1] or not text[out[-1][1] : start].strip()):
            last = out[-1]
            out[-1] = (last[0], max(last[1], end), last[2] + ([source] if source is not None else []), last[3] or key)
        else:
            out.append((start, end, [source] if source is not None else [], key))
    return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _home(old: Coding, new: list[Coding]) -> Coding | None:
    """The new piece an old coding's memos go to: the one holding its start, else the first it overlaps."""
    overlapping = [f for f in new if f.start < old.end and f.end > old.start]
    holding = [f for f in overlapping if f.start <= old.start < f.end]
    return (holding or overlapping or [None])[0]


def resolve(
    project: Project,
    row: dict[str, Any],
    coders: list[str],
    choice: str,
    memo: str = "",
    consensus: str = CONSENSUS,
    span: tuple[int, int] | None = None,
) -> Change:
    """Settle one disagreement (``settle_change``) in one transaction; returns the change written."""
    change = write(project, lambda: settle_change(project, row, coders, choice, memo, consensus, span))
    row["decision"], row["memo"] = choice, memo
    return change


def write_agreement_table(path: Path, report: dict[str, Any]) -> None:
    """The per-code agreement table, with the pooled row last (.csv .xlsx .md .json)."""
    rows = [{**{c: r.get(c) for c in AGREEMENT_COLUMNS}, **flat_estimates(r)} for r in report["per_code"]]
    pooled = report["pooled"]
    rows.append({**{c: pooled.get(c) for c in AGREEMENT_COLUMNS}, **flat_estimates(pooled)})
    rows[-1].update(code="pooled", name="")
    columns = AGREEMENT_COLUMNS + ESTIMATE_COLUMNS + [f"applied_{c}" for c in report["coders"]]
    for row, source in zip(rows, [*report["per_code"], {}], strict=True):
        for coder in report["coders"]:
            row[f"applied_{coder}"] = source.get("applied", {}).get(coder, "")
    write_table(path, rows, columns, "Agreement")
