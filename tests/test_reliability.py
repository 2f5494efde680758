"""Agreement between coders in a project: hand-counted on the reports' study, brute force on the demo."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qualcode.errors import QualcodeError
from qualcode.project.store import Project
from qualcode.team.agreement import cohen_kappa, krippendorff_alpha, percent_agreement
from qualcode.team.reliability import compare


def test_segment_agreement_counted_by_hand(study: Path) -> None:
    # fg.txt has seven segments; ben coded only fg.txt, so m1 and m2 are missing for him (not disagreement).
    # housing: amira on "I got my own flat" and the facilitator's question, ben on Mel's sentence.
    # trust: amira on "It took ages. / Bernie: As a mentor I trust" (two segments), ben nowhere.
    # outcomes: amira only in m1, so in fg.txt neither coder applied it: no variation.
    with Project.open(study, write=True) as project:
        report = compare(project, ["amira", "ben"], "segment")
    codes = {row["code"]: row for row in report["per_code"]}
    assert list(codes) == ["outcomes", "housing", "trust"]
    housing = codes["housing"]
    assert housing["units"] == 7 and housing["applied"] == {"amira": 2, "ben": 1}
    assert housing["percent_agreement"] == pytest.approx(4 / 7)
    assert housing["cohen_kappa"] == pytest.approx(-4 / 17)
    assert codes["trust"]["cohen_kappa"] == 0.0 and codes["trust"]["percent_agreement"] == pytest.approx(5 / 7)
    outcomes = codes["outcomes"]
    assert outcomes["cohen_kappa"] is None and outcomes["krippendorff_alpha"] is None
    assert "no variation" in outcomes["reasons"]["krippendorff_alpha"] and outcomes["percent_agreement"] == 1.0
    pooled = report["pooled"]
    assert pooled["units"] == 21 and pooled["cohen_kappa"] == pytest.approx(-8 / 97)
    assert pooled["percent_agreement"] == pytest.approx(16 / 21)


def brute_force(project: Project, coders: list[str], unit: str) -> dict[str, np.ndarray]:
    """Per code, the full reliability matrix built one unit at a time (the slow, obvious way)."""
    codings = project.db.execute(
        'SELECT c.code_id, c.document_id, c.start, c."end", r.name FROM coding c JOIN coder r ON r.id = c.coder_id'
    ).fetchall()
    codings = [c for c in codings if c[4] in coders]
    coded = {(c[1], c[4]) for c in codings}
    docs = sorted({c[1] for c in codings})
    if unit == "character":
        units = [
            (d, i, i + 1)
            for d, n in project.db.execute("SELECT id, length(text) FROM document")
            if d in docs
            for i in range(n)
        ]
    else:
        units = [tuple(r) for r in project.db.execute(f'SELECT document_id, start, "end" FROM {unit}') if r[0] in docs]
    out = {}
    for code in sorted({c[0] for c in codings}):
        spans = {(c[1], c[4]): [] for c in codings}
        for c in codings:
            if c[0] == code:
                spans[(c[1], c[4])].append((c[2], c[3]))
        matrix = np.full((len(units), len(coders)), np.nan)
        for u, (doc, start, end) in enumerate(units):
            for j, name in enumerate(coders):
                if (doc, name) in coded:
                    matrix[u, j] = float(any(s < end and start < e for s, e in spans.get((doc, name), [])))
        out[code] = matrix
    return out


@pytest.mark.parametrize("unit", ["segment", "turn", "character"])
def test_matches_brute_force_on_the_demo(demo_copy: Path, unit: str) -> None:
    with Project.open(demo_copy, write=True) as project:
        report = compare(project, ["amira", "ben"], unit)
        matrices = brute_force(project, ["amira", "ben"], unit)
    assert [row["code"] for row in report["per_code"]] == [c for c in report_codes(report) if c in matrices]
    assert len(report["per_code"]) == len(matrices) > 10
    for row in report["per_code"]:
        matrix = matrices[row["code"]]
        assert row["krippendorff_alpha"] == approx_or_none(krippendorff_alpha(matrix).value)
        assert row["cohen_kappa"] == approx_or_none(cohen_kappa(matrix).value)
        assert row["percent_agreement"] == approx_or_none(percent_agreement(matrix).value)
        both = ~np.isnan(matrix).any(axis=1)
        assert row["applied"] == {"amira": matrix[both, 0].sum(), "ben": matrix[both, 1].sum()}
    pooled = np.concatenate(list(matrices.values()))
    assert report["pooled"]["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(pooled).value)


def report_codes(report: dict) -> list[str]:
    return [row["code"] for row in report["per_code"]]


def approx_or_none(value: float | None):
    return None if value is None else pytest.approx(value)


def test_document_weighted_character_kappa(study: Path) -> None:
    with Project.open(study, write=True) as project:
        report = compare(project, ["amira", "ben"], "character")
    codes = {row["code"]: row for row in report["per_code"]}
    # one document (fg.txt) both coders coded: the weighted figure is that document's own kappa
    assert codes["housing"]["document_weighted"]["documents"] == 1
    assert codes["housing"]["document_weighted"]["cohen_kappa"] == pytest.approx(codes["housing"]["cohen_kappa"])
    assert codes["outcomes"]["document_weighted"] == {"cohen_kappa": None, "percent_agreement": None, "documents": 0}


def test_three_coders_and_bad_requests(study: Path, invoke) -> None:
    assert (
        invoke(
            "code",
            study,
            "--coder",
            "carol",
            "--document",
            "fg.txt",
            "--code",
            "housing",
            "--match",
            "I got my own flat in March.",
        ).exit_code
        == 0
    )
    with Project.open(study, write=True) as project:
        report = compare(project, ["amira", "ben", "carol"], "segment", bootstrap=200, seed=3)
        assert report["pooled"]["cohen_kappa"] is None and report["pooled"]["reasons"]["cohen_kappa"]
        assert report["pooled"]["fleiss_kappa"] is not None and len(report["pooled"]["alpha_ci"]) == 2
        for coders, message in (
            (["amira"], "two or more"),
            (["amira", "zed"], "no coder named zed"),
            (["amira", "amira"], "named twice"),
        ):
            with pytest.raises(QualcodeError, match=message):
                compare(project, coders)
        with pytest.raises(QualcodeError, match="unit must be one of"):
            compare(project, ["amira", "ben"], "paragraph")


def test_cli_agreement(study: Path, invoke, tmp_path: Path) -> None:
    result = invoke("agreement", study, "--coders", "amira,ben", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {"unit", "coders", "pooled", "per_code"} and report["unit"] == "segment"
    assert set(report["pooled"]) >= {"percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha"}
    table = invoke("agreement", study, "--coders", "amira,ben", "--unit", "turn")
    assert table.exit_code == 0 and "Housing" in table.output and "All codes, pooled" in table.output
    assert table.output.count("— undefined") == 1  # one footnote for every dash
    characters = invoke("agreement", study, "--coders", "amira,ben", "--unit", "character").output
    assert "kappa (doc-weighted)" in characters.splitlines()[1]
    bad = invoke("agreement", study, "--coders", "amira,zed")
    assert bad.exit_code == 1 and "no coder named zed" in bad.output
