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

from .codebook import project_codes
from .exports import write_atomically
from .store import Project

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "qualcode 0.1"
_FIELDS = (("include", "Include"), ("exclude", "Exclude"), ("example", "Example"))
_COLOUR = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


class Guids:
    def __init__(self, project: Project) -> None:
        stored = project.meta("refi_namespace")
        if stored is None:
            stored = str(uuid.uuid4())
            with project.transaction():
                project.set_meta("refi_namespace", stored)
        self.namespace = uuid.UUID(stored)

    def __call__(self, kind: str, key: object) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}:{key}"))


def describe(code: dict[str, Any]) -> str:
    """A code's definition, criteria, example, keywords and logic-model level as one readable description."""
    lines = [code["definition"]] if code.get("definition") else []
    for field, label in _FIELDS:
        if code.get(field):
            lines.append(f"{label}: {code[field]}")
    keywords = code.get("keywords") or []
    if isinstance(keywords, str):
        keywords = json.loads(keywords or "[]")
    if keywords:
        lines.append("Keywords: " + "; ".join(keywords))
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


_VALUE = {"Integer": "IntegerValue", "Float": "FloatValue", "Boolean": "BooleanValue", "Date": "DateValue",
          "Text": "TextValue"}  # fmt: skip


def write_qdpx(project: Project, path: Path) -> dict[str, int]:
    """The whole project as a REFI-QDA project archive; returns counts of what was written."""
    ns = PROJECT_NS
    q = lambda name: f"{{{ns}}}{name}"  # noqa: E731
    guids = Guids(project)
    coders = dict(project.db.execute("SELECT id, name FROM coder ORDER BY id").fetchall())
    root = ET.Element(q("Project"), {"name": project.path.stem, "origin": ORIGIN,
                                     "creationDateTime": timestamp(project.meta("created_at"))})  # fmt: skip
    if coders:
        root.set("creatingUserGUID", guids("coder", next(iter(coders.values()))))
        users = ET.SubElement(root, q("Users"))
        for name in coders.values():
            ET.SubElement(users, q("User"), {"guid": guids("coder", name), "name": name, "id": name})
    memos = project.db.execute(
        "SELECT id, target_type, target_id, coder_id, text, created_at FROM memo ORDER BY id"
    ).fetchall()
    note_refs: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    notes = []
    pseudonym_of = dict(project.db.execute("SELECT id, pseudonym FROM participant").fetchall())
    for memo_id, target_type, target_id, coder_id, text, created in memos:
        guid = guids("memo", memo_id)
        note_refs[(target_type, target_id)].append(guid)
        about = pseudonym_of.get(int(target_id), "") if target_type == "participant" and target_id else ""
        notes.append((guid, f"qualcode memo: {target_type} {about}".strip(), coder_id, text, created))
    coding_notes: dict[int, list[str]] = defaultdict(list)  # a coding's own memo column
    codings_with_memo = project.db.execute(
        "SELECT id, coder_id, memo, created_at FROM coding WHERE memo IS NOT NULL AND memo != ''"
    ).fetchall()
    for coding_id, coder_id, text, created in codings_with_memo:
        guid = guids("coding-memo", coding_id)
        coding_notes[coding_id].append(guid)
        notes.append((guid, "qualcode coding memo", coder_id, text, created))
    code_notes = {key[1]: refs for key, refs in note_refs.items() if key[0] == "code" and key[1]}
    codebook = ET.SubElement(root, q("CodeBook"))
    code_count = _code_tree(codebook, ns, project, guids, code_notes)
    if not code_count:
        root.remove(codebook)

    people = project.db.execute("SELECT id, pseudonym, stakeholder_group, attributes FROM participant").fetchall()
    attributes = {
        pid: {"stakeholder group": group or "", **json.loads(attrs or "{}")} for pid, _, group, attrs in people
    }
    names = sorted({k for a in attributes.values() for k, v in a.items() if str(v) != ""})
    kinds = {n: _variable_type([str(a[n]) for a in attributes.values() if str(a.get(n, "")) != ""]) for n in names}
    documents = project.db.execute(
        "SELECT id, name, sha256, text, kind, attributes, imported_at FROM document ORDER BY name"
    ).fetchall()
    doc_names = sorted({k for d in documents for k in json.loads(d[5] or "{}")} | {"kind"})
    if names or documents:
        variables = ET.SubElement(root, q("Variables"))
        for name in names:
            ET.SubElement(variables, q("Variable"), {"guid": guids("variable", name), "name": name,
                                                     "typeOfVariable": kinds[name]})  # fmt: skip
        for name in doc_names if documents else []:
            ET.SubElement(variables, q("Variable"), {"guid": guids("document-variable", name),
                                                     "name": f"document {name}", "typeOfVariable": "Text"})  # fmt: skip
        if not len(variables):
            root.remove(variables)

    def value(parent: ET.Element, guid: str, kind: str, raw: object) -> None:
        text = str(raw).lower() if kind == "Boolean" else str(raw)
        holder = ET.SubElement(parent, q("VariableValue"))
        ET.SubElement(holder, q("VariableRef"), {"targetGUID": guid})
        ET.SubElement(holder, q(_VALUE[kind])).text = text

    turns = project.db.execute(
        'SELECT document_id, seq, start, "end", participant_id FROM turn WHERE participant_id IS NOT NULL '
        "ORDER BY document_id, seq"
    ).fetchall()
    turns_of: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for turn in turns:
        turns_of[turn[4]].append(turn)
    sha_of = {d[0]: d[2] for d in documents}
    if people:
        cases = ET.SubElement(root, q("Cases"))
        for pid, pseudonym, _, _ in sorted(people, key=lambda p: p[1]):
            case = ET.SubElement(cases, q("Case"), {"guid": guids("participant", pseudonym), "name": pseudonym})
            for name, raw in attributes[pid].items():
                if str(raw) != "":
                    value(case, guids("variable", name), kinds[name], raw)
            for document_id in dict.fromkeys(t[0] for t in turns_of[pid]):
                ET.SubElement(case, q("SourceRef"), {"targetGUID": guids("document", sha_of[document_id])})
            for document_id, seq, *_ in turns_of[pid]:
                ET.SubElement(case, q("SelectionRef"), {"targetGUID": guids("turn", f"{sha_of[document_id]}:{seq}")})

    codings = project.db.execute(
        'SELECT id, document_id, code_id, coder_id, start, "end", created_at FROM coding '
        'ORDER BY document_id, start, "end", id'
    ).fetchall()
    by_document: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in codings:
        by_document[row[1]].append(row)
    pseudonyms = {pid: pseudonym for pid, pseudonym, _, _ in people}
    files: dict[str, str] = {}
    if documents:
        sources = ET.SubElement(root, q("Sources"))
        for document_id, name, sha, text, kind, doc_attrs, imported in documents:
            guid = guids("document", sha)
            files[guid] = text
            path_text = f"internal://{guid}.txt"
            source = ET.SubElement(
                sources,
                q("TextSource"),
                {"guid": guid, "name": name, "plainTextPath": path_text, "creationDateTime": timestamp(imported)},
            )
            selections: dict[tuple[int, int], ET.Element] = {}
            for coding_id, _, code_id, coder_id, start, end, created in by_document[document_id]:
                selection = selections.get((start, end))
                if selection is None:
                    selection = ET.SubElement(
                        source,
                        q("PlainTextSelection"),
                        {
                            "guid": guids("selection", f"{sha}:{start}:{end}"),
                            "name": " ".join(text[start:end].split())[:60],
                            "startPosition": str(start),
                            "endPosition": str(end),
                            "creatingUser": guids("coder", coders[coder_id]),
                            "creationDateTime": timestamp(created),
                        },
                    )
                    selections[(start, end)] = selection
                coding = ET.SubElement(
                    selection,
                    q("Coding"),
                    {
                        "guid": guids("coding", f"{sha}:{start}:{end}:{code_id}:{coders[coder_id]}"),
                        "creatingUser": guids("coder", coders[coder_id]),
                        "creationDateTime": timestamp(created),
                    },
                )
                ET.SubElement(coding, q("CodeRef"), {"targetGUID": guids("code", code_id)})
                for note in [*note_refs.get(("coding", str(coding_id)), []), *coding_notes.get(coding_id, [])]:
                    ET.SubElement(coding, q("NoteRef"), {"targetGUID": note})
            for _, seq, start, end, participant in (t for t in turns if t[0] == document_id):
                turn_guid, label = guids("turn", f"{sha}:{seq}"), f"{pseudonyms[participant]}, turn {seq + 1}"
                ET.SubElement(
                    source,
                    q("PlainTextSelection"),
                    {"guid": turn_guid, "name": label, "startPosition": str(start), "endPosition": str(end)},
                )
            for note in note_refs.get(("document", str(document_id)), []):
                ET.SubElement(source, q("NoteRef"), {"targetGUID": note})
            for name in doc_names:
                raw = kind if name == "kind" else json.loads(doc_attrs or "{}").get(name)
                if raw not in (None, ""):
                    value(source, guids("document-variable", name), "Text", raw)
    if notes:
        holder = ET.SubElement(root, q("Notes"))
        for guid, name, coder_id, text, created in notes:
            note = ET.SubElement(
                holder, q("Note"), {"guid": guid, "name": name, "creationDateTime": timestamp(created)}
            )
            if coder_id in coders:
                note.set("creatingUser", guids("coder", coders[coder_id]))
            ET.SubElement(note, q("PlainTextContent")).text = text
    for note in note_refs.get(("project", None), []):
        ET.SubElement(root, q("NoteRef"), {"targetGUID": note})

    def write(target: Path) -> None:
        ET.register_namespace("", ns)
        xml = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", xml)
            for guid, text in files.items():
                archive.writestr(f"sources/{guid}.txt", text.encode("utf-8"))

    write_atomically(path, {".qdpx": write})
    return {"documents": len(documents), "codes": code_count, "codings": len(codings), "participants": len(people),
            "notes": len(notes), "coders": len(coders)}  # fmt: skip
