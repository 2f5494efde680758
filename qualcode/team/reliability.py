"""Agreement between coders in a project, at the unit the team chooses.

Units:
- ``segment``: each sentence segment; a coder applied code C to it if any coding of C by them overlaps it;
- ``turn``: each speaker turn, likewise;
- ``character``: each character, coded or not (as NVivo's coding comparison), per code and document.

A coder who has not coded a document at all (no coding in it) gives no value for its units: those are
missing data, not "absent", so a document one coder has not reached yet does not count as disagreement.
Documents no chosen coder has coded are left out. For each code the units reduce to patterns — which
coders applied it, which did not, which are missing — with counts (characters weigh one each), and the
statistics of ``agreement`` run on them. Pooled figures treat every (unit, code) pair as one unit.

At the character unit with two coders, the per-document kappa and percent agreement are also averaged
with document length as weight, as NVivo reports them; documents where neither coder applied the code
have no kappa (nothing varies) and are left out of that average rather than counted as perfect.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import QualcodeError
from ..project.store import Project
from ..reports.counting import CONSENSUS
from ..reports.snapshot import Snapshot, snapshot
from ..reports.tally import overlapping, read_codings, spans
from . import agreement as stats
from . import coefficients

UNITS = ("segment", "turn", "character")
STATISTICS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")
ESTIMATES = ("gwet_ac1", "brennan_prediger", "percent_agreement_pairwise")  # each with se and a 95% interval
APPLIED = np.array([0.0, 1.0])  # a code's two possible values: not applied, applied


@dataclass
class Patterns:
    """For each code (rows of ``counts``), how many units show each pattern of coders' values."""

    unit: str
    coders: list[str]
    codes: list[dict[str, Any]]
    rows: np.ndarray  # patterns x coders: 1 applied, 0 not, nan missing
    counts: np.ndarray  # codes x patterns
    by_document: dict[str, np.ndarray] | None = None  # character unit, two coders: per code x document


def _check_coders(project: Project, coders: list[str]) -> list[int]:
    if len(coders) < 2:
        raise QualcodeError("agreement needs two or more coders (--coders A,B)")
    if len(set(coders)) != len(coders):
        raise QualcodeError(f"a coder is named twice: {', '.join(coders)}")
    if CONSENSUS in coders:
        raise QualcodeError(f"{CONSENSUS!r} is the team's settled coding, made from the coders' own: comparing it with "
                            "them says nothing about how well they agree; compare the coders who coded on their own")
    known = dict(project.db.execute("SELECT name, id FROM coder").fetchall())
    missing = [c for c in coders if c not in known]
    if missing:
        raise QualcodeError(f"no coder named {', '.join(missing)} (coders: {', '.join(sorted(known)) or 'none'})")
    return [known[c] for c in coders]


def patterns(study: Snapshot, coders: list[str], unit: str = "segment") -> Patterns:
    if unit not in UNITS:
        raise QualcodeError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    project = study.project
    coder_ids = _check_coders(project, coders)
    tree = study.codes
    index = {code["id"]: n for n, code in enumerate(tree)}
    codings = read_codings(project, index, coders)
    k = len(coders)
    column = np.full(int(max(coder_ids)) + 1, -1)
    column[coder_ids] = np.arange(k)
    coder = column[codings.coder]
    rows = np.array(list(itertools.product([0.0, 1.0, np.nan], repeat=k)))[:, ::-1]  # digit c is coder c
    powers = 3 ** np.arange(k)

    documents = int(project.db.execute("SELECT coalesce(max(id), 0) FROM document").fetchone()[0]) + 1
    coded = np.zeros((documents, k), dtype=bool)  # which coders have coded which documents
    coded[codings.document, coder] = True
    missing_digits = np.where(coded, 0, 2) @ powers  # each document's pattern for "nobody applied it"

    if unit == "character":
        lengths = np.zeros(documents, dtype=np.int64)
        for doc_id, length in project.db.execute("SELECT id, length(text) FROM document"):
            lengths[doc_id] = length
        counts, by_document = _characters(codings, coder, k, len(tree), coded, lengths, powers, missing_digits)
    else:
        counts, by_document = _units(project, unit, codings, coder, k, len(tree), coded, missing_digits), None
    used = np.flatnonzero(np.bincount(codings.code, minlength=len(tree)))  # codes these coders applied
    if by_document is not None:
        by_document = {key: value[used] for key, value in by_document.items()}
    return Patterns(unit, coders, [tree[n] for n in used], rows, counts[used], by_document)


