"""What coding is for: excerpts with who said them, and how many in each stakeholder group said what.

The attribution rule (DESIGN.md) is applied in one place, ``attribution``: an excerpt is credited to the
participants whose turns it overlaps, and interviewer turns credit no one. A focus-group excerpt inside one
speaker's turn counts for that speaker only. Parent codes roll their children up: a filter on a parent
includes its descendants, and in frequencies one passage coded with a parent and its child counts once for
the parent. Frequencies count three things separately: excerpts, distinct participants (with the size of
the group in the project, for shares such as "9 of 12 mentees") and distinct documents.
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..codebook.files import project_codes
from ..project.store import Project
from ..text import whole_words
from . import tally
from .tally import EVERYONE, NO_GROUP


@dataclass
class Filters:
    codes: list[str] = field(default_factory=list)  # a parent includes its children
    levels: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    attributes: dict[str, list[str]] = field(default_factory=dict)  # participant attribute -> allowed values
    key_quotes: bool = False  # only codings starred as key quotes
    merged: bool = False  # several coders: overlapping passages of one code are one excerpt (counting.Counted)
    ids: list[int] | None = None  # only these codings (a report's chosen candidates)


def descendants(project: Project, codes: list[dict[str, Any]] | None = None) -> dict[str, set[str]]:
    """Each code with every code below it (itself included)."""
    codes = codes if codes is not None else project_codes(project)
    below: dict[str, set[str]] = {c["id"]: {c["id"]} for c in codes}
    for code in reversed(codes):  # children come after parents in tree order
        if code["parent"]:
            below[code["parent"]] |= below[code["id"]]
    return below


def code_paths(project: Project, tree: list[dict[str, Any]] | None = None) -> dict[str, str]:
    codes = {c["id"]: c for c in (tree if tree is not None else project_codes(project))}
    paths: dict[str, str] = {}
    for code_id in codes:
        names, current = [], codes.get(code_id)
        while current:
            names.append(current["name"])
            current = codes.get(current["parent"]) if current["parent"] else None
        paths[code_id] = " > ".join(reversed(names))
    return paths


def attribution(project: Project, coding_ids: list[int] | None = None) -> dict[int, list[int]]:
    """For every coding (or just ``coding_ids``), the participants whose turns it overlaps (interviewer
    turns credit no one)."""
    longest = project.longest_span("turn")
    only = ""
    if coding_ids is not None:  # a temporary table: nothing is written to the project file
        project.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_coding (id INTEGER PRIMARY KEY)")
        project.db.execute("DELETE FROM temp.wanted_coding")
        project.db.conn.executemany("INSERT INTO temp.wanted_coding(id) VALUES (?)", [(i,) for i in coding_ids])
        only = "JOIN temp.wanted_coding w ON w.id = c.id"
    credited: dict[int, list[int]] = defaultdict(list)
    for coding_id, participant_id in project.db.execute(
        f"SELECT DISTINCT c.id, t.participant_id FROM coding c {only} JOIN turn t ON t.document_id = c.document_id "
        'AND t.start < c."end" AND t.start >= c.start - ? AND t."end" > c.start '
        "WHERE t.participant_id IS NOT NULL ORDER BY c.id, t.start",
        [longest],
    ):
        credited[coding_id].append(participant_id)
    return credited


def people_by_pseudonym(project: Project) -> dict[str, dict[str, Any]]:
    """Each participant's group and attributes by pseudonym, for attribution lines ("— Dee, mentee, North")."""
    return {p["pseudonym"]: {"group": p["group"], **p["attributes"]} for p in _participants(project).values()}


def _participants(project: Project) -> dict[int, dict[str, Any]]:
    return {
        r["id"]: {
            "pseudonym": r["pseudonym"],
            "group": r["stakeholder_group"] or NO_GROUP,
            "attributes": json.loads(r["attributes"] or "{}"),
        }
        for r in project.db.query("SELECT id, pseudonym, stakeholder_group, attributes FROM participant")
    }


