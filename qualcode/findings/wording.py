"""The words every format of the findings pack shares: an evidence cell ("3/9 (33%)"), a quote's attribution,
and the methods appendix, so that Word, HTML and Markdown say the same thing.
"""

from __future__ import annotations

from typing import Any

from ..reports.figures import percent_of


def cell_text(cell: dict[str, Any]) -> str:
    """ "3/9 (33%)"; "0/9"; "—" for a group with no participants."""
    if not cell["group_participants"]:
        return "—"
    if not cell["participants"]:
        return f"0/{cell['group_participants']}"
    have, of = cell["participants"], cell["group_participants"]
    return f"{have}/{of} ({percent_of(have, of)})"


def attribution(row: dict[str, Any], labels: dict[str, str]) -> str:
    """ "— Dee (Mentees), mentee_dee_phase1.txt, line 12"; a key quote is marked where it is shown."""
    people = " and ".join(row["speakers"])
    groups = ", ".join(labels.get(g, g) for g in row["groups"])
    extra = " (with the interviewer's words)" if row.get("interviewer_words") else ""
    return f"— {people} ({groups}){extra}, {row['document']}, line {row['line']}"


def method_lines(data: dict[str, Any]) -> list[str]:
    m = data["methods"]
    sizes = ", ".join(f"{data['labels'].get(g, g)} {n}" for g, n in sorted(data["sizes"].items()))
    lines = [
        f"{m['documents']} documents ({m['words']:,} words); participants: {sizes or 'none'}.",
        f"{m['about']} {m['codings']:,} codings, made {m['first']} to {m['last']}.",
        "A participant counts for an outcome when a coded passage includes their words (the interviewer's words "
        "credit no one); a parent code counts its sub-codes' passages.",
        f"Framework: {data['framework']}. Report written {data['date']} by qualcode.",
    ]
    if m["agreement"]:
        lines.append(
            f"Agreement between {' and '.join(m['compared'])} per code, by sentence (Krippendorff's alpha, "
            "Cohen's kappa, share of sentences on which they agree), in the table below."
        )
    else:
        lines.append("One coder coded the study: no agreement statistics.")
    return lines
