"""``qualcode agreement table FILE.csv``: agreement statistics for a reliability table made elsewhere.

One row per unit, one column per coder, an empty cell where a coder gave no value. A column is the units'
names, not a coder, only when it is named with ``--unit-column`` or called unit, id, item, segment or row;
a coder column whose every value is different (a unit id by another name) is refused rather than read as a
coder who never agrees with anyone.

Tables of a million units are read without a Python step per cell: the text is split once, each distinct
cell text is looked up once (``map`` over a dict, in C), and identical rows collapse to patterns with counts,
on which every statistic and the bootstrap run — so a bootstrap resamples a few hundred patterns, not a
million rows, and its memory stays small.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import QualcodeError, located
from ..project import limits
from . import agreement as stats
from .reliability import estimates

UNIT_NAMES = ("unit", "id", "item", "segment", "row")
LEVEL_WEIGHTS = {"nominal": "identity", "ordinal": "ordinal", "interval": "quadratic", "ratio": "ratio"}
_DISTINCT_FROM = 20  # rows from which a column of all-different values is taken for unit ids


@dataclass
class Table:
    coders: list[str]
    unit_column: str | None
    rows: np.ndarray  # distinct rows (patterns) x coders: category value, nan where no value
    counts: np.ndarray  # how many units each pattern stands for
    units: int
    categories: np.ndarray  # the scale's values (nominal: their indices), observed or not
    category_labels: list[str]


def read_table(path: Path, level: str = "nominal", unit_column: str | None = None,
               categories: list[str] | None = None, missing: frozenset[str] = frozenset()) -> Table:  # fmt: skip
    """The table, its values, and the scale they were given on: ``categories`` as named, else the values
    found — and 0 and 1 both whenever every value is 0 or 1 (a code applied or not, as a project's units
    are), so that a table where nobody happened to write a 0 is read on the scale it was made on."""
    text = limits.read_utf8(path, "reliability table", limits.TABLE_FILE, "; save the table as CSV UTF-8")
    header, cells, lines = _cells(path, text.replace("\r\n", "\n").replace("\r", "\n"))
    width = len(header)
    unit = _unit_column(path, header, unit_column)
    coder_columns = [j for j in range(width) if j != unit]
    if len(coder_columns) < 2:
        raise located(path, 1, "the header must name two or more coders")
    columns = [cells[j::width] for j in coder_columns]
    labels: defaultdict[str, int] = defaultdict()
    labels.default_factory = labels.__len__  # a new cell text gets the next number, in the same (C) pass
    codes = np.stack([np.fromiter(map(labels.__getitem__, c), dtype=np.int64, count=len(c)) for c in columns], axis=1)
    for j, column in zip(coder_columns, codes.T, strict=True):
        if len(column) >= _DISTINCT_FROM and len(np.unique(column)) == len(column):
            texts = [cells[n * width + j] for n in range(len(column))]
            if _id_like(texts, level):
                raise located(
                    path, 1, f"column {header[j]!r} has a different value in every one of its {len(column)} rows: "
                    f"it looks like the units' names, not a coder; name it with --unit-column {header[j]!r}",
                )  # fmt: skip
    values, scale, names = _values(path, list(labels), level, codes, lines, categories, missing)
    rows, counts = _patterns(codes, values)
    return Table([header[j] for j in coder_columns], header[unit] if unit is not None else None, rows, counts,
                 len(codes), scale, names)  # fmt: skip


def _cells(path: Path, text: str) -> tuple[list[str], list[str], list[int]]:
    """The header, every body cell in row order (flat), and each body row's line number. Blank rows are
    skipped; a row with the wrong number of cells is refused with its line."""
    if '"' in text:  # quoted cells: the csv module (in C) splits them
        parsed = list(csv.reader(io.StringIO(text)))
        numbered = [(n, row) for n, row in enumerate(parsed, start=1) if any(cell.strip() for cell in row)]
        if len(numbered) < 2:
            raise QualcodeError(f"{path}: needs a header row of coder names and at least one unit")
        header = [h.strip() for h in numbered[0][1]]
        for n, row in numbered[1:]:
            if len(row) != len(header):
                raise located(path, n, f"{len(row)} cells, but the header has {len(header)}")
        return header, [cell for _, row in numbered[1:] for cell in row], [n for n, _ in numbered[1:]]
    lines = text.split("\n")  # separators and blank lines counted by string methods mapped in C
    commas = np.fromiter(map(str.count, lines, repeat(",")), dtype=np.int64, count=len(lines))
    kept = np.flatnonzero(np.fromiter(map(len, map(str.strip, lines, repeat(" \t,"))), np.int64, len(lines)))
    if len(kept) < 2:
        raise QualcodeError(f"{path}: needs a header row of coder names and at least one unit")
    header = [h.strip() for h in lines[kept[0]].split(",")]
    body = kept[1:]
    wrong = np.flatnonzero(commas[body] != len(header) - 1)
    if len(wrong):
        line = int(body[wrong[0]])
        raise located(path, line + 1, f"{commas[line] + 1} cells, but the header has {len(header)}")
    if body[-1] - body[0] == len(body) - 1:  # no blank lines between: the body's text, split once
        offsets = np.concatenate([[0], np.cumsum(np.fromiter(map(len, lines), np.int64, len(lines)) + 1)])
        cells = text[offsets[body[0]] : offsets[body[-1] + 1] - 1].replace("\n", ",").split(",")
    else:
        cells = ",".join(lines[n] for n in body).split(",")
    return header, cells, (body + 1).tolist()


def _unit_column(path: Path, header: list[str], named: str | None) -> int | None:
    if named is not None:
        if named not in header:
            raise located(path, 1, f"no column named {named!r} for --unit-column (columns: {', '.join(header)})")
        return header.index(named)
    found = [j for j, name in enumerate(header) if name.lower() in UNIT_NAMES]
    if len(found) > 1:
        raise located(path, 1, f"two columns could be the units' names ({', '.join(header[j] for j in found)}): "
                      "choose one with --unit-column")  # fmt: skip
    return found[0] if found else None


def _id_like(column: list[str], level: str) -> bool:
    """All-different values are unit ids for nominal data; for numbers, only when they count up as ids do
    (different ratings of a continuous scale are ordinary interval data)."""
    if level == "nominal":
        return True
    try:
        numbers = np.array([float(cell) for cell in column])
    except ValueError:
        return True
    return bool(np.all(np.diff(numbers) > 0) and np.all(numbers == np.round(numbers)))


def _values(path: Path, labels: list[str], level: str, codes: np.ndarray, lines: list[int],
            declared: list[str] | None = None,
            missing: frozenset[str] = frozenset()) -> tuple[np.ndarray, np.ndarray, list[str]]:  # fmt: skip
    """Each distinct cell text's value (nan for an empty cell or one of ``missing``; the category's index for
    nominal data, its number otherwise, refused with its line when it is not one), and the scale: its values
    and names."""
    stripped = ["" if label.strip() in missing else label.strip() for label in labels]
    seen = {s for s in stripped if s}
    scale_names = [c.strip() for c in declared or [] if c.strip()]
    if declared is None and seen and seen <= {"0", "1"}:
        scale_names = ["0", "1"]
    values = np.full(len(labels), math.nan)
    if level == "nominal":
        names = sorted(seen | set(scale_names))
        index = {c: n for n, c in enumerate(names)}
        for n, cell in enumerate(stripped):
            if cell:
                values[n] = index[cell]
        return values, np.arange(len(names), dtype=float), names
    for n, cell in enumerate(stripped):
        if not cell:
            continue
        number = _number(cell, level)
        if isinstance(number, str):
            first_row = int(np.flatnonzero((codes == n).any(axis=1))[0])
            raise located(path, lines[first_row], number)
        values[n] = number
    for name in scale_names:
        if isinstance(_number(name, level), str):
            raise QualcodeError(f"--categories: {_number(name, level)}")
    scale = np.unique(np.concatenate([values[~np.isnan(values)], [float(c) for c in scale_names]]))
    return values, scale, [f"{v:g}" for v in scale]


LARGEST = 1e12  # past this a value is no rating: its squares, summed over a table, leave what a float holds


def _number(cell: str, level: str) -> float | str:
    """A cell's number, or why it is not one (ordinal, interval and ratio data): "nan", "inf" and "1e400"
    (which a float reads as infinity) are not numbers a coder gave."""
    try:
        number = float(cell)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        return f"{cell!r} is not a number ({level} data; --missing {cell.strip()} reads it as no value)"
    if abs(number) > LARGEST:
        return f"{cell} is too large for a rating (at most ±{LARGEST:.0e})"
    if level == "ratio" and number < 0:
        return f"{cell} is negative: ratio data start at zero"
    return number


def _patterns(codes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Identical rows collapsed, on integer keys (a row of label codes read as one number): the distinct rows
    as values, and how many units each stands for."""
    if not len(codes):
        return np.zeros((0, codes.shape[1])), np.zeros(0)
    canonical = np.unique(values, return_inverse=True)[1].reshape(-1)  # labels of one value: one code
    if np.isnan(values).any():  # every empty cell is one code too (unique keeps each nan apart)
        canonical[np.isnan(values)] = canonical.max() + 1
    merged = canonical[codes]
    base = int(merged.max()) + 1
    if codes.shape[1] * math.log2(max(base, 2)) < 62:
        keys = merged @ (base ** np.arange(codes.shape[1], dtype=np.int64))
        _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    else:
        _, first, counts = np.unique(merged, axis=0, return_index=True, return_counts=True)
    return values[codes[first]], counts.astype(float)


