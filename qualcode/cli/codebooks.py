"""The ``qualcode codebook`` commands: validate, import, export, show."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import QualcodeError
from . import PROJECT, Group, cli, echo_json, force_option, open_project


@cli.group(cls=Group)
def codebook() -> None:
    """Validate, import, export and show logic-model codebooks."""


@codebook.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def codebook_validate(file: Path) -> None:
    """Check a YAML codebook; exit 1 with FILE:LINE: message on the first problem."""
    from ..codebook.files import load_codebook

    if not file.exists():
        raise QualcodeError(f"{file}: no such file")
    book = load_codebook(file)
    levels = sorted({c.level for c in book.codes})
    click.echo(f"{file}: ok, {len(book.codes)} codes ({', '.join(levels)})")


@codebook.command("import")
@PROJECT
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def codebook_import(project: Path, file: Path) -> None:
    """Add a codebook's codes to a project (YAML, or a REFI-QDA .qdc from another tool); codes with the same id
    are updated, codings kept."""
    from ..codebook.files import import_codebook, known_codes, load_codebook

    with open_project(project, write=True) as opened:
        if file.suffix.lower() == ".qdc":
            from ..exchange.imports import import_qdc

            report = import_qdc(opened, file)
            click.echo(f"{file}: {report.codes_added} codes added (codes already there, by id or name, are kept)")
            return
        counts = import_codebook(opened, load_codebook(file, known_codes(opened)), file)
    click.echo(f"{file}: {counts['added']} added, {counts['updated']} updated, {counts['unchanged']} unchanged")


@codebook.command("export")
@PROJECT
@force_option
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.yaml or FILE.qdc"
)
def codebook_export(project: Path, output: Path) -> None:
    """Write the project's codebook as YAML, or as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA and
    QualCoder."""
    from ..codebook.files import export_yaml

    suffix = output.suffix.lower()
    if suffix not in (".yaml", ".yml", ".qdc"):
        raise QualcodeError(f"{output}: export a codebook as .yaml or .qdc")
    with open_project(project) as opened:
        if suffix == ".qdc":
            from ..exchange.exports import write_qdc

            count = write_qdc(opened, output)
        else:
            count = export_yaml(opened, output)
    click.echo(f"wrote {count} codes to {output}")


@codebook.command("show")
@PROJECT
@click.option("--json", "as_json", is_flag=True, help="Rows with id, parent, name, level, beneficiary, definition...")
def codebook_show(project: Path, as_json: bool) -> None:
    """The code tree, parents before children."""
    from ..codebook.files import project_codes

    with open_project(project) as opened:
        rows = project_codes(opened)
    if as_json:
        echo_json([{k: v for k, v in r.items() if k not in ("depth", "position")} for r in rows])
        return
    for row in rows:
        click.echo(f"{'  ' * row['depth']}{row['id']}  {row['name']}  [{row['level']}]")
