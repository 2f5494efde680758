"""The findings pack: an evaluation framework's questions answered from the coded study.

For each specific question: an evidence table (each linked code, with its sub-codes, by stakeholder group:
participants with evidence of the group's participants, excerpts, documents), the strongest quotes (key
quotes first, then a spread across groups and participants, never two from one participant in a row), the
analyst's memos on those codes, and the gaps, in words. Then the appendices: the codebook, the participants
by group and document, and the methods (whose codings, agreement per code when several coders count).

Everything is read from one snapshot of the study (``reports.snapshot``), and counted as every report counts:
``reports.frequencies`` (the attribution rule, parents rolled up, one passage however many codings make it),
for the coders ``counting.counted`` chose. Quotes are passages chosen from a bounded set of candidates (at
most two per document and code, key quotes first), so a study of a million codings costs the same few
thousand excerpts per question. This module only computes; ``write`` and ``word`` write the files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ..project.store import Project
from ..reports.counting import CONSENSUS, Counted, coding_coders
from ..reports.excerpts import Filters, excerpts
from ..reports.frequencies import frequencies
from ..reports.snapshot import EVERYONE, NO_GROUP, Snapshot, snapshot
from ..team.reliability import compare
from .framework import Framework

QUOTES = 6  # per specific question
CANDIDATES_PER_DOCUMENT = 2  # per document, before choosing
CANDIDATES = 800  # at most, per question: key quotes first, then each document's best, in a fixed spread
QUOTABLE = 240  # characters: candidates nearest this length first (a sentence or three)


def build_findings(
    project: Project | Snapshot,
    framework: Framework,
    whom: Counted,
    key_quotes_only: bool = False,
    quotes: int = QUOTES,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The pack's content, read from one snapshot of the study (every table, quote and figure of one moment)."""
    with snapshot(project) as study:
        return _build(study, framework, whom, key_quotes_only, quotes, progress)


def _build(
    study: Snapshot,
    framework: Framework,
    whom: Counted,
    key_quotes_only: bool,
    quotes: int,
    progress: Callable[[int, int], None] | None,
) -> dict[str, Any]:
    tree, codes, below, labels = study.codes, study.code, study.below, study.labels
    sizes = {g: n for g, n in study.group_sizes.items() if g != NO_GROUP}
    cells = {(r["code"], r["group"]): r for r in frequencies(study, "group", whom.coders)}
    # each code's totals over every participant, by the same rule: a passage crediting two groups once
    totals = {r["code"]: r for r in frequencies(study, EVERYONE, whom.coders)}
    spoken: dict[str, set[str]] = {}
    for code, group in cells:
        spoken.setdefault(code, set()).add(group)
    coder_ids = study.coder_ids(whom.coders)
    people = {name: dict(person) for name, person in study.by_pseudonym.items()}
    total = sum(len(q.specifics) for q in framework.questions)
    done = 0
    questions = []
    for question in framework.questions:
        specifics = []
        for specific in question.specifics:
            linked = _rows(specific.codes, tree, below)
            expected = list(specific.groups)
            spoke = sorted({g for c in linked for g in spoken.get(c["id"], ())} - set(expected))
            groups = expected + [g for g in spoke if g in sizes]
            rows = [_row(code, groups, cells, totals.get(code["id"]), sizes) for code in linked]
            wanted = sorted({d for c in specific.codes for d in below.get(c, {c})})
            chosen = choose_quotes(study, wanted, whom, coder_ids, groups, key_quotes_only, quotes)
            specifics.append(
                {
                    "id": specific.id,
                    "question": specific.question,
                    "notes": specific.notes,
                    "expected": expected,
                    "groups": groups,
                    "rows": rows,
                    "quotes": chosen,
                    "memos": _memos(study, wanted, coder_ids, codes),
                    "gaps": gaps(rows, expected, sizes, labels),
                }
            )
            done += 1
            if progress:
                progress(done, total)
        questions.append(
            {"id": question.id, "question": question.question, "notes": question.notes, "specifics": specifics}
        )
    return {
        "title": framework.title or framework.name,
        "framework": framework.name,
        "description": framework.description,
        "project": study.project.path.name,
        "about": whom.describe(),
        "coders": whom.coders,
        "date": dt.date.today().isoformat(),
        "labels": labels,
        "sizes": sizes,
        "questions": questions,
        "codebook": tree,
        "participants": _participants(study, people, labels),
        "methods": methods(study, whom, coder_ids),
    }


