"""The ``qualcode`` command line: each command opens the project, calls one core function, prints.

Commands follow shared/CLI.md. Core imports happen inside commands so that ``qualcode --help`` never loads
spaCy; a ``QualcodeError`` becomes ``Error: <one line>`` with exit code 1, and since every write runs in a
transaction, the project file is then exactly as it was.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from .errors import QualcodeError

PROJECT = click.argument("project", type=click.Path(dir_okay=False, path_type=Path))


class _Group(click.Group):
    """Turns user errors anywhere below into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QualcodeError as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.OperationalError as exc:
            raise click.ClickException(f"project file: {exc}") from None
        except KeyboardInterrupt:
            raise click.ClickException("cancelled; nothing was changed") from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qualcode")
def cli() -> None:
    """qualcode: code interview and focus-group transcripts against a logic-model codebook."""


def main() -> None:
    cli(prog_name="qualcode")


def _open(path: Path) -> Any:
    from .store import Project

    return Project.open(path)


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _table(rows: list[list[Any]], headers: list[str]) -> None:
    cells = [headers] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))


def _with_progress(events: Iterator[Any], label: str) -> None:
    """Drive a core generator; draw a progress bar only when a person is watching stderr."""
    if not sys.stderr.isatty():
        for _ in events:
            pass
        return
    bar = None
    try:
        for event in events:
            if event.stage != "segment":
                continue
            if bar is None:
                bar = click.progressbar(length=event.total, label=label, file=sys.stderr, show_pos=True)
                bar.__enter__()
            bar.update(event.done - bar.pos)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


# -- project and data ------------------------------------------------------------------------------


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
    from .codebook import import_codebook, load_codebook
    from .store import Project

    books = [(path, load_codebook(path)) for path in codebooks]  # validate all before creating the file
    created = Project.create(project)
    try:
        for path, book in books:
            import_codebook(created, book, path)
    except BaseException:
        created.close()
        project.unlink(missing_ok=True)
        raise
    codes = created.count("code")
    created.close()
    click.echo(f"created {project} with {codes} codes from {len(books)} codebook(s)")


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
) -> None:
    """Import transcripts (.txt .md .docx .vtt .srt files or folders), all or nothing."""
    from .importer import Importer, ImportOptions
    from .segment import load_pipeline

    options = ImportOptions(kind, group, participants, patterns, interviewers, encoding, spacy_model)
    with _open(project) as opened:
        importer = Importer(opened, list(paths), options)
        for _ in importer.read():
            pass
        report = importer.report
        if importer.planned:
            _with_progress(importer.run(load_pipeline(spacy_model)), "Segmenting")
    for name, why in report.skipped:
        click.echo(f"skipped {name}: {why}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"imported {len(report.imported)} document(s): {report.words:,} words, {report.turns:,} turns, "
        f"{report.segments:,} segments" + (f"; {len(report.skipped)} skipped" if report.skipped else "")
    )


@cli.command()
@PROJECT
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def info(project: Path, as_json: bool) -> None:
    """What a project holds: documents, turns, segments, codes, coders, codings, participants by group."""
    from .overview import info as summary

    with _open(project) as opened:
        data = summary(opened)
    if as_json:
        _echo_json(data)
        return
    click.echo(
        f"{data['path']}: {data['documents']} documents ({data['words']:,} words), "
        f"{data['turns']:,} turns, {data['segments']:,} segments"
    )
    click.echo(
        f"codes: {data['codes']} from {', '.join(data['codebooks']) or 'no codebook'}; "
        f"codings: {data['codings']:,} by {', '.join(data['coders']) or 'no one yet'}"
    )
    groups = ", ".join(f"{g} {n}" for g, n in data["participants"].items())
    click.echo(f"participants: {groups or 'none'}")


@cli.command()
@PROJECT
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def documents(project: Path, as_json: bool) -> None:
    """One row per document: name, kind, sha256, participants, groups, words, turns, codings."""
    from .overview import documents as listing

    with _open(project) as opened:
        rows = listing(opened)
    if as_json:
        _echo_json(rows)
        return
    _table(
        [
            [
                r["name"],
                r["kind"],
                r["sha256"][:12],
                len(r["participants"]),
                ",".join(r["groups"]),
                r["words"],
                r["turns"],
                r["codings"],
            ]
            for r in rows
        ],
        ["name", "kind", "sha256", "participants", "groups", "words", "turns", "codings"],
    )


@cli.command()
@PROJECT
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def participants(project: Path, as_json: bool) -> None:
    """One row per participant: pseudonym, stakeholder group, documents, turns, attributes."""
    from .overview import participants as listing

    with _open(project) as opened:
        rows = listing(opened)
    if as_json:
        _echo_json(rows)
        return
    _table(
        [
            [
                r["pseudonym"],
                r["group"],
                len(r["documents"]),
                r["turns"],
                " ".join(f"{k}={v}" for k, v in sorted(r["attributes"].items())),
            ]
            for r in rows
        ],
        ["pseudonym", "group", "documents", "turns", "attributes"],
    )


@cli.command()
@PROJECT
@click.argument("document")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of turns with their segments.")
def turns(project: Path, document: str, as_json: bool) -> None:
    """A document's speaker turns (who, which group) and the numbered sentence segments inside them."""
    from .overview import turns as listing

    with _open(project) as opened:
        rows = listing(opened, opened.document(document))
    if as_json:
        _echo_json(rows)
        return
    for turn in rows:
        who = {"interviewer": f"{turn['speaker']} (interviewer)", "none": turn["speaker"] or "(no speaker)"}.get(
            turn["role"], f"{turn['speaker']} = {turn['participant']} [{turn['group'] or 'no group'}]"
        )
        stamp = f" @{turn['time_start']:.1f}s" if turn["time_start"] is not None else ""
        click.echo(f"turn {turn['seq']} [{turn['start']}, {turn['end']}){stamp}  {who}")
        for seg in turn["segments"]:
            click.echo(f"  {seg['seq']:>4}  {seg['text']}")


