"""The ``qualcode`` command line: each command opens the project, calls one core function, prints.

Commands follow shared/CLI.md and live in one module per area (``project``, ``codebooks``, ``coding``),
registered on the ``cli`` group below. Core imports happen inside commands so that ``qualcode --help``
never loads spaCy; a ``QualcodeError`` becomes ``Error: <one line>`` with exit code 1, and since every
write runs in a transaction, the project file is then exactly as it was.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Generator
from contextlib import closing
from pathlib import Path
from typing import Any

import click

from ..errors import QualcodeError

PROJECT = click.argument("project", type=click.Path(dir_okay=False, path_type=Path))


class Group(click.Group):
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


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qualcode")
def cli() -> None:
    """qualcode: code interview and focus-group transcripts against a logic-model codebook."""


def main() -> None:
    cli(prog_name="qualcode")


def open_project(path: Path) -> Any:
    from ..store import Project

    return Project.open(path)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def print_table(rows: list[list[Any]], headers: list[str]) -> None:
    cells = [headers] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))


def show_rows(rows: list[dict[str, Any]], as_json: bool, headers: list[str], cells: Any) -> None:
    """A listing as JSON, or as an aligned table of ``cells(row)`` under ``headers``."""
    if as_json:
        echo_json(rows)
    else:
        print_table([cells(r) for r in rows], headers)


_STAGES = {"read": "Reading   ", "segment": "Segmenting"}


def run_with_progress(events: Generator[Any, None, None]) -> None:
    """Drive a core generator of progress events; on a terminal, one bar per stage (reading, segmenting)."""
    if not sys.stderr.isatty():
        with closing(events):
            for _ in events:
                pass
        return
    bar: Any = None
    stage = None
    try:
        for event in events:
            if event.stage != stage:
                if bar is not None:
                    bar.__exit__(None, None, None)
                stage = event.stage
                label = _STAGES.get(stage, stage)
                bar = click.progressbar(length=event.total, label=label, file=sys.stderr, show_pos=True)
                bar.__enter__()
            bar.update(event.done - bar.pos)
    finally:
        events.close()  # an interrupted import rolls back here
        if bar is not None:
            bar.__exit__(None, None, None)


# Registers the commands on ``cli``; imported last because the modules import ``cli`` from here.
from . import codebooks, coding, exports, project, suggestions, team  # noqa: E402, F401
