"""The one path for every change to the study's content: a ``Change`` is a value, ``apply`` writes it.

A change is a list of edits, each a fact as it was before and as it is after (``None``: absent), so adding a
coding is ``Edit(None, coding)``, starring it ``Edit(coding, starred)``, removing it ``Edit(coding, None)``.
``apply`` writes every edit of a change in one transaction (a savepoint inside a command's own), checking as
it goes that what each edit replaces is exactly what the file holds, and returns the change's inverse: the
same edits, reversed, each after and before swapped. Because each ``before`` was read from the file and
checked against it, the inverse is exact — memos, stars, creation times and all — and undo is only another
change through the same function, never a second code path.

Everything that changes codings, memos, stars, codes, decisions or dismissals goes through here: the
workbench (and its undo and redo), the command line, settling disagreements, coding by search, merging
projects, importing codebooks and REFI-QDA projects, removing a document. The planners that turn an intent
("remove these codings") into a change live with their capability (``coding``, ``codebook``, ``team``...);
they read what is stored, so that a change removing a coding also removes the memos written on it.

Invariants ``apply`` keeps, whatever change it is given: a memo on a coding never outlives its coding; a code
goes only when nothing refers to it (codings, sub-codes, memos, decisions, dismissals); and a change that
finds the file different from what it expected (another process changed it since) is refused whole with
``ChangeConflict``, nothing written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from ..errors import QualcodeError
from .facts import CODE_COLUMNS, Code, Coding, Decision, Dismissal, Fact, Memo, coding_at, coding_id
from .store import Project


class ChangeConflict(QualcodeError):
    """The file is not what the change expected (another process changed it), or the change would break an
    invariant; nothing of the change was written."""


@dataclass(frozen=True, slots=True)
class Edit:
    before: Fact | None
    after: Fact | None

    def inverse(self) -> Edit:
        return Edit(self.after, self.before)


@dataclass(frozen=True, slots=True)
class Change:
    what: str  # for the coder: "Housing on dee.txt", "undo of ..."
    edits: tuple[Edit, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.edits)

    def inverse(self) -> Change:
        return Change(self.what, tuple(edit.inverse() for edit in reversed(self.edits)))

    def then(self, other: Change, what: str | None = None) -> Change:
        """This change followed by ``other``, as one."""
        return Change(what or self.what, self.edits + other.edits)

    def facts(self, kind: type, added: bool | None = None) -> list[Any]:
        """The facts of one kind this change adds (``added``), removes (not ``added``), or touches (None)."""
        found = []
        for edit in self.edits:
            for fact, is_after in ((edit.before, False), (edit.after, True)):
                if isinstance(fact, kind) and (added is None or added == is_after):
                    found.append(fact)
        return found


def adding(what: str, facts: Iterable[Fact]) -> Change:
    return Change(what, tuple(Edit(None, fact) for fact in facts))


def removing(what: str, facts: Iterable[Fact]) -> Change:
    return Change(what, tuple(Edit(fact, None) for fact in facts))


def write(project: Project, plan: Callable[[], Change]) -> Change:
    """Plan a change from the file and write it, in one transaction: what the plan read is still true when
    it is written (the transaction holds the write lock from the start). Returns the change written."""
    with project.transaction():
        change = plan()
        apply(project, change)
    return change


def apply(project: Project, change: Change, undoable: bool = True) -> Change:
    """Write every edit of ``change`` in one transaction; return its exact inverse (an empty change when the
    writer will never undo it, ``undoable`` False: a merge or an import of hundreds of thousands of codings,
    inside its own transaction, has no use for one)."""
    if change.edits:
        with project.transaction(change.what if len(change.edits) > 1000 else None) as db:
            _write(db, change.edits)
    return change.inverse() if undoable else Change(change.what)


def _write(db: Database, edits: tuple[Edit, ...]) -> None:
    batch: list[Coding] = []  # consecutive new codings go in one executemany (a merge adds hundreds of thousands)
    for edit in edits:
        if edit.before is None and isinstance(edit.after, Coding):
            batch.append(edit.after)
            continue
        if batch:
            _insert_codings(db, batch)
            batch = []
        kind = type(edit.before if edit.before is not None else edit.after)
        if edit.before is not None and edit.after is not None and type(edit.after) is not kind:
            raise ChangeConflict("an edit must change a fact into one of the same kind")
        _WRITERS[kind](db, edit)
    if batch:
        _insert_codings(db, batch)


# -- codings ----------------------------------------------------------------------------------------------


def _insert_codings(db: Database, facts: list[Coding]) -> None:
    db.execute("SAVEPOINT codings")
    try:
        db.conn.executemany(
            'INSERT INTO coding(document_id, code_id, coder_id, start, "end", origin, created_at, key_quote, memo) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*f.key, f.origin, f.created_at, int(f.key_quote), f.note) for f in facts],
        )
    except sqlite3.IntegrityError as error:
        db.execute("ROLLBACK TO codings")  # the batch's rows out again, so that the reason is found among the rest
        db.execute("RELEASE codings")
        raise ChangeConflict(_coding_conflict(db, facts, error)) from None
    db.execute("RELEASE codings")  # any other error (a full disk): the transaction around it rolls it all back


def _coding_conflict(db: Database, facts: list[Coding], error: sqlite3.IntegrityError) -> str:
    if len({f.key for f in facts}) < len(facts):
        return "the same coding twice in one change"
    for fact in facts:
        if coding_id(db, fact.key) is not None:
            return f"coding of {fact.code!r} at [{fact.start}, {fact.end}) is already there"
        if db.execute("SELECT 1 FROM code WHERE id = ?", [fact.code]).fetchone() is None:
            return f"code {fact.code!r} is no longer in the project"
        if db.execute("SELECT 1 FROM document WHERE id = ?", [fact.document]).fetchone() is None:
            return f"document {fact.document} is no longer in the project"
    return f"a coding could not be written ({error})"


def _coding(db: Database, edit: Edit) -> None:
    before, after = edit.before, edit.after
    assert isinstance(before, Coding)
    if coding_at(db, before.key) != before:
        raise ChangeConflict(f"the coding of {before.code!r} at [{before.start}, {before.end}) has changed since")
    cid = coding_id(db, before.key)
    if after is None:
        if db.execute("SELECT 1 FROM memo WHERE target_type = 'coding' AND target_id = ?", [str(cid)]).fetchone():
            raise ChangeConflict(f"the coding of {before.code!r} at [{before.start}, {before.end}) has a memo: "
                                 "it would be left without its coding")  # fmt: skip
        db.execute("DELETE FROM coding WHERE id = ?", [cid])
        return
    assert isinstance(after, Coding)
    if after.key != before.key:
        raise ChangeConflict("an edit of a coding keeps its document, code, coder and range")
    db.execute(
        "UPDATE coding SET origin = ?, created_at = ?, key_quote = ?, memo = ? WHERE id = ?",
        [after.origin, after.created_at, int(after.key_quote), after.note, cid],
    )


# -- memos ------------------------------------------------------------------------------------------------


def _memo_target(db: Database, memo: Memo) -> str | None:
    if memo.target_type != "coding":
        return None if memo.target is None else str(memo.target)
    assert isinstance(memo.target, tuple)
    cid = coding_id(db, memo.target)
    if cid is None:
        raise ChangeConflict("a memo on a coding needs its coding, which is not in the project")
    return str(cid)


def _memo(db: Database, edit: Edit) -> None:
    before, after = edit.before, edit.after
    if isinstance(before, Memo):
        target = _memo_target(db, before)
        row = db.execute(
            "SELECT id FROM memo WHERE target_type = ? AND target_id IS ? AND coder_id IS ? AND text = ? "
            "AND created_at = ? AND updated_at = ? LIMIT 1",
            [before.target_type, target, before.coder, before.text, before.created_at, before.updated_at],
        ).fetchone()
        if row is None:
            raise ChangeConflict(f"a memo on the {before.target_type} has changed since")
        db.execute("DELETE FROM memo WHERE id = ?", [row[0]])
    if isinstance(after, Memo):
        db.execute(
            "INSERT INTO memo(target_type, target_id, coder_id, text, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [after.target_type, _memo_target(db, after), after.coder, after.text, after.created_at, after.updated_at],
        )


# -- codes ------------------------------------------------------------------------------------------------


def _code(db: Database, edit: Edit) -> None:
    before, after = edit.before, edit.after
    current = db.execute(f"SELECT {', '.join(_q(CODE_COLUMNS))} FROM code WHERE id = ?",
                         [(before or after).id]).fetchone()  # type: ignore[union-attr]  # fmt: skip
    if before is None:
        assert isinstance(after, Code)
        if current is not None:
            raise ChangeConflict(f"code id {after.id!r} already exists")
        if after.parent is not None and not db.execute("SELECT 1 FROM code WHERE id = ?", [after.parent]).fetchone():
            raise ChangeConflict(f"code {after.id!r} would hang under {after.parent!r}, which is not in the project")
        db.execute(f"INSERT INTO code({', '.join(_q(CODE_COLUMNS))}) VALUES ({', '.join('?' * len(CODE_COLUMNS))})",
                   list(after.row().values()))  # fmt: skip
        return
    assert isinstance(before, Code)
    if current is None or Code(*current) != before:
        raise ChangeConflict(f"code {before.id!r} has changed since")
    if after is None:
        used = _code_users(db, before.id)
        if used:
            raise ChangeConflict(f"code {before.id!r} still has {used}")
        db.execute("DELETE FROM code WHERE id = ?", [before.id])
        return
    assert isinstance(after, Code)
    if after.id != before.id:
        raise ChangeConflict("an edit of a code keeps its id")
    if after.parent is not None and not db.execute("SELECT 1 FROM code WHERE id = ?", [after.parent]).fetchone():
        raise ChangeConflict(f"code {after.id!r} would hang under {after.parent!r}, which is not in the project")
    columns = [c for c in CODE_COLUMNS if c != "id"]
    db.execute(f"UPDATE code SET {', '.join(f'{_q([c])[0]} = ?' for c in columns)} WHERE id = ?",
               [getattr(after, c) for c in columns] + [after.id])  # fmt: skip


def _code_users(db: Database, code_id: str) -> str:
    """What still refers to a code, in words; empty when nothing does."""
    for what, sql in (
        ("codings", "SELECT 1 FROM coding WHERE code_id = ?"),
        ("sub-codes", "SELECT 1 FROM code WHERE parent = ?"),
        ("memos", "SELECT 1 FROM memo WHERE target_type = 'code' AND target_id = ?"),
        ("decisions", "SELECT 1 FROM decision WHERE code_id = ?"),
        ("dismissed suggestions", "SELECT 1 FROM dismissal WHERE code_id = ?"),
    ):
        if db.execute(sql + " LIMIT 1", [code_id]).fetchone():
            return what
    return ""


def _q(columns: Iterable[str]) -> list[str]:
    return [f'"{c}"' for c in columns]


# -- decisions and dismissals -----------------------------------------------------------------------------

_DECISION_KEY = 'code_id = ? AND document_id = ? AND start = ? AND "end" = ? AND coder_id = ?'


def _decision(db: Database, edit: Edit) -> None:
    before, after = edit.before, edit.after
    key = (before or after).key  # type: ignore[union-attr]
    row = db.execute(f"SELECT choice, memo, decided_at FROM decision WHERE {_DECISION_KEY}", list(key)).fetchone()
    if before is None:
        if row is not None:
            raise ChangeConflict("that disagreement was decided since")
    else:
        assert isinstance(before, Decision)
        if row is None or tuple(row) != (before.choice, before.memo, before.decided_at):
            raise ChangeConflict("the decision on that disagreement has changed since")
        db.execute(f"DELETE FROM decision WHERE {_DECISION_KEY}", list(key))
    if after is not None:
        assert isinstance(after, Decision)
        if after.key != key:
            raise ChangeConflict("an edit of a decision keeps its code, unit and coder")
        db.execute('INSERT INTO decision(code_id, document_id, start, "end", coder_id, choice, memo, decided_at) '
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [*key, after.choice, after.memo, after.decided_at])  # fmt: skip


def _dismissal(db: Database, edit: Edit) -> None:
    fact = edit.before or edit.after
    assert isinstance(fact, Dismissal)
    where = 'coder_id = ? AND document_id = ? AND start = ? AND "end" = ? AND code_id = ?'
    there = db.execute(f"SELECT 1 FROM dismissal WHERE {where}", list(fact.key)).fetchone() is not None
    if edit.before is not None and edit.after is not None:
        raise ChangeConflict("a dismissal is added or taken back, never edited")
    if edit.after is not None:
        if there:
            raise ChangeConflict("that suggestion was dismissed already")
        db.execute('INSERT INTO dismissal(coder_id, document_id, start, "end", code_id) VALUES (?, ?, ?, ?, ?)',
                   list(fact.key))  # fmt: skip
    else:
        if not there:
            raise ChangeConflict("that dismissal is no longer there")
        db.execute(f"DELETE FROM dismissal WHERE {where}", list(fact.key))


_WRITERS: dict[type, Any] = {Coding: _coding, Memo: _memo, Code: _code, Decision: _decision, Dismissal: _dismissal}
