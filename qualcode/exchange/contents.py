"""The writing half of a .qdpx import: coders, codes, documents, participants, codings and memos, inside the
caller's transaction; codes, codings and memos through ``project.changes``, as every change to them. See
``exchange.imports`` for the rules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from ..ingest.groups import Groups
from ..ingest.importer import Importer, ImportOptions
from ..ingest.people import Speaker
from ..ingest.turns import RawTurn
from ..project.changes import adding, apply
from ..project.facts import Coding, CodingKey, Memo, coding_id
from ..project.schema import KINDS
from ..project.store import Project, dumps
from ..text import sha256
from .codebooks import import_codes
from .exports import KEY_QUOTE, MADE
from .reading import PositionMap, child, children, guid, local, when
from .record import read_record
from .turns import RecordedTurn
from .values import read_value


@dataclass
class Report:
    codes_added: int = 0
    documents_added: int = 0
    codings_added: int = 0
    participants: int = 0
    memos_added: int = 0
    mismatches: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    speakers: str = ""  # how turns were found: detect, cases or none


def prepare_sources(
    project: Project, texts: dict[str, tuple[str, PositionMap]], nlp: Any, mode: str = "detect",
    turns: dict[str, list[Any]] | None = None, recorded: dict[str, list[RecordedTurn]] | None = None,
) -> Importer | None:  # fmt: skip
    """The sources not yet in the project, read and segmented before any transaction (segmenting is the slow
    part, and nobody should wait for it); ``apply_project`` writes them. ``mode``, ``turns`` (from cases) and
    ``recorded`` (turns a qualcode archive recorded): see ``exchange.imports.import_qdpx``."""
    new = {key: value for key, value in texts.items() if not _document_id(project, value[1].text)}
    if not new:
        return None
    given: dict[str, Any] = {}
    people: dict[str, dict[str, Speaker]] = {}
    for key, (name, mapped) in new.items():
        given[name] = (mapped.text, turns[key]) if turns and key in turns else mapped.text
        if recorded and key in recorded:
            given[name] = (mapped.text, [RawTurn(t.start, t.end, t.speaker, t.time_start, t.time_end)
                                         for t in recorded[key]])  # fmt: skip
            people[name] = {t.speaker: Speaker(t.role, t.pseudonym if t.role == "participant" else None)
                            for t in reversed(recorded[key]) if t.speaker is not None}  # fmt: skip
    options = ImportOptions(detect_speakers=mode == "detect", labels_are_people=mode == "cases", people=people)
    importer = Importer(project, [], options, given=given)
    for _ in importer.read():  # in memory: no transcript is written to disk
        pass
    for _ in importer.segment(nlp):
        pass
    return importer


def _document_id(project: Project, text: str) -> int | None:
    row = project.db.execute("SELECT id FROM document WHERE sha256 = ?", [sha256(text)]).fetchone()
    return int(row[0]) if row else None


def apply_project(
    project: Project,
    root: Any,
    texts: dict[str, tuple[str, PositionMap]],
    importer: Importer | None,
    report: Report,
    source: str,
    recorded: dict[str, list[RecordedTurn]] | None = None,
) -> None:
    db = project.db
    own = (root.get("origin") or "").lower().startswith("qualcode")
    before = {r[0] for r in db.execute("SELECT id FROM participant")}
    users = {}
    for user in children(child(root, "Users"), "User") if child(root, "Users") is not None else []:
        users[guid(user.get("guid"))] = user.get("name") or user.get("id") or f"user {guid(user.get('guid'))[:8]}"
    codes: dict[str, str] = {}
    codebook = child(root, "CodeBook")
    if codebook is not None and child(codebook, "Codes") is not None:
        codes = import_codes(project, child(codebook, "Codes"), source, report)
    documents, fresh = _documents(project, texts, importer, report)
    notes = {}
    for note in children(child(root, "Notes"), "Note") if child(root, "Notes") is not None else []:
        content = child(note, "PlainTextContent")
        text = (content.text or "") if content is not None else ""
        author = users.get(guid(note.get("creatingUser")))
        notes[guid(note.get("guid"))] = (note.get("name") or "", text, author, when(note.get("creationDateTime")))
    used: set[str] = set()
    memos = _Memos(project, report)
    new_codings: dict[CodingKey, Coding] = {}

    def memo(target_type: str, target_id: object, refs: list[Any]) -> None:
        for ref in refs:
            key = guid(ref.get("targetGUID"))
            if key in notes:
                used.add(key)
                memos.add(target_type, target_id, notes[key])

    memo("project", None, children(root, "NoteRef"))
    if codebook is not None:
        for element in root.iter():
            if local(element.tag) == "Code" and guid(element.get("guid")) in codes:
                memo("code", codes[guid(element.get("guid"))], children(element, "NoteRef"))
    variables = {}
    for variable in children(child(root, "Variables"), "Variable") if child(root, "Variables") is not None else []:
        variables[guid(variable.get("guid"))] = variable.get("name") or ""
    selections: dict[str, tuple[int, Any]] = {}
    for source_element in children(child(root, "Sources"), "TextSource") if child(root, "Sources") is not None else []:
        key = guid(source_element.get("guid"))
        document_id, (name, mapped) = documents[key], texts[key]
        memo("document", document_id, children(source_element, "NoteRef"))
        if key in fresh and source_element.get("creationDateTime"):  # when the document came into the study
            db.execute("UPDATE document SET imported_at = ? WHERE id = ?",
                       [when(source_element.get("creationDateTime")), document_id])  # fmt: skip
        _document_variables(project, document_id, source_element, variables, key in fresh)
        for selection in children(source_element, "PlainTextSelection"):
            selections[guid(selection.get("guid"))] = (document_id, selection)
            _codings(project, document_id, name, mapped, selection, codes, users, notes, used, report, new_codings,
                     memos, own)  # fmt: skip
    apply(project, adding(f"codings from {source}", new_codings.values()), undoable=False)  # before their memos
    report.codings_added += len(new_codings)
    _cases(project, root, variables, selections, texts, documents, report, before)
    people = dict(db.execute("SELECT pseudonym, id FROM participant").fetchall())
    for key in fresh & set(recorded or {}):  # who spoke where, exactly as the archive recorded it
        _recorded(project, documents[key], (recorded or {})[key], people)
    described = child(root, "Description")  # labels, framework, decisions, dismissals (``exchange.record``)
    read_record(project, described.text if described is not None else None, documents,
                {key: mapped for key, (_, mapped) in texts.items()}, report.warnings)  # fmt: skip
    for key, (name, text, coder, created) in notes.items():  # participants' memos, then anything unreferenced
        if key in used:
            continue
        if name.startswith("qualcode memo: participant "):
            pseudonym = name.split(" ", 3)[3]
            if db.execute("SELECT 1 FROM participant WHERE pseudonym = ?", [pseudonym]).fetchone():
                memos.add("participant", pseudonym, (name, text, coder, created))
                continue
        memos.add("project", None, (name, f"{name}: {text}" if name else text, coder, created))
    memos.write()


def _documents(
    project: Project, texts: dict[str, tuple[str, PositionMap]], importer: Importer | None, report: Report
) -> tuple[dict[str, int], set[str]]:
    """Each source's document id, found by content or written now from what ``prepare_sources`` segmented;
    and the sources whose documents this import brings."""
    found = {key: _document_id(project, mapped.text) for key, (_, mapped) in texts.items()}
    fresh = {key for key, value in found.items() if value is None}
    if importer is not None:
        for _ in importer.write():
            pass
        report.documents_added += len(importer.report.imported)
    claimed = {value for value in found.values() if value is not None}
    for key, (name, mapped) in texts.items():
        if found[key] is None:
            found[key] = _document_id(project, mapped.text)
            if found[key] in claimed:
                continue  # a second source with the same text (two empty ones): one document, named as the first
            claimed.add(found[key])
            if not project.db.execute("SELECT 1 FROM document WHERE name = ?", [name]).fetchone():
                project.db.execute("UPDATE document SET name = ? WHERE id = ?", [name, found[key]])  # as it was
    return {key: int(value) for key, value in found.items() if value is not None}, fresh


def _recorded(project: Project, document_id: int, turns: list[RecordedTurn], people: dict[str, int]) -> None:
    """Each recorded turn's role and participant (``people``: pseudonym -> id), where the import's own reading
    of its label differs."""
    for turn in turns:
        participant = people.get(turn.pseudonym or "") if turn.role == "participant" else None
        project.db.execute(
            'UPDATE turn SET role = ?, participant_id = ? WHERE document_id = ? AND start = ? AND "end" = ? '
            "AND (role IS NOT ? OR participant_id IS NOT ?)",
            [turn.role, participant, document_id, turn.start, turn.end, turn.role, participant],
        )


_DOCUMENT_FIELDS = {"document title": "title", "document format": "source_format"}  # as qualcode writes them


def _document_variables(project: Project, document_id: int, element: Any, variables: dict[str, str],
                        fresh: bool) -> None:  # fmt: skip
    """A source's variables onto its document: kind and attributes; title and format only for a document this
    import brings (one already in the project keeps its own)."""
    attributes = {}
    for value in children(element, "VariableValue"):
        name = variables.get(guid(child(value, "VariableRef").get("targetGUID")), "")
        typed = read_value(value)
        if not name or typed is None:
            continue
        if name == "document kind" and typed in KINDS:
            project.db.execute("UPDATE document SET kind = ? WHERE id = ?", [typed, document_id])
        elif name in _DOCUMENT_FIELDS:
            if fresh and isinstance(typed, str) and typed.strip():
                column = _DOCUMENT_FIELDS[name]
                project.db.execute(f"UPDATE document SET {column} = ? WHERE id = ?", [typed, document_id])
        else:
            attributes[name.removeprefix("document ")] = typed
    if attributes:
        row = project.db.execute("SELECT attributes FROM document WHERE id = ?", [document_id]).fetchone()
        merged = {**json.loads(row[0] or "{}"), **attributes}
        project.db.execute("UPDATE document SET attributes = ? WHERE id = ?",
                           [dumps(merged), document_id])  # fmt: skip


def lands(name: str | None, text: str) -> bool:
    """Whether a selection's name (a quote of it, in most tools) matches the text it lands on."""
    words = " ".join((name or "").split())
    if len(words.split()) < 3:
        return True  # "Quotation 3", "Selection": not a quote, nothing to check
    landed = " ".join(text.split())
    quoted = words[:40].lower()
    return fuzz.ratio(quoted, landed[: len(quoted)].lower()) >= 85


