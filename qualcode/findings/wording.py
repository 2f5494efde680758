"""The words every format of the findings pack shares: an evidence cell ("3/9 (33%)"), a quote's attribution
("— Dee, mentee") and source, so that Word, HTML and Markdown say the same thing.
"""

from __future__ import annotations

from typing import Any

from ..ingest.labels import member
from ..reports.counting import listed
from ..reports.figures import percent_of
from ..reports.snapshot import NO_GROUP


def cell_text(cell: dict[str, Any]) -> str:
    """ "3/9 (33%)"; "0/9"; "—" for a group with no participants."""
    if not cell["group_participants"]:
        return "—"
    if not cell["participants"]:
        return f"0/{cell['group_participants']}"
    have, of = cell["participants"], cell["group_participants"]
    return f"{have}/{of} ({percent_of(have, of)})"


def quoted(row: dict[str, Any]) -> str:
    """A chosen quote on one line, with "…" where it starts or ends inside a sentence."""
    text = " ".join(row["text"].split())
    if not row.get("opens", True) and not text.startswith("…"):
        text = "…" + text
    if not row.get("closes", True) and not text.endswith("…"):
        text = text.rstrip(",;:–—- ") + "…"
    return text


def who(row: dict[str, Any], labels: dict[str, str]) -> str:
    """A chosen quote's attribution, as a report writes it."""
    return attribution(list(zip(row["speakers"], row["speaker_groups"], strict=True)), labels)


def attribution(speakers: list[tuple[str, str]], labels: dict[str, str]) -> str:
    """ "— Dee, mentee"; "— Dee and Kyle, mentees"; "— Dee, mentee, and Tom, mentor"."""
    groups = list(dict.fromkeys(g for _, g in speakers))
    if len(groups) == 1:
        names = [n for n, _ in speakers]
        who = member(labels.get(groups[0], groups[0]))
        if len(names) > 1:
            who = labels.get(groups[0], groups[0]).lower() if groups[0] != NO_GROUP else "participants"
        return f"— {listed(names)}, {who}"
    return "— " + listed([f"{n}, {member(labels.get(g, g))}" for n, g in speakers], ", and ")


def source(row: dict[str, Any]) -> str:
    """Where a quote comes from: "mentee_dee_phase1.txt, line 19" (and whether the interviewer speaks in it)."""
    extra = "; includes the interviewer's words" if row.get("interviewer_words") else ""
    return f"{row['document']}, line {row['line']}{extra}"



def opening(row: dict[str, Any], words: int = 8) -> str:
    """A quote's first words, to find it by in the appendix of quotations."""
    found = quoted(row).split()
    return " ".join(found[:words]) + ("…" if len(found) > words and not found[words - 1].endswith("…") else "")


def quotations(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every quote in the pack with its question's number ("2.1"), in the order they appear."""
    return [
        (f"{q}.{s}", row)
        for q, question in enumerate(data["questions"], start=1)
        for s, specific in enumerate(question["specifics"], start=1)
        for row in specific["quotes"]
    ]


def memo_line(memo: dict[str, Any]) -> str:
    """ "Increased trust among partners — memo by ben: …"; a memo no coder signed is the team's."""
    by = f"memo by {memo['coder']}" if memo["coder"] else "the team's memo"
    return f"{memo['code_name']} — {by}: {memo['text']}"
