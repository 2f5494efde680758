"""Disagreements between two coders, settling them into a consensus coder, and agreement tables.

A disagreement is a sentence segment, in a document both coders have coded, that one coder coded with a code
and the other did not. The team settles each one into a consensus coder (by default named "consensus"):
take the first coder's coding, the second's, both, neither, or an edited passage — with a memo saying
why. Each decision is recorded (one per code and segment, replaced if the team changes its mind), and the
consensus coder's codings are ordinary codings, so every report can be run for the consensus.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import QualcodeError
from ..project.store import Project
from ..reports.exports import write_table

CHOICES = ("first", "second", "both", "neither", "edit")
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
    rows = [{**{c: r.get(c) for c in AGREEMENT_COLUMNS}, **flat_estimates(r)} for r in report["per_code"]]
    pooled = report["pooled"]
    rows.append({**{c: pooled.get(c) for c in AGREEMENT_COLUMNS}, **flat_estimates(pooled)})
    rows[-1].update(code="pooled", name="")
    columns = AGREEMENT_COLUMNS + ESTIMATE_COLUMNS + [f"applied_{c}" for c in report["coders"]]
    for row, source in zip(rows, [*report["per_code"], {}], strict=True):
        for coder in report["coders"]:
            row[f"applied_{coder}"] = source.get("applied", {}).get(coder, "")
    write_table(path, rows, columns, "Agreement")
