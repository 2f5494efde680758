"""Reading REFI-QDA codebooks (.qdc) and projects (.qdpx) into a project, all in one transaction.

Codes are matched by the "Id:" line qualcode writes into descriptions, then by name (other tools regenerate
GUIDs), and otherwise added; a description written by qualcode is unfolded back into definition, criteria,
example, keywords and logic-model level. Users become coders; sources become documents (segmented like any
import; a source already in the project, by content, is reused); cases become participants, with typed
variables as their group and attributes and their selections telling which turns are theirs; every coded
selection becomes codings with their coders and dates; notes become memos where they are referenced.

Positions are counted as the origin tool counts them (``reading.convention_for``); where a source has
characters outside the Basic Multilingual Plane, the units (code points or UTF-16) under which more of its
selections land on the words their names quote are taken, so a file from a tool that does not say is read at
the right words either way. Turns a qualcode source records in its description are taken as they are
(``exchange.turns``), so who spoke where comes back exactly.

A selection whose position does not land on the source text (past its end, or inside a character), or whose
name does not match the text it lands on, is reported and not imported — never silently shifted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import QualcodeError
from ..ingest.turns import RawTurn, trim
from ..project import limits
from ..project.store import Project
from ..text import normalise
from .codebooks import import_codes
from .contents import Report, apply_project, lands, positions, prepare_sources
from .reading import ASTRAL, Archive, PositionMap, child, children, convention_for, guid, local, parse_xml
from .turns import RecordedTurn, read_turn_record


def import_qdc(project: Project, path: Path) -> Report:
    project.refuse_own_file(path, "REFI-QDA codebook")
    root = parse_xml(limits.read_bytes(path, "REFI-QDA codebook (.qdc)"), path)
    if local(root.tag) != "CodeBook" or child(root, "Codes") is None:
        raise QualcodeError(f"{path}: not a REFI-QDA codebook (no CodeBook with Codes)")
    report = Report()
    with project.transaction():
        import_codes(project, child(root, "Codes"), str(path), report)
    return report


SPEAKER_MODES = ("detect", "cases", "none")


def import_qdpx(project: Project, path: Path, nlp: Any, speakers: str | None = None) -> Report:
    """Everything in the archive into ``project``, or nothing (one transaction). ``speakers``: ``detect``
    speaker labels in the text as an import does, take turns from the project's ``cases``, or ``none`` (each
    source one unattributed turn). By default: detect in qualcode's own files, cases when the project's cases
    name passages, else none — a foreign project's text is not an interview unless it says so."""
    project.refuse_own_file(path, "REFI-QDA archive")
    if speakers is not None and speakers not in SPEAKER_MODES:
        raise QualcodeError(f"unknown --speakers {speakers!r} (use {', '.join(SPEAKER_MODES)})")
    report = Report()
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
            mapped = confirmed(PositionMap(data, f"{path}:{name}", convention), data, source)
            if mapped.text != normalise(mapped.text):
                raise QualcodeError(f"{path}: source {name!r}: positions cannot be mapped onto its normalised text")
            if not mapped.text.strip():
                report.warnings.append(f"source {name!r} has no text (a tool writes media and notes so): imported as "
                                       "an empty document; the codes are kept, codings on it cannot land")  # fmt: skip
            texts[guid(source.get("guid"))] = (name, mapped)
    mode = speakers or default_mode(root)
    recorded: dict[str, list[RecordedTurn]] = {}
    if speakers is None and mode == "detect":  # qualcode's own file: the turns it recorded, where it did
        for source in sources:
            found = read_turn_record(_description(source), texts[guid(source.get("guid"))][1])
            if found is not None:
                recorded[guid(source.get("guid"))] = found
    report.speakers = "recorded" if recorded else mode
    turns = case_turns(root, texts, report) if mode == "cases" else {}
    importer = prepare_sources(project, texts, nlp, mode, turns, recorded)  # the slow part, before the write lock
    if importer is not None:
        report.warnings.extend(importer.report.warnings)
        report.warnings.extend(f"{name}: {why}" for name, why in importer.report.skipped)
    with project.transaction(f"import of {path.name}"):
        apply_project(project, root, texts, importer, report, str(path), recorded)
    return report


