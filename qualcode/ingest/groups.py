"""Stakeholder groups: one spelling per group, whatever case, spacing or plural a sheet or ``--group`` used.

"Mentor", "mentor" and "mentors " are one group, spelt as the project first had it. A new group that is only
close to a known one ("mentr") is kept as written, with a warning that names the known one and the command
that merges the two. ``qualcode groups`` lists them; ``qualcode group rename`` merges or renames.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import QualcodeError
from ..project.store import Project, dumps


def group_key(name: str) -> str:
    """What two spellings of one group share: case, spaces, hyphens, underscores and a plural 's' aside."""
    key = re.sub(r"[\s_-]+", "_", name.casefold()).strip("_")
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]
    return key


def tidy(name: str) -> str:
    return " ".join(name.split())


# A group named like one of these marks a speaker as an interviewer (in a participants sheet): never a
# stakeholder group that participants are counted in.
INTERVIEWER_GROUPS = frozenset({"interviewer", "moderator", "facilitator", "researcher"})


def refuse_reserved(name: str, source: str = "") -> None:
    """A stakeholder group may not be called "interviewer" (or moderator, facilitator, researcher)."""
    if group_key(name) in {group_key(g) for g in INTERVIEWER_GROUPS}:
        where = f"{source}: " if source else ""
        raise QualcodeError(f"{where}{name!r} is not a stakeholder group: it marks the interviewer, whose words "
                            "credit no one (for a speaker who interviews, use --interviewer)")  # fmt: skip


class Groups:
    """Resolves the groups an import or an edit names against those the project has."""

    def __init__(self, project: Project) -> None:
        self.path = project.path
        rows = project.db.execute(
            "SELECT stakeholder_group, count(*) FROM participant WHERE stakeholder_group IS NOT NULL "
            "GROUP BY stakeholder_group ORDER BY count(*) DESC, stakeholder_group"
        ).fetchall()
        self.known: dict[str, str] = {}
        for group, _ in rows:
            self.known.setdefault(group_key(group), group)
        self.existing = dict(self.known)
        self.warnings: list[str] = []

    def resolve(self, name: Any, source: str = "") -> str | None:
        if name is None or not str(name).strip():
            return None
        written = tidy(str(name))
        refuse_reserved(written, source)
        key = group_key(written)
        if key in self.known:
            return self.known[key]
        self.known[key] = written
        close = self.closest(key)
        if close is not None:
            where = f" ({source})" if source else ""
            self.warnings.append(
                f"new group {written!r}{where}: did you mean {close!r}? If so, after the import run: "
                f"qualcode group rename {self.path} {written!r} {close!r}"
            )
        return written

    def closest(self, key: str) -> str | None:
        from rapidfuzz import fuzz, process

        found = process.extractOne(key, list(self.existing), scorer=fuzz.ratio, score_cutoff=75)
        return self.existing[found[0]] if found else None


def list_groups(project: Project) -> list[dict[str, Any]]:
    """Every group with its participants, documents and turns (participants with no group as null)."""
    rows = project.db.execute(
        "SELECT p.stakeholder_group, count(DISTINCT p.id), count(DISTINCT t.document_id), count(t.id) "
        "FROM participant p LEFT JOIN turn t ON t.participant_id = p.id "
        "GROUP BY p.stakeholder_group ORDER BY p.stakeholder_group IS NULL, p.stakeholder_group"
    ).fetchall()
    return [{"group": g, "participants": n, "documents": d, "turns": t} for g, n, d, t in rows]


def find_group(project: Project, name: str) -> str:
    """The group as the project spells it; an unknown one is an error that lists the known."""
    groups = [r["group"] for r in list_groups(project) if r["group"] is not None]
    if name in groups:
        return name
    same = [g for g in groups if group_key(g) == group_key(name)]
    if len(same) == 1:
        return same[0]
    from ..errors import did_you_mean

    hint = did_you_mean(name, groups)
    raise QualcodeError(f"no group {name!r} in {project.path}{hint or ''} (groups: {', '.join(groups) or 'none'})")


def rename_group(project: Project, old: str, new: str) -> tuple[str, str, int]:
    """Rename group ``old`` to ``new``, or merge it into ``new`` when that group exists: (old, new,
    participants moved)."""
    new = tidy(new)
    if not new:
        raise QualcodeError("the new group name is empty")
    refuse_reserved(new)
    with project.transaction(f"renaming group {old!r}"):
        found = find_group(project, old)
        target = next((r["group"] for r in list_groups(project) if r["group"] == new), None)
        if target is None:
            target = next(
                (r["group"] for r in list_groups(project) if r["group"] and r["group"] != found
                 and group_key(r["group"]) == group_key(new)), new)  # fmt: skip
        moved = project.db.execute(
            "UPDATE participant SET stakeholder_group = ? WHERE stakeholder_group = ?", [target, found]
        ).rowcount
    return found, target, moved


def add_participant(db: Any, pseudonym: str, group: str | None, attributes: dict[str, Any], source: str,
                   overwrite: bool = False) -> tuple[int, bool]:  # fmt: skip
    """The participant's id, and whether they are new; a participant already in the project keeps their group
    unless ``overwrite`` (a corrected sheet is the truth), and a group or attribute that contradicts the
    project's is an error naming ``source``. Attributes given are added (with ``overwrite``, they win)."""
    row = db.execute(
        "SELECT id, stakeholder_group, attributes FROM participant WHERE pseudonym = ?", [pseudonym]
    ).fetchone()
    if row is None:
        cursor = db.execute(
            "INSERT INTO participant(pseudonym, stakeholder_group, attributes) VALUES (?, ?, ?)",
            [pseudonym, group, dumps(attributes)],
        )
        return int(cursor.lastrowid or 0), True
    known = json.loads(row[2] or "{}")
    if not overwrite:
        if group and row[1] and group_key(group) != group_key(row[1]):
            raise QualcodeError(
                f"{source}: participant {pseudonym!r} is given group {group!r} here but is in group {row[1]!r} in "
                f"the project (to move them to {group!r} everywhere: qualcode speaker ... --participant "
                f"{pseudonym!r} --group {group!r}, or qualcode participants apply)"
            )
        for key, value in attributes.items():
            if key in known and known[key] != value:
                raise QualcodeError(
                    f"{source}: participant {pseudonym!r} is given {key}={value!r} here but has {known[key]!r} in "
                    "the project (to change it: qualcode participants apply)"
                )
        group = row[1] or group
    db.execute(
        "UPDATE participant SET stakeholder_group = ?, attributes = ? WHERE id = ?",
        [group or row[1], dumps({**known, **attributes}), row[0]],
    )
    return int(row[0]), False