def _units(
    project: Project,
    unit: str,
    codings: Any,
    coder: np.ndarray,
    k: int,
    code_count: int,
    coded: np.ndarray,
    missing_digits: np.ndarray,
) -> np.ndarray:
    starts, ends = spans(project, unit)
    unit_document = starts >> 32
    owner, units = overlapping(starts, ends, codings)
    key = np.unique((codings.code[owner] * len(starts) + units) * k + coder[owner])
    pair, bit = key // k, key % k
    cells, first = np.unique(pair, return_index=True)
    bits = np.add.reduceat(3**bit, first) if len(first) else np.zeros(0, dtype=np.int64)
    code, unit_index = cells // len(starts), cells % len(starts)
    document = unit_document[unit_index]
    pattern = missing_digits[document] + bits  # a coder who applied it: digit 1 instead of 0
    patterns = 3**k
    counts = np.bincount(code * patterns + pattern, minlength=code_count * patterns).astype(float)
    scope = coded.any(axis=1)
    base = np.bincount(missing_digits[unit_document[scope[unit_document]]], minlength=patterns).astype(float)
    counts = counts.reshape(code_count, patterns) + base
    counts -= np.bincount(code * patterns + missing_digits[document], minlength=code_count * patterns).reshape(
        code_count, patterns
    )
    return counts


def _characters(
    codings: Any,
    coder: np.ndarray,
    k: int,
    code_count: int,
    coded: np.ndarray,
    lengths: np.ndarray,
    powers: np.ndarray,
    missing_digits: np.ndarray,
) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
    documents = len(lengths)
    group = np.concatenate([codings.code * documents + codings.document] * 2)
    position = np.concatenate([codings.start, codings.end])
    delta = np.zeros((len(group), k), dtype=np.int64)
    n = len(codings.code)
    delta[np.arange(n), coder] = 1
    delta[n + np.arange(n), coder] = -1
    order = np.lexsort((position, group))
    group, position, cover = group[order], position[order], np.cumsum(delta[order], axis=0)
    valid = np.zeros(len(group), dtype=bool)
    valid[:-1] = (group[:-1] == group[1:]) & (position[1:] > position[:-1])
    length = np.zeros(len(group), dtype=np.int64)
    length[:-1] = position[1:] - position[:-1]
    covered = valid & (cover > 0).any(axis=1)
    group, length, bits = group[covered], length[covered], ((cover[covered] > 0) * powers).sum(axis=1)
    code, document = group // documents, group % documents
    patterns = 3**k
    pattern = missing_digits[document] + bits
    counts = np.bincount(code * patterns + pattern, weights=length, minlength=code_count * patterns)
    counts -= np.bincount(code * patterns + missing_digits[document], weights=length, minlength=code_count * patterns)
    scope = coded.any(axis=1)
    base = np.bincount(missing_digits[scope], weights=lengths[scope], minlength=patterns)
    counts = counts.reshape(code_count, patterns) + base
    if k != 2:
        return counts, None
    both_coded = np.flatnonzero(coded.all(axis=1))
    tables = {}
    for name, want in (("both", 4), ("first", 1), ("second", 3)):  # digits: coder 0 weighs 1, coder 1 weighs 3
        hit = bits == want
        tables[name] = np.bincount(group[hit], weights=length[hit], minlength=code_count * documents).reshape(
            code_count, documents
        )[:, both_coded]
    tables["length"] = np.broadcast_to(lengths[both_coded], (code_count, len(both_coded))).astype(float)
    return counts, tables


