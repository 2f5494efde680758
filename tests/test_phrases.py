"""Participants' words in the codebooks: every leaf code of the shipped codebooks says its idea the way
mentees, mentors, partners and stakeholders do ("off the gear", "met me at the gate"); the field is validated
like every other, kept in the project, written to and read back from REFI-QDA, and matched by suggestions
and the picker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CODEBOOKS, write

from qualcode.codebook.files import load_codebook
from qualcode.errors import QualcodeError

SHIPPED = [CODEBOOKS / f"{n}.yaml" for n in ("mentoring-logic-model", "partnership-logic-model", "barriers-enablers")]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_leaf_code_has_participants_words(path: Path) -> None:
    codes = load_codebook(path).codes
    parents = {c.parent for c in codes}
    leaves = [c for c in codes if c.id not in parents]
    thin = [c.id for c in leaves if len(c.phrases) < 4]
    assert not thin, thin
    for code in leaves:  # everyday speech, not the codebook's own wording again
        assert not {p.lower() for p in code.phrases} & {k.lower() for k in code.keywords}, code.id


def test_phrases_are_validated_like_keywords(tmp_path: Path) -> None:
    book = write(tmp_path / "b.yaml", "codebook: b\ncodes:\n  - id: a\n    name: A\n    level: other\n"
                 "    phrases: {bad: mapping}\n")  # fmt: skip
    with pytest.raises(QualcodeError, match=r"b\.yaml:6: 'phrases' must be a list of phrases"):
        load_codebook(book)
    listed = write(tmp_path / "c.yaml", "codebook: c\ncodes:\n  - id: a\n    name: A\n    level: other\n"
                   "    phrases: on the gear; back on the bevvy\n")  # fmt: skip
    assert load_codebook(listed).codes[0].phrases == ["on the gear", "back on the bevvy"]


def test_phrases_round_trip_through_yaml_and_refi_qda(invoke, tmp_path: Path) -> None:
    project = tmp_path / "p.qdb"
    assert invoke("init", project, *[x for b in SHIPPED for x in ("--codebook", b)]).exit_code == 0
    shown = {r["id"]: r["phrases"] for r in json.loads(invoke("codebook", "show", project, "--json").output)}
    assert shown["mt-mentee-substance-use"][:3] == ["off the drink", "clean now", "off the gear"]
    for suffix in (".yaml", ".qdc"):
        out = tmp_path / f"codes{suffix}"
        assert invoke("codebook", "export", project, "-o", out).exit_code == 0
        again = tmp_path / f"again{suffix}.qdb"
        assert invoke("init", again).exit_code == 0
        assert invoke("codebook", "import", again, out).exit_code == 0
        back = {r["id"]: r["phrases"] for r in json.loads(invoke("codebook", "show", again, "--json").output)}
        assert back == shown, suffix
    assert invoke("export", "qdpx", project, "-o", tmp_path / "p.qdpx").exit_code == 0
    assert invoke("import-qdpx", tmp_path / "from-qdpx.qdb", tmp_path / "p.qdpx").exit_code == 0
    back = {r["id"]: r["phrases"] for r in json.loads(invoke("codebook", "show", tmp_path / "from-qdpx.qdb",
                                                                "--json").output)}  # fmt: skip
    assert back == shown


def test_suggestions_say_when_participants_words_matched(demo_study: Path, nlp) -> None:
    from qualcode.project.store import Project
    from qualcode.suggest.suggester import Suggester

    with Project.open(demo_study) as project:
        suggester = Suggester(project, nlp, None, learn=False)
    ranked = suggester.rank("I was back on the gear within a week of getting out.")
    code, _, reasons = next(s for s in ranked if s[0] == "mt-mentee-substance-use")
    assert any(r.startswith("in participants' words \"off the gear\"") or "participants' words" in r for r in reasons)
    assert ranked[0][0] == "mt-mentee-substance-use", ranked[:3]
