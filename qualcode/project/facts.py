"""The study's content as facts: codings, memos, codes, consensus decisions and dismissed suggestions.

A fact is a plain frozen value holding every column of one row, so that two facts are equal exactly when the
rows are. Facts name what they are about by content, never by row id: a coding by its document, code, coder
and range (the table's unique key), a memo on a coding by that coding's key. Row ids exist only in the file;
``changes`` resolves them when it writes, so a coding taken out and put back by undo (under a new id) comes
back with its memos and its star.

This module reads facts out of the file; ``changes`` writes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

CodingKey = tuple[int, str, int, int, int]  # document, code, coder, start, end


CONSENSUS = "consensus"  # the coder the team's settled codings are made under (reports count it first)


@dataclass(frozen=True, slots=True)
class Coding:
    document: int
    code: str
    coder: int
    start: int
    end: int
    origin: str = "manual"
    created_at: str = ""
    key_quote: bool = False
    note: str | None = None  # the row's own memo column: a decision's reason, or a note an import brought

    @property
    def key(self) -> CodingKey:
        return (self.document, self.code, self.coder, self.start, self.end)


@dataclass(frozen=True, slots=True)
class Memo:
    """A coder's memo. ``target`` is None (the project), a document id or code id or pseudonym as text, or, on
    a coding, the coding's key. Several equal memos are interchangeable: a memo is known by all its fields."""

    target_type: str
    target: str | CodingKey | None
    coder: int | None
    text: str
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Code:
    id: str
    parent: str | None
    name: str
    level: str
    beneficiary: str | None = None
    definition: str = ""
    include: str = ""
    exclude: str = ""
    example: str = ""
    keywords: str = "[]"  # as stored: a JSON list
    phrases: str = "[]"  # participants' words for the code's idea, as stored: a JSON list
    colour: str | None = None
    codebook: str | None = None
    position: int = 0

    @property
    def key(self) -> str:
        return self.id

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CODE_COLUMNS}


CHOICES = ("first", "second", "both", "neither", "edit")  # what a decision may settle on (as the schema checks)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the team decided about one disagreement: a code on one unit (a sentence) of a document."""

    code: str
    document: int
    start: int
    end: int
    coder: int  # the consensus coder the decision was written into
    choice: str
    memo: str = ""
    decided_at: str = ""

    @property
    def key(self) -> tuple[str, int, int, int, int]:
        return (self.code, self.document, self.start, self.end, self.coder)


@dataclass(frozen=True, slots=True)
class Dismissal:
    """A suggestion a coder dismissed for a passage, so that it is not offered again."""

    coder: int
    document: int
    start: int
    end: int
    code: str

    @property
    def key(self) -> tuple[int, int, int, int, str]:
        return (self.coder, self.document, self.start, self.end, self.code)


Fact = Coding | Memo | Code | Decision | Dismissal
CODE_COLUMNS = ("id", "parent", "name", "level", "beneficiary", "definition", "include", "exclude", "example",
                "keywords", "phrases", "colour", "codebook", "position")  # fmt: skip
CODING_COLUMNS = ('c.id, c.document_id, c.code_id, c.coder_id, c.start, c."end", c.origin, c.created_at, c.key_quote, '
                  "c.memo")


def coding_from_row(row: Iterable[Any]) -> tuple[int, Coding]:
    """(id, fact) from a row of ``CODING_COLUMNS``."""
    cid, document, code, coder, start, end, origin, created, key_quote, note = row
    return int(cid), Coding(int(document), code, int(coder), int(start), int(end), origin, created, bool(key_quote),
                            note)  # fmt: skip


def codings_by_id(db: Database, ids: Iterable[int]) -> dict[int, Coding]:
    wanted = sorted(set(ids))
    found: dict[int, Coding] = {}
    for n in range(0, len(wanted), 500):
        chunk = wanted[n : n + 500]
        for row in db.execute(f"SELECT {CODING_COLUMNS} FROM coding c WHERE c.id IN ({', '.join('?' * len(chunk))})",
                              chunk):  # fmt: skip
            cid, fact = coding_from_row(row)
            found[cid] = fact
    return found


def coding_id(db: Database, key: CodingKey) -> int | None:
    row = db.execute(
        'SELECT id FROM coding WHERE document_id = ? AND code_id = ? AND coder_id = ? AND start = ? AND "end" = ?',
        list(key),
    ).fetchone()
    return int(row[0]) if row else None