def positions(mapped: PositionMap, selection: Any) -> tuple[int | None, int | None]:
    """A selection's start and end on the normalised text; None for a position that is missing, not a whole
    number, or does not land on a character."""
    try:
        return mapped(int(selection.get("startPosition"))), mapped(int(selection.get("endPosition")))
    except (TypeError, ValueError):
        return None, None


def _codings(
    project: Project, document_id: int, name: str, mapped: PositionMap, selection: Any,
    codes: dict[str, str], users: dict[str, str], notes: dict[str, Any], used: set[str], report: Report,
    found: dict[CodingKey, Coding], memos: _Memos, own: bool,
) -> None:  # fmt: skip
    """A selection's codings into ``found`` (written together afterwards), their memos into ``memos``; ``own``:
    the archive is qualcode's, so a coding its selection says nothing about was made by hand."""
    codings = children(selection, "Coding")
    if not codings:
        return
    start, end = positions(mapped, selection)
    where = f"{name} [{selection.get('startPosition')}, {selection.get('endPosition')})"
    if start is None or end is None or start >= end:
        report.mismatches.append(f"{where}: outside the text or inside a character ({mapped.convention} positions)")
        return
    if not lands(selection.get("name"), mapped.text[start:end]):
        report.mismatches.append(
            f"{where}: named {selection.get('name')!r} but lands on {mapped.text[start:end][:40]!r}"
        )
        return
    described = child(selection, "Description")
    said = [line.strip() for line in (described.text or "").splitlines()] if described is not None else []
    starred = KEY_QUOTE in said
    made = next((origin for origin, words in MADE.items() if words in said), "manual" if own else "import")
    for coding in codings:
        code = codes.get(
            guid(child(coding, "CodeRef").get("targetGUID") if child(coding, "CodeRef") is not None else "")
        )
        if code is None:
            report.mismatches.append(f"{where}: a coding with a code that is not in the codebook")
            continue
        coder_name = users.get(guid(coding.get("creatingUser") or selection.get("creatingUser")), "imported")
        coder = project.coder_id(coder_name)
        memo_column = None
        for ref in children(coding, "NoteRef"):
            key = guid(ref.get("targetGUID"))
            if key in notes and notes[key][0] == "qualcode coding memo":
                memo_column = notes[key][1]
                used.add(key)
        fact = Coding(document_id, code, coder, start, end, made, when(coding.get("creationDateTime")), starred,
                      memo_column)  # fmt: skip
        if fact.key not in found and coding_id(project.db, fact.key) is None:
            found[fact.key] = fact
        for ref in children(coding, "NoteRef"):
            key = guid(ref.get("targetGUID"))
            if key in notes and key not in used:
                used.add(key)
                memos.add("coding", fact.key, notes[key])


