"""Disagreements between two coders, settling them into a consensus coder, and agreement tables.

A disagreement is a sentence segment, in a document both coders have coded, that one coder coded with a code
and the other did not. The team settles each one into a consensus coder (by default named "consensus"):
take the first coder's coding, the second's, both, neither, or an edited passage — with a memo saying
why. Each decision is recorded (one per code and segment, replaced if the team changes its mind), and the
consensus coder's codings are ordinary codings, so every report can be run for the consensus.
"""

from __future__ import annotations

import csv
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from . import agreement as stats
from .errors import QualcodeError, located
from .exports import write_table
from .store import Project

CHOICES = ("first", "second", "both", "neither", "edit")
AGREEMENT_COLUMNS = ["code", "name", "krippendorff_alpha", "cohen_kappa", "fleiss_kappa", "percent_agreement", "units"]


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
            SELECT h.code_id, k.name, d.id, d.name, s.start, s."end", substr(d.text, s.start + 1, s."end" - s.start),
                   h.coder_id, d.text
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
    for code_id, name, document_id, document, start, end, text, coder, full in rows:
        choice, memo = decided.get((code_id, document_id, start, end), ("", ""))
        out.append(
            {
                "code": code_id,
                "code_name": name,
                "document": document,
                "start": start,
                "end": end,
                "line": full.count("\n", 0, start) + 1,
                "text": " ".join(text.split()),
                "applied_by": coders[ids.index(coder)],
                "not_applied_by": coders[1 - ids.index(coder)],
                "decision": choice,
                "memo": memo,
            }
        )
    return out


def resolve(
    project: Project,
    row: dict[str, Any],
    coders: list[str],
    choice: str,
    memo: str = "",
    consensus: str = "consensus",
    span: tuple[int, int] | None = None,
) -> None:
    """Settle one disagreement into the consensus coder: ``first`` or ``second`` copies that coder's codings
    of the code over this segment, ``both`` copies both, ``neither`` removes the consensus coding there,
    ``edit`` codes ``span``. The decision and its memo are recorded; one transaction."""
    if choice not in CHOICES:
        raise QualcodeError(f"choice must be one of {', '.join(CHOICES)}")
    if choice == "edit" and span is None:
        raise QualcodeError("an edited decision needs the passage to code")
    with project.transaction() as db:
        document = project.document(row["document"])
        target = project.coder_id(consensus)
        picked = {"first": coders[:1], "second": coders[1:], "both": coders}.get(choice, [])
        overlap = 'document_id = ? AND code_id = ? AND start < ? AND "end" > ?'
        where = [document["id"], row["code"], row["end"], row["start"]]
        db.execute(f"DELETE FROM coding WHERE coder_id = ? AND {overlap}", [target, *where])
        now = datetime.now(UTC).isoformat(timespec="seconds")
        spans = [span] if choice == "edit" and span else []
        for name in picked:
            spans += db.execute(
                f'SELECT start, "end" FROM coding WHERE coder_id = ? AND {overlap}',
                [project.coder_id(name, create=False), *where],
            ).fetchall()
        for start, end in spans:
            db.execute(
                'INSERT OR IGNORE INTO coding(document_id, code_id, coder_id, start, "end", memo, origin, created_at) '
                "VALUES (?, ?, ?, ?, ?, ?, 'manual', ?)",
                [document["id"], row["code"], target, start, end, memo or None, now],
            )
        db.execute(
            'INSERT OR REPLACE INTO decision(code_id, document_id, start, "end", coder_id, choice, memo, decided_at) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [row["code"], document["id"], row["start"], row["end"], target, choice, memo, now],
        )
    row["decision"], row["memo"] = choice, memo


def write_agreement_table(path: Path, report: dict[str, Any]) -> None:
    """The per-code agreement table, with the pooled row last (.csv .xlsx .md .json)."""
    rows = [{c: r.get(c) for c in AGREEMENT_COLUMNS} for r in report["per_code"]]
    rows.append({**{c: report["pooled"].get(c) for c in AGREEMENT_COLUMNS}, "code": "pooled", "name": ""})
    columns = AGREEMENT_COLUMNS + [f"applied_{c}" for c in report["coders"]]
    for row, source in zip(rows, [*report["per_code"], {}], strict=True):
        for coder in report["coders"]:
            row[f"applied_{coder}"] = source.get("applied", {}).get(coder, "")
    write_table(path, rows, columns, "Agreement")


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QualcodeError(f"{path}: not UTF-8 text (byte {error.start}); save the table as CSV UTF-8") from None
    rows = list(csv.reader(text.splitlines()))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if len(rows) < 2:
        raise QualcodeError(f"{path}: needs a header row of coder names and at least one unit")
    header = [h.strip() for h in rows[0]]
    skip = 1 if header and header[0].lower() in ("unit", "id", "item") else 0
    coders = header[skip:]
    if len(coders) < 2:
        raise located(path, 1, "the header must name two or more coders")
    body = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise located(path, line, f"{len(row)} cells, but the header has {len(header)}")
        body.append([cell.strip() for cell in row[skip:]])
    return coders, body


def table_statistics(path: Path, level: str = "nominal", bootstrap: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Agreement statistics for a reliability table made elsewhere (an empty cell: no value)."""
    coders, body = read_table(path)
    if level == "nominal":
        labels = sorted({cell for row in body for cell in row if cell})
        index = {label: n for n, label in enumerate(labels)}
        matrix = np.array([[index[c] if c else math.nan for c in row] for row in body], dtype=float)
    else:
        matrix = np.full((len(body), len(coders)), math.nan)
        for n, row in enumerate(body):
            for j, cell in enumerate(row):
                if cell:
                    try:
                        matrix[n, j] = float(cell)
                    except ValueError:
                        raise located(path, n + 2, f"{cell!r} is not a number ({level} data)") from None
                    if level == "ratio" and matrix[n, j] < 0:
                        raise located(path, n + 2, f"{cell} is negative: ratio data start at zero")
    results = {
        "krippendorff_alpha": stats.krippendorff_alpha(matrix, level=level),
        "cohen_kappa": stats.cohen_kappa(matrix)
        if len(coders) == 2
        else stats.Statistic(None, "Cohen's kappa is for two coders"),
        "fleiss_kappa": stats.fleiss_kappa(matrix),
        "percent_agreement": stats.percent_agreement(matrix),
    }
    out: dict[str, Any] = {"level": level, "coders": coders, "units": len(body)}
    out.update({name: r.value for name, r in results.items()})
    out["reasons"] = {name: r.reason for name, r in results.items() if r.value is None}
    out["alpha_ci"] = stats.bootstrap_alpha(matrix, level=level, draws=bootstrap, seed=seed) if bootstrap else None
    return out
