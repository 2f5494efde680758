"""The read model every report counts from: the study as of one moment, and one rule for what a passage is.

A report — a quote bank, frequencies, the evidence map, co-occurrence, a matrix, agreement, the findings
pack — opens a ``Snapshot`` and reads everything through it: one read transaction on one connection, so a
report written while others code sees the study as of one moment (WAL keeps that moment for it, and writers
never wait), and the codebook tree, the participants and each document's text and turns are read once,
however many tables and quotes the report draws from them.

**The passage rule** (``passage_numbers``) lives here, once: spans of one code in one document that overlap —
directly or through a chain of overlaps — are one passage, whoever of the counted coders coded them and
however many codings make it; a parent code's passages are those of it and its sub-codes, merged by the same
rule. Two spans that only touch, or that have words between them, are two passages. Every output counts
passages by this rule: the quote bank lists each once, frequencies and the evidence map count it once,
co-occurrence counts each overlap of two codes' passages once, the findings pack quotes and counts the same.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ..codebook.files import project_codes
from ..ingest.labels import NO_GROUP_LABEL, group_labels
from ..project.store import Project

NO_GROUP = "ungrouped"
EVERYONE = "*"  # a report's column of all participants: a code's totals, each passage and person once


@dataclass(frozen=True)
class Turn:
    start: int
    end: int
    role: str
    participant: int | None


class Snapshot:
    """The study as one report reads it (see the module's docstring). Use ``snapshot(project)``."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.db = project.db
        self._texts: dict[int, str] = {}
        self._turns: dict[int, list[Turn]] = {}
        self._sentences: dict[int, tuple[list[int], list[int]]] = {}
        self._starts: dict[int, list[int]] = {}
        self._longest: dict[int, int] = {}

    # -- the codebook ----------------------------------------------------------------------------------

    @cached_property
    def codes(self) -> list[dict[str, Any]]:
        """Every code in tree order (parents before children), with its ``depth``."""
        return project_codes(self.project)

    @cached_property
    def code(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.codes}

    @cached_property
    def below(self) -> dict[str, set[str]]:
        """Each code with every code below it (itself included)."""
        found: dict[str, set[str]] = {c["id"]: {c["id"]} for c in self.codes}
        for code in reversed(self.codes):  # children come after parents in tree order
            if code["parent"]:
                found[code["parent"]] |= found[code["id"]]
        return found

    @cached_property
    def ancestors(self) -> dict[str, list[str]]:
        """Each code with its parent, grandparent... (itself first)."""
        chains: dict[str, list[str]] = {}
        for code in self.codes:  # a parent's chain is known before its children's
            chains[code["id"]] = [code["id"], *chains.get(code["parent"] or "", [])]
        return chains

    @cached_property
    def paths(self) -> dict[str, str]:
        """ "Outcomes > Housing": each code's names from the top."""
        return {c: " > ".join(self.code[a]["name"] for a in reversed(chain)) for c, chain in self.ancestors.items()}

    # -- participants ----------------------------------------------------------------------------------

    @cached_property
    def people(self) -> dict[int, dict[str, Any]]:
        """Each participant by id: pseudonym, group (``NO_GROUP`` when none) and attributes."""
        return {
            pid: {"pseudonym": pseudonym, "group": group or NO_GROUP, "attributes": json.loads(attributes or "{}")}
            for pid, pseudonym, group, attributes in self.db.execute(
                "SELECT id, pseudonym, stakeholder_group, attributes FROM participant"
            )
        }

    @cached_property
    def by_pseudonym(self) -> dict[str, dict[str, Any]]:
        """Each participant's group and attributes by pseudonym, for attribution lines ("— Dee, mentee")."""
        return {p["pseudonym"]: {"group": p["group"], **p["attributes"]} for p in self.people.values()}

    @staticmethod
    def column(person: dict[str, Any], by: str) -> str:
        """The column a participant is counted in: their group, their value of an attribute, or everyone's."""
        if by == EVERYONE:
            return "all"
        if by == "group":
            return str(person["group"])
        found = person["attributes"].get(by)
        return NO_GROUP if found in (None, "") else str(found)

    @cached_property
    def group_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for person in self.people.values():
            sizes[person["group"]] = sizes.get(person["group"], 0) + 1
        return sizes

    @cached_property
    def labels(self) -> dict[str, str]:
        """Each group's display name; participants without a group are "No group"."""
        return {NO_GROUP: NO_GROUP_LABEL, **group_labels(self.project)}

    # -- documents -------------------------------------------------------------------------------------

    def text(self, document_id: int) -> str:
        if document_id not in self._texts:
            self._texts[document_id] = self.db.execute("SELECT text FROM document WHERE id = ?",
                                                       [document_id]).fetchone()[0]  # fmt: skip
        return self._texts[document_id]

    def turns(self, document_id: int) -> list[Turn]:
        """A document's turns in order (they never overlap)."""
        if document_id not in self._turns:
            self._turns[document_id] = [
                Turn(*row)
                for row in self.db.execute(
                    'SELECT start, "end", role, participant_id FROM turn WHERE document_id = ? ORDER BY start',
                    [document_id],
                )
            ]
        return self._turns[document_id]

    def turn_at(self, document_id: int, offset: int) -> int | None:
        """The number of the last turn starting at or before ``offset`` (None before the first)."""
        found = bisect.bisect_right(self._turn_starts(document_id), offset) - 1
        return found if found >= 0 else None

    def turns_over(self, document_id: int, start: int, end: int) -> list[Turn]:
        """The turns ``[start, end)`` overlaps, in order: found by bisection, looking back no further than the
        longest turn (turns from a REFI-QDA project's cases may overlap one another)."""
        turns, starts = self.turns(document_id), self._turn_starts(document_id)
        longest = self._longest[document_id]
        found = []
        for at in range(bisect.bisect_left(starts, start - longest), bisect.bisect_left(starts, end)):
            if turns[at].end > start:
                found.append(turns[at])
        return found

    @cached_property
    def document_ids(self) -> dict[str, int]:
        """Each document's id by name."""
        return {name: did for did, name in self.db.execute("SELECT id, name FROM document")}

    def sentences(self, document_id: int) -> tuple[list[int], list[int]]:
        """Where each sentence segment of a document starts and ends, in order (segments never overlap)."""
        if document_id not in self._sentences:
            rows = self.db.execute(
                'SELECT start, "end" FROM segment WHERE document_id = ? ORDER BY start', [document_id]
            ).fetchall()
            self._sentences[document_id] = ([r[0] for r in rows], [r[1] for r in rows])
        return self._sentences[document_id]

    def _turn_starts(self, document_id: int) -> list[int]:
        if document_id not in self._starts:
            turns = self.turns(document_id)
            self._starts[document_id] = [t.start for t in turns]
            self._longest[document_id] = max((t.end - t.start for t in turns), default=0)
        return self._starts[document_id]

    @cached_property
    def coding_memos(self) -> dict[int, list[str]]:
        """The memos written on codings (in the workbench, ``m``), by coding id, oldest first: read once."""
        found: dict[int, list[str]] = {}
        for target, text in self.db.execute(
            "SELECT target_id, text FROM memo WHERE target_type = 'coding' ORDER BY created_at, id"
        ):
            if target is not None and str(target).isdigit():
                found.setdefault(int(target), []).append(text)
        return found

    def coder_ids(self, names: list[str]) -> list[int]:
        marks = ", ".join("?" for _ in names)
        return [r[0] for r in self.db.execute(f"SELECT id FROM coder WHERE name IN ({marks})", names)] if names else []


@contextmanager
def snapshot(project: Project | Snapshot) -> Iterator[Snapshot]:
    """The study as of now, for one report: a read transaction held until the report is done (inside a
    transaction already open, that one). Given a snapshot, that snapshot."""
    if isinstance(project, Snapshot):
        yield project
        return
    conn = project.db.conn
    if conn.in_transaction:
        yield Snapshot(project)
        return
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # the first read fixes the moment
        yield Snapshot(project)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # nothing was written: ending the read is all this does


def reading(report: Callable[..., Any]) -> Callable[..., Any]:
    """A report's entry point, given the project or a snapshot of it: given the project, the whole report
    reads one snapshot (a report called inside another's snapshot shares it)."""

    @functools.wraps(report)
    def read(study: Project | Snapshot, *args: Any, **kwargs: Any) -> Any:
        with snapshot(study) as opened:
            return report(opened, *args, **kwargs)

    return read


def passage_numbers(group: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The passage rule. For spans (each in a ``group``: one code, or one ancestor, in one document), a number
    per span shared by every span of its passage: spans of a group overlap into one passage (a chain of
    overlaps is one passage); a span starting where the passage so far ends, or later, starts a new one.
    Passage numbers run from 0 in order of group and start."""
    if not len(group):
        return np.zeros(0, dtype=np.int64)
    group, start, end = (np.asarray(a, dtype=np.int64) for a in (group, start, end))
    span = int(end.max()) + 1
    order = np.argsort((group - group.min()) * span + start)  # by group, then start (one key: 3x lexsort's speed)
    g, s, e = group[order], start[order], end[order]
    base = (g - g.min()) * span
    reach = np.maximum.accumulate(base + e) - base  # the furthest end so far within the group
    new = np.ones(len(order), dtype=bool)
    new[1:] = (g[1:] != g[:-1]) | (s[1:] >= reach[:-1])
    numbers = np.empty(len(order), dtype=np.int64)
    numbers[order] = np.cumsum(new) - 1
    return numbers
