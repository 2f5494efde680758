"""The ``qualcode`` command line: each command opens the project, calls one core function, prints.

Commands follow the CLI contract and live in one module per area (``project``, ``codebooks``, ``coding``),
registered on the ``cli`` group below; ``open`` and ``demo`` start the workbench. Core imports happen inside
commands so that ``qualcode --help`` never loads spaCy; a ``QualcodeError`` becomes ``Error: <one line>`` with
exit code 1, and since every write runs in a transaction, the project file is then exactly as it was.

May import: every core package, and the workbench (``tui``) to start it.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Generator
from contextlib import closing
from pathlib import Path
from typing import Any

import click

from ..errors import QualcodeError

PROJECT = click.argument("project", type=click.Path(path_type=Path))  # a folder gets our own one-line error


def document_option(command: Any) -> Any:
    """``--document DOC``, as every command that names one document takes it; ``DOC`` given after the project
    (the older form) still works. The command receives ``document``."""
    command = click.argument("document_given", metavar="[DOC]", required=False)(command)
    return click.option("--document", "document", help="The document: its name as imported, or its id.")(command)


def the_document(document: str | None, given: str | None) -> str:
    """The document named by ``--document`` or by position (one of them, or both the same)."""
    if document and given and document != given:
        raise click.UsageError(f"two documents named: {given!r} and --document {document!r}")
    found = document or given
    if not found:
        raise click.UsageError("name the document: --document DOC")
    return found


OUTPUTS = ("output", "disagreements")  # the options naming a file a command writes: never replaced unasked


def force_option(command: Any) -> Any:
    """``--force``: replace an output file that exists (``Command`` refuses one otherwise)."""
    return click.option(
        "--force",
        is_flag=True,
        expose_value=False,
        callback=lambda ctx, _param, value: ctx.meta.__setitem__("force", value),
        help="Replace the output file if it exists.",
    )(command)


def forced() -> bool:
    """Whether the running command was given ``--force``."""
    return bool(click.get_current_context().meta.get("force"))


# What each command's file options are, for the message when one names the project itself.
_ROLES = {"output": "file to write", "disagreements": "file to write", "paths": "transcript", "file": "codebook file",
          "participants": "participants sheet", "archive": "REFI-QDA archive", "redact": "redaction list",
          "sheet": "participants sheet", "framework": "framework file"}  # fmt: skip


_running: list[str] = ["qualcode"]  # the command line at work, for the line about an internal fault


class Command(click.Command):
    """Refuses a file option that names the project itself (reading or writing it outside SQLite would drop
    this process's locks or destroy the project), and turns what SQLite reports about the project file into
    one line naming it."""

    def invoke(self, ctx: click.Context) -> Any:
        own = ctx.params.get("project")
        _running[0] = ctx.command_path + (f" ({own})" if own else "")
        if isinstance(own, Path):
            from ..project.connection import refuse_own_file

            for name, value in ctx.params.items():
                for path in value if isinstance(value, tuple) else (value,):
                    if name != "project" and isinstance(path, Path):
                        refuse_own_file(own, path, _ROLES.get(name, f"--{name.replace('_', '-')} file"))
        for name in OUTPUTS:  # one rule for every file a command writes: an existing one is replaced only asked
            path = ctx.params.get(name)
            if isinstance(path, Path) and path.is_dir():
                raise click.ClickException(f"{path}: is a folder; give the file to write")
            if isinstance(path, Path) and (path.exists() or path.is_symlink()) and not ctx.meta.get("force"):
                raise click.ClickException(f"{path}: already exists; give --force to replace it")
        try:
            return super().invoke(ctx)
        except sqlite3.Error as exc:
            from ..project.connection import explain

            where = own if isinstance(own, Path) else Path("project file")
            explained = explain(where, exc)
            if explained is None and not isinstance(exc, sqlite3.OperationalError):
                raise
            raise click.ClickException(str(explained or f"{where}: {exc}")) from None


class Group(click.Group):
    """Turns user errors anywhere below into one line on stderr and exit code 1."""

    command_class = Command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and ctx.parent is not None:  # "qualcode export" alone: say what it needs, not only its help
            raise click.UsageError(f"which one? {', '.join(self.list_commands(ctx))}", ctx)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QualcodeError as exc:
            raise click.ClickException(str(exc)) from None
        except click.UsageError as exc:  # a user error like any other: exit 1 (2 means a fault); what went wrong
            if exc.ctx is None:  # first, then how the command is used
                raise click.ClickException(exc.format_message()) from None
            path = exc.ctx.command_path
            usage = " ".join(exc.ctx.command.collect_usage_pieces(exc.ctx))
            raise click.ClickException(
                f"{path}: {exc.format_message()}\nusage: {path} {usage}  ({path} --help for more)"
            ) from None
        except KeyboardInterrupt:
            raise click.ClickException("cancelled; nothing was changed") from None


Group.group_class = Group


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qualcode")
@click.option(
    "--exclusive",
    is_flag=True,
    envvar="QUALCODE_EXCLUSIVE",
    help="Use the project from this one process only (a rollback journal and an exclusive lock): the way to "
    "work on a project on a network drive or in a cloud-sync folder, where qualcode otherwise refuses to write.",
)
@click.option(
    "--debug",
    is_flag=True,
    envvar="QUALCODE_DEBUG",
    help="On an internal fault, show the traceback instead of one line (it may quote transcript text).",
)
@click.option(
    "--embeddings",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="QUALCODE_EMBEDDINGS",
    help="A local static embedding model's folder (model2vec; the 'embeddings' extra): suggestions also weigh "
    "closeness in meaning. Optional; never downloaded.",
)
def cli(exclusive: bool, debug: bool, embeddings: Path | None) -> None:
    """qualcode: code interview and focus-group transcripts against a logic-model codebook."""
    from ..errors import set_debug
    from ..project.connection import set_exclusive
    from ..suggest.meaning import use

    set_exclusive(True if exclusive else None)  # every connection this command opens, the workbench's included
    set_debug(debug)
    use(embeddings)  # read when suggestions are first made, so commands that make none never load it


def main() -> None:
    """The command line. A user's error is one line and exit 1 (``Group``); any other exception is a fault of
    qualcode's: one line and exit 2, its traceback only with --debug. SIGHUP and SIGTERM remove scratch files."""
    from ..errors import debugging, fault_line
    from ..project.scratch import clean_up_on_signals

    clean_up_on_signals()
    try:
        cli(prog_name="qualcode")
    except Exception as error:  # click has already turned user errors into messages and exit codes
        if debugging():
            raise
        click.echo(f"Error: {fault_line(error, _running[0])}", err=True)
        sys.exit(2)


def open_project(path: Path, write: bool = False) -> Any:
    """The project for reading, or for writing (``write``): a writer that has to wait for another process
    says once, on stderr, who it is waiting for."""
    from ..project.store import Project

    opened = Project.open(path, write=write)
    opened.on_wait = _waiting_message()
    if opened.upgrade_note:  # said once the command's work and the upgrade are committed, never before
        opened.on_upgraded = lambda note: click.echo(f"note: {note}", err=True)
    return opened


def _waiting_message() -> Any:
    said: list[str] = []

    def say(holder: str) -> None:
        if not said:
            said.append(holder)
            click.echo(f"waiting for the project: {holder} is writing to it...", err=True)

    return say


def echo_json(value: Any) -> None:
    from ..project.output import json_text

    click.echo(json_text(value))


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


_STAGES = {"read": "Reading   ", "segment": "Segmenting", "write": "Saving    "}


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
from . import codebooks, coding, exports, importing, project, report, suggestions, team, upkeep  # noqa: E402, F401
