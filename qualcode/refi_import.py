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

from pathlib import Path
from typing import Any

from . import limits
from .errors import QualcodeError
from .refi_project import Report, apply_project, import_codes, prepare_sources
from .refi_read import Archive, PositionMap, child, children, convention_for, guid, local, parse_xml
from .store import Project
from .text import normalise


def import_qdc(project: Project, path: Path) -> Report:
    project.refuse_own_file(path, "REFI-QDA codebook")
    root = parse_xml(limits.read_bytes(path, "REFI-QDA codebook (.qdc)"), path)
    if local(root.tag) != "CodeBook" or child(root, "Codes") is None:
        raise QualcodeError(f"{path}: not a REFI-QDA codebook (no CodeBook with Codes)")
    report = Report()
    with project.transaction():
        import_codes(project, child(root, "Codes"), str(path), report)
    return report


def import_qdpx(project: Project, path: Path, nlp: Any) -> Report:
    """Everything in the archive into ``project``, or nothing (one transaction)."""
    project.refuse_own_file(path, "REFI-QDA archive")
    with Archive(path) as archive:
        root = parse_xml(archive.xml, f"{path}:{archive.qde_name}")
        if local(root.tag) != "Project":
            raise QualcodeError(f"{path}: {archive.qde_name} is not a REFI-QDA project (root {local(root.tag)!r})")
        convention = convention_for(root.get("origin"))
        sources = children(child(root, "Sources"), "TextSource") if child(root, "Sources") is not None else []
        entries = {guid(s.get("guid")): archive.entry(s.get("plainTextPath") or "") for s in sources}
        archive.check_sources([e for e in entries.values() if e])  # the budget, before any source is read
        texts: dict[str, tuple[str, PositionMap]] = {}
        names: set[str] = set()
        for source in sources:  # phase one: read and check every source before writing anything
            name = _distinct(source.get("name") or f"source-{guid(source.get('guid'))[:8]}", names)
            inline, entry = child(source, "PlainTextContent"), entries[guid(source.get("guid"))]
            data = archive.source(entry) if entry else None
            if data is None and inline is not None:
                data = (inline.text or "").encode("utf-8")
            if data is None:
                raise QualcodeError(f"{path}: source {name!r} has no text (missing {source.get('plainTextPath')})")
            mapped = PositionMap(data, f"{path}:{name}", convention)
            if mapped.text != normalise(mapped.text):
                raise QualcodeError(f"{path}: source {name!r}: positions cannot be mapped onto its normalised text")
            texts[guid(source.get("guid"))] = (name, mapped)
    report = Report()
    importer = prepare_sources(project, texts, nlp)  # the slow part, before taking the write lock
    with project.transaction(f"import of {path.name}"):
        apply_project(project, root, texts, importer, report, str(path))
    return report


def _distinct(name: str, used: set[str]) -> str:
    """Two sources with one name (other tools allow it) become two documents: "notes.txt", "notes (2).txt"."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = name, 2
    while candidate.lower() in used:
        candidate, n = f"{stem} ({n}){suffix}", n + 1
    used.add(candidate.lower())
    return candidate


def import_qdpx_into(project_path: Path, path: Path, nlp: Any) -> Report:
    """``import_qdpx`` into the project at ``project_path``, created when missing and removed again if the
    import fails (as ``merge_projects`` does), so a failed import leaves no half-made project behind."""
    from .store import remove_project_files

    created = not project_path.exists()
    project = Project.create(project_path) if created else Project.open(project_path, write=True)
    try:
        return import_qdpx(project, path, nlp)
    except BaseException:
        project.abandon_upgrade()
        if created:
            project.close()
            remove_project_files(project_path)
        raise
    finally:
        project.close()
