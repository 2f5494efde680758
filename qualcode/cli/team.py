"""The team commands: ``qualcode agreement`` (and ``agreement table``), and ``qualcode merge``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import QualcodeError
from ..reports.figures import figure, fixed, percentage
from . import PROJECT, Group, cli, echo_json, force_option, open_project, print_table

STAT_HEADERS = ["alpha", "kappa", "fleiss", "AC1 [95% CI]", "BP", "% all", "% pairs", "units"]


class _AgreementGroup(Group):
    """``qualcode agreement PROJECT ...`` compares coders; ``qualcode agreement table FILE`` reads a table."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["compare", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=_AgreementGroup)
def agreement() -> None:
    """Inter-coder agreement: qualcode agreement PROJECT --coders A,B, or qualcode agreement table FILE.csv."""


def _with_interval(estimate: dict[str, Any]) -> str:
    if estimate.get("value") is None:
        return "—"
    ci = estimate.get("ci")
    return fixed(estimate["value"], 3) + (f" [{fixed(ci[0])}, {fixed(ci[1])}]" if ci else "")


def _stat_cells(row: dict[str, Any]) -> list[str]:
    return [
        figure(row["krippendorff_alpha"], 3),
        figure(row["cohen_kappa"], 3),
        figure(row["fleiss_kappa"], 3),
        _with_interval(row["gwet_ac1"]),
        figure(row["brennan_prediger"]["value"], 3),
        percentage(row["percent_agreement"]),
        percentage(row["percent_agreement_pairwise"]["value"]),
        f"{row['units']:,}",
    ]


def _weighted_cells(row: dict[str, Any], shown: bool) -> list[str]:
    """NVivo's figure: per-document kappa averaged with document length as weight (character unit)."""
    if not shown:
        return []
    weighted = row["document_weighted"]
    return [figure(weighted["cohen_kappa"], 3), str(weighted["documents"])]


@agreement.command("compare")
@PROJECT
@click.option("--coders", required=True, help="Two or more coders, comma-separated: amira,ben")
@click.option("--unit", type=click.Choice(["segment", "turn", "character"]), default="segment", show_default=True)
@click.option("--bootstrap", type=click.IntRange(min=0), default=0, help="Draws for a 95% interval for alpha.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True, help="Seed for the bootstrap.")
@force_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the per-code table (.csv .xlsx .md .json).",
)
@click.option(
    "--disagreements",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every disagreement with its passage (.csv .xlsx .md .json); two coders.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def agreement_compare(
    project: Path,
    coders: str,
    unit: str,
    bootstrap: int,
    seed: int,
    output: Path | None,
    disagreements: Path | None,
    as_json: bool,
) -> None:
    """Agreement between coders per code and pooled, at the segment, turn or character unit.
    (Also: qualcode agreement compare.)

    \b
    alpha    Krippendorff's alpha: all units with values from two or more coders.
    kappa    Cohen's kappa: two coders, units both coded.
    fleiss   Fleiss' kappa: complete units only (every coder gave a value).
    AC1      Gwet's AC1 with its 95% interval: all units (Gwet 2014); stays meaningful for rare codes.
    BP       Brennan-Prediger: all units, chance agreement 1/2 (applied or not).
    % all    percent agreement: complete units on which every coder agrees.
    % pairs  pairwise percent agreement: agreeing pairs of coders, all units with two or more values.
    --json gives AC1, BP and % pairs as {value, se, ci}."""
    from ..reports.snapshot import snapshot
    from ..team.reconcile import disagreement_rows, write_agreement_table
    from ..team.reliability import compare

    names = [c.strip() for c in coders.split(",") if c.strip()]
    with open_project(project) as opened, snapshot(opened) as study:  # the table and its disagreements: one moment
        report = compare(study, names, unit, bootstrap, seed)
        found = disagreement_rows(opened, names) if disagreements else None
    if output:
        write_agreement_table(output, report)
        click.echo(f"wrote {output}: {len(report['per_code'])} code(s) and the pooled row", err=as_json)
    if disagreements and found is not None:
        from ..reports.exports import write_table

        write_table(disagreements, found, list(found[0]) if found else ["code"], "Disagreements")
        click.echo(f"wrote {disagreements}: {len(found)} disagreement(s)", err=as_json)  # stdout stays JSON
    if as_json:
        echo_json(report)
        return
    weighted = unit == "character" and len(names) == 2
    rows = [[_named(r["name"]), *_stat_cells(r), *_weighted_cells(r, weighted)] for r in report["per_code"]]
    rows.insert(0, ["All codes, pooled", *_stat_cells(report["pooled"]), *(["", ""] if weighted else [])])
    click.echo(f"Agreement between {', '.join(names)} per {unit}:")
    print_table(rows, ["code", *STAT_HEADERS, *(["kappa (doc-weighted)", "docs"] if weighted else [])])
    if any(r["reasons"] for r in [*report["per_code"], report["pooled"]]):
        click.echo("— undefined: nothing varies (every unit was given the same value), so chance agreement is "
                   "everything; AC1, BP and % agreement still say how often the coders agreed.")  # fmt: skip


def _named(name: str, width: int = 44) -> str:
    """A code's name in a terminal table: cut at the end with "…" past ``width`` (--json and -o give it whole)."""
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


@agreement.command("table")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--level", type=click.Choice(["nominal", "ordinal", "interval", "ratio"]), default="nominal", show_default=True
)
@click.option("--bootstrap", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Draws for a 95% interval for alpha (0: none).")  # fmt: skip
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True)
@click.option("--unit-column", help="The column naming the units (default: one called unit, id, item, segment or row).")
@click.option("--categories", help="The scale the values were given on, comma-separated (default: the values found; "
              "0,1 when every value is 0 or 1). AC1 and Brennan-Prediger depend on it.")  # fmt: skip