def document_weighted(tables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per code: kappa and percent agreement per document (two coders, characters), averaged with document
    length as weight over the documents where kappa is defined."""
    # whole numbers of characters: kappa as one exact fraction, n*agreed - chance over n^2 - chance
    both, first, second, length = (np.rint(tables[k]).astype(np.int64) for k in ("both", "first", "second", "length"))
    neither = length - both - first - second
    a_yes, b_yes = both + first, both + second
    chance = a_yes * b_yes + (length - a_yes) * (length - b_yes)
    defined = (length > 0) & (chance != length * length)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = (both + neither) / length
        kappa = (length * (both + neither) - chance) / np.where(defined, length * length - chance, 1)
    weight = np.where(defined, length, 0.0)
    total = weight.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "cohen_kappa": np.where(total > 0, np.nansum(np.where(defined, kappa, 0) * weight, axis=1) / total, np.nan),
            "percent_agreement": np.where(
                total > 0, (np.where(defined, observed, 0) * weight).sum(axis=1) / total, np.nan
            ),
            "documents": defined.sum(axis=1),
        }


def _statistics(rows: np.ndarray, weights: np.ndarray, k: int) -> dict[str, Any]:
    results = {
        "percent_agreement": stats.percent_agreement(rows, weights),
        "cohen_kappa": stats.cohen_kappa(rows, weights) if k == 2 else stats.Statistic(None, "more than two coders"),
        "fleiss_kappa": stats.fleiss_kappa(rows, weights),
        "krippendorff_alpha": stats.krippendorff_alpha(rows, weights),
    }
    out: dict[str, Any] = {name: result.value for name, result in results.items()}
    out["units"] = results["krippendorff_alpha"].units
    out["reasons"] = {name: result.reason for name, result in results.items() if result.value is None}
    out.update(estimates(rows, weights, APPLIED))
    return out


def estimates(rows: np.ndarray, weights: np.ndarray | None, categories: np.ndarray | None,
              kind: str = "identity") -> dict[str, dict[str, Any]]:  # fmt: skip
    """Gwet's AC1 (AC2 with weights), Brennan–Prediger and pairwise percent agreement, each as
    {value, se, ci} (and reason, when undefined)."""
    return {
        "gwet_ac1": coefficients.gwet_ac(rows, weights, categories, kind).as_dict(),
        "brennan_prediger": coefficients.brennan_prediger(rows, weights, categories, kind).as_dict(),
        "percent_agreement_pairwise": coefficients.percent_agreement_pairwise(rows, weights, categories).as_dict(),
    }


def compare(
    project: Project | Snapshot, coders: list[str], unit: str = "segment", bootstrap: int = 0, seed: int = 0
) -> dict[str, Any]:
    """The agreement report of the CLI contract: pooled and per code, with how many units each coder applied
    each code to; ``bootstrap`` draws give a seeded confidence interval for alpha. Read from one snapshot."""
    with snapshot(project) as study:
        found = patterns(study, coders, unit)
    k = len(coders)
    weighted = document_weighted(found.by_document) if found.by_document else None
    pairable = (~np.isnan(found.rows)).sum(axis=1) >= 2  # "applied" counts the units compared
    per_code = []
    for n, code in enumerate(found.codes):
        row = {"code": code["id"], "name": code["name"], **_statistics(found.rows, found.counts[n], k)}
        row["applied"] = {
            c: float(found.counts[n][pairable & (found.rows[:, i] == 1)].sum()) for i, c in enumerate(coders)
        }
        if bootstrap:
            row["alpha_ci"] = stats.bootstrap_alpha(found.rows, found.counts[n], draws=bootstrap, seed=seed)
        if weighted is not None:
            row["document_weighted"] = {
                "cohen_kappa": _number(weighted["cohen_kappa"][n]),
                "percent_agreement": _number(weighted["percent_agreement"][n]),
                "documents": int(weighted["documents"][n]),
            }
        per_code.append(row)
    pooled = _statistics(found.rows, found.counts.sum(axis=0), k) if found.codes else _empty()
    if bootstrap and found.codes:
        pooled["alpha_ci"] = stats.bootstrap_alpha(found.rows, found.counts.sum(axis=0), draws=bootstrap, seed=seed)
    return {"unit": unit, "coders": coders, "pooled": pooled, "per_code": per_code}


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _empty() -> dict[str, Any]:
    reason = "no codings by these coders"
    empty = {name: {"value": None, "se": None, "ci": None, "reason": reason} for name in ESTIMATES}
    return {**{name: None for name in STATISTICS}, "units": 0, "reasons": dict.fromkeys(STATISTICS, reason), **empty}