def _cases(
    project: Project, root: Any, variables: dict[str, str], selections: dict[str, tuple[int, Any]],
    texts: dict[str, tuple[str, PositionMap]], documents: dict[str, int], report: Report, before: set[int],
) -> None:  # fmt: skip
    db = project.db
    mapped_by_document = {documents[k]: v[1] for k, v in texts.items()}
    claimed: set[int] = set()
    case_names: list[str] = []
    groups = Groups(project)  # a case's group joins the project's group of that name, whatever its spelling
    for n, case in enumerate(children(child(root, "Cases"), "Case") if child(root, "Cases") is not None else []):
        pseudonym = (case.get("name") or "").strip() or f"Case {n + 1}"
        case_names.append(pseudonym)
        group, attributes = None, {}
        for value in children(case, "VariableValue"):
            name = variables.get(guid(child(value, "VariableRef").get("targetGUID")), "")
            typed = read_value(value)
            if name and typed is not None:
                if name.lower() == "stakeholder group":
                    group = groups.resolve(str(typed), f"case {pseudonym!r}")
                else:
                    attributes[name] = typed
        row = db.execute("SELECT id, attributes FROM participant WHERE pseudonym = ?", [pseudonym]).fetchone()
        if row is None:
            participant = db.execute(
                "INSERT INTO participant(pseudonym, stakeholder_group, attributes) VALUES (?, ?, ?)",
                [pseudonym, group, dumps(attributes)],
            ).lastrowid
        else:
            participant = row[0]
            merged = {**json.loads(row[1] or "{}"), **attributes}
            db.execute(
                "UPDATE participant SET stakeholder_group = coalesce(?, stakeholder_group), attributes = ? "
                "WHERE id = ?",
                [group, dumps(merged), participant],
            )
        report.participants += 1
        for ref in children(case, "SelectionRef"):
            found = selections.get(guid(ref.get("targetGUID")))
            if not found:
                continue
            document_id, selection = found
            mapped = mapped_by_document[document_id]
            start, end = positions(mapped, selection)
            if start is None or end is None:
                report.mismatches.append(f"case {case.get('name')!r}: a selection in {mapped.source} is not at "
                                         "positions in its text; that part of the case was not read")  # fmt: skip
                continue
            claimed.add(document_id)
            db.execute(
                "UPDATE turn SET participant_id = ?, role = 'participant' WHERE document_id = ? AND start >= ? "
                "AND \"end\" <= ? AND role != 'interviewer'",
                [participant, document_id, start, end],
            )
    for document_id in claimed:  # where cases name their turns, a speaker no case claims was not a participant
        db.execute(
            "UPDATE turn SET participant_id = NULL, role = 'interviewer' WHERE document_id = ? AND participant_id IN "
            "(SELECT id FROM participant WHERE id NOT IN (SELECT value FROM json_each(?)) "
            "AND pseudonym NOT IN (SELECT value FROM json_each(?)))",
            [document_id, json.dumps(sorted(before)), json.dumps(case_names)],
        )
    db.execute(  # speakers this import made participants of, whom no case claimed and no turn is left with
        "DELETE FROM participant WHERE id NOT IN (SELECT participant_id FROM turn WHERE participant_id IS NOT NULL) "
        "AND pseudonym NOT IN (SELECT value FROM json_each(?)) AND id NOT IN (SELECT value FROM json_each(?))",
        [json.dumps(case_names), json.dumps(sorted(before))],
    )  # fmt: skip
    report.warnings.extend(groups.warnings)