@click.option("--missing", help="Cell texts that mean no value, comma-separated (such as NA,nan,-99); an empty "
              "cell always does.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def agreement_table(table: Path, level: str, bootstrap: int, seed: int, unit_column: str | None,
                    categories: str | None, missing: str | None, as_json: bool) -> None:  # fmt: skip
    """Statistics for a reliability table made elsewhere (CSV): one row per unit, one column per coder, an
    empty cell where that coder gave no value. A column is the units' names only when named with
    --unit-column or called unit, id, item, segment or row; a column of all-different values is refused.

    \b
    krippendorff_alpha   all units with two or more values, at --level
    cohen_kappa          two coders, units both rated
    fleiss_kappa         complete units only (every coder gave a value)
    percent_agreement    complete units on which every coder agrees
    gwet_ac1             Gwet's AC1, all units (gwet_ac2 too for ordinal, interval, ratio: Gwet's weights)
    brennan_prediger     chance agreement 1/q, all units
    percent_agreement_pairwise   agreeing pairs of coders, units with two or more values
    The last three (and gwet_ac2) with their standard error and 95% interval (Gwet 2014)."""
    from ..team.reliability_table import table_statistics

    scale = [c.strip() for c in categories.split(",")] if categories is not None else None
    absent = frozenset(m.strip() for m in (missing or "").split(",") if m.strip())
    result = table_statistics(table, level, bootstrap, seed, unit_column, scale, absent)
    if as_json:
        echo_json(result)
        return
    unit = f", units named in column {result['unit_column']!r}" if result["unit_column"] else ""
    click.echo(f"{result['units']:,} units, {len(result['coders'])} coders ({', '.join(result['coders'])}), "
               f"{level} data{unit}; categories {', '.join(result['categories']) or 'none'}")  # fmt: skip
    for name in ("krippendorff_alpha", "cohen_kappa", "fleiss_kappa", "percent_agreement"):
        reason = result["reasons"].get(name)
        click.echo(f"{name:27s} {figure(result[name], 3)}" + (f"  ({reason})" if reason else ""))
    for name in ("gwet_ac1", "gwet_ac2", "brennan_prediger", "percent_agreement_pairwise"):
        if name in result:
            found = result[name]
            detail = f"  (se {found['se']:.3g})" if found.get("se") is not None else f"  ({found.get('reason')})"
            click.echo(f"{name:27s} {_with_interval(found)}" + (detail if found["value"] is not None or
                                                                 found.get("reason") else ""))  # fmt: skip
    if result.get("alpha_ci"):
        low, high = result["alpha_ci"]
        click.echo(
            f"alpha 95% interval    {fixed(low, 3)} to {fixed(high, 3)} ({bootstrap} bootstrap draws, seed {seed})"
        )


@cli.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("projects", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print what was merged as JSON.")
def merge(out: Path, projects: tuple[Path, ...], as_json: bool) -> None:
    """Merge coders' project files into OUT (created if missing): documents matched by content, codes by id,
    participants by pseudonym; codings keep their coder; merging the same file again adds nothing."""
    from ..team.merge import merge_projects

    if out.resolve() in {p.resolve() for p in projects}:
        raise QualcodeError(f"{out}: the merged project must be a different file from the ones merged")
    report = merge_projects(out, list(projects))
    if as_json:
        echo_json(report)
        return
    for source in report["sources"]:
        click.echo(
            f"{source['project']}: {source['documents_added']} documents, {source['codes_added']} codes, "
            f"{source['codings_added']} codings ({source['codings_present']} already there), "
            f"{source['memos_added']} memos"
        )