# -- codebooks ---------------------------------------------------------------------------------------


@cli.group(cls=_Group)
def codebook() -> None:
    """Validate, import, export and show logic-model codebooks."""


@codebook.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def codebook_validate(file: Path) -> None:
    """Check a YAML codebook; exit 1 with FILE:LINE: message on the first problem."""
    from .codebook import load_codebook

    if not file.exists():
        raise QualcodeError(f"{file}: no such file")
    book = load_codebook(file)
    levels = sorted({c.level for c in book.codes})
    click.echo(f"{file}: ok, {len(book.codes)} codes ({', '.join(levels)})")


@codebook.command("import")
@PROJECT
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def codebook_import(project: Path, file: Path) -> None:
    """Add a codebook's codes to a project; codes with the same id are updated, codings kept."""
    from .codebook import import_codebook, known_codes, load_codebook

    with _open(project) as opened:
        counts = import_codebook(opened, load_codebook(file, known_codes(opened)), file)
    click.echo(f"{file}: {counts['added']} added, {counts['updated']} updated, {counts['unchanged']} unchanged")


@codebook.command("export")
@PROJECT
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.yaml")
def codebook_export(project: Path, output: Path) -> None:
    """Write the project's codebook as a YAML file."""
    from .codebook import export_yaml

    if output.suffix.lower() not in (".yaml", ".yml"):
        raise QualcodeError(f"{output}: export a codebook as .yaml")
    with _open(project) as opened:
        count = export_yaml(opened, output)
    click.echo(f"wrote {count} codes to {output}")


@codebook.command("show")
@PROJECT
@click.option("--json", "as_json", is_flag=True, help="Rows with id, parent, name, level, beneficiary, definition...")
def codebook_show(project: Path, as_json: bool) -> None:
    """The code tree, parents before children."""
    from .codebook import project_codes

    with _open(project) as opened:
        rows = project_codes(opened)
    if as_json:
        _echo_json([{k: v for k, v in r.items() if k not in ("depth", "position")} for r in rows])
        return
    for row in rows:
        click.echo(f"{'  ' * row['depth']}{row['id']}  {row['name']}  [{row['level']}]")


# -- coding ------------------------------------------------------------------------------------------


def _selector_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for decorator in reversed(
        [
            click.option("--coder", required=True, help="Who is coding."),
            click.option("--document", required=True, help="Document name (or id)."),
            click.option("--code", "code_id", required=True, help="Code id."),
            click.option("--start", type=int, help="Start offset (code points, inclusive)."),
            click.option("--end", type=int, help="End offset (code points, exclusive)."),
            click.option("--segment", type=int, help="Segment number (0-based, as `qualcode turns` lists)."),
            click.option("--match", help="Text to find (its first occurrence, or --occurrence N)."),
            click.option("--occurrence", type=click.IntRange(min=1), default=1, help="Which occurrence of --match."),
            click.option("--json", "as_json", is_flag=True, help="Print the coding as JSON."),
        ]
    ):
        command = decorator(command)
    return command


def _coding_command(remove: bool) -> Callable[..., None]:
    def command(
        project: Path,
        coder: str,
        document: str,
        code_id: str,
        start: int | None,
        end: int | None,
        segment: int | None,
        match: str | None,
        occurrence: int,
        as_json: bool,
        **extra: Any,
    ) -> None:
        from .coding import Selector, apply_code, remove_code

        selector = Selector(start, end, segment, match, occurrence)
        with _open(project) as opened:
            if remove:
                row = remove_code(opened, coder=coder, document=document, code=code_id, selector=selector)
            else:
                row = apply_code(
                    opened, coder=coder, document=document, code=code_id, selector=selector, memo=extra.get("memo")
                )
        if as_json:
            _echo_json(row)
            return
        verb = "removed" if remove else ("coded" if row.get("created") else "already coded")
        click.echo(f"{verb} {code_id} [{row['start']}, {row['end']}) in {document} for {coder}")

    return command


@cli.command("code")
@PROJECT
@_selector_options
@click.option("--memo", help="A memo on this coding.")
def code_(**kwargs: Any) -> None:
    """Add one coding: a code, a coder, and a passage given by offsets, segment or matching text."""
    _coding_command(remove=False)(**kwargs)


@cli.command()
@PROJECT
@_selector_options
def uncode(**kwargs: Any) -> None:
    """Remove one coding, chosen with the same options as `code`."""
    _coding_command(remove=True)(**kwargs)


# -- demo --------------------------------------------------------------------------------------------


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
    from .demo import build_demo, demo_path
    from .overview import info as summary
    from .segment import load_pipeline
    from .store import Project

    path = demo_path(directory)
    _with_progress(build_demo(path, load_pipeline()), "Building demo")
    with Project.open(path) as opened:
        data = summary(opened)
    groups = ", ".join(f"{n} {g}" for g, n in data["participants"].items())
    click.echo(f"demo project: {path}")
    click.echo(
        f"  {data['documents']} documents ({data['words']:,} words), {data['turns']:,} turns, "
        f"{data['segments']:,} segments"
    )
    click.echo(f"  participants: {groups}")
    click.echo(f"  {data['codes']} codes from {', '.join(data['codebooks'])}; {data['codings']} codings")
    click.echo(f"try: qualcode documents {path}")
    if not no_tui:
        click.echo("(the coding workbench is not part of this version yet; the project is ready for the CLI)")