def table_statistics(path: Path, level: str = "nominal", bootstrap: int = 1000, seed: int = 0,
                     unit_column: str | None = None, categories: list[str] | None = None,
                     missing: frozenset[str] = frozenset()) -> dict[str, Any]:  # fmt: skip
    """Agreement statistics for a reliability table: alpha (at ``level``), Cohen's and Fleiss' kappa, percent
    agreement (all agree), and AC1 (AC2 with ``level``'s weights), Brennan–Prediger and pairwise percent
    agreement with standard errors and intervals; a seeded bootstrap interval for alpha."""
    table = read_table(path, level, unit_column, categories, missing)
    rows, counts = table.rows, table.counts
    results = {
        "krippendorff_alpha": stats.krippendorff_alpha(rows, counts, level=level),
        "cohen_kappa": stats.cohen_kappa(rows, counts),  # undefined, said so, beyond two coders
        "fleiss_kappa": stats.fleiss_kappa(rows, counts),
        "percent_agreement": stats.percent_agreement(rows, counts),
    }
    out: dict[str, Any] = {"level": level, "coders": table.coders, "unit_column": table.unit_column,
                           "units": table.units}  # fmt: skip
    out.update({name: r.value for name, r in results.items()})
    out["reasons"] = {name: r.reason for name, r in results.items() if r.value is None}
    out["categories"] = table.category_labels
    out.update(estimates(rows, counts, table.categories))
    if level != "nominal":
        out["gwet_ac2"] = estimates(rows, counts, table.categories, LEVEL_WEIGHTS[level])["gwet_ac1"]
        out["gwet_ac2"]["weights"] = LEVEL_WEIGHTS[level]
    for name in ("gwet_ac1", "gwet_ac2", "brennan_prediger"):
        if str(out.get(name, {}).get("reason", "")).startswith("only one category"):
            out[name]["reason"] += f" ({', '.join(table.category_labels)}): name the scale with --categories"
    draws = stats.bootstrap_alpha(rows, counts, level=level, draws=bootstrap, seed=seed) if bootstrap else None
    out["alpha_ci"] = draws
    return out
