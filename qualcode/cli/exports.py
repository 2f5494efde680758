"""The ``qualcode export`` commands: quote banks and theme frequencies per stakeholder group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import QualcodeError
from . import PROJECT, Group, cli, force_option, open_project


def OUTPUT(command: Any) -> Any:  # noqa: N802 - used as a decorator, like the options it stands for
    """``-o FILE`` (required; its extension chooses the format) and ``--force``."""
    command = force_option(command)
    return click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="The file to write; its extension chooses the format (an existing one: --force).",
    )(command)


@cli.group(cls=Group)
def export() -> None:
    """Export quote banks and frequency tables."""


def whose(command: Any) -> Any:
    """--coder (repeatable) and --coders all: whose codings a report counts (see qualcode.counting)."""
    command = click.option(
        "--coders",
        "everyone",
        type=click.Choice(["all"]),
        help="Count every coder's codings: a passage several coders coded with one code counts once.",
    )(command)
    return click.option(
        "--coder",
        "coders",
        multiple=True,
        help="Count this coder's codings (repeatable). With several coders and neither option: the consensus "
        "coder, if there is one; otherwise qualcode asks.",
    )(command)


def counted_for(opened: Any, coders: tuple[str, ...], everyone: str | None) -> Any:
    from ..reports.counting import counted

    return counted(opened, list(coders), everyone == "all")


def _attributes(values: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for value in values:
        key, sep, wanted = value.partition("=")
        if not sep or not key or not wanted:
            raise QualcodeError(f"--attribute {value!r}: give it as NAME=VALUE (for example engagement=engaged)")
        found.setdefault(key.strip(), []).append(wanted.strip())
    return found


@export.command("quotes")
@PROJECT
@OUTPUT
@click.option("--code", "codes", multiple=True, help="Only this code (a parent includes its children); repeatable.")
@click.option("--level", "levels", multiple=True, help="Only this logic-model level; repeatable.")
@click.option("--group", "groups", multiple=True, help="Only excerpts credited to this stakeholder group.")
@whose
@click.option("--kind", "kinds", multiple=True, help="Only this document kind; repeatable.")
@click.option("--attribute", "attributes", multiple=True, help="Only speakers with NAME=VALUE, e.g. site=North.")
@click.option("--context", type=click.IntRange(min=0), default=0, help="Characters of context before and after.")
@click.option(
    "--key-quotes", is_flag=True, help="Only codings starred as key quotes (qualcode star, or * in the workbench)."
)
@click.option(
    "--redact",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A list of identifiers (one per line, optionally 'Name => [replacement]') to remove from quotes, "
    "memos, speakers' names, attribute values and document names.",
)
@click.option(
    "--redact-report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every replacement made, with where it was (.csv .xlsx .md .json).",
)
def export_quotes(
    project: Path,
    output: Path,
    codes: tuple[str, ...],
    levels: tuple[str, ...],
    groups: tuple[str, ...],
    coders: tuple[str, ...],
    everyone: str | None,
    kinds: tuple[str, ...],
    attributes: tuple[str, ...],
    context: int,
    key_quotes: bool,
    redact: Path | None,
    redact_report: Path | None,
) -> None:
    """A quote bank (.csv .xlsx .docx .md .json): every excerpt with code, level and who said it."""
    from ..codebook.matching import unknown_code
    from ..ingest.groups import find_group
    from ..reports.excerpts import Filters, excerpts
    from ..reports.exports import write_quotes
    from ..reports.snapshot import snapshot

    with open_project(project) as opened, snapshot(opened) as study:
        whom = counted_for(opened, coders, everyone)
        groups = tuple(find_group(opened, g) for g in groups)  # as the project spells them; unknown: an error
        filters = Filters(list(codes), list(levels), list(groups), whom.coders, list(kinds), _attributes(attributes),
                          key_quotes)  # fmt: skip
        known = study.code
        for code in codes:
            if code not in known:
                raise QualcodeError(unknown_code(code, study.codes))
        rows = excerpts(study, filters, context)
        people, labels = study.by_pseudonym, study.labels
    redactor = None
    if redact_report is not None and redact is None:
        raise QualcodeError("--redact-report lists what --redact replaced: give --redact FILE too")
    if redact is not None:
        from ..reports.redact import Redactor, redact_quotes

        if not redact.exists():
            raise QualcodeError(f"{redact}: no such redaction list")
        redactor = Redactor.from_file(redact)
        rows, people = redact_quotes(rows, people, redactor)
    about, source = whom.plain(), project.name
    if redactor is not None:  # and every other word a reader sees: group labels, codebook text, names
        from ..reports.redact import redact_everything

        about, source = redactor.redact(about, "heading", "coders"), redactor.redact(source, "heading", "project")
        labels = redact_everything(dict(labels), redactor, "group labels")
        known = {c: redact_everything(dict(code), redactor, f"code {c}") for c, code in known.items()}
    write_quotes(output, rows, known, people, about=about, source=source, labels=labels)
    click.echo(f"wrote {len(rows)} excerpt(s) to {output}: {whom.describe()}")
    if not rows:
        click.echo(
            "warning: no coding matched these filters; the file has only its headings. Check the codes "
            "(qualcode codebook show), groups (qualcode groups) and coders (qualcode info).",
            err=True,
        )
    if redactor is not None:
        detail = ", ".join(f"{name} {n}" for name, n in redactor.counts.most_common())
        click.echo(f"redacted {redactor.total} occurrence(s)" + (f": {detail}" if detail else ""))
        if redact_report is not None:
            from ..reports.exports import write_table
            from ..reports.redact import REPORT_COLUMNS

            write_table(redact_report, redactor.log, REPORT_COLUMNS, "Redactions")
            click.echo(f"wrote {len(redactor.log)} replacement(s) to {redact_report}")


@export.command("frequencies")
@PROJECT
@OUTPUT
@click.option("--by", default="group", show_default=True, help="group, or any participant attribute (site...).")
@whose
def export_frequencies(project: Path, output: Path, by: str, coders: tuple[str, ...], everyone: str | None) -> None:
    """Theme frequencies (.csv .xlsx .docx .html .md .json): per code (parents rolled up) and group, excerpts,
    participants (of how many in the group, and that share) and documents."""
    from ..ingest.labels import value_labels
    from ..reports.exports import write_frequencies
    from ..reports.frequencies import frequencies
    from ..reports.snapshot import snapshot

    with open_project(project) as opened, snapshot(opened) as study:
        whom = counted_for(opened, coders, everyone)
        rows = frequencies(study, by, whom.coders)
        labels = value_labels(opened, by)
    for row in rows:
        row["coders"] = whom.coders
    write_frequencies(output, rows, about=whom.plain(), labels=labels)
    click.echo(f"wrote {len(rows)} row(s) to {output}: {whom.describe()}")


@export.command("evidence-map")
@PROJECT
@OUTPUT
@whose
def export_evidence_map(project: Path, output: Path, coders: tuple[str, ...], everyone: str | None) -> None:
    """Logic-model outcomes x stakeholder groups (.docx .html .xlsx .md .json): participants with evidence /
    group size."""
    from ..reports.evidence import check_groups, evidence_map, write_evidence_map
    from ..reports.snapshot import snapshot

    with open_project(project) as opened, snapshot(opened) as study:
        whom = counted_for(opened, coders, everyone)
        data = evidence_map(study, whom.coders)
    data.update(coders=whom.coders, about=whom.plain())
    check_groups(data)
    write_evidence_map(output, data)
    click.echo(f"wrote {len(data['rows'])} outcome(s) x {len(data['groups'])} group(s) to {output}: {whom.describe()}")


@export.command("cooccurrence")
@PROJECT
@OUTPUT
@whose
@click.option("--same-turn", is_flag=True, help="Count codes in the same speaker turn, not only overlapping passages.")
@click.option("--cell", help="CODE_A,CODE_B: write the passages behind one cell instead of the matrix.")
def export_cooccurrence(
    project: Path, output: Path, coders: tuple[str, ...], everyone: str | None, same_turn: bool, cell: str | None
) -> None:
    """Codes applied to overlapping passages (.csv .md .json): the matrix, or the passages behind a cell."""
    from ..reports.exports import write_table
    from ..reports.matrices import cooccurrence, cooccurrence_matrix
    from ..reports.snapshot import snapshot

    pair = None
    with open_project(project) as opened, snapshot(opened) as study:
        whom = counted_for(opened, coders, everyone)
        codes = [c["id"] for c in study.codes]
        if cell:
            pair_ids = tuple(part.strip() for part in cell.split(","))
            unknown = [c for c in pair_ids if c not in codes]
            if len(pair_ids) != 2 or unknown:
                raise QualcodeError(f"--cell {cell!r}: give two known code ids as CODE_A,CODE_B")
            pair = (pair_ids[0], pair_ids[1])
        rows = cooccurrence(study, whom.coders, same_turn, pair)
        texts = {d: study.text(d) for d in {r["document_id"] for r in rows}} if cell else {}
    if cell:
        for row in rows:
            row["text"] = texts[row["document_id"]][
                min(row["a_start"], row["b_start"]) : max(row["a_end"], row["b_end"])
            ]
        table = [{k: r[k] for k in ("document", "coder", "code_a", "code_b", "start", "end", "text")} for r in rows]
        columns = ["document", "coder", "code_a", "code_b", "start", "end", "text"]
    else:
        used = sorted({r["code_a"] for r in rows} | {r["code_b"] for r in rows}, key=codes.index)
        matrix = cooccurrence_matrix(rows, used)
        table = [{"code": code, **dict(zip(used, line, strict=True))} for code, line in zip(used, matrix, strict=True)]
        columns = ["code", *used]
    write_table(output, table, columns, "Co-occurrence", whom.plain())
    click.echo(f"wrote {len(table)} row(s) to {output}: {whom.describe()}")


@export.command("matrix")
@PROJECT
@OUTPUT
@click.option(
    "--per",
    type=click.Choice(["segment", "participant"]),
    default="segment",
    show_default=True,
    help="One row per sentence segment, or per participant.",
)
@whose
@click.option("--code", "codes", multiple=True, help="Only these code columns; repeatable.")
def export_matrix(
    project: Path, output: Path, per: str, coders: tuple[str, ...], everyone: str | None, codes: tuple[str, ...]
) -> None:
    """A 0/1 code-presence table (.csv .xlsx .json) per segment or participant, for R, pandas or Excel."""
    from ..reports.exports import write_table
    from ..reports.matrices import presence_matrix
    from ..reports.snapshot import snapshot

    with open_project(project) as opened, snapshot(opened) as study:
        whom = counted_for(opened, coders, everyone)
        columns, rows = presence_matrix(study, per, whom.coders, list(codes))
    keys = ["document", "segment", "participant", "group"] if per == "segment" else ["participant", "group"]
    write_table(output, rows, keys + columns, "Matrix", whom.plain())
    click.echo(f"wrote {len(rows)} row(s) x {len(columns)} code(s) to {output}: {whom.describe()}")


@export.command("qdpx")
@PROJECT
@OUTPUT
def export_qdpx(project: Path, output: Path) -> None:
    """The whole project as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA and QualCoder: coders,
    codebook, participants as cases with typed variables, transcripts, every coding with its coder, memos."""
    from ..exchange.exports import write_qdpx

    if output.suffix.lower() != ".qdpx":
        raise QualcodeError(f"{output}: export a REFI-QDA project as .qdpx")
    with open_project(project) as opened:
        counts = write_qdpx(opened, output)
    click.echo(
        f"wrote {output}: {counts['documents']} documents, {counts['codes']} codes, {counts['codings']} codings, "
        f"{counts['participants']} participants, {counts['notes']} memos"
    )
