"""``qualcode report`` (the findings pack), ``qualcode framework`` (check a framework, keep it in the project)
and ``qualcode label`` (display names for groups and attribute values)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import QualcodeError
from . import PROJECT, cli, force_option, open_project
from .exports import counted_for, whose

FRAMEWORK = click.option(
    "--framework",
    "framework_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The evaluation framework (YAML); default: the one kept in the project (qualcode framework).",
)


@cli.command()
@PROJECT
@FRAMEWORK
@force_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The findings pack to write: .docx, .html or .md.",
)
@whose
@click.option("--key-quotes", is_flag=True, help="Quote only codings starred as key quotes.")
@click.option(
    "--quotes", "quote_count", type=click.IntRange(1, 50), default=6, show_default=True, help="Quotes per question."
)
@click.option(
    "--redact",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A list of identifiers to remove from quotes, memos, names and documents (as export quotes).",
)
@click.option(
    "--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True, help="Page size of the Word file."
)
@click.option("--author", default="", help="The Word file's author (default: the coders counted).")
@click.option(
    "--sources",
    type=click.Choice(["appendix", "inline"]),
    default="appendix",
    show_default=True,
    help="Where each quote's document and line go: an appendix of quotations, or after its attribution.",
)
def report(
    project: Path,
    framework_path: Path | None,
    output: Path,
    coders: tuple[str, ...],
    everyone: str | None,
    key_quotes: bool,
    quote_count: int,
    redact: Path | None,
    paper: str,
    author: str,
    sources: str,
) -> None:
    """The findings pack: per question of the evaluation framework, the evidence by stakeholder group (table
    and chart), the strongest quotes, memos and gaps; then the codebook, participants and methods."""
    from ..findings.build import build_findings, redact_findings
    from ..findings.framework import check_framework, load_framework, stored_framework
    from ..findings.write import FORMATS, write_findings
    from ..reports.snapshot import snapshot

    if output.suffix.lower() not in FORMATS:
        raise QualcodeError(f"{output}: a findings pack is written as {', '.join(FORMATS)}")
    redactor = None
    if redact is not None:
        from ..reports.redact import Redactor

        if not redact.exists():
            raise QualcodeError(f"{redact}: no such redaction list")
        redactor = Redactor.from_file(redact)
    with open_project(project) as opened, snapshot(opened) as study:
        framework = load_framework(framework_path) if framework_path else stored_framework(opened)
        for warning in check_framework(opened, framework):
            click.echo(f"warning: {warning}", err=True)
        whom = counted_for(opened, coders, everyone)
        data = build_findings(study, framework, whom, key_quotes, quote_count)
    if redactor is not None:
        redact_findings(data, redactor)
    write_findings(output, data, paper, author, sources)
    specifics = [s for q in data["questions"] for s in q["specifics"]]
    quotes = sum(len(s["quotes"]) for s in specifics)
    silent = sum(1 for s in specifics if not any(r["participants"] for r in s["rows"]))
    click.echo(f"wrote {output}: {len(specifics)} question(s), {quotes} quote(s); {whom.describe()}")
    if silent:
        click.echo(f"warning: {silent} question(s) have no evidence at all; the pack says so under each", err=True)
    if redactor is not None:
        click.echo(f"redacted {redactor.total} occurrence(s)")


@cli.command("framework")
@PROJECT
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def framework_command(project: Path, file: Path) -> None:
    """Check an evaluation framework against the project and keep it there (the workbench's Reports screen
    and qualcode report without --framework use it)."""
    from ..findings.framework import check_framework, keep_framework, load_framework

    framework = load_framework(file)
    with open_project(project, write=True) as opened:
        for warning in check_framework(opened, framework):
            click.echo(f"warning: {warning}", err=True)
        keep_framework(opened, file)
    count = sum(len(q.specifics) for q in framework.questions)
    click.echo(f"{file}: ok, {len(framework.questions)} question(s), {count} specific; kept in {project.name}")


@cli.command("label")
@PROJECT
@click.argument("value")
@click.argument("text")
@click.option("--attribute", help="VALUE is a value of this participant attribute, not a stakeholder group.")
def label_command(project: Path, value: str, text: str, attribute: str | None) -> None:
    """Give a stakeholder group (or an attribute value) the name reports use: qualcode label PROJECT
    national_stakeholder "National stakeholders". An empty TEXT goes back to the default."""
    from ..ingest.groups import find_group
    from ..ingest.labels import find_value, label, set_label

    with open_project(project, write=True) as opened:
        value = find_group(opened, value) if attribute is None else find_value(opened, attribute, value)
        set_label(opened, value, text, attribute)
        shown = label(opened, value, attribute)
    click.echo(f"{value} -> {shown}")