def _rows(linked: list[str], tree: list[dict[str, Any]], below: dict[str, set[str]]) -> list[dict[str, Any]]:
    """The linked codes in codebook order, each followed by its sub-codes (once, however often linked)."""
    wanted = set()
    for code in linked:
        wanted |= below.get(code, {code})
    tops = {c for c in linked if not any(c != other and c in below.get(other, ()) for other in linked)}
    depth_of = {}
    out = []
    for code in tree:
        if code["id"] not in wanted:
            continue
        parent = code["parent"]
        depth_of[code["id"]] = 0 if code["id"] in tops else depth_of.get(parent, -1) + 1
        out.append({**code, "depth": depth_of[code["id"]]})
    return out


def _row(
    code: dict[str, Any],
    groups: list[str],
    cells: dict[tuple[str, str], dict[str, Any]],
    total: dict[str, Any] | None,
    sizes: dict[str, int],
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": code["id"],
        "name": code["name"],
        "level": code["level"],
        "depth": code["depth"],
        "cells": {},
        "participants": 0,
        "excerpts": 0,
        "documents": 0,
    }
    for group in groups:
        found = cells.get((code["id"], group))
        size = sizes.get(group, 0)
        have = found["participants"] if found else 0
        row["cells"][group] = {
            "participants": have,
            "group_participants": size,
            "share": have / size if size else None,
            "excerpts": found["excerpts"] if found else 0,
            "documents": found["documents"] if found else 0,
        }
    if total:
        row.update(participants=total["participants"], excerpts=total["excerpts"], documents=total["documents"])
    return row


def choose_quotes(
    study: Snapshot,
    codes: list[str],
    whom: Counted,
    coder_ids: list[int],
    groups: list[str],
    key_quotes_only: bool,
    limit: int,
) -> list[dict[str, Any]]:
    """Key quotes first; then, group by group in turn (the expected groups first), the next participant not
    yet quoted; never two quotes from one participant in a row. Only quotes credited to a participant."""
    if not codes or not coder_ids or limit <= 0:
        return []
    marks_codes, marks_coders = ", ".join("?" for _ in codes), ", ".join("?" for _ in coder_ids)
    ids = [
        r[0]
        for r in study.db.execute(
            f"SELECT id FROM (SELECT c.id, c.key_quote, row_number() OVER (PARTITION BY c.document_id "
            f'ORDER BY c.key_quote DESC, abs((c."end" - c.start) - {QUOTABLE}), c.start) AS n FROM coding c '
            f"WHERE c.code_id IN ({marks_codes}) AND c.coder_id IN ({marks_coders})"
            + (" AND c.key_quote" if key_quotes_only else "")
            + ") WHERE n <= ? OR key_quote ORDER BY key_quote DESC, n, (id * 7919) % 1009 LIMIT ?",
            [*codes, *coder_ids, CANDIDATES_PER_DOCUMENT, CANDIDATES],
        )
    ]
    if not ids:
        return []
    rows = excerpts(
        study, Filters(codes=codes, coders=whom.coders, key_quotes=key_quotes_only, ids=ids)
    )
    rows = [r for r in rows if r["speakers"]]
    seen_text: set[str] = set()
    unique = []
    for row in sorted(rows, key=lambda r: (not r["key_quote"], abs(len(r["text"]) - QUOTABLE))):
        key = " ".join(row["text"].split())
        if key not in seen_text:
            seen_text.add(key)
            unique.append(row)
    keys = [r for r in unique if r["key_quote"]][:limit]
    picked = list(keys)
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
            pool.remove(row)
            for other in pools.values():
                if row in other:
                    other.remove(row)
            picked.append(row)
            used |= set(row["speakers"])
    return _no_two_in_a_row(picked)


