"""Commands for the project and its data: init, import, info, documents, participants, turns, demo."""

from __future__ import annotations

from pathlib import Path

import click

from . import PROJECT, Group, cli, document_option, echo_json, open_project, run_with_progress, show_rows, the_document


@cli.command()
@PROJECT
@click.option(
    "--codebook",
    "codebooks",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A YAML codebook to load (repeat for several).",
)
def init(project: Path, codebooks: tuple[Path, ...]) -> None:
    """Create a new project file (never overwrites) and load codebooks."""
    from ..codebook.files import import_codebook, load_codebook
    from ..project.store import Project

    books = [(path, load_codebook(path)) for path in codebooks]  # validate all before creating the file
    with Project.new(project) as created:
        for path, book in books:
            import_codebook(created, book, path)
        codes = created.count("code")
    click.echo(f"created {project} with {codes} codes from {len(books)} codebook(s)")


@cli.command()
@PROJECT
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def info(project: Path, as_json: bool) -> None:
    """What a project holds: documents, turns, segments, codes, coders, codings, participants by group."""
    from ..project.overview import info as summary

    with open_project(project) as opened:
        data = summary(opened)
    if as_json:
        echo_json(data)
    else:
        click.echo(describe(data))


def describe(data: dict) -> str:
    """The study at a glance, from ``overview.info``."""
    groups = ", ".join(f"{n} {g}" for g, n in data["participants"].items()) or "none"
    return (
        f"{data['path']}: {data['documents']} documents ({data['words']:,} words), {data['turns']:,} turns, "
        f"{data['segments']:,} segments\n"
        f"participants: {groups}\n"
        f"codes: {data['codes']} from {', '.join(data['codebooks']) or 'no codebook'}; "
        f"codings: {data['codings']:,} by {', '.join(data['coders']) or 'no one yet'}"
    )


@cli.command()
@PROJECT
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def documents(project: Path, as_json: bool) -> None:
    """One row per document: name, kind, sha256, participants, groups, words, turns, codings."""
    from ..project.overview import documents as listing

    with open_project(project) as opened:
        rows = listing(opened)
    headers = ["name", "kind", "sha256", "participants", "groups", "words", "turns", "codings"]
    show_rows(
        rows,
        as_json,
        headers,
        lambda r: [
            r["name"],
            r["kind"],
            r["sha256"][:12],
            len(r["participants"]),
            ",".join(r["groups"]),
            r["words"],
            r["turns"],
            r["codings"],
        ],
    )


class ListingGroup(Group):
    """A group whose first word may be the project: ``qualcode participants PROJECT`` runs its ``list``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["list", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=ListingGroup)
def participants() -> None:
    """Participants: list them (qualcode participants PROJECT), or re-map documents from a corrected sheet
    (qualcode participants apply PROJECT SHEET)."""


@participants.command("list")
@PROJECT
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_participants(project: Path, as_json: bool) -> None:
    """One row per participant: pseudonym, stakeholder group, documents, turns, attributes."""
    from ..project.overview import participants as listing

    with open_project(project) as opened:
        rows = listing(opened)
    show_rows(
        rows,
        as_json,
        ["pseudonym", "group", "documents", "turns", "attributes"],
        lambda r: [
            r["pseudonym"],
            r["group"],
            len(r["documents"]),
            r["turns"],
            " ".join(f"{k}={v}" for k, v in sorted(r["attributes"].items())),
        ],
    )


@cli.command()
@PROJECT
@document_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of turns with their segments.")
def turns(project: Path, document: str | None, document_given: str | None, as_json: bool) -> None:
    """A document's speaker turns (who, which group) and the numbered sentence segments inside them:
    qualcode turns PROJECT --document DOC."""
    from ..project.overview import turns as listing

    with open_project(project) as opened:
        rows = listing(opened, opened.document(the_document(document, document_given)))
    if as_json:
        echo_json(rows)
        return
    for turn in rows:
        who = {"interviewer": f"{turn['speaker']} (interviewer)", "none": turn["speaker"] or "(no speaker)"}.get(
            turn["role"], f"{turn['speaker']} = {turn['participant']} [{turn['group'] or 'no group'}]"
        )
        stamp = f" @{turn['time_start']:.1f}s" if turn["time_start"] is not None else ""
        click.echo(f"turn {turn['seq']} [{turn['start']}, {turn['end']}){stamp}  {who}")
        for seg in turn["segments"]:
            click.echo(f"  {seg['seq']:>4}  {seg['text']}")


@cli.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the demo project (default: a new temporary folder).",
)
@click.option("--no-tui", is_flag=True, help="Build the demo project and print what it holds.")
def demo(directory: Path | None, no_tui: bool) -> None:
    """Build a demo project from the sample study and the shipped codebooks."""
    from ..demo import build_demo, demo_path
    from ..ingest.segment import load_pipeline
    from ..project.overview import info as summary
    from ..project.store import Project

    path = demo_path(directory)
    run_with_progress(build_demo(path, load_pipeline()))
    with Project.open(path) as opened:
        data = summary(opened)
    click.echo(f"demo project: {path}")
    click.echo(describe(data))
    if no_tui:
        click.echo(f"try: qualcode open {path} --coder YOUR-NAME")
        return
    _run_workbench(path, None)


@cli.command("open")
@PROJECT
@click.option("--coder", help="Who is coding (remembered per project; asked for if not known).")
def open_(project: Path, coder: str | None) -> None:
    """The coding workbench: read transcripts, select passages, apply codes, memos, search."""
    from ..project import location
    from ..project.connection import check_place

    open_project(project).close()  # a clear error for a missing, foreign or damaged file, before the screen clears
    check_place(project, location.describe(project))  # and for a network drive or sync folder
    _run_workbench(project, coder)


def _run_workbench(path: Path, coder: str | None) -> None:
    from ..tui import make_app

    app = make_app(path, coder)
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)


@cli.command("import-qdpx")
@click.argument("project", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--speakers",
    type=click.Choice(["detect", "cases", "none"]),
    help="Who spoke: detect speaker labels in the text, take turns from the project's cases, or none "
    "(default: detect in qualcode's own files, cases when the project's cases name passages, else none).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was imported as JSON.")
def import_qdpx_command(project: Path, archive: Path, speakers: str | None, as_json: bool) -> None:
    """Import a REFI-QDA project (.qdpx from NVivo, ATLAS.ti, MAXQDA, QualCoder or qualcode) into a new or
    existing project: codes, coders, transcripts, participants, codings and memos, all or nothing."""
    from ..exchange.imports import import_qdpx_into
    from ..ingest.segment import load_pipeline

    report = import_qdpx_into(project, archive, load_pipeline(lemmas=False), speakers)
    if as_json:
        echo_json(report.__dict__)
        return
    click.echo(
        f"{archive}: {report.documents_added} documents, {report.codes_added} codes, {report.codings_added} "
        f"codings, {report.participants} participants, {report.memos_added} memos"
    )
    click.echo(f"speakers: {report.speakers}" + {"none": " (each source one unattributed turn; --speakers "
               "detect reads speaker labels in the text)", "cases": " (turns from the project's cases)"}.get(
               report.speakers, ""))  # fmt: skip
    for mismatch in report.mismatches:
        click.echo(f"not imported: {mismatch}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