class _Memos:
    """The archive's notes as memos, each kept once (one the project already has is left out), written
    together through ``changes`` once the codings they are written on are in."""

    def __init__(self, project: Project, report: Report) -> None:
        self.project, self.report = project, report
        self.facts: list[Memo] = []
        self.seen: set[tuple[Any, ...]] = set()

    def add(self, target_type: str, target: str | CodingKey | object | None, note: tuple[str, str, Any, str]) -> None:
        _, text, coder_name, created = note
        if not text.strip():
            return
        coder = self.project.coder_id(coder_name) if coder_name else None
        key: str | CodingKey | None = target if isinstance(target, tuple) or target is None else str(target)
        if (target_type, key, coder, text) in self.seen:
            return
        self.seen.add((target_type, key, coder, text))
        stored: Any = key
        if isinstance(key, tuple):  # on a coding: only one already in the project can hold the memo already
            found = coding_id(self.project.db, key)
            if found is None:
                self.facts.append(Memo(target_type, key, coder, text, created, created))
                return
            stored = str(found)
        if not self.project.db.execute(
            "SELECT 1 FROM memo WHERE target_type = ? AND target_id IS ? AND coder_id IS ? AND text = ?",
            [target_type, stored, coder, text],
        ).fetchone():
            self.facts.append(Memo(target_type, key, coder, text, created, created))

    def write(self) -> None:
        apply(self.project, adding("memos from a REFI-QDA project", self.facts), undoable=False)
        self.report.memos_added += len(self.facts)
