"""Agreement figures a reviewer cannot fault: kappa exact when a code is rare, Gwet's AC1/AC2, Brennan–Prediger
and pairwise agreement with their standard errors, checked against scikit-learn, statsmodels, irrCAC and
Gwet's published worked example; tables from elsewhere read as meant."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write

from qualcode.team import agreement, coefficients

# -- the rare-code case: kappa exact, never "no variation" ---------------------------------------------


def _rare(units: int = 1_000_000) -> np.ndarray:
    """Coder A says b on units 0-3, coder B on units 0, 1, 2 and 4; everything else is a."""
    a, b = np.zeros(units), np.zeros(units)
    a[[0, 1, 2, 3]] = 1
    b[[0, 1, 2, 4]] = 1
    return np.stack([a, b], axis=1)


def test_kappa_keeps_full_precision_for_a_rare_code() -> None:
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    matrix = _rare()
    cohen, fleiss = agreement.cohen_kappa(matrix), agreement.fleiss_kappa(matrix)
    assert cohen.value is not None and fleiss.value is not None  # the old tolerance said "no variation"
    assert cohen.value == pytest.approx(cohen_kappa_score(matrix[:, 0], matrix[:, 1]), abs=1e-12)
    assert fleiss.value == pytest.approx(fleiss_kappa(aggregate_raters(matrix)[0]), abs=1e-9)
    n = 1_000_000  # by hand: (n * agreed - chance) / (n^2 - chance), chance = sum of marginal products
    chance = (n - 4) ** 2 + 4 * 4
    assert cohen.value == (n * (n - 2) - chance) / (n * n - chance)


def test_no_variation_only_when_there_truly_is_none() -> None:
    same = np.zeros((1000, 2))
    assert agreement.cohen_kappa(same).value is None and "no variation" in agreement.cohen_kappa(same).reason
    assert agreement.fleiss_kappa(np.zeros((5, 3))).value is None
    opposite = np.array([[0.0, 1.0]] * 10)  # each coder one value, never the same: defined, and 0
    assert agreement.cohen_kappa(opposite).value == 0.0


def test_character_agreement_on_a_long_study_is_not_null(invoke, project_path: Path, tmp_path: Path) -> None:
    """Two coders each code 4 characters (3 shared) of a million-character transcript."""
    words = ["the", "mentor", "came", "to", "see", "me", "every", "week", "and", "we", "talked", "about", "the", "flat"]
    lines = ["Interviewer: Tell me about it."]
    for n in range(16_000):
        lines.append("Dee: " + " ".join(words[(n + i) % len(words)] for i in range(12)) + ".")
    write(tmp_path / "long.txt", "\n".join(lines) + "\n")
    assert invoke("import", project_path, tmp_path / "long.txt", "--group", "mentee").exit_code == 0
    length = sum(len(line) + 1 for line in lines)
    assert length > 1_000_000
    for coder, start in (("amira", 100), ("ben", 101)):
        coded = invoke("code", project_path, "--coder", coder, "--document", "long.txt", "--code", "trust",
                       "--start", start, "--end", start + 4)  # fmt: skip
        assert coded.exit_code == 0
    report = json.loads(invoke("agreement", project_path, "--coders", "amira,ben", "--unit", "character",
                               "--json").output)  # fmt: skip
    trust = next(r for r in report["per_code"] if r["code"] == "trust")
    chance = (length - 4) ** 2 + 16
    assert trust["cohen_kappa"] == pytest.approx((length * (length - 2) - chance) / (length**2 - chance), abs=1e-12)
    assert trust["cohen_kappa"] == pytest.approx(0.75, abs=1e-5)
    assert trust["document_weighted"]["cohen_kappa"] == pytest.approx(trust["cohen_kappa"], abs=1e-12)
    assert trust["gwet_ac1"]["value"] == pytest.approx(1.0, abs=1e-5) and trust["gwet_ac1"]["se"] > 0


# -- Gwet's coefficients against irrCAC and published figures --------------------------------------------


def _irrcac(data: pd.DataFrame, weights: str = "identity") -> dict[str, dict]:
    from irrCAC.raw import CAC

    cac = CAC(data, weights=weights, digits=15)
    return {"gwet": cac.gwet()["est"], "bp": cac.bp()["est"]}


def _same(ours: coefficients.Estimate, theirs: dict) -> None:
    assert ours.value == pytest.approx(theirs["coefficient_value"], abs=1e-9)
    assert ours.se == pytest.approx(theirs["se"], abs=1e-9)
    low, high = theirs["confidence_interval"]
    assert ours.ci[0] == pytest.approx(low, abs=1e-9) and ours.ci[1] == pytest.approx(high, abs=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_gwet_brennan_prediger_and_pairwise_agreement_match_irrcac(seed: int) -> None:
    """Random tables: 2 to 5 coders, 2 to 5 categories, 10 to 300 units, up to a third of values missing."""
    rng = np.random.default_rng(seed)
    units, raters, q = int(rng.integers(10, 300)), int(rng.integers(2, 6)), int(rng.integers(2, 6))
    truth = rng.integers(1, q + 1, units)
    data = np.where(rng.random((units, raters)) < rng.uniform(0.3, 0.9), truth[:, None],
                    rng.integers(1, q + 1, (units, raters))).astype(float)  # fmt: skip
    data[rng.random((units, raters)) < rng.uniform(0, 0.33)] = np.nan
    frame = pd.DataFrame(data, columns=[f"r{j}" for j in range(raters)])
    for kind in ("identity", "ordinal", "quadratic") if q > 2 else ("identity",):
        theirs = _irrcac(frame, kind)
        _same(coefficients.gwet_ac(data, kind=kind), theirs["gwet"])
        _same(coefficients.brennan_prediger(data, kind=kind), theirs["bp"])
        pairwise = coefficients.percent_agreement_pairwise(data, kind=kind)
        assert pairwise.value == pytest.approx(theirs["bp"]["pa"], abs=1e-9)


def test_pairwise_agreement_standard_error_is_brennan_prediger_without_chance() -> None:
    """Percent agreement's variance is Brennan–Prediger's with chance agreement 0 (Gwet 2014, 5.4): check
    it against the per-unit formula written out here."""
    data = np.array([[1, 1, 1], [1, 1, 2], [1, 2, 3], [2, 2, np.nan], [3, np.nan, np.nan], [2, 2, 2]], dtype=float)
    ours = coefficients.percent_agreement_pairwise(data)
    counted = [row[~np.isnan(row)] for row in data if (~np.isnan(row)).sum() >= 1]
    n = len(counted)  # units with a value
    paired = [v for v in counted if len(v) >= 2]
    shares = [sum((v == c).sum() * ((v == c).sum() - 1) for c in np.unique(v)) / (len(v) * (len(v) - 1))
              for v in paired]  # fmt: skip
    pa = sum(shares) / len(paired)
    terms = [(n / len(paired)) * s for s in shares] + [0.0] * (n - len(paired))
    se = math.sqrt(sum((t - pa) ** 2 for t in terms) / (n * (n - 1)))
    assert ours.value == pytest.approx(pa, abs=1e-12) and ours.se == pytest.approx(se, abs=1e-12)


def test_gwets_published_worked_example() -> None:
    """Gwet's 4 raters, 12 units, 5 categories with missing ratings (Handbook of Inter-Rater Reliability, 4th
    ed.; irrCAC's cac.raw4raters): AC1 0.77544, standard error 0.14295, 95% interval 0.46081 to 1;
    percent agreement 0.81818, chance agreement 0.19032."""
    from irrCAC.datasets import raw_4raters

    data = raw_4raters().to_numpy(dtype=float)
    ac1 = coefficients.gwet_ac(data)
    assert round(ac1.value, 5) == 0.77544 and round(ac1.se, 5) == 0.14295
    assert round(ac1.ci[0], 5) == 0.46081 and ac1.ci[1] == 1.0
    assert round(coefficients.percent_agreement_pairwise(data).value, 5) == 0.81818
    assert round((0.81818181818 - ac1.value) / (1 - ac1.value), 5) == 0.19032  # p_e from p_a and AC1


def test_two_coders_ac1_in_closed_form() -> None:
    """Two coders, complete data, yes/no: AC1 = (p_a - p_e)/(1 - p_e) with p_e = 2 pi (1 - pi), pi the share of
    "yes" over both coders (Gwet 2008); the kappa paradox table 118/5/2/0, where kappa is below zero."""
    yes_yes, yes_no, no_yes, no_no = 118, 5, 2, 0
    rows = [[1, 1]] * yes_yes + [[1, 0]] * yes_no + [[0, 1]] * no_yes + [[0, 0]] * no_no
    data = np.array(rows, dtype=float)
    n = len(rows)
    pa = (yes_yes + no_no) / n
    pi = (2 * yes_yes + yes_no + no_yes) / (2 * n)
    pe = 2 * pi * (1 - pi)
    assert coefficients.gwet_ac(data).value == pytest.approx((pa - pe) / (1 - pe), abs=1e-12)
    assert agreement.cohen_kappa(data).value < 0 < coefficients.gwet_ac(data).value


def test_all_agree_and_pairwise_percent_agreement_differ_with_three_coders() -> None:
    data = np.array([[1, 1, 1], [1, 1, 2], [1, 2, 3]], dtype=float)
    assert agreement.percent_agreement(data).value == pytest.approx(1 / 3)
    assert coefficients.percent_agreement_pairwise(data).value == pytest.approx((1 + 1 / 3 + 0) / 3)


def test_undefined_coefficients_say_why() -> None:
    one_category = np.ones((5, 2))
    assert coefficients.gwet_ac(one_category).value is None
    assert "only one category" in coefficients.gwet_ac(one_category).reason
    assert coefficients.percent_agreement_pairwise(one_category).value == 1.0
    lonely = np.array([[1.0, np.nan], [np.nan, 2.0]])
    assert "two or more coders" in coefficients.gwet_ac(lonely).reason
    binary = coefficients.gwet_ac(np.zeros((5, 2)), categories=np.array([0.0, 1.0]))  # a code nobody applied
    assert binary.value == 1.0 and binary.se == 0.0


# -- tables made elsewhere -----------------------------------------------------------------------------------


TWO_CODERS = [("a", "a"), ("a", "b"), ("b", "b"), ("c", "c"), ("a", "a"), ("b", "c"), ("c", "c"), ("a", "a")] * 4


def _table(tmp_path: Path, header: str, rows: list[str], name: str = "t.csv") -> Path:
    return write(tmp_path / name, header + "\n" + "\n".join(rows) + "\n")


def test_a_segment_column_is_the_units_not_a_coder(invoke, tmp_path: Path) -> None:
    plain = _table(tmp_path, "amira,ben", [f"{a},{b}" for a, b in TWO_CODERS], "plain.csv")
    named = _table(tmp_path, "segment,amira,ben", [f"s{n},{a},{b}" for n, (a, b) in enumerate(TWO_CODERS)])
    expected = json.loads(invoke("agreement", "table", plain, "--json", "--bootstrap", "0").output)
    found = json.loads(invoke("agreement", "table", named, "--json", "--bootstrap", "0").output)
    assert found["coders"] == ["amira", "ben"] and found["unit_column"] == "segment"
    assert found["krippendorff_alpha"] == expected["krippendorff_alpha"]


def test_a_column_of_all_different_values_is_refused_as_a_coder(invoke, tmp_path: Path) -> None:
    table = _table(tmp_path, "passage,amira,ben", [f"p{n},{a},{b}" for n, (a, b) in enumerate(TWO_CODERS)])
    refused = invoke("agreement", "table", table)
    assert refused.exit_code == 1
    assert f"{table}:1: column 'passage' has a different value in every one of its 32 rows" in refused.output
    assert "--unit-column 'passage'" in refused.output
    accepted = invoke("agreement", "table", table, "--unit-column", "passage", "--json", "--bootstrap", "0")
    assert json.loads(accepted.output)["coders"] == ["amira", "ben"]
    ratings = _table(tmp_path, "amira,ben", [f"{n / 7:.3f},{n / 7 + 0.1:.3f}" for n in range(40)], "ratings.csv")
    assert invoke("agreement", "table", ratings, "--level", "interval", "--bootstrap", "0").exit_code == 0


def test_quoted_and_plain_tables_read_alike(invoke, tmp_path: Path) -> None:
    rows = [(f'"{a}, really"', f'"{b}, really"') for a, b in TWO_CODERS]
    quoted = _table(tmp_path, "unit,amira,ben", [f"{n},{a},{b}" for n, (a, b) in enumerate(rows)], "q.csv")
    plain = _table(tmp_path, "unit,amira,ben", [f"{n}, {a} ,{b}" for n, (a, b) in enumerate(TWO_CODERS)], "p.csv")
    one, two = (
        json.loads(invoke("agreement", "table", p, "--json", "--bootstrap", "0").output) for p in (quoted, plain)
    )
    assert one["krippendorff_alpha"] == two["krippendorff_alpha"] and one["gwet_ac1"] == two["gwet_ac1"]


@pytest.mark.parametrize(
    "text, level, message",
    [
        ("amira,ben\na,b\na,b,c\n", "nominal", ":3: 3 cells, but the header has 2"),
        ("amira,ben\n1,2\n1,x\n", "interval", ":3: 'x' is not a number (interval data; --missing x reads it as no value)"),
        ("amira,ben\n1,2\n1,-2\n", "ratio", ":3: -2 is negative"),
        ("unit,id,amira,ben\n1,1,a,b\n", "nominal", "two columns could be the units' names"),
        ("amira\na\n", "nominal", ":1: the header must name two or more coders"),
        ("unit,amira,ben\n1,a,b\n", "nominal", "no column named 'nope'"),
    ],
)
def test_bad_tables_are_refused_with_their_line(invoke, tmp_path: Path, text: str, level: str, message: str) -> None:
    table = write(tmp_path / "bad.csv", text)
    args = ["--unit-column", "nope"] if "nope" in message else []
    result = invoke("agreement", "table", table, "--level", level, *args)
    assert result.exit_code == 1 and message in result.output, result.output


def test_ordinal_tables_get_ac2_with_gwets_weights(invoke, tmp_path: Path) -> None:
    from irrCAC.datasets import raw_4raters

    frame = raw_4raters()
    lines = [",".join("" if math.isnan(v) else str(int(v)) for v in row) for row in frame.to_numpy(dtype=float)]
    table = _table(tmp_path, ",".join(frame.columns), lines)
    result = json.loads(invoke("agreement", "table", table, "--level", "ordinal", "--json", "--bootstrap", "0").output)
    theirs = _irrcac(frame, "ordinal")["gwet"]
    assert result["gwet_ac2"]["weights"] == "ordinal"
    assert result["gwet_ac2"]["value"] == pytest.approx(theirs["coefficient_value"], abs=1e-9)
    assert result["gwet_ac2"]["se"] == pytest.approx(theirs["se"], abs=1e-9)
    assert round(result["krippendorff_alpha"], 3) == 0.815  # Krippendorff (2011)'s own example, ordinal data


def test_the_agreement_table_file_carries_every_coefficient(invoke, study: Path, tmp_path: Path) -> None:
    import csv

    assert invoke("agreement", study, "--coders", "amira,ben", "-o", tmp_path / "a.csv").exit_code == 0
    with (tmp_path / "a.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["code"]: row for row in csv.DictReader(handle)}
    housing = rows["housing"]
    assert float(housing["gwet_ac1"]) == pytest.approx(0.3394, abs=1e-4)  # worked out in test_agreement_screen
    for name in ("gwet_ac1", "brennan_prediger", "percent_agreement_pairwise"):
        assert float(housing[f"{name}_ci_low"]) < float(housing[name]) <= float(housing[f"{name}_ci_high"]) <= 1
        assert float(housing[f"{name}_se"]) > 0
    assert rows["pooled"]["gwet_ac1"]


def test_ratio_weights_match_irrcac_and_take_a_zero() -> None:
    """Gwet's ratio weights, 1 - ((k - l)/(k + l))² / ((max - min)/(max + min))², as irrCAC computes them; a
    category 0 (where ratio data start), which irrCAC refuses, agrees fully with itself and not at all with
    any other value: 0 against 0 is the diagonal, not 0/0."""
    from irrCAC.weights import Weights

    categories = np.array([1.0, 2.0, 5.0])
    theirs = np.array(Weights(list(categories)).ratio())
    assert np.allclose(coefficients.weight_matrix(categories, "ratio"), theirs, atol=1e-12)
    with_zero = coefficients.weight_matrix(np.array([0.0, 1.0, 2.0]), "ratio")
    expected = np.array([[1, 0, 0], [0, 1, 1 - (1 / 3) ** 2], [0, 1 - (1 / 3) ** 2, 1]])  # spread (2/2)² = 1
    assert np.allclose(with_zero, expected, atol=1e-12)