def excerpts(
    project: Project, filters: Filters | None = None, context: int = 0, limit: int | None = None
) -> list[dict[str, Any]]:
    """Coded excerpts with code path, level, speakers, groups, document, turn and line, coder and memo
    (the first ``limit`` of them, in document order, when a limit is given)."""
    filters = filters or Filters()
    tree = project_codes(project)
    below = descendants(project, tree)
    paths = code_paths(project, tree)
    where, params = [], []  # everything that does not depend on who spoke is filtered in SQL
    if filters.codes:
        wanted = sorted(set().union(*(below.get(c, {c}) for c in filters.codes)))
        where.append(f"c.code_id IN ({', '.join('?' for _ in wanted)})")
        params += wanted
    if filters.ids is not None:
        where.append("c.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(filters.ids))
    for column, values in (("k.level", filters.levels), ("r.name", filters.coders), ("d.kind", filters.kinds)):
        if values:
            where.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params += values
    rows = list(
        project.db.query(
            'SELECT c.id, c.document_id, c.code_id, c.start, c."end", c.memo, c.origin, c.key_quote, k.level, '
            "k.name AS code_name, d.name AS document, d.kind, r.name AS coder "
            "FROM coding c JOIN code k ON k.id = c.code_id JOIN document d ON d.id = c.document_id "
            "JOIN coder r ON r.id = c.coder_id "
            + (f"WHERE {' AND '.join(where)} " if where else "")
            + "ORDER BY d.name, c.start, c.id",
            params,
        )
    )
    people = _participants(project)
    credited = attribution(project, [row["id"] for row in rows])
    memos = coding_memos(project, [row["id"] for row in rows])
    for row in rows:
        row["ids"], row["coders"] = [row["id"]], [row["coder"]]
        row["memos"] = [m for m in (row["memo"], *memos.get(row["id"], [])) if m]
        row["credited"] = credited.get(row["id"], [])
    if filters.merged:
        rows = _merged(rows)
    if filters.key_quotes:  # after merging: a passage one coder starred is a key quote
        rows = [row for row in rows if row["key_quote"]]
    texts: dict[int, str] = {}
    turn_starts: dict[int, list[int]] = {}
    asking: dict[int, list[tuple[int, int]]] = {}  # the interviewer's turns, by document
    out: list[dict[str, Any]] = []
    for row in rows:
        if limit is not None and len(out) >= limit:
            break
        speakers = [people[p] for p in row["credited"]]
        if filters.groups and not any(s["group"] in filters.groups for s in speakers):
            continue
        if filters.attributes and not any(
            all(str(s["attributes"].get(k)) in v for k, v in filters.attributes.items()) for s in speakers
        ):
            continue
        if row["document_id"] not in texts:
            texts[row["document_id"]] = project.db.execute(
                "SELECT text FROM document WHERE id = ?", [row["document_id"]]
            ).fetchone()[0]
        text = texts[row["document_id"]]
        start, end = whole_words(text, row["start"], row["end"])
        if row["document_id"] not in turn_starts:  # each document's turns once, then bisect
            found = project.db.execute(
                'SELECT start, "end", role FROM turn WHERE document_id = ? ORDER BY start', [row["document_id"]]
            ).fetchall()
            turn_starts[row["document_id"]] = [r[0] for r in found]
            asking[row["document_id"]] = [(a, b) for a, b, role in found if role == "interviewer"]
        starts = turn_starts[row["document_id"]]
        turn_index = bisect.bisect_right(starts, row["start"]) - 1
        questions = asking[row["document_id"]]  # in order and not overlapping: look from the one before start
        at = max(0, bisect.bisect_right(questions, (start, start)) - 1)
        interviewer = False
        while at < len(questions) and questions[at][0] < end:
            if questions[at][1] > start:
                interviewer = True
                break
            at += 1
        out.append(
            {
                "id": f"E{row['id']}",
                "code": row["code_id"],
                "code_name": row["code_name"],
                "code_path": paths.get(row["code_id"], row["code_id"]),
                "level": row["level"],
                "document": row["document"],
                "document_kind": row["kind"],
                "start": row["start"],
                "end": row["end"],
                "text": text[start:end],
                "context_before": text[max(0, start - context) : start] if context else "",
                "context_after": text[end : end + context] if context else "",
                "speakers": [s["pseudonym"] for s in speakers],
                "groups": sorted({s["group"] for s in speakers}),
                "turn": turn_index if turn_index >= 0 else None,
                "line": text.count("\n", 0, row["start"]) + 1,
                "coder": "; ".join(row["coders"]),
                "coders": row["coders"],
                "coding_ids": row["ids"],
                "memo": "; ".join(dict.fromkeys(row["memos"])),
                "origin": row["origin"],
                "key_quote": bool(row["key_quote"]),
                "interviewer_words": interviewer,
            }
        )
    return out


def coding_memos(project: Project, coding_ids: list[int]) -> dict[int, list[str]]:
    """Memos written on codings (in the workbench, ``m``), by coding, oldest first."""
    if not coding_ids:
        return {}
    found: dict[int, list[str]] = defaultdict(list)
    wanted = set(coding_ids)
    for target, text in project.db.execute(
        "SELECT target_id, text FROM memo WHERE target_type = 'coding' ORDER BY created_at, id"
    ):
        if target is not None and target.isdigit() and int(target) in wanted:
            found[int(target)].append(text)
    return found


def _merged(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Several coders' codings of one code in one document: overlapping spans become one excerpt, with every
    coder, coding, memo and credited participant of its parts (starred if any part was)."""
    out: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for row in sorted(rows, key=lambda r: (r["document_id"], r["code_id"], r["start"], r["id"])):
        same = current is not None and (row["document_id"], row["code_id"]) == (current["document_id"],
                                                                               current["code_id"])  # fmt: skip
        if current is not None and same and row["start"] < current["end"]:
            current["end"] = max(current["end"], row["end"])
            current["ids"] += row["ids"]
            current["coders"] = sorted({*current["coders"], *row["coders"]})
            current["memos"] += row["memos"]
            current["credited"] = list(dict.fromkeys([*current["credited"], *row["credited"]]))
            current["key_quote"] = current["key_quote"] or row["key_quote"]
            continue
        current = dict(row)
        out.append(current)
    return sorted(out, key=lambda r: (r["document"], r["start"], r["id"]))


def frequencies(
    project: Project,
    by: str = "group",
    coders: list[str] | None = None,
    participants_only: bool = False,
    merged: bool = False,
) -> list[dict[str, Any]]:
    """Per code (parents rolled up) and group (or participant attribute) value: excerpts, participants,
    group_participants (that value's participants in the project), their share, documents. With ``merged``
    (several coders counted together), overlapping passages of a code are one excerpt.

    Computed column-wise by ``tally`` (a million codings in under a second); ``reference_frequencies`` is
    the same rule written row by row, used when turns overlap and to check ``tally`` in the tests."""
    fast = tally.frequencies(project, by, coders, participants_only, merged)
    rows = fast if fast is not None else reference_frequencies(project, by, coders, merged)
    for row in rows:
        row["share"] = row["participants"] / row["group_participants"] if row["group_participants"] else None
    return rows


def reference_frequencies(
    project: Project, by: str = "group", coders: list[str] | None = None, merged: bool = False
) -> list[dict[str, Any]]:
    """``frequencies``, one coding at a time."""
    people = _participants(project)
    credited = attribution(project)
    below = descendants(project)

    def value(person: dict[str, Any]) -> str:
        if by == EVERYONE:
            return "all"
        if by == "group":
            return person["group"]
        found = person["attributes"].get(by)
        return NO_GROUP if found in (None, "") else str(found)

    sizes: dict[str, int] = defaultdict(int)
    for person in people.values():
        sizes[value(person)] += 1
    marks = ", ".join("?" for _ in coders or [])
    where = f"WHERE r.name IN ({marks})" if coders else ""
    codings = project.db.execute(
        f'SELECT c.id, c.code_id, c.document_id, c.start, c."end", c.coder_id FROM coding c '
        f"JOIN coder r ON r.id = c.coder_id {where}",
        coders or [],
    ).fetchall()
    by_code: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for coding in codings:
        by_code[coding[1]].append(coding)
    rows = []
    for code in project_codes(project):
        passages: dict[tuple[int, ...], list[int]] = {}  # a passage and the codings that make it
        for code_id in below[code["id"]]:
            for coding_id, _, document, start, end, coder in by_code.get(code_id, []):
                key = (document, start, end) if merged else (document, start, end, coder)
                passages.setdefault(key, []).append(coding_id)  # under a parent and a child: once
        if merged:  # a chain of overlapping spans in one document is one passage, whoever coded it
            runs: list[tuple[int, int, int, list[int]]] = []
            for document, start, end in sorted(passages):
                if runs and runs[-1][0] == document and start < runs[-1][2]:
                    last = runs[-1]
                    runs[-1] = (document, last[1], max(last[2], end), last[3] + passages[(document, start, end)])
                else:
                    runs.append((document, start, end, list(passages[(document, start, end)])))
            passages = {(d, s, e): ids for d, s, e, ids in runs}
        tally: dict[str, dict[str, set[Any]]] = defaultdict(
            lambda: {"excerpts": set(), "participants": set(), "documents": set()}
        )
        for passage, coding_ids in passages.items():
            for participant in {p for coding_id in coding_ids for p in credited.get(coding_id, [])}:
                cell = tally[value(people[participant])]
                cell["excerpts"].add(passage)
                cell["participants"].add(participant)
                cell["documents"].add(passage[0])
        for group in sorted(tally):
            cell = tally[group]
            rows.append(
                {
                    "code": code["id"],
                    "code_name": code["name"],
                    "level": code["level"],
                    "group": group,
                    "excerpts": len(cell["excerpts"]),
                    "participants": len(cell["participants"]),
                    "group_participants": sizes.get(group, 0),
                    "documents": len(cell["documents"]),
                }
            )
    return rows


def cooccurrence(
    project: Project,
    coders: list[str] | None = None,
    same_turn: bool = False,
    pair: tuple[str, str] | None = None,
    merged: bool = False,
) -> list[dict[str, Any]]:
    """Pairs of codes applied to overlapping passages (or, with ``same_turn``, within one speaker turn) by
    the same coder: one row per pair of codings, with the shared passage. ``pair`` limits it to two codes.
    With ``merged`` (several coders counted together), a pair several coders found on the same passage is
    one row, naming them all."""
    marks = ", ".join("?" for _ in coders or [])
    coder_filter = f"AND r.name IN ({marks})" if coders else ""
    pair_filter = "AND a.code_id = ? AND b.code_id = ?" if pair else ""
    if same_turn:
        join = (
            'JOIN turn ta ON ta.document_id = a.document_id AND ta.start <= a.start AND ta."end" > a.start '
            'JOIN turn tb ON tb.id = ta.id AND tb.start <= b.start AND tb."end" > b.start'
        )
        overlap = "1"
    else:
        join, overlap = "", 'a.start < b."end" AND b.start < a."end"'
    params: list[Any] = [*(coders or []), *(sorted(pair) if pair else [])]
    rows = project.db.query(
        f"SELECT a.code_id AS code_a, b.code_id AS code_b, d.name AS document, a.document_id, "
        f'max(a.start, b.start) AS start, min(a."end", b."end") AS "end", a.start AS a_start, a."end" AS a_end, '
        f'b.start AS b_start, b."end" AS b_end, r.name AS coder '
        f"FROM coding a JOIN coding b ON b.document_id = a.document_id AND b.coder_id = a.coder_id "
        f"AND a.code_id < b.code_id {join} JOIN coder r ON r.id = a.coder_id JOIN document d ON d.id = a.document_id "
        f"WHERE {overlap} {coder_filter} {pair_filter} ORDER BY d.name, a.start",
        params,
    )
    if not merged:
        return [dict(r) for r in rows]
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = (row["code_a"], row["code_b"], row["document_id"], row["start"], row["end"])
        if key in found:
            found[key]["coder"] = "; ".join(sorted({*found[key]["coder"].split("; "), row["coder"]}))
        else:
            found[key] = dict(row)
    return list(found.values())


def cooccurrence_matrix(rows: list[dict[str, Any]], codes: list[str]) -> list[list[int]]:
    """Counts of co-occurring codings for every pair of ``codes`` (symmetric; the diagonal is 0)."""
    index = {code: n for n, code in enumerate(codes)}
    matrix = [[0] * len(codes) for _ in codes]
    for row in rows:
        a, b = index.get(row["code_a"]), index.get(row["code_b"])
        if a is not None and b is not None:
            matrix[a][b] += 1
            matrix[b][a] += 1
    return matrix


def presence_matrix(
    project: Project, per: str = "segment", coders: list[str] | None = None, codes: list[str] | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """A 0/1 table for statistics packages: one row per segment (or participant), one column per code.

    A segment has a code when a coding by the chosen coders overlaps it; a participant has a code when a
    coding credited to them (the attribution rule) has it. Parents are rolled up: a child's coding also
    marks its ancestors. Returns (code columns, rows).
    """
    below = descendants(project)
    ancestors: dict[str, set[str]] = defaultdict(set)
    for parent, children in below.items():
        for child in children:
            ancestors[child].add(parent)
    columns = [c["id"] for c in project_codes(project) if not codes or c["id"] in codes]
    marks = ", ".join("?" for _ in coders or [])
    where = f"AND r.name IN ({marks})" if coders else ""
    if per == "participant":
        credited = attribution(project)
        people = _participants(project)
        found: dict[int, set[str]] = defaultdict(set)
        for coding_id, code_id in project.db.execute(
            f"SELECT c.id, c.code_id FROM coding c JOIN coder r ON r.id = c.coder_id WHERE 1 {where}", coders or []
        ):
            for participant in credited.get(coding_id, []):
                found[participant] |= ancestors[code_id]
        rows = []
        for participant_id, person in sorted(people.items(), key=lambda kv: kv[1]["pseudonym"]):
            rows.append(
                {
                    "participant": person["pseudonym"],
                    "group": person["group"],
                    **{code: int(code in found[participant_id]) for code in columns},
                }
            )
        return columns, rows
    if per != "segment":
        raise ValueError(per)
    longest = project.longest_span("segment")
    found_segments: dict[int, set[str]] = defaultdict(set)
    for segment_id, code_id in project.db.execute(
        "SELECT s.id, c.code_id FROM coding c JOIN coder r ON r.id = c.coder_id JOIN segment s "
        'ON s.document_id = c.document_id AND s.start < c."end" AND s.start >= c.start - ? AND s."end" > c.start '
        f"WHERE 1 {where}",
        [longest, *(coders or [])],
    ):
        found_segments[segment_id] |= ancestors[code_id]
    rows = []
    for segment_id, document, seq, participant, group in project.db.execute(
        "SELECT s.id, d.name, s.seq, p.pseudonym, p.stakeholder_group FROM segment s "
        "JOIN document d ON d.id = s.document_id JOIN turn t ON t.id = s.turn_id "
        "LEFT JOIN participant p ON p.id = t.participant_id ORDER BY d.name, s.seq"
    ):
        rows.append(
            {
                "document": document,
                "segment": seq,
                "participant": participant or "",
                "group": (group or NO_GROUP) if participant else "",
                **{code: int(code in found_segments[segment_id]) for code in columns},
            }
        )
    return columns, rows
