"""Inter-coder agreement statistics: percent agreement, Cohen's kappa, Fleiss' kappa, Krippendorff's alpha.

Every statistic takes a reliability matrix — one row per unit, one column per coder, ``nan`` where a coder
gave no value — and optional row ``weights``: a row standing for that many identical units. Agreement over
thousands of segments and a hundred codes reduces to a few patterns (which coders applied the code, which
did not, which had not coded that document) with counts, so the statistics run on the patterns.

The formulas are the standard ones, checked in the tests against the published worked examples:
- percent agreement ("all agree"): the share of units *every* coder gave a value to on which they all agree
  (with three or more coders, stricter than the pairwise share in ``coefficients``);
- Cohen's kappa (1960), two coders, units both coded: (p_o - p_e) / (1 - p_e) with each coder's own
  marginals;
- Fleiss' kappa (1971), units every coder coded (complete units only: Gwet's generalisation to missing
  values differs): (P - P_e) / (1 - P_e) with pooled marginals;
- Krippendorff's alpha (2011), any number of coders and missing values: 1 - D_o / D_e from the coincidence
  matrix of pairable values (units with at least two), for nominal, ordinal, interval and ratio data.

Kappa is computed from the counts themselves, as one fraction of whole numbers, never as ``1 - p_e`` from
floating point: when a code is rare, chance agreement lies within a millionth of 1 and the difference is all
that matters. A statistic with no variation to measure is undefined only when there truly is none (every
value the same): it comes back as ``None`` with the reason, never as a made-up 1 or 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LEVELS = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True)
class Statistic:
    value: float | None
    reason: str | None = None  # why value is None
    units: int = 0  # the units it was computed over

    def as_dict(self) -> dict[str, object]:
        return {"value": self.value, "reason": self.reason, "units": self.units}


def _prepare(matrix: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    data = np.asarray(matrix, dtype=float)
    if data.ndim != 2:
        raise ValueError("a reliability matrix has one row per unit and one column per coder")
    w = np.ones(len(data)) if weights is None else np.asarray(weights, dtype=float)
    keep = w > 0
    return data[keep], w[keep]


def _complete(data: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows = ~np.isnan(data).any(axis=1)
    return data[rows], w[rows]


def percent_agreement(matrix: np.ndarray, weights: np.ndarray | None = None) -> Statistic:
    data, w = _complete(*_prepare(matrix, weights))
    total = float(w.sum())
    if total == 0:
        return Statistic(None, "no unit has a value from every coder")
    agree = (data == data[:, :1]).all(axis=1)
    return Statistic(float(w[agree].sum() / total), units=int(total))


def cohen_kappa(matrix: np.ndarray, weights: np.ndarray | None = None) -> Statistic:
    data, w = _prepare(matrix, weights)
    if data.shape[1] != 2:
        return Statistic(None, "Cohen's kappa is for two coders")
    data, w = _complete(data, w)
    total = float(w.sum())
    if total == 0:
        return Statistic(None, "no unit has a value from both coders")
    categories = np.unique(data)
    a = np.searchsorted(categories, data[:, 0])
    b = np.searchsorted(categories, data[:, 1])
    k = len(categories)
    table = _whole(np.bincount(a * k + b, weights=w, minlength=k * k).reshape(k, k))
    n = sum(map(sum, table))
    agreed = sum(table[i][i] for i in range(k))
    chance = sum(sum(table[i]) * sum(row[i] for row in table) for i in range(k))  # n^2 p_e, exactly
    if chance == n * n:
        return Statistic(None, "no variation: both coders gave every unit the same value", int(total))
    return Statistic(_ratio(n * agreed - chance, n * n - chance), units=int(total))


def fleiss_kappa(matrix: np.ndarray, weights: np.ndarray | None = None) -> Statistic:
    data, w = _complete(*_prepare(matrix, weights))
    total = float(w.sum())
    raters = data.shape[1]
    if total == 0:
        return Statistic(None, "no unit has a value from every coder")
    if raters < 2:
        return Statistic(None, "Fleiss' kappa needs two or more coders")
    categories = np.unique(data)
    counts = np.stack([(data == c).sum(axis=1) for c in categories], axis=1)  # units x categories
    n = _whole(np.array([w.sum()]))[0]
    pairs = _whole(np.array([w @ (counts * (counts - 1)).sum(axis=1)]))[0]  # agreeing ordered pairs
    totals = _whole(w @ counts)  # values per category
    given = n * raters
    chance = sum(t * t for t in totals)  # given^2 P_e, exactly
    if chance == given * given:
        return Statistic(None, "no variation: every coder gave every unit the same value", int(total))
    per_unit = raters * (raters - 1)
    return Statistic(_ratio(pairs * given * given - chance * n * per_unit, n * per_unit * (given * given - chance)),
                     units=int(total))  # fmt: skip


def _whole(values: np.ndarray) -> list:
    """Counts as Python integers (exact at any size) when they are whole, as they are for units; floats
    otherwise (fractional row weights), where the formulas still hold to floating point."""
    if np.all(values == np.round(values)):
        return [int(v) if np.ndim(v) == 0 else _whole(v) for v in np.round(values)]
    return [float(v) if np.ndim(v) == 0 else _whole(v) for v in values]


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator  # Python ints divide to the correctly rounded float


def coincidences(data: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Krippendorff's coincidence matrix over the distinct values, the values, and the pairable units."""
    values = np.unique(data[~np.isnan(data)])
    counts = np.stack([(data == v).sum(axis=1) for v in values], axis=1).astype(float) if len(values) else None
    if counts is None:
        return np.zeros((0, 0)), values, 0
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m, w = counts[pairable], m[pairable], w[pairable]
    scale = w / (m - 1)
    matrix = counts.T @ (counts * scale[:, None]) - np.diag((counts * scale[:, None]).sum(axis=0))
    return matrix, values, int(w.sum())


