"""Which coders' agreement means something: those who double-coded the same documents.

A coder whose overlap with every other coder is small beside the team's double coding — under ``SHARED`` of
the largest overlap between two coders: a practice round, a coder who left — is set apart rather than
compared; the findings pack's methods appendix and the workbench's Agreement screen follow this one rule.
"""

from __future__ import annotations

from typing import Any

SHARED = 0.25  # of the largest overlap between two coders: a coder sharing less is set apart


def coded_documents(db: Any, coders: list[str]) -> dict[str, set[int]]:
    """The documents each coder has coded in."""
    found: dict[str, set[int]] = {c: set() for c in coders}
    if coders:
        for name, document in db.execute(
            "SELECT DISTINCT r.name, c.document_id FROM coding c JOIN coder r ON r.id = c.coder_id "
            f"WHERE r.name IN ({', '.join('?' for _ in coders)})",
            coders,
        ):
            found[name].add(document)
    return found


def independent_coders(coded: dict[str, set[int]]) -> tuple[list[str], list[str]]:
    """The coders to compare, and those listed apart: a coder whose overlap with every other coder is under
    ``SHARED`` of the largest overlap between two coders (a practice round beside the real double coding)
    is not compared; with no overlap at all, nobody is."""
    names = sorted(coded)
    best = {c: max((len(coded[c] & coded[o]) for o in names if o != c), default=0) for c in names}
    top = max(best.values(), default=0)
    kept = [c for c in names if best[c] and best[c] >= SHARED * top]
    return kept, [c for c in names if c not in kept]
