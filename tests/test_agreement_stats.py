"""Agreement statistics against published worked examples, and against established libraries on random data."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.team.agreement import bootstrap_alpha, cohen_kappa, fleiss_kappa, krippendorff_alpha, percent_agreement

nan = np.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the example with missing values:
# four observers, twelve units; rows are units here.
KRIPPENDORFF = np.array(
    [
        [1, 1, nan, 1],
        [2, 2, 3, 2],
        [3, 3, 3, 3],
        [3, 3, 3, 3],
        [2, 2, 2, 2],
        [1, 2, 3, 4],
        [4, 4, 4, 4],
        [1, 1, 2, 1],
        [2, 2, 2, 2],
        [nan, 5, 5, 5],
        [nan, nan, 1, 1],
        [nan, 3, nan, nan],
    ]
)


@pytest.mark.parametrize(
    ("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)]
)
def test_krippendorff_worked_example(level: str, expected: float) -> None:
    result = krippendorff_alpha(KRIPPENDORFF, level=level)
    assert result.value == pytest.approx(expected, abs=5e-4)
    assert result.units == 11  # the last unit has one value: not pairable


def test_krippendorff_binary_example() -> None:
    # Krippendorff (2011), the first example: two observers, ten units, binary data; alpha = 0.095.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert krippendorff_alpha(np.array([a, b]).T).value == pytest.approx(0.095, abs=5e-4)


def test_cohen_worked_example() -> None:
    # 50 units: both yes 20, A yes B no 5, A no B yes 10, both no 15: p_o = .7, p_e = .5, kappa = .4
    rows = np.array([[1, 1], [1, 0], [0, 1], [0, 0]])
    weights = np.array([20, 5, 10, 15])
    kappa = cohen_kappa(rows, weights)
    assert kappa.value == pytest.approx(0.4, abs=1e-9) and kappa.units == 50
    assert percent_agreement(rows, weights).value == pytest.approx(0.7)


def test_fleiss_worked_example() -> None:
    # Fleiss' kappa, the ten-subject, fourteen-rater example: counts per category; kappa = 0.2099
    counts = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    matrix = np.array([[c for c, n in enumerate(row) for _ in range(n)] for row in counts])
    assert fleiss_kappa(matrix).value == pytest.approx(0.20993, abs=1e-4)


def test_undefined_statistics_say_why() -> None:
    same = np.ones((6, 2))
    for result in (cohen_kappa(same), fleiss_kappa(same), krippendorff_alpha(same)):
        assert result.value is None and "no variation" in result.reason
    assert percent_agreement(same).value == 1.0  # agreement itself is defined
    assert cohen_kappa(np.ones((3, 3))).reason == "Cohen's kappa is for two coders"
    lonely = np.array([[1, nan], [nan, 0]])
    assert krippendorff_alpha(lonely).value is None and percent_agreement(lonely).value is None


def test_weights_are_repeated_rows() -> None:
    rng = np.random.default_rng(5)
    rows = rng.integers(0, 3, size=(7, 3)).astype(float)
    rows[2, 1] = nan
    weights = np.array([3, 1, 2, 5, 1, 4, 2])
    expanded = np.repeat(rows, weights, axis=0)
    for statistic in (percent_agreement, fleiss_kappa, krippendorff_alpha):
        assert statistic(rows, weights).value == pytest.approx(statistic(expanded).value)
    assert cohen_kappa(rows[:, :2], weights).value == pytest.approx(cohen_kappa(expanded[:, :2]).value)


@pytest.mark.parametrize("seed", range(8))
def test_against_established_libraries_on_random_data(seed: int) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    units, coders = int(rng.integers(20, 200)), int(rng.integers(2, 6))
    data = rng.integers(1, 5, size=(units, coders)).astype(float)
    data[rng.random(data.shape) < 0.15] = nan
    for level in ("nominal", "ordinal", "interval", "ratio"):
        expected = krippendorff.alpha(reliability_data=data.T, level_of_measurement=level)
        assert krippendorff_alpha(data, level=level).value == pytest.approx(expected, abs=1e-9)
    pair = data[:, :2][~np.isnan(data[:, :2]).any(axis=1)]
    assert cohen_kappa(data[:, :2]).value == pytest.approx(metrics.cohen_kappa_score(pair[:, 0], pair[:, 1]))


def test_bootstrap_is_seeded_and_brackets_alpha() -> None:
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 2, 300)
    data = np.stack([truth, np.where(rng.random(300) < 0.85, truth, 1 - truth)], axis=1).astype(float)
    alpha = krippendorff_alpha(data).value
    first = bootstrap_alpha(data, draws=500, seed=7)
    assert first == bootstrap_alpha(data, draws=500, seed=7)
    assert first != bootstrap_alpha(data, draws=500, seed=8)
    assert first[0] < alpha < first[1] and first[1] - first[0] < 0.3
