"""A stateful model of a study, for property tests: random sequences of every change a team makes, applied
to a real project file through qualcode's core and to a small pure-Python model, compared after every step.

The model knows nothing of qualcode's facts, changes or planners: it holds the study as plain dictionaries
(each coding by document, code, coder and range, with its star and the texts of its memos; each code with
its name and parent; the consensus coder's coverage of each code in each document as a set of characters;
each decision's choice) and applies every operation its own way. Undo and redo in the model replay its own
record of what each step changed. The real project goes through ``History.do``/``undo``/``redo`` exactly as
the workbench does. After every step the two must hold the same study, ``qualcode check`` must find
nothing, and no memo may be left without its coding.

Used by ``tests/test_study_machine.py`` (a short run in the suite) and ``bench/machine_bench.py`` (long runs).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from qualcode.codebook.edits import add_code_change, added_code, delete_code_change, merge_codes_change
from qualcode.coding.codings import adding, removing, starring
from qualcode.coding.history import History
from qualcode.coding.memos import memo_change
from qualcode.errors import QualcodeError
from qualcode.project.changes import ChangeConflict
from qualcode.project.facts import Code, content
from qualcode.project.store import Project
from qualcode.project.upkeep import check_project
from qualcode.team.merge import merge_projects
from qualcode.team.reconcile import disagreement_rows, settle_change

CODERS = ("amira", "ben")
MISSING = object()
FIGURES = {"steps": 0, "checks": 0, "conflicts": 0, "by_rule": {}}


def study_state(project: Project) -> dict[Any, Any]:
    """The study as the model holds it, read from the file."""
    db = project.db
    state: dict[Any, Any] = {}
    names = dict(db.execute("SELECT id, name FROM coder").fetchall())
    texts = dict(db.execute("SELECT id, text FROM document").fetchall())
    memos: dict[int, list[str]] = {}
    for target, text in db.execute("SELECT target_id, text FROM memo WHERE target_type = 'coding'"):
        memos.setdefault(int(target), []).append(text)
    for cid, doc, code, coder, start, end, star in db.execute(
        'SELECT id, document_id, code_id, coder_id, start, "end", key_quote FROM coding'
    ):
        if names[coder] == "consensus":
            key = ("consensus", doc, code)
            text = texts[doc]
            state[key] = state.get(key, frozenset()) | {i for i in range(start, end) if not text[i].isspace()}
        else:
            state[("coding", doc, code, names[coder], start, end)] = (bool(star), tuple(sorted(memos.get(cid, []))))
    for code_id, name, parent in db.execute("SELECT id, name, parent FROM code"):
        state[("code", code_id)] = (name, parent)
    for code, doc, start, end, choice in db.execute('SELECT code_id, document_id, start, "end", choice FROM decision'):
        state[("decision", code, doc, start, end)] = choice
    return state


class StudyMachine(RuleBasedStateMachine):
    """Set ``base`` (a project file with documents and codes) and ``colleague`` (another coder's file of the
    same study) on the class before running."""

    base: Path
    colleague: Path
    folder: Path

    def __init__(self) -> None:
        super().__init__()
        self.path = self.folder / f"run-{id(self)}.qdb"
        source = sqlite3.connect(self.base)
        target = sqlite3.connect(self.path)
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        source.close()
        target.close()
        self.project = Project.open(self.path, write=True)
        self.history = History(self.project)
        self.model = study_state(self.project)
        self.undo: list[dict[Any, tuple[Any, Any]]] = []
        self.redo: list[dict[Any, tuple[Any, Any]]] = []
        db = self.project.db
        self.documents = {d: t for d, t in db.execute("SELECT id, text FROM document")}
        self.segments = db.execute('SELECT document_id, start, "end" FROM segment ORDER BY document_id, start').fetchall()
        self.coder_ids = {name: self.project.coder_id(name) for name in (*CODERS, "carol", "consensus")}
        self.merged_colleague = False

    def teardown(self) -> None:
        self.project.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    # -- the model's own bookkeeping ---------------------------------------------------------------------

    def _step(self, new: dict[Any, Any], changed: bool, name: str, always: bool = False) -> None:
        """The model moves to ``new``; a step the real history recorded is recorded here too (``always``: a
        step even when the model sees no difference, as a decision taken again is one, with a new time)."""
        delta = {k: (self.model.get(k, MISSING), new.get(k, MISSING)) for k in set(self.model) | set(new)
                 if self.model.get(k, MISSING) != new.get(k, MISSING)}  # fmt: skip
        assert (bool(delta) or always) == changed, f"{name}: the model changed {bool(delta)}, the file {changed}"
        self.model = new
        if changed:
            self.undo.append(delta)
            self.redo.clear()
        FIGURES["steps"] += 1
        FIGURES["by_rule"][name] = FIGURES["by_rule"].get(name, 0) + 1

    def _replay(self, source: list[Any], target: list[Any], backwards: bool) -> None:
        delta = source.pop()
        for key, (old, new) in delta.items():
            value = old if backwards else new
            if value is MISSING:
                self.model.pop(key, None)
            else:
                self.model[key] = value
        target.append(delta)

    def _codings(self, coder: str | None = None) -> list[tuple[Any, ...]]:
        return sorted(k for k in self.model if k[0] == "coding" and (coder is None or k[3] == coder))

    def _codes(self) -> list[str]:
        return sorted(k[1] for k in self.model if k[0] == "code")

    def _subtree(self, top: str) -> set[str]:
        """A code and every code below it, in the model."""
        found = {top}
        while True:
            more = {k[1] for k in self.model if k[0] == "code" and self.model[k][1] in found} - found
            if not more:
                return found
            found |= more

    def _coding_id(self, key: tuple[Any, ...]) -> int:
        _, doc, code, coder, start, end = key
        return self.project.db.execute(
            'SELECT id FROM coding WHERE document_id = ? AND code_id = ? AND coder_id = ? AND start = ? AND "end" = ?',
            [doc, code, self.coder_ids[coder], start, end],
        ).fetchone()[0]

    # -- rules ---------------------------------------------------------------------------------------------

    @precondition(lambda self: bool(self._codes()))
    @rule(data=st.data(), coder=st.sampled_from(CODERS))
    def code(self, data: st.DataObject, coder: str) -> None:
        code = data.draw(st.sampled_from(self._codes()))
        n = data.draw(st.integers(0, len(self.segments) - 1))
        doc, start, end = self.segments[n]
        following = self.segments[n + 1] if n + 1 < len(self.segments) else None
        shape = data.draw(st.sampled_from(["sentence", "two", "part"]))
        if shape == "two" and following and following[0] == doc:
            end = following[2]
        elif shape == "part" and end - start > 4:
            start += data.draw(st.integers(0, (end - start) // 2))
        key = ("coding", doc, code, coder, start, end)
        new = dict(self.model)
        new.setdefault(key, (False, ()))
        change = self.history.do(lambda: adding(self.project, doc, [code], self.coder_ids[coder], start, end))
        self._step(new, bool(change), "code")

    @precondition(lambda self: bool(self._codings()))
    @rule(data=st.data())
    def uncode(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(self._codings()))
        new = dict(self.model)
        del new[key]  # with its memos
        change = self.history.do(lambda: removing(self.project, [self._coding_id(key)]))
        self._step(new, bool(change), "uncode")

    @precondition(lambda self: bool(self._codings()))
    @rule(data=st.data(), text=st.sampled_from(["", "why this", "a second thought", "Dee's words, not mine"]))
    def memo(self, data: st.DataObject, text: str) -> None:
        key = data.draw(st.sampled_from(self._codings()))
        star, memos = self.model[key]
        new = dict(self.model)
        new[key] = (star, (text,) if text else ())  # one memo per coder on a coding; empty deletes it
        if len(memos) > 1:  # several (from a merge of codes): the first is the one a coder edits
            kept = list(memos)
            first = self._first_memo(key)
            kept.remove(first)
            new[key] = (star, tuple(sorted(kept + ([text] if text else []))))
        coder = self.coder_ids[key[3]]
        change = self.history.do(lambda: memo_change(self.project, "coding", self._coding_id(key), coder, text))
        self._step(new, bool(change), "memo")

    def _first_memo(self, key: tuple[Any, ...]) -> str:
        return self.project.db.execute(
            "SELECT text FROM memo WHERE target_type = 'coding' AND target_id = ? AND coder_id = ? ORDER BY id LIMIT 1",
            [str(self._coding_id(key)), self.coder_ids[key[3]]],
        ).fetchone()[0]

    @precondition(lambda self: bool(self._codings()))
    @rule(data=st.data())
    def star(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(self._codings()))
        star, memos = self.model[key]
        new = {**self.model, key: (not star, memos)}
        change = self.history.do(lambda: starring(self.project, [self._coding_id(key)], not star))
        self._step(new, bool(change), "star")

    @rule(data=st.data(), name=st.sampled_from(["Wants a woman mentor", "Rent arrears", "Family contact", "Trust"]))
    def create_code(self, data: st.DataObject, name: str) -> None:
        parent = data.draw(st.sampled_from([None, *self._codes()]))
        change = self.history.do(lambda: add_code_change(self.project, name, parent))
        self._step({**self.model, ("code", added_code(change)): (name, parent)}, bool(change), "create code")

    @precondition(lambda self: len(self._codes()) > 2)
    @rule(data=st.data())
    def delete_code(self, data: st.DataObject) -> None:
        top = data.draw(st.sampled_from(self._codes()))
        gone = self._subtree(top)
        new = {k: v for k, v in self.model.items()
               if not ((k[0] == "code" and k[1] in gone) or (k[0] == "coding" and k[2] in gone)
                       or (k[0] == "consensus" and k[2] in gone) or (k[0] == "decision" and k[1] in gone))}  # fmt: skip
        change = self.history.do(lambda: delete_code_change(self.project, top))
        self._step(new, bool(change), "delete code")

    @precondition(lambda self: len(self._codes()) > 2)
    @rule(data=st.data())
    def merge_codes(self, data: st.DataObject) -> None:
        source = data.draw(st.sampled_from(self._codes()))
        below = self._subtree(source)
        targets = [c for c in self._codes() if c not in below]
        if not targets:
            return
        target = data.draw(st.sampled_from(targets))
        new = dict(self.model)
        for key in [k for k in self.model if k[0] == "coding" and k[2] == source]:
            star, memos = new.pop(key)
            moved = (key[0], key[1], target, *key[3:])
            if moved in new:  # the target has this passage already: it keeps it, with the star and memos
                there_star, there_memos = new[moved]
                new[moved] = (there_star or star, tuple(sorted(there_memos + memos)))
            else:
                new[moved] = (star, memos)
        for key in [k for k in self.model if k[0] == "consensus" and k[2] == source]:
            moved = ("consensus", key[1], target)
            new[moved] = new.get(moved, frozenset()) | new.pop(key)
        for key in [k for k in self.model if k[0] == "decision" and k[1] == source]:
            choice = new.pop(key)
            new.setdefault(("decision", target, *key[2:]), choice)
        for key in [k for k in self.model if k[0] == "code" and self.model[k][1] == source]:
            new[key] = (self.model[key][0], target)
        del new[("code", source)]
        change = self.history.do(lambda: merge_codes_change(self.project, source, target))
        self._step(new, bool(change), "merge codes")

    @rule(data=st.data(), choice=st.sampled_from(["first", "second", "both", "neither"]))
    def settle(self, data: st.DataObject, choice: str) -> None:
        rows = disagreement_rows(self.project, list(CODERS))
        if not rows:
            return
        row = data.draw(st.sampled_from(rows))
        doc = self.project.document(row["document"])["id"]
        text = self.documents[doc]
        unit = {i for i in range(row["start"], row["end"]) if not text[i].isspace()}
        chosen: set[int] = set()
        for coder in {"first": CODERS[:1], "second": CODERS[1:], "both": CODERS}.get(choice, ()):
            for key in self._codings(coder):
                if key[1] == doc and key[2] == row["code"]:
                    chosen |= set(range(key[4], key[5]))
        new = dict(self.model)
        key = ("consensus", doc, row["code"])
        covered = (new.get(key, frozenset()) - unit) | (chosen & unit)
        if covered:
            new[key] = frozenset(covered)
        else:
            new.pop(key, None)
        new[("decision", row["code"], doc, row["start"], row["end"])] = choice
        change = self.history.do(lambda: settle_change(self.project, row, list(CODERS), choice))
        self._step(new, bool(change), "settle", always=True)

    @precondition(lambda self: not self.merged_colleague)
    @rule()
    def merge_colleague(self) -> None:
        """Another coder's file of the same study merged in (not a step of the workbench: undo skips it). A code
        the colleague has under another parent (after a merge of codes here) stops it, nothing written."""
        theirs = Project.open(self.colleague)
        try:
            names = dict(theirs.db.execute("SELECT id, name FROM coder").fetchall())
            codes = {("code", c): (name, parent) for c, name, parent in theirs.db.execute(
                "SELECT id, name, parent FROM code")}  # fmt: skip
            added: dict[Any, Any] = {}
            for doc, code, coder, start, end, star in theirs.db.execute(
                'SELECT document_id, code_id, coder_id, start, "end", key_quote FROM coding'
            ):
                if names[coder] == "consensus":  # a consensus passage the file does not have comes in whole
                    key, text = ("consensus", doc, code), self.documents[doc]
                    covered = frozenset(i for i in range(start, end) if not text[i].isspace())
                    added[key] = added.get(key, frozenset()) | covered
                else:
                    added[("coding", doc, code, names[coder], start, end)] = (bool(star), ())
        finally:
            theirs.close()
        before = content(self.project.db)
        try:
            merge_projects(self.path, [self.colleague])
        except QualcodeError as refused:
            assert "cannot merge" in str(refused) and content(self.project.db) == before
            FIGURES["by_rule"]["merge projects refused"] = FIGURES["by_rule"].get("merge projects refused", 0) + 1
            return
        for key, value in {**codes, **added}.items():  # the same study: documents keep their ids
            if key[0] == "consensus":
                self.model[key] = self.model.get(key, frozenset()) | value
            else:
                self.model.setdefault(key, value)
        self.merged_colleague = True
        FIGURES["by_rule"]["merge projects"] = FIGURES["by_rule"].get("merge projects", 0) + 1

    @rule()
    def undo(self) -> None:
        self._reverse(undo=True)

    @rule()
    def redo(self) -> None:
        self._reverse(undo=False)

    def _reverse(self, undo: bool) -> None:
        stack, other = (self.undo, self.redo) if undo else (self.redo, self.undo)
        before = content(self.project.db)
        try:
            change = self.history.undo() if undo else self.history.redo()
        except ChangeConflict:
            assert content(self.project.db) == before, "a refused undo or redo wrote something"
            stack.pop()  # the history took the step off its list: so does the model
            FIGURES["conflicts"] += 1
            return
        assert (change is None) == (not stack), "the model and the history disagree on what there is to undo"
        if change is not None:
            self._replay(stack, other, backwards=undo)
        FIGURES["by_rule"]["undo" if undo else "redo"] = FIGURES["by_rule"].get("undo" if undo else "redo", 0) + 1

    # -- what must hold after every step -------------------------------------------------------------------

    @invariant()
    def the_file_holds_what_the_model_holds(self) -> None:
        found = study_state(self.project)
        assert found == self.model, _difference(found, self.model)
        FIGURES["checks"] += 1

    @invariant()
    def no_memo_without_its_coding_and_check_finds_nothing(self) -> None:
        orphans = self.project.db.execute(
            "SELECT count(*) FROM memo WHERE target_type = 'coding' AND target_id NOT IN "
            "(SELECT CAST(id AS TEXT) FROM coding)"
        ).fetchone()[0]
        assert orphans == 0
        problems = check_project(self.path).problems
        assert problems == [], problems
        FIGURES["checks"] += 1


def _difference(found: dict[Any, Any], model: dict[Any, Any]) -> str:
    lines = []
    for key in sorted(set(found) | set(model), key=repr):
        if found.get(key, MISSING) != model.get(key, MISSING):
            lines.append(f"{key}: file {found.get(key, '-')!r}, model {model.get(key, '-')!r}")
    return "\n".join(lines[:10])


def prepare(folder: Path, build: Any) -> tuple[Path, Path]:
    """The base study (``build(path)`` makes it) and a colleague's copy with carol's codings."""
    base = folder / "base.qdb"
    if not base.exists():
        build(base)
        with Project.open(base, write=True) as project:  # as after a first round: a consensus passage over two
            ids = {name: project.coder_id(name) for name in ("amira", "ben", "consensus")}  # sentences, one of
            (doc, start, _), (_, _, end) = project.db.execute(  # which only amira coded
                'SELECT document_id, start, "end" FROM segment ORDER BY document_id, start LIMIT 2 OFFSET 2'
            ).fetchall()
            with project.transaction():
                for coder, stop in (("amira", end), ("ben", end - (end - start) // 2), ("consensus", end)):
                    project.db.execute(
                        'INSERT INTO coding(document_id, code_id, coder_id, start, "end", created_at) '
                        "VALUES (?, 'housing', ?, ?, ?, '2026-01-01')", [doc, ids[coder], start, stop]
                    )
    colleague = folder / "colleague.qdb"
    if not colleague.exists():
        shutil.copy(base, colleague)
        with Project.open(colleague, write=True) as project:
            carol = project.coder_id("carol")
            segments = project.db.execute('SELECT document_id, start, "end" FROM segment').fetchall()[1::3]
            codes = [r[0] for r in project.db.execute("SELECT id FROM code ORDER BY id")]
            with project.transaction():
                for n, (doc, start, end) in enumerate(segments):
                    project.db.execute(
                        'INSERT INTO coding(document_id, code_id, coder_id, start, "end", key_quote, created_at) '
                        "VALUES (?, ?, ?, ?, ?, ?, '2026-01-01')", [doc, codes[n % len(codes)], carol, start, end, n % 2]
                    )
    return base, colleague


__all__ = ["FIGURES", "StudyMachine", "prepare", "Code"]