def _description(element: Any) -> str | None:
    found = child(element, "Description")
    return found.text if found is not None else None


def confirmed(mapped: PositionMap, data: bytes, source: Any) -> PositionMap:
    """``mapped``, or the same text counted in the other unit (code points or UTF-16 code units) when the
    source has characters outside the Basic Multilingual Plane and more of its selections land on the words
    their names quote that way (``exchange.turns``)."""
    if mapped.convention not in ("utf16", "codepoints") or not ASTRAL.search(mapped.text):
        return mapped  # no such character: both count alike
    other = PositionMap(data, mapped.source, "codepoints" if mapped.convention == "utf16" else "utf16")

    def landing(candidate: PositionMap) -> int:
        count = 0
        for selection in children(source, "PlainTextSelection"):
            start, end = positions(candidate, selection)
            quoted = len((selection.get("name") or "").split()) >= 3
            count += quoted and start is not None and end is not None and start < end and lands(
                selection.get("name"), candidate.text[start:end])
        return count

    return other if landing(other) > landing(mapped) else mapped


def default_mode(root: Any) -> str:
    if (root.get("origin") or "").lower().startswith("qualcode"):
        return "detect"  # qualcode's own text keeps its labels; its cases then say who each speaker is
    cases = child(root, "Cases")
    named = cases is not None and any(children(case, "SelectionRef") for case in children(cases, "Case"))
    return "cases" if named else "none"


def case_turns(root: Any, texts: dict[str, tuple[str, PositionMap]], report: Report) -> dict[str, list[RawTurn]]:
    """Turns cut from the passages each case names: a case's passage is a turn of that case's participant,
    text no case names is a turn of no one. A passage two cases claim goes to the first, said so."""
    where: dict[str, tuple[str, Any]] = {}
    for source in children(child(root, "Sources"), "TextSource") if child(root, "Sources") is not None else []:
        for selection in children(source, "PlainTextSelection"):
            where[guid(selection.get("guid"))] = (guid(source.get("guid")), selection)
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for n, case in enumerate(children(child(root, "Cases"), "Case") if child(root, "Cases") is not None else []):
        label = (case.get("name") or "").strip() or f"Case {n + 1}"
        for ref in children(case, "SelectionRef"):
            found = where.get(guid(ref.get("targetGUID")))
            if found and found[0] in texts:
                start, end = positions(texts[found[0]][1], found[1])
                if start is not None and end is not None and start < end:
                    spans.setdefault(found[0], []).append((start, end, label))
    turns: dict[str, list[RawTurn]] = {}
    for key, claimed in spans.items():
        name, mapped = texts[key]
        text, made, at = mapped.text, [], 0
        for start, end, label in sorted(claimed):
            if start < at:
                report.mismatches.append(f"{name} [{start}, {end}): claimed by case {label!r} and another case; "
                                         "credited to the first")  # fmt: skip
                start = at
            if start >= end:
                continue
            made.extend(t for t in (trim(text, RawTurn(at, start, None)), trim(text, RawTurn(start, end, label))) if t)
            at = end
        made.extend(t for t in [trim(text, RawTurn(at, len(text), None))] if t)
        turns[key] = made
    return turns


def _distinct(name: str, used: set[str]) -> str:
    """Two sources with one name (other tools allow it) become two documents: "notes.txt", "notes (2).txt"."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = name, 2
    while candidate.lower() in used:
        candidate, n = f"{stem} ({n}){suffix}", n + 1
    used.add(candidate.lower())
    return candidate


def import_qdpx_into(project_path: Path, path: Path, nlp: Any, speakers: str | None = None) -> Report:
    """``import_qdpx`` into the project at ``project_path``, created when missing and removed again if the
    import fails (as ``merge_projects`` does), so a failed import leaves no half-made project behind."""
    if not project_path.exists():
        with Project.new(project_path) as created:
            return import_qdpx(created, path, nlp, speakers)
    project = Project.open(project_path, write=True)
    try:
        return import_qdpx(project, path, nlp, speakers)
    except BaseException:
        project.abandon_upgrade()
        raise
    finally:
        project.close()
