"""Reading REFI-QDA codebooks (.qdc) and projects (.qdpx) into a project, all in one transaction.

Codes are matched by the "Id:" line qualcode writes into descriptions, then by name (other tools regenerate
GUIDs), and otherwise added; a description written by qualcode is unfolded back into definition, criteria,
example, keywords and logic-model level. Users become coders; sources become documents (segmented like any
import; a source already in the project, by content, is reused); cases become participants, with typed
variables as their group and attributes and their selections telling which turns are theirs; every coded
selection becomes codings with their coders and dates; notes become memos where they are referenced.

A selection whose position does not land on the source text (past its end, or inside a character), or whose
name does not match the text it lands on, is reported and not imported — never silently shifted.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .codebook import project_codes
from .errors import QualcodeError
from .refi_read import Archive, PositionMap, convention_for, guid, local, parse_xml
from .store import Project
from .text import normalise

_LINES = {"Include": "include", "Exclude": "exclude", "Example": "example"}
_LEVEL = re.compile(r"^Logic-model level: ([a-z-]+)(?: \((.+)\))?$")


@dataclass
class Report:
    codes_added: int = 0
    documents_added: int = 0
    codings_added: int = 0
    participants: int = 0
    memos_added: int = 0
    mismatches: list[str] = field(default_factory=list)


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if local(child.tag) == name]


def _child(element: Any, name: str) -> Any:
    found = _children(element, name)
    return found[0] if found else None


def unfold(description: str) -> dict[str, Any]:
    """A description back into the code's fields (qualcode's own layout; anything else is the definition)."""
    fields: dict[str, Any] = {"definition": [], "keywords": [], "level": "other", "beneficiary": None, "id": None}
    for line in description.splitlines():
        label, _, rest = line.partition(": ")
        level = _LEVEL.match(line)
        if label in _LINES and rest:
            fields[_LINES[label]] = rest
        elif label == "Keywords" and rest:
            fields["keywords"] = [k.strip() for k in rest.split(";") if k.strip()]
        elif level:
            fields["level"], fields["beneficiary"] = level.group(1).replace("-", "_"), level.group(2)
        elif label == "Id" and rest:
            fields["id"] = rest.strip()
        else:
            fields["definition"].append(line)
    fields["definition"] = "\n".join(fields["definition"]).strip()
    return fields


def _slug(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "code"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def import_codes(project: Project, codes_element: Any, source: str, report: Report) -> dict[str, str]:
    """The code tree under ``Codes``; returns REFI GUID -> qualcode code id."""
    from .schema import LEVELS

    existing = {c["id"]: c for c in project_codes(project)}
    by_name = {c["name"].lower(): c["id"] for c in existing.values()}
    mapping: dict[str, str] = {}

    def walk(element: Any, parent: str | None, position: int) -> None:
        name = (element.get("name") or "").strip()
        if not name or not element.get("guid"):
            raise QualcodeError(f"{source}: a code without a name or guid")
        fields = unfold(_child(element, "Description").text or "" if _child(element, "Description") is not None else "")
        code_id = fields["id"] if fields["id"] in existing else by_name.get(name.lower())
        if code_id is None:
            code_id = fields["id"] or _slug(name, set(existing))
            if code_id in existing:
                code_id = _slug(name, set(existing))
            level = fields["level"] if fields["level"] in LEVELS else "other"
            colour = element.get("color")
            project.db.execute(
                "INSERT INTO code(id, parent, name, level, beneficiary, definition, include, exclude, example, "
                "keywords, colour, codebook, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [code_id, parent, name, level, fields["beneficiary"], fields["definition"],
                 fields.get("include", ""), fields.get("exclude", ""), fields.get("example", ""),
                 json.dumps(fields["keywords"], ensure_ascii=False), colour, Path(source).stem, position],
            )  # fmt: skip
            existing[code_id] = {"id": code_id, "name": name}
            by_name[name.lower()] = code_id
            report.codes_added += 1
        mapping[guid(element.get("guid"))] = code_id
        for n, child in enumerate(_children(element, "Code")):
            walk(child, code_id, n)

    for n, element in enumerate(_children(codes_element, "Code")):
        walk(element, None, n)
    return mapping


def import_qdc(project: Project, path: Path) -> Report:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise QualcodeError(f"{path}: cannot read ({error.strerror})") from None
    root = parse_xml(data, path)
    if local(root.tag) != "CodeBook" or _child(root, "Codes") is None:
        raise QualcodeError(f"{path}: not a REFI-QDA codebook (no CodeBook with Codes)")
    report = Report()
    with project.transaction():
        import_codes(project, _child(root, "Codes"), str(path), report)
    return report


def _when(value: str | None) -> str:
    try:
        return datetime.fromisoformat((value or "").replace("Z", "+00:00")).isoformat(timespec="seconds")
    except ValueError:
        return datetime.now(UTC).isoformat(timespec="seconds")


def import_qdpx(project: Project, path: Path, nlp: Any) -> Report:
    """Everything in the archive into ``project``, or nothing (one transaction)."""
    archive = Archive(path)
    root = parse_xml(archive.xml, f"{path}:{archive.qde_name}")
    if local(root.tag) != "Project":
        raise QualcodeError(f"{path}: {archive.qde_name} is not a REFI-QDA project (root {local(root.tag)!r})")
    convention = convention_for(root.get("origin"))
    report = Report()
    sources = _children(_child(root, "Sources"), "TextSource") if _child(root, "Sources") is not None else []
    texts: dict[str, tuple[str, PositionMap]] = {}
    for source in sources:  # phase one: read and check every source before writing anything
        name = source.get("name") or f"source-{guid(source.get('guid'))[:8]}"
        inline = _child(source, "PlainTextContent")
        data = archive.source(source.get("plainTextPath") or "") if source.get("plainTextPath") else None
        if data is None and inline is not None:
            data = (inline.text or "").encode("utf-8")
        if data is None:
            raise QualcodeError(f"{path}: source {name!r} has no text (missing {source.get('plainTextPath')})")
        mapped = PositionMap(data, f"{path}:{name}", convention)
        if mapped.text != normalise(mapped.text):
            raise QualcodeError(f"{path}: source {name!r}: positions cannot be mapped onto its normalised text")
        texts[guid(source.get("guid"))] = (name, mapped)
    from .refi_project import apply_project

    with project.transaction():
        apply_project(project, root, texts, nlp, report, str(path))
    return report


def write_sources(folder: Path, texts: dict[str, tuple[str, PositionMap]]) -> dict[str, Path]:
    """The sources as UTF-8 files for the importer, named as in the archive (made .txt when needed)."""
    paths = {}
    for key, (name, mapped) in texts.items():
        safe = re.sub(r"[^\w.\- ]+", "_", Path(name).name) or "source"
        if Path(safe).suffix.lower() not in (".txt", ".md"):
            safe += ".txt"
        target = folder / safe
        target.write_text(mapped.text, encoding="utf-8")
        paths[key] = target
    return paths


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="qualcode-qdpx-")