def _delta(values: np.ndarray, totals: np.ndarray, level: str) -> np.ndarray:
    c, k = np.meshgrid(values, values, indexing="ij")
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            out = ((c - k) / (c + k)) ** 2
        return np.nan_to_num(out)  # 0 and 0: no difference
    if level == "ordinal":
        cumulative = np.concatenate([[0.0], np.cumsum(totals)])
        i, j = np.meshgrid(np.arange(len(values)), np.arange(len(values)), indexing="ij")
        low, high = np.minimum(i, j), np.maximum(i, j)
        between = cumulative[high + 1] - cumulative[low]  # n_g for g from the lower to the higher value
        return (between - (totals[i] + totals[j]) / 2) ** 2
    raise ValueError(f"level must be one of {', '.join(LEVELS)}")


def alpha_from_coincidences(matrix: np.ndarray, values: np.ndarray, level: str) -> float | None:
    totals = matrix.sum(axis=1)
    n = totals.sum()
    if n <= 1:
        return None
    delta = _delta(values, totals, level)
    observed = float((matrix * delta).sum())
    expected = float((np.outer(totals, totals) * delta).sum()) / (n - 1)
    if expected == 0:
        return None
    return 1.0 - observed / expected


def krippendorff_alpha(matrix: np.ndarray, weights: np.ndarray | None = None, level: str = "nominal") -> Statistic:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    data, w = _prepare(matrix, weights)
    table, values, units = coincidences(data, w)
    if units == 0:
        return Statistic(None, "no unit has values from two or more coders")
    value = alpha_from_coincidences(table, values, level)
    if value is None:
        return Statistic(None, "no variation: every value is the same", units)
    return Statistic(value, units=units)


def bootstrap_alpha(
    matrix: np.ndarray,
    weights: np.ndarray | None = None,
    level: str = "nominal",
    draws: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float] | None:
    """A percentile confidence interval for alpha from resampling units with replacement (seeded, so the
    same data give the same interval). None when alpha itself is undefined."""
    data, w = _prepare(matrix, weights)
    values = np.unique(data[~np.isnan(data)])
    if not len(values):
        return None
    counts = np.stack([(data == v).sum(axis=1) for v in values], axis=1).astype(float)
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m, w = counts[pairable], m[pairable], w[pairable]
    if w.sum() < 2:
        return None
    # each unit's contribution to the coincidence matrix, flattened: resampling weights it
    per_unit = (counts[:, :, None] * counts[:, None, :]) - np.einsum("uv,vk->uvk", counts, np.eye(len(values)))
    per_unit = (per_unit / (m - 1)[:, None, None]).reshape(len(counts), -1)
    rng = np.random.default_rng(seed)
    units = int(round(w.sum()))
    found = []
    for start in range(0, draws, 100):
        batch = rng.multinomial(units, w / w.sum(), size=min(100, draws - start))
        for table in (batch @ per_unit).reshape(-1, len(values), len(values)):
            value = alpha_from_coincidences(table, values, level)
            if value is not None:
                found.append(value)
    if not found:
        return None
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(found, [tail, 100 - tail])
    return float(low), float(high)