def _no_two_in_a_row(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same quotes, reordered (key quotes kept first where possible) so that no participant is quoted
    twice in succession; a quote that could only follow one by the same participant is left out."""
    out: list[dict[str, Any]] = []
    left = list(rows)
    while left:
        last = set(out[-1]["speakers"]) if out else set()
        row = next((r for r in left if not set(r["speakers"]) & last), None)
        if row is None:
            break
        left.remove(row)
        out.append(row)
    return out


def gaps(rows: list[dict[str, Any]], expected: list[str], sizes: dict[str, int], labels: dict[str, str]) -> list[str]:
    """What the evidence does not show, in words a report can use."""
    if not any(r["participants"] for r in rows):
        waiting = ", ".join(labels.get(g, g) for g in expected)
        return [
            f"No evidence yet: none of the {len(rows)} code(s) linked to this question has a passage credited "
            f"to a participant. Expected to speak to it: {waiting}."
        ]
    said = []
    for group in expected:
        name = labels.get(group, group)
        if not sizes.get(group):
            said.append(f"No participant from {name} was interviewed in this study.")
        elif not any(r["cells"][group]["participants"] for r in rows):
            said.append(f"No evidence from {name} (0 of {sizes[group]}), a group expected to speak to this.")
    none = [r["name"] for r in rows if not r["participants"]]
    if none:
        said.append(f"No evidence from any group for {_quoted(none)}.")
    single = [r["name"] for r in rows if r["participants"] == 1]
    if single:
        said.append(f"Evidence from one participant only for {_quoted(single)}.")
    for group in expected:
        spoke = [r for r in rows if r["cells"][group]["participants"]]
        missing = [r["name"] for r in rows if r["participants"] and not r["cells"][group]["participants"]]
        if spoke and missing:
            said.append(f"{labels.get(group, group)} spoke to this question, but not to {_quoted(missing)}.")
    return said


def _quoted(names: list[str]) -> str:
    shown = [f"“{n}”" for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _memos(study: Snapshot, codes: list[str], coder_ids: list[int], known: dict[str, Any]) -> list[dict[str, Any]]:
    if not codes:
        return []
    rows = study.db.execute(
        f"SELECT m.target_id, r.name, m.text FROM memo m LEFT JOIN coder r ON r.id = m.coder_id "
        f"WHERE m.target_type = 'code' AND m.target_id IN ({', '.join('?' for _ in codes)}) "
        f"AND (m.coder_id IS NULL OR m.coder_id IN ({', '.join('?' for _ in coder_ids) or 'NULL'})) "
        "ORDER BY m.created_at, m.id",
        [*codes, *coder_ids],
    ).fetchall()
    return [{"code": c, "code_name": known[c]["name"], "coder": who or "", "text": text} for c, who, text in rows]


def _participants(study: Snapshot, people: dict[str, dict[str, Any]], labels: dict[str, str]) -> list[dict[str, Any]]:
    where: dict[str, list[str]] = {}
    for name, document in study.db.execute(
        "SELECT DISTINCT p.pseudonym, d.name FROM turn t JOIN participant p ON p.id = t.participant_id "
        "JOIN document d ON d.id = t.document_id ORDER BY d.name"
    ):
        where.setdefault(name, []).append(document)
    for name, person in people.items():
        person["documents"] = where.get(name, [])
    rows = [
        {
            "pseudonym": name,
            "group": p.get("group"),
            "group_label": labels.get(p.get("group") or "", p.get("group")),
            "documents": p.get("documents", []),
        }
        for name, p in people.items()
    ]
    return sorted(rows, key=lambda r: (r["group"] is None, r["group_label"] or "", r["pseudonym"]))


def methods(study: Snapshot, whom: Counted, coder_ids: list[int]) -> dict[str, Any]:
    """Whose codings, how many, over what dates, and agreement per code: between the coders counted when there
    are several, or, when one coder (the consensus) is counted, between the coders who coded the study. The
    consensus coder is never compared with the coders it was made from."""
    marks = ", ".join("?" for _ in coder_ids) or "NULL"
    codings, first, last = study.db.execute(
        f"SELECT count(*), min(created_at), max(created_at) FROM coding WHERE coder_id IN ({marks})", coder_ids
    ).fetchone()
    documents, words = study.db.execute("SELECT count(*), coalesce(sum(words), 0) FROM document").fetchone()
    agreement: list[dict[str, Any]] = []
    candidates = whom.coders if len(whom.coders) >= 2 else coding_coders(study.project)
    compared = [c for c in candidates if c != CONSENSUS]
    if len(compared) >= 2:
        report = compare(study, compared, "segment")
        agreement = [
            {
                "code": r["code"],
                "name": r["name"],
                "alpha": r.get("krippendorff_alpha"),
                "kappa": r.get("cohen_kappa"),
                "agreement": r.get("percent_agreement"),
            }
            for r in report["per_code"]
        ]
    return {
        "about": whom.describe(),
        "coders": whom.coders,
        "codings": codings,
        "first": (first or "")[:10],
        "last": (last or "")[:10],
        "documents": documents,
        "words": words,
        "agreement": agreement,
        "compared": compared if agreement else [],
    }


def redact_findings(data: dict[str, Any], redactor: Any) -> None:
    """Identifiers gone from every quote, attribution, memo, participant name and document name in the pack."""
    from ..reports.redact import redact_quotes

    quotes = [row for q in data["questions"] for s in q["specifics"] for row in s["quotes"]]
    redact_quotes(quotes, {}, redactor)
    for question in data["questions"]:
        for specific in question["specifics"]:
            for memo in specific["memos"]:
                memo["text"] = redactor.redact(memo["text"], f"memo on {memo['code']}", "memo")
    for n, person in enumerate(data["participants"], start=1):
        person["pseudonym"] = redactor.redact(person["pseudonym"], f"participant #{n}", "pseudonym")
        person["documents"] = [
            name if redactor.redact(name, f"participant #{n}", "document name") == name else "(a document, redacted)"
            for name in person["documents"]
        ]
