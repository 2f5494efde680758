"""The findings pack's methods appendix: whose codings, how many and when, and agreement as a methods reviewer
accepts it.

Agreement is measured between the coders who coded on their own (never the consensus, which was settled from
them), over the documents each coded: a document one coder has not coded is missing for that coder, not
disagreement (``team.reliability``). A coder whose overlap with the others is small beside the team's double
coding (under ``SHARED`` of the largest overlap between two coders: a practice round, a coder who left)
is listed apart with their numbers rather than compared. A pooled row
comes first; beside Krippendorff's alpha and Cohen's kappa stands Gwet's AC1, and where percent agreement is
high while alpha or kappa is low a sentence says why (a rare code: the kappa paradox).
"""

from __future__ import annotations

from typing import Any

from ..reports.counting import CONSENSUS, Counted, coding_coders, listed
from ..reports.figures import figure, percentage
from ..reports.snapshot import Snapshot
from ..team.coverage import coded_documents, independent_coders
from ..team.reliability import compare

HIGH, LOW = 0.9, 0.67  # percent agreement this high beside alpha or kappa this low needs a word


def methods(study: Snapshot, whom: Counted, coder_ids: list[int]) -> dict[str, Any]:
    """Whose codings, how many, over what dates, and agreement: pooled and per code."""
    marks = ", ".join("?" for _ in coder_ids) or "NULL"
    codings, first, last = study.db.execute(
        f"SELECT count(*), min(created_at), max(created_at) FROM coding WHERE coder_id IN ({marks})", coder_ids
    ).fetchone()
    documents, words = study.db.execute("SELECT count(*), coalesce(sum(words), 0) FROM document").fetchone()
    candidates = whom.coders if len(whom.coders) >= 2 else coding_coders(study.project)
    coded = coded_documents(study.db, [c for c in candidates if c != CONSENSUS])
    compared, apart = independent_coders(coded)
    agreement: list[dict[str, Any]] = []
    pooled: dict[str, Any] | None = None
    if len(compared) >= 2:
        report = compare(study, compared, "segment")
        agreement = [_row(r["name"], r) for r in report["per_code"]]
        pooled = _row("All codes (pooled)", report["pooled"])
    shared = set.intersection(*(coded[c] for c in compared)) if len(compared) >= 2 else set()
    return {
        "about": whom.plain(),
        "coders": whom.coders,
        "codings": codings,
        "first": (first or "")[:10],
        "last": (last or "")[:10],
        "documents": documents,
        "words": words,
        "agreement": agreement,
        "pooled": pooled,
        "compared": compared if agreement else [],
        "coverage": [[c, len(coded[c])] for c in compared] if agreement else [],  # pairs: names are words
        "shared": len(shared),
        "apart": [{"coder": c, "documents": len(coded[c])} for c in apart],
        "paradox": any(_paradox(r) for r in [*agreement, *([pooled] if pooled else [])]),
    }


def _row(name: str, found: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "alpha": found.get("krippendorff_alpha"),
        "kappa": found.get("cohen_kappa"),
        "ac1": (found.get("gwet_ac1") or {}).get("value"),
        "agreement": found.get("percent_agreement"),
    }


def _paradox(row: dict[str, Any]) -> bool:
    high = row["agreement"] is not None and row["agreement"] >= HIGH
    low = [v for v in (row["alpha"], row["kappa"]) if v is not None and v < LOW]
    return high and bool(low)



def method_lines(data: dict[str, Any]) -> list[str]:
    """The methods appendix in sentences (the agreement table follows them)."""
    m = data["methods"]
    labels = data["labels"]
    sizes = ", ".join(f"{labels.get(g, g)} {n}" for g, n in sorted(data["sizes"].items()))
    lines = [
        f"{m['documents']} documents ({m['words']:,} words); participants: {sizes or 'none'}.",
        f"{m['about']} {m['codings']:,} codings, made {m['first']} to {m['last']}.",
        "A participant counts for an outcome when a coded passage includes their words (the interviewer's words "
        "credit no one); a parent code counts its sub-codes' passages.",
    ]
    if data.get("ungrouped"):
        lines.append(
            f"{data['ungrouped']} participant(s) have no stakeholder group: their passages are counted in the "
            "column “No group” and in each outcome's totals."
        )
    lines.append(f"Framework: {data['framework']}. Report written {data['date']}.")
    if m["agreement"]:
        each = "; ".join(f"{c} {n}" for c, n in m["coverage"])
        all_of = "both" if len(m["compared"]) == 2 else "all of them"
        lines.append(
            f"Agreement between {listed(m['compared'])}, who coded independently, by sentence, over the documents "
            f"each coded (documents coded: {each}; {m['shared']} coded by {all_of}): Krippendorff's alpha, "
            "Cohen's kappa (two coders), Gwet's AC1 and the share of sentences on which they agree, pooled over "
            "all codes and per code, in the table below."
        )
        if m["paradox"]:
            lines.append(
                "Where a code is rare, the many sentences nobody coded make percent agreement high while alpha and "
                "kappa, which discount the agreement chance alone would give, stay low: with so few coded "
                "sentences, one disagreement weighs heavily (the “kappa paradox”). Gwet's AC1 is less affected "
                "by rarity; read the three together, and read a low alpha for a rare code as few examples, not "
                "as coders who disagree throughout."
            )
    elif len(m["apart"]) + len(m["compared"]) < 2:
        lines.append("One coder coded the study: no agreement statistics.")
    else:
        lines.append("No two coders coded the same documents independently: no agreement statistics.")
    if m["apart"]:
        apart = "; ".join(f"{a['coder']} ({a['documents']} document(s))" for a in m["apart"])
        lines.append(
            f"Not compared, having coded few of the documents the others coded: {apart}."
        )
    if data["about"].startswith("Coded by: the consensus"):
        lines.append("The consensus is never compared with the coders it was settled from.")
    return lines


def _share(value: float | None) -> str:
    """Percent agreement to one decimal, so that 99.6% is not shown as a perfect 100%."""
    return percentage(value) + ("" if value is None else "%")


def agreement_table(m: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The agreement table: the pooled row first, then each code."""
    if not m["agreement"]:
        return [], []
    header = ["Code", "Alpha", "Kappa", "AC1", "Agreement"]
    rows = [
        [r["name"], figure(r["alpha"]), figure(r["kappa"]), figure(r["ac1"]), _share(r["agreement"])]
        for r in [m["pooled"], *m["agreement"]]
    ]
    return header, rows
