"""Coding from the command line: ``qualcode code`` and ``qualcode uncode`` with one set of selectors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import PROJECT, cli, echo_json, open_project


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
        from ..coding import Selector, apply_code, remove_code

        selector = Selector(start, end, segment, match, occurrence)
        with open_project(project) as opened:
            if remove:
                row = remove_code(opened, coder=coder, document=document, code=code_id, selector=selector)
            else:
                row = apply_code(
                    opened, coder=coder, document=document, code=code_id, selector=selector, memo=extra.get("memo")
                )
        if as_json:
            echo_json(row)
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


@cli.command("star")
@PROJECT
@_selector_options
@click.option("--off", is_flag=True, help="Remove the key-quote mark instead.")
def star_(**kwargs: Any) -> None:
    """Mark an existing coding as a key quote (chosen with the same options as `code`), for quote banks."""
    from ..coding import Selector, star

    off = kwargs.pop("off")
    as_json = kwargs.pop("as_json")
    selector = Selector(
        kwargs.pop("start"), kwargs.pop("end"), kwargs.pop("segment"), kwargs.pop("match"), kwargs.pop("occurrence")
    )
    with open_project(kwargs["project"]) as opened:
        row = star(
            opened,
            coder=kwargs["coder"],
            document=kwargs["document"],
            code=kwargs["code_id"],
            selector=selector,
            starred=not off,
        )
    if as_json:
        echo_json(row)
    else:
        click.echo(
            f"{'unstarred' if off else 'starred'} {kwargs['code_id']} [{row['start']}, {row['end']}) "
            f"in {kwargs['document']} for {kwargs['coder']}"
        )