def coding_at(db: Database, key: CodingKey) -> Coding | None:
    row = db.execute(
        f"SELECT {CODING_COLUMNS} FROM coding c WHERE c.document_id = ? AND c.code_id = ? AND c.coder_id = ? "
        'AND c.start = ? AND c."end" = ?',
        list(key),
    ).fetchone()
    return coding_from_row(row)[1] if row else None


def memos_on_codings(db: Database, codings: dict[int, Coding]) -> dict[int, list[Memo]]:
    """Every memo written on these codings (by id), as facts naming their coding by its key."""
    found: dict[int, list[Memo]] = defaultdict(list)
    ids = sorted(codings)
    for n in range(0, len(ids), 500):
        chunk = [str(i) for i in ids[n : n + 500]]
        for target, coder, text, created, updated in db.execute(
            "SELECT target_id, coder_id, text, created_at, updated_at FROM memo WHERE target_type = 'coding' "
            f"AND target_id IN ({', '.join('?' * len(chunk))}) ORDER BY id",
            chunk,
        ):
            found[int(target)].append(Memo("coding", codings[int(target)].key, coder, text, created, updated))
    return found


def memos_where(db: Database, target_type: str, target: str | None, coder: int | None = None,
                any_coder: bool = False) -> list[Memo]:  # fmt: skip
    """Memos on one target that is not a coding (by one coder, or by anyone with ``any_coder``)."""
    sql = "SELECT coder_id, text, created_at, updated_at FROM memo WHERE target_type = ? AND target_id IS ?"
    params: list[Any] = [target_type, target]
    if not any_coder:
        sql += " AND coder_id IS ?"
        params.append(coder)
    return [Memo(target_type, target, c, t, a, u) for c, t, a, u in db.execute(sql + " ORDER BY id", params)]


def code_fact(db: Database, code_id: str) -> Code | None:
    row = db.execute(f"SELECT {', '.join(_quoted(CODE_COLUMNS))} FROM code WHERE id = ?", [code_id]).fetchone()
    return Code(*row) if row else None


def code_facts(db: Database) -> dict[str, Code]:
    return {row[0]: Code(*row) for row in db.execute(f"SELECT {', '.join(_quoted(CODE_COLUMNS))} FROM code")}


def decisions_where(db: Database, where: str, params: list[Any]) -> list[Decision]:
    return [
        Decision(*row)
        for row in db.execute(
            'SELECT code_id, document_id, start, "end", coder_id, choice, memo, decided_at FROM decision '
            f"WHERE {where}",
            params,
        )
    ]


def dismissals_where(db: Database, where: str, params: list[Any]) -> list[Dismissal]:
    return [Dismissal(*row) for row in db.execute(
        f'SELECT coder_id, document_id, start, "end", code_id FROM dismissal WHERE {where}', params)]  # fmt: skip


def _quoted(columns: Iterable[str]) -> list[str]:
    return [f'"{c}"' for c in columns]


def content(db: Database) -> dict[str, Any]:
    """Everything facts describe, as comparable values: what undo must give back exactly. Codings by key
    (ids left out), memos as a sorted list (equal memos are interchangeable), codes, decisions, dismissals."""
    codings: dict[int, Coding] = {}
    for row in db.execute(f"SELECT {CODING_COLUMNS} FROM coding c"):
        cid, fact = coding_from_row(row)
        codings[cid] = fact
    memos = []
    for target_type, target, coder, text, created, updated in db.execute(
        "SELECT target_type, target_id, coder_id, text, created_at, updated_at FROM memo"
    ):
        if target_type == "coding":
            found = codings.get(int(target)) if str(target).isdigit() else None
            target = found.key if found else ("missing", target)
        memos.append(Memo(target_type, target, coder, text, created, updated))
    return {
        "codings": sorted(codings.values(), key=lambda c: c.key),
        "memos": sorted(memos, key=repr),
        "codes": sorted(code_facts(db).values(), key=lambda c: c.id),
        "decisions": sorted(decisions_where(db, "1", []), key=lambda d: d.key),
        "dismissals": sorted(dismissals_where(db, "1", []), key=lambda d: d.key),
    }
