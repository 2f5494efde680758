"""The coefficients reviewers ask for when codes are rare: Gwet's AC1 (AC2 with weights), Brennan–Prediger and
pairwise percent agreement, each with its analytic standard error and a 95% interval.

Kappa and alpha judge agreement against chance agreement computed from how often each value was used; when
one value is rare (a code applied to a few passages in thousands), chance agreement nears 1 and kappa
collapses although the coders agree almost everywhere — the "kappa paradox". Gwet's AC1 and Brennan and
Prediger's coefficient use chance agreements that stay moderate, so teams report them beside kappa.

Everything follows Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed., chapters 2–5, for raw ratings
with missing values, as his R package irrCAC (and its Python port) computes them:
- units with no value from anyone are left out; ``n`` is the number of units left;
- pairwise percent agreement ``p_a`` is, over the units with two or more values, the share of agreeing pairs
  of values (with weights, the weighted share), averaged over those units;
- ``pi_k``, the share of category k, averages each unit's share of k over all ``n`` units;
- chance agreement: AC1/AC2 ``T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k)`` (``T_w`` the sum of the weights);
  Brennan–Prediger ``T_w / q^2``; pairwise percent agreement none;
- the variance is the sample variance of each unit's contribution (with AC1's correction for its
  estimated chance agreement) over ``n``; the interval is the estimate ± the t quantile with ``n - 1``
  degrees of freedom times the standard error, its upper end capped at 1.

``q`` is the number of categories that could be given: for a code in a project it is always 2 (applied, not
applied), so AC1 is defined even where every coder left a code out; for a table made elsewhere it is the
number of distinct values in it. Data come as a reliability matrix (units × coders, ``nan`` for no value)
with optional row weights — one row standing for that many identical units — so a project's millions of
characters reduce to a few patterns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WEIGHTS = ("identity", "ordinal", "quadratic", "ratio")  # as Gwet names them; AC2 for all but identity


@dataclass(frozen=True)
class Estimate:
    value: float | None
    se: float | None = None
    ci: tuple[float, float] | None = None
    units: int = 0
    reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"value": self.value, "se": self.se, "ci": list(self.ci) if self.ci else None}
        if self.reason:
            found["reason"] = self.reason
        return found


def weight_matrix(categories: np.ndarray, kind: str = "identity") -> np.ndarray:
    """Gwet's agreement weights between categories (1 on the diagonal): identity for nominal data; ordinal,
    quadratic (interval) and ratio weights for AC2."""
    c = np.asarray(categories, dtype=float)
    q = len(c)
    if kind == "identity" or q < 2:
        return np.eye(q)
    if kind == "ordinal":
        rank = np.arange(q)
        steps = np.abs(rank[:, None] - rank[None, :]) + 1
        raw = steps * (steps - 1) / 2
        return 1 - raw / raw.max()
    if kind == "quadratic":
        return 1 - ((c[:, None] - c[None, :]) / (c.max() - c.min())) ** 2
    if kind == "ratio":  # a category 0 (ratio data start there): 0 against 0 is the diagonal, agreement 1
        spread = ((c.max() - c.min()) / (c.max() + c.min())) ** 2
        total = c[:, None] + c[None, :]
        ratio = np.divide(c[:, None] - c[None, :], total, out=np.zeros((q, q)), where=total != 0) ** 2
        return 1 - ratio / spread
    raise ValueError(f"weights must be one of {', '.join(WEIGHTS)}")


@dataclass
class _Units:
    """What every coefficient needs, per row: counts per category, values given, agreeing pairs."""

    counts: np.ndarray  # rows x categories
    given: np.ndarray  # values per row
    agreeing: np.ndarray  # sum_k r_ik (r*_ik - 1): (weighted) agreeing ordered pairs per row
    w: np.ndarray  # how many units each row stands for
    n: float  # units with a value from anyone
    n2: float  # units with values from two or more
    pa: float
    pi: np.ndarray  # category shares


def _units(matrix: np.ndarray, weights: np.ndarray | None, categories: np.ndarray, agree: np.ndarray) -> _Units:
    data = np.asarray(matrix, dtype=float)
    w = np.ones(len(data)) if weights is None else np.asarray(weights, dtype=float)
    counts = np.stack([(data == c).sum(axis=1) for c in categories], axis=1).astype(float)
    given = counts.sum(axis=1)
    keep = (given > 0) & (w > 0)
    counts, given, w = counts[keep], given[keep], w[keep]
    agreeing = (counts * (counts @ agree.T - 1)).sum(axis=1)
    two = given >= 2
    n, n2 = float(w.sum()), float(w[two].sum())
    pa = float((w[two] * agreeing[two] / (given[two] * (given[two] - 1))).sum() / n2) if n2 else float("nan")
    pi = (w[:, None] * counts / np.where(given > 0, given, 1)[:, None]).sum(axis=0) / n if n else counts.sum(axis=0)
    return _Units(counts, given, agreeing, w, n, n2, pa, pi)


def _t_interval(value: float, se: float, n: float) -> tuple[float, float]:
    from scipy.special import stdtrit  # only here: the t quantile (scipy.stats takes twice as long to import)

    half = float(stdtrit(n - 1, 0.975)) * se
    return value - half, min(1.0, value + half)


def _estimate(u: _Units, pe: float, pe_units: np.ndarray | None) -> Estimate:
    """The coefficient (p_a - p_e) / (1 - p_e), its standard error and interval (Gwet 2014, 2.5 and 5.4)."""
    value = (u.pa - pe) / (1 - pe)
    two = u.given >= 2
    per_pair = np.where(two, u.agreeing / np.where(two, u.given * (u.given - 1), 1), 0.0)
    term = (u.n / u.n2) * (per_pair - pe * two) / (1 - pe)
    if pe_units is not None:  # the chance agreement is estimated too: its own share of the variance
        term = term - 2 * (1 - value) * (pe_units - pe) / (1 - pe)
    if u.n < 2:
        return Estimate(value, None, None, int(u.n), "one unit: no standard error")
    variance = float((u.w * (term - value) ** 2).sum()) / (u.n * (u.n - 1))
    se = float(np.sqrt(max(variance, 0.0)))
    return Estimate(value, se, _t_interval(value, se, u.n), int(round(u.n)))


def _setup(matrix: np.ndarray, weights: np.ndarray | None, categories: np.ndarray | None, kind: str,
           chance: bool = True) -> tuple[_Units, np.ndarray, int] | Estimate:  # fmt: skip
    """The units, weights and number of categories; an undefined Estimate if nothing can be said (with
    ``chance``, also when one category leaves chance agreement undefined)."""
    data = np.asarray(matrix, dtype=float)
    if categories is None:
        categories = np.unique(data[~np.isnan(data)])
    categories = np.asarray(categories, dtype=float)
    agree = weight_matrix(categories, kind)
    u = _units(data, weights, categories, agree)
    if u.n2 == 0:
        return Estimate(None, units=int(u.n), reason="no unit has values from two or more coders")
    if chance and len(categories) < 2:
        return Estimate(None, units=int(u.n), reason="only one category: chance agreement is undefined")
    return u, agree, len(categories)


def percent_agreement_pairwise(matrix: np.ndarray, weights: np.ndarray | None = None,
                               categories: np.ndarray | None = None, kind: str = "identity") -> Estimate:  # fmt: skip
    """The share of agreeing pairs of coders, averaged over units with two or more values (irrCAC's ``pa``;
    NLTK's ``avg_Ao`` on complete data)."""
    found = _setup(matrix, weights, categories, kind, chance=False)
    if isinstance(found, Estimate):
        return found
    u, _, _ = found
    return _estimate(u, 0.0, None)


def brennan_prediger(matrix: np.ndarray, weights: np.ndarray | None = None, categories: np.ndarray | None = None,
                     kind: str = "identity") -> Estimate:  # fmt: skip
    """Brennan and Prediger (1981): chance agreement 1/q (with weights, T_w/q²)."""
    found = _setup(matrix, weights, categories, kind)
    if isinstance(found, Estimate):
        return found
    u, agree, q = found
    return _estimate(u, float(agree.sum()) / q**2, None)


def gwet_ac(matrix: np.ndarray, weights: np.ndarray | None = None, categories: np.ndarray | None = None,
            kind: str = "identity") -> Estimate:  # fmt: skip
    """Gwet's AC1 (identity weights) or AC2 (``kind`` ordinal, quadratic or ratio)."""
    found = _setup(matrix, weights, categories, kind)
    if isinstance(found, Estimate):
        return found
    u, agree, q = found
    scale = float(agree.sum()) / (q * (q - 1))
    pe = scale * float((u.pi * (1 - u.pi)).sum())
    pe_units = scale * (u.counts @ (1 - u.pi)) / u.given
    return _estimate(u, pe, pe_units)
