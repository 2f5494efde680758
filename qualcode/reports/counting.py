"""Whose codings a report counts, said explicitly — never every coder's added up without a word.

With one coder, that coder. With several, a report counts the codings someone chose: named coders
(``--coder``), or every coder (``--coders all``); without a choice, the consensus coder if the team has
reconciled into one, otherwise the report stops and asks. When several coders are counted, a passage that
several of them coded with one code is one excerpt: overlapping spans of a code in a document merge into
one, listing its coders, so no quote appears twice and no count is doubled. Every export says whose codings
it counts (``Counted.describe``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import QualcodeError, closest
from ..project.facts import CONSENSUS
from ..project.store import Project


@dataclass(frozen=True)
class Counted:
    coders: list[str]  # whose codings; empty: a project with no codings yet
    merged: bool  # several coders: overlapping passages of one code are one excerpt
    why: str  # how they were chosen
    sources: tuple[str, ...] = ()  # for the consensus coder: the coders whose codings it was settled from

    def plain(self) -> str:
        """Whose codings, in a document's words (no command-line options): "Coded by: the consensus of amira
        and ben"."""
        if not self.coders:
            return "No codings yet."
        if self.coders == [CONSENSUS]:
            made = f" of {listed(list(self.sources))}" if self.sources else ""
            return f"Coded by: the consensus{made}."
        if not self.merged:
            return f"Coded by: {listed(self.coders)}."
        both = "both" if len(self.coders) == 2 else "several of them"
        return f"Coded by: {listed(self.coders)} (a passage {both} coded with one code counts once)."

    def describe(self) -> str:
        """One sentence for the head of an export: whose codings, and how several coders count."""
        if not self.coders:
            return "No codings yet."
        names = listed(self.coders)
        if not self.merged:
            return f"Codings by {names} ({self.why})."
        return f"Codings by {names} ({self.why}); a passage several of them coded with one code counts once."


def listed(names: list[str], last: str = " and ") -> str:
    """ "amira", "amira and ben", "amira, ben and carol": names as a sentence gives them."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + last + names[-1]


def coding_coders(project: Project) -> list[str]:
    """Coders with at least one coding (a name given at the workbench's start that never coded is no coder)."""
    return [r[0] for r in project.db.execute(
        "SELECT name FROM coder WHERE id IN (SELECT DISTINCT coder_id FROM coding) ORDER BY name")]  # fmt: skip


def consensus_sources(project: Project) -> tuple[str, ...]:
    """The coders the consensus was settled from: those who coded at least half of the documents the consensus
    coder coded (a practice coder who coded one of them is not one)."""
    settled = {r[0] for r in project.db.execute(
        "SELECT DISTINCT document_id FROM coding WHERE coder_id = (SELECT id FROM coder WHERE name = ?)",
        [CONSENSUS])}  # fmt: skip
    coded: dict[str, set[int]] = {}
    for name, document in project.db.execute(
        "SELECT DISTINCT r.name, c.document_id FROM coding c JOIN coder r ON r.id = c.coder_id WHERE r.name != ?",
        [CONSENSUS],
    ):
        coded.setdefault(name, set()).add(document)
    return tuple(sorted(n for n, docs in coded.items() if settled and 2 * len(docs & settled) >= len(settled)))


def counted(project: Project, coders: list[str] | None = None, everyone: bool = False) -> Counted:
    """The coders a report counts: ``coders`` as named, everyone (``everyone``), or the default rule."""
    present = coding_coders(project)
    if coders and everyone:
        raise QualcodeError("give --coder NAME or --coders all, not both")
    if everyone:
        return Counted(present, len(present) > 1, "all coders")
    if coders:
        known = {r[0] for r in project.db.execute("SELECT name FROM coder")}
        for name in coders:
            if name not in known:
                raise QualcodeError(f"unknown coder {name!r}" + _suggest(name, sorted(known)))
        chosen = list(dict.fromkeys(coders))
        sources = consensus_sources(project) if chosen == [CONSENSUS] else ()
        return Counted(chosen, len(chosen) > 1, "as chosen", sources)
    if len(present) <= 1:
        return Counted(present, False, "the only coder")
    if CONSENSUS in present:
        return Counted([CONSENSUS], False, "the consensus coder; --coder or --coders all to count others",
                       consensus_sources(project))  # fmt: skip
    raise QualcodeError(
        f"this project has {len(present)} coders ({', '.join(present)}): say whose codings to count, with "
        "--coder NAME (repeatable) or --coders all (a passage several coders coded with one code counts once)"
    )


def _suggest(name: str, known: list[str]) -> str:
    found = closest(name, known)
    listed = f" (coders: {', '.join(known) or 'none'}"
    return listed + (f"; did you mean {found!r}?)" if found else ")")
