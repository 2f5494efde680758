"""``qualcode suggest`` (codes likely to fit each sentence, with reasons) and ``qualcode autocode`` (code every
passage that matches a search, after a dry run if wanted)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import PROJECT, cli, echo_json, open_project, print_table


@cli.command()
@PROJECT
@click.option("--document", "documents", multiple=True, help="Only this document (repeatable); default: all.")
@click.option("--coder", help="Leave out what this coder applied or dismissed, and learn from their codings.")
@click.option("--top", type=click.IntRange(min=1), default=3, show_default=True, help="Suggestions per sentence.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=None, help="Only scores at least this (0-1).")
@click.option("--json", "as_json", is_flag=True, help="Print the suggestions as JSON.")
def suggest(
    project: Path, documents: tuple[str, ...], coder: str | None, top: int, min_score: float | None, as_json: bool
) -> None:
    """Codes likely to fit each sentence, from the codebook's keywords, definitions, examples and participants'
    words, the team's codings and who is speaking (and, with qualcode --embeddings DIR, closeness in meaning),
    each with its score and its reasons. Nothing is coded."""
    from ..ingest.segment import load_pipeline
    from ..suggest.suggester import THRESHOLD, suggest_study

    nlp = load_pipeline()
    found = []
    with open_project(project) as opened:
        for name in documents:
            opened.document(name)  # an unknown document fails before any work
        steps = suggest_study(opened, nlp, coder, list(documents) or None, top, THRESHOLD if min_score is None
                              else min_score)  # fmt: skip
        if sys.stderr.isatty():
            with click.progressbar(length=1, label="Suggesting", file=sys.stderr, show_pos=True) as bar:
                for _, total, suggestions in steps:
                    bar.length = total
                    bar.update(1)
                    found += suggestions
        else:
            for _, _, suggestions in steps:
                found += suggestions
    rows = [s.as_dict() for s in found]
    if as_json:
        echo_json(rows)
        return
    print_table(
        [[r["document"], r["start"], r["code"], f"{r['score']:.2f}", "; ".join(r["reasons"])[:90]] for r in rows],
        ["document", "start", "code", "score", "why"],
    )


@cli.command()
@PROJECT
@click.option("--coder", required=True, help="Who the codings are credited to.")
@click.option("--code", required=True, help="The code to apply.")
@click.option("--pattern", help="A regular expression (case-insensitive), matched within each sentence.")
@click.option("--terms", help='Words or phrases separated by ";" (whole words, any case).')
@click.option("--lemma", is_flag=True, help="Match every form of the terms (stop drinking: stopped drinking).")
@click.option("--fuzzy", type=int, help="Also match spelling variants at least this similar (50-100).")
@click.option("--scope", type=click.Choice(["match", "segment", "turn"]), default="match", show_default=True)
@click.option("--group", help="Only in turns of participants of this stakeholder group.")
@click.option("--dry-run", is_flag=True, help="List the passages that would be coded; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the passages as JSON.")
def autocode(
    project: Path,
    coder: str,
    code: str,
    pattern: str | None,
    terms: str | None,
    lemma: bool,
    fuzzy: int | None,
    scope: str,
    group: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Code every passage that matches a search, in participants' turns (never the interviewer's)."""
    from ..coding.codings import check_code
    from ..suggest.autocode import apply_hits, find_hits

    with open_project(project, write=not dry_run) as opened:
        check_code(opened, code)
        hits = find_hits(opened, pattern=pattern, terms=terms, lemma=lemma, fuzzy=fuzzy, scope=scope, group=group)
        added = present = 0
        if not dry_run:
            added, present = apply_hits(opened, hits, coder, code)
    if as_json:
        echo_json({"hits": [h.as_dict() for h in hits], "dry_run": dry_run, "added": added, "already": present})
        return
    print_table([[h.document, h.line, h.context[:100]] for h in hits], ["document", "line", "passage"])
    if dry_run:
        click.echo(f"{len(hits)} passage(s) would be coded {code}; nothing written (--dry-run).")
    else:
        click.echo(f"Coded {added} passage(s) {code} for {coder}; {present} already were.")
