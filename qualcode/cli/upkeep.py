"""Keeping a project safe: ``qualcode backup`` (a consistent copy while others work) and ``qualcode check``."""

from __future__ import annotations

from pathlib import Path

import click

from . import PROJECT, cli, force_option, forced


@cli.command()
@PROJECT
@force_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the copy (default: PROJECT's name with -backup- and the date and time, beside it).",
)
def backup(project: Path, output: Path | None) -> None:
    """A consistent, checked copy of the project as it is now, made by SQLite's online backup: safe while
    workbenches and commands are writing to it (they neither wait for it nor disturb it). Never overwrites a
    file unless given --force."""
    from ..project.upkeep import backup_project

    written, size = backup_project(project, output, replace=forced())
    click.echo(f"backed up {project} to {written} ({size / 1_000_000:,.1f} MB, checked)")


@cli.command()
@PROJECT
def check(project: Path) -> None:
    """Check the project file: SQLite's integrity and foreign-key checks, then qualcode's own rules (turns,
    segments and codings inside their documents, segments inside turns, codings with existing codes and
    coders, the search index, each document's text against its SHA-256). One line per problem; exit 1 if any."""
    from ..project.upkeep import check_project

    result = check_project(project)
    if result.ok:
        counts = ", ".join(f"{n:,} {table}{'' if n == 1 else 's'}" for table, n in result.checked.items())
        click.echo(f"{project}: ok ({counts})")
        return
    for line in result.problems:
        click.echo(line)
    raise SystemExit(1)
