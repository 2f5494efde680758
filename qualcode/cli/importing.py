"""Importing transcripts and putting right what an import got wrong: import, participants apply, speaker,
participant rename, groups, group rename, document remove."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from . import PROJECT, cli, document_option, echo_json, open_project, run_with_progress, show_rows, the_document
from .project import participants


@cli.command("import")
@PROJECT
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--participants",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV/XLSX sheet: document,speaker,participant,group[,attributes...].",
)
@click.option(
    "--kind",
    type=click.Choice(["interview", "focus_group", "field_notes", "other"]),
    help="Kind for documents whose front matter does not say (default: inferred).",
)
@click.option("--group", help="Stakeholder group for every non-interviewer speaker that has none.")
@click.option(
    "--speaker-pattern",
    "patterns",
    multiple=True,
    help="Regex for a speaker line, with a (?P<label>...) group; replaces the defaults.",
)
@click.option("--interviewer", "interviewers", multiple=True, help="Another speaker label to treat as an interviewer.")
@click.option("--encoding", help="Force a text encoding (default: UTF-8/UTF-16 by BOM, else UTF-8, else cp1252).")
@click.option("--spacy-model", help="An installed trained spaCy pipeline to segment with (default: blank English).")
@click.option("--json", "as_json", is_flag=True, help="Print what was imported, document by document, as JSON.")
def import_(
    project: Path,
    paths: tuple[Path, ...],
    participants: Path | None,
    kind: str | None,
    group: str | None,
    patterns: tuple[str, ...],
    interviewers: tuple[str, ...],
    encoding: str | None,
    spacy_model: str | None,
    as_json: bool,
) -> None:
    """Import transcripts (.txt .md .docx .odt .rtf .pdf .vtt .srt files or folders), all or nothing; then show,
    document by document, which speakers were found and who each became."""
    from ..ingest.importer import Importer, ImportOptions
    from ..ingest.segment import load_pipeline

    options = ImportOptions(kind, group, participants, patterns, interviewers, encoding, spacy_model)
    with open_project(project, write=True) as opened:
        importer = Importer(opened, list(paths), options)
        run_with_progress(importer.read())
        report = importer.report
        if importer.planned:
            run_with_progress(importer.run(load_pipeline(spacy_model, lemmas=False)))
    show_import(report, as_json)


def show_import(report: Any, as_json: bool) -> None:
    """The import report: every document read, every file skipped and why, every warning."""
    if as_json:
        echo_json({
            "imported": report.imported, "skipped": [{"file": f, "why": w} for f, w in report.skipped],
            "warnings": report.warnings, "documents": report.documents, "words": report.words,
            "turns": report.turns, "segments": report.segments,
        })  # fmt: skip
        return
    imported = set(report.imported)
    for row in report.documents:
        if row["document"] in imported:
            click.echo(describe_document(row))
    for name, why in report.skipped:
        click.echo(f"skipped {name}: {why}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"imported {len(report.imported)} document(s): {report.words:,} words, {report.turns:,} turns, "
        f"{report.segments:,} segments" + (f"; {len(report.skipped)} skipped" if report.skipped else "")
    )


def describe_document(row: dict[str, Any]) -> str:
    """One document of the import report: its kind, then each speaker found and who they became."""
    how = "" if row["kind_from"] == "inferred" else f", from {row['kind_from']}"
    lines = [f"{row['document']}: {row['kind']}{how}; {row['turns']:,} turns, {row['words']:,} words"
             + ("; hard-wrapped lines joined" if row["wrapped"] else "")]  # fmt: skip
    for speaker in row["speakers"]:
        label = speaker["label"] if speaker["label"] is not None else "(no label)"
        who = {"interviewer": "interviewer", "none": "no one"}.get(speaker["role"]) or (
            f"{speaker['participant']} [{speaker['group'] or 'no group'}]"
        )
        note = "  <- asks the questions: the interviewer?" if speaker["probable_interviewer"] else ""
        turns = f"{speaker['turns']:,} turn" + ("" if speaker["turns"] == 1 else "s")
        lines.append(f"  {label} -> {who}: {turns}, {speaker['words']:,} words{note}")
    return "\n".join(lines)


@participants.command("apply")
@PROJECT
@click.argument("sheet", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON.")
def apply_participants(project: Path, sheet: Path, as_json: bool) -> None:
    """Re-map documents already imported from a corrected participants sheet (codings are kept), and print
    what changed."""
    from ..ingest.fixes import apply_sheet

    with open_project(project, write=True) as opened:
        result = apply_sheet(opened, sheet)
    if as_json:
        echo_json(result)
        return
    for change in result["changes"] + result["participants_changed"]:
        click.echo(change)
    for name in result["not_in_project"]:
        click.echo(f"not in the project (import it first): {name}")
    _said(result)
    people = f"; {len(result['participants_changed'])} participant(s) changed" if result["participants_changed"] else ""
    click.echo(f"{len(result['changes'])} speaker(s) re-mapped{people}" if result["changes"] or people
               else "nothing to change")  # fmt: skip


def _said(result: dict[str, Any]) -> None:
    if result.get("removed"):
        click.echo(f"removed participants who no longer speak anywhere: {', '.join(result['removed'])}")
    for warning in result.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)


@cli.command()
@PROJECT
@click.argument("words", nargs=-1, required=True)
@click.option("--document", "document", help="The document (or give it before the label).")
@click.option("--interviewer", is_flag=True, help="The label is the interviewer: credited to no one.")
@click.option("--participant", help="The label is this participant (created if new).")
@click.option("--group", help="The participant's stakeholder group, if new.")
def speaker(
    project: Path, words: tuple[str, ...], document: str | None, interviewer: bool, participant: str | None,
    group: str | None,
) -> None:  # fmt: skip
    """Re-map one speaker label in one document: qualcode speaker PROJECT --document DOC LABEL (--interviewer |
    --participant NAME [--group G]), or qualcode speaker PROJECT DOC LABEL ... Codings are kept."""
    from ..errors import QualcodeError
    from ..ingest.fixes import remap_speaker

    if document is None and len(words) == 2:
        document, label = words
    elif document is not None and len(words) == 1:
        label = words[0]
    else:
        raise QualcodeError("give the document and the label: qualcode speaker PROJECT --document DOC LABEL ...")
    with open_project(project, write=True) as opened:
        result = remap_speaker(opened, document, label, interviewer, participant, group)
    click.echo(f"{result['document']}: {result['label']}: {result['was']} -> {result['now']} ({result['turns']} turns)")
    if result.get("moved"):
        click.echo(result["moved"])
    _said(result)


@cli.group()
def participant() -> None:
    """One participant: qualcode participant rename PROJECT OLD NEW."""


@participant.command("rename")
@PROJECT
@click.argument("old")
@click.argument("new")
def rename_participant_command(project: Path, old: str, new: str) -> None:
    """Rename a participant, or merge OLD into NEW when NEW exists (their turns and memos follow)."""
    from ..ingest.fixes import rename_participant

    with open_project(project, write=True) as opened:
        result = rename_participant(opened, old, new)
    how = "merged into" if result["merged"] else "renamed to"
    click.echo(f"{old} {how} {result['new']} ({result['turns']} turns)")


@cli.command()
@PROJECT
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def groups(project: Path, as_json: bool) -> None:
    """The stakeholder groups: participants, documents and turns in each."""
    from ..ingest.groups import list_groups

    with open_project(project) as opened:
        rows = list_groups(opened)
    show_rows(rows, as_json, ["group", "participants", "documents", "turns"],
              lambda r: [r["group"] if r["group"] is not None else "(no group)", r["participants"], r["documents"],
                         r["turns"]])  # fmt: skip


@cli.group()
def group() -> None:
    """One stakeholder group: qualcode group rename PROJECT OLD NEW."""


@group.command("rename")
@PROJECT
@click.argument("old")
@click.argument("new")
def rename_group_command(project: Path, old: str, new: str) -> None:
    """Rename a group, or merge OLD into NEW when NEW exists."""
    from ..ingest.groups import rename_group

    with open_project(project, write=True) as opened:
        found, target, moved = rename_group(opened, old, new)
    click.echo(f"group {found!r} -> {target!r}: {moved} participant(s)")


@cli.group()
def document() -> None:
    """One document: qualcode document remove PROJECT DOC."""


@document.command("remove")
@PROJECT
@document_option
@click.option("--yes", is_flag=True, help="Do not ask.")
def remove_document_command(project: Path, document: str | None, document_given: str | None, yes: bool) -> None:
    """Remove a document with its codings, memos and search rows, after a backup of the project:
    qualcode document remove PROJECT --document DOC."""
    from ..ingest.fixes import removal_counts, remove_document
    from ..project.upkeep import backup_project

    name = the_document(document, document_given)
    with open_project(project) as opened:
        counts = removal_counts(opened, name)
    if not yes:
        coders = f" by {', '.join(counts['coders'])}" if counts["coders"] else ""
        click.confirm(f"Remove {counts['document']} with its {counts['codings']} coding(s){coders} and "
                      f"{counts['memos']} memo(s)?", abort=True, err=True)  # fmt: skip
    copy, _ = backup_project(project)
    click.echo(f"backup: {copy}")
    with open_project(project, write=True) as opened:
        result = remove_document(opened, counts["document"])
    click.echo(f"removed {result['document']}: {result['codings']} coding(s), {result['memos']} memo(s), "
               f"{result['segments']} segment(s)")  # fmt: skip
    _said(result | {"removed": result["removed_participants"]})
