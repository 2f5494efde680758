"""The findings pack: an evaluation framework's questions answered from the coded study.

For each specific question: an evidence table (each linked code, with its sub-codes, by stakeholder group:
participants with evidence of the group's participants, excerpts, documents; participants without a group
in a column of their own), the strongest quotes (``findings.quotes``: key quotes first, then a spread across
groups and participants, distinct across questions where there is a choice), every coder's memos on those
codes (the team's, attributed, whichever codings the pack counts), and the gaps, in words. Then the
appendices: the codebook, the participants by group and document, the quotations' sources and the methods
(``findings.methods``).

Everything is read from one snapshot of the study (``reports.snapshot``), and counted as every report counts:
``reports.frequencies`` (the attribution rule, parents rolled up, one passage however many codings make it),
for the coders ``counting.counted`` chose. This module only computes; ``write`` and ``word`` write the files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ..project.store import Project
from ..reports.counting import Counted
from ..reports.frequencies import frequencies
from ..reports.snapshot import EVERYONE, NO_GROUP, Snapshot, snapshot
from .framework import Framework
from .methods import methods
from .quotes import choose_quotes

QUOTES = 6  # per specific question


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
    sizes = dict(study.group_sizes)  # participants without a group too, as "No group"
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
    used: set[str] = set()  # quotes taken by earlier questions
    for question in framework.questions:
        specifics = []
        for specific in question.specifics:
            linked = _rows(specific.codes, tree, below)
            expected = list(specific.groups)
            spoke = sorted({g for c in linked for g in spoken.get(c["id"], ())} - set(expected))
            groups = expected + [g for g in spoke if g in sizes and g != NO_GROUP] + [g for g in spoke if g == NO_GROUP]
            rows = [_row(code, groups, cells, totals.get(code["id"]), sizes) for code in linked]
            wanted = sorted({d for c in specific.codes for d in below.get(c, {c})})
            chosen = choose_quotes(study, wanted, whom, coder_ids, groups, key_quotes_only, quotes, used)
            specifics.append(
                {
                    "id": specific.id,
                    "question": specific.question,
                    "notes": specific.notes,
                    "expected": expected,
                    "groups": groups,
                    "rows": rows,
                    "quotes": chosen,
                    "memos": _memos(study, wanted, codes),
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
        "about": whom.plain(),
        "coders": whom.coders,
        "date": dt.date.today().isoformat(),
        "labels": labels,
        "sizes": sizes,
        "ungrouped": sizes.get(NO_GROUP, 0),
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


def _memos(study: Snapshot, codes: list[str], known: dict[str, Any]) -> list[dict[str, Any]]:
    """Every coder's memos on these codes: a memo on a code is the team's, whoever's codings are counted."""
    if not codes:
        return []
    rows = study.db.execute(
        f"SELECT m.target_id, r.name, m.text FROM memo m LEFT JOIN coder r ON r.id = m.coder_id "
        f"WHERE m.target_type = 'code' AND m.target_id IN ({', '.join('?' for _ in codes)}) "
        "ORDER BY m.created_at, m.id",
        codes,
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


def redact_findings(data: dict[str, Any], redactor: Any) -> None:
    """Identifiers gone from everything a reader of the pack sees: quotes and their documents (a neutral label
    by kind), then every other string — titles, questions, group labels, code names and definitions, memos,
    coders' names, participants and their documents, the project's file name."""
    from ..reports.redact import redact_everything, redact_quotes

    quotes = [row for q in data["questions"] for s in q["specifics"] for row in s["quotes"]]
    redact_quotes(quotes, {}, redactor)
    for n, person in enumerate(data["participants"], start=1):
        person["documents"] = [
            name if redactor.redact(name, f"participant #{n}", "document name") == name else "(a document, redacted)"
            for name in person["documents"]
        ]
    for key, value in data.items():
        if key != "questions":
            data[key] = redact_everything(value, redactor, key)
    for question in data["questions"]:
        for specific in question["specifics"]:
            for part, value in specific.items():
                if part != "quotes":
                    specific[part] = redact_everything(value, redactor, f"question {specific['id']}")
        for part in ("question", "notes"):
            question[part] = redactor.redact(question[part], f"question {question['id']}", part)
