"""Coding from the command line: ``qualcode code`` and ``qualcode uncode`` with one set of selectors."""

from __future__ import annotations

from collections.abc import Callable
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


def _run(action: str, **options: Any) -> None:
    """code, uncode and star: one selector, one core call, one line (or the coding as JSON)."""
    from ..coding.codings import Selector, apply_code, remove_code, star

    selector = Selector(options["start"], options["end"], options["segment"], options["match"], options["occurrence"])
    target = {
        "coder": options["coder"],
        "document": options["document"],
        "code": options["code_id"],
        "selector": selector,
    }
    with open_project(options["project"], write=True) as opened:
        if action == "code":
            row = apply_code(opened, **target, memo=options.get("memo"))
            verb = "coded" if row.get("created") else "already coded"
            asking = opened.db.execute(
                "SELECT 1 FROM turn WHERE document_id = ? AND role = 'interviewer' AND start < ? AND \"end\" > ?",
                [opened.document(options["document"])["id"], row["end"], row["start"]],
            ).fetchone()
            if asking:  # allowed, but never silently: it credits no participant
                click.echo(
                    "warning: the passage includes the interviewer's words; quote banks mark it "
                    "(— the interviewer) and credit no participant for them",
                    err=True,
                )
        elif action == "uncode":
            row, verb = remove_code(opened, **target), "removed"
            if row["memos"]:  # never without a word: the memos written on it went with it
                verb = f"removed (with {row['memos']} memo(s) on it)"
        else:
            row = star(opened, **target, starred=not options["off"])
            verb = "unstarred" if options["off"] else "starred"
    if options["as_json"]:
        echo_json(row)
    else:
        click.echo(
            f"{verb} {options['code_id']} [{row['start']}, {row['end']}) in {options['document']} "
            f"for {options['coder']}"
        )


@cli.command("code")
@PROJECT
@_selector_options
@click.option("--memo", help="A memo on this coding.")
def code_(**options: Any) -> None:
    """Add one coding: a code, a coder, and a passage given by offsets, segment or matching text."""
    _run("code", **options)


@cli.command()
@PROJECT
@_selector_options
def uncode(**options: Any) -> None:
    """Remove one coding, chosen with the same options as `code`."""
    _run("uncode", **options)


@cli.command("star")
@PROJECT
@_selector_options
@click.option("--off", is_flag=True, help="Remove the key-quote mark instead.")
def star_(**options: Any) -> None:
    """Mark an existing coding as a key quote (chosen with the same options as `code`), for quote banks."""
    _run("star", **options)
