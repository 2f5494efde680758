"""Codebooks: FILE:LINE errors, the shipped logic-model codebooks, and loading into and out of a project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import CODEBOOKS, digest, write

from qualcode.codebook.files import load_codebook
from qualcode.demo import shipped_codebooks
from qualcode.project.schema import LEVELS

SHIPPED = shipped_codebooks()

BAD = {
    "duplicate id": (
        "codes:\n  - id: a\n    name: A\n    level: input\n  - id: b\n    name: B\n    level: input\n"
        "  - id: a\n    name: A again\n    level: input\n",
        8,
        "duplicate code id 'a' (first defined on line 2)",
    ),
    "unknown parent": (
        "codes:\n  - id: a\n    name: A\n    level: input\n  - id: b\n    name: B\n    parent: aa\n",
        5,
        "code 'b' has unknown parent 'aa' (did you mean 'a'?)",
    ),
    "cycle": (
        "codes:\n  - id: a\n    name: A\n    level: input\n    parent: c\n  - id: b\n    name: B\n    level: input\n"
        "    parent: a\n  - id: c\n    name: C\n    level: input\n    parent: b\n",
        2,
        "parent cycle: a -> c -> b -> a",
    ),
    "bad level": ("codes:\n  - id: a\n    name: A\n    level: outcome\n", 4, "bad level 'outcome'"),
    "missing level": ("codes:\n  - id: a\n    name: A\n", 2, "code 'a' has no 'level'"),
    "typo field": (
        "codes:\n  - id: a\n    name: A\n    level: input\n    defintion: x\n",
        5,
        "unknown field 'defintion' (did you mean 'definition'?)",
    ),
    "bad id": ("codes:\n  - id: Not A Slug\n    name: A\n    level: input\n", 2, "must be a slug"),
    "no name": ("codes:\n  - id: a\n    level: input\n", 2, "code 'a' has no 'name'"),
    "bad colour": ("codes:\n  - id: a\n    name: A\n    level: input\n    colour: red\n", 5, "bad colour 'red'"),
    "repeated key": (
        "codes:\n  - id: a\n    name: A\n    name: B\n    level: input\n",
        4,
        "field 'name' appears twice",
    ),
    "bad yaml": ("codes:\n  - id: a\n    name: [A\n    level: input\n", 4, "not valid YAML"),
    "no codes": ("codebook: x\n", 1, "needs a non-empty 'codes:' list"),
    "nested parent clash": (
        "codes:\n  - id: a\n    name: A\n    level: input\n    children:\n      - id: b\n"
        "        name: B\n        parent: c\n",
        8,
        "nested under 'a' but names parent 'c'",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_validation_errors_give_file_and_line(invoke, tmp_path: Path, case: str) -> None:
    source, line, message = BAD[case]
    path = write(tmp_path / "cb.yaml", source)
    result = invoke("codebook", "validate", path)
    assert result.exit_code == 1
    assert f"{path}:{line}: " in result.output and message in result.output
    assert result.output.count("\n") == 1


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_codebooks_are_complete(path: Path) -> None:
    book = load_codebook(path)
    assert len(book.codes) >= 25
    for code in book.codes:
        assert code.definition and code.include and code.exclude and code.example, code.id
        assert len(code.keywords) >= 3, code.id
        assert code.level in LEVELS and code.colour


def test_mentoring_codebook_covers_the_logic_model() -> None:
    codes = {c.id: c for c in load_codebook(CODEBOOKS / "mentoring-logic-model.yaml").codes}
    by_beneficiary = lambda level, who: [c for c in codes.values() if c.level == level and c.beneficiary == who]  # noqa: E731
    assert len(by_beneficiary("short_term_outcome", "mentee")) == 9  # parent + the eight outcomes
    assert len(by_beneficiary("short_term_outcome", "mentor")) == 3
    assert len(by_beneficiary("medium_term_outcome", "mentee")) == 12
    assert len(by_beneficiary("medium_term_outcome", "mentor")) == 2
    assert {"lt-reduced-reoffending", "lt-integration", "act-controlled-ending", "in-referral-partnerships"} <= set(
        codes
    )
    ids = [c.id for b in SHIPPED for c in load_codebook(b).codes]
    assert len(ids) == len(set(ids)), "shipped codebooks must not share ids"


def test_import_show_export_round_trip(invoke, tmp_path: Path) -> None:
    project = tmp_path / "p.qdb"
    args = ["init", project] + [x for b in SHIPPED for x in ("--codebook", b)]
    assert invoke(*args).exit_code == 0
    rows = json.loads(invoke("codebook", "show", project, "--json").output)
    assert len(rows) == sum(len(load_codebook(b).codes) for b in SHIPPED)
    assert {"id", "parent", "name", "level", "beneficiary", "definition"} <= set(rows[0])
    assert rows[0]["id"] == "in" and rows[1]["parent"] == "in"  # tree order, logic model first
    out = tmp_path / "out.yaml"
    assert invoke("codebook", "export", project, "-o", out).exit_code == 0
    again = tmp_path / "again.qdb"
    assert invoke("init", again, "--codebook", out).exit_code == 0
    assert json.loads(invoke("codebook", "show", again, "--json").output) == rows
    before = digest(project)
    assert "0 added, 0 updated" in invoke("codebook", "import", project, out).output
    assert digest(project) == before


def test_reimport_updates_definitions_and_keeps_codings(invoke, project_path: Path, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Dee: I got a flat.\n")
    invoke("import", project_path, tmp_path / "a.txt", "--group", "mentee")
    assert (
        invoke(
            "code", project_path, "--coder", "amira", "--document", "a.txt", "--code", "housing", "--match", "flat"
        ).exit_code
        == 0
    )
    data = yaml.safe_load((tmp_path / "small.yaml").read_text())
    data["codes"][0]["children"][0]["definition"] = "Finding and keeping a home."
    data["codes"].append({"id": "new", "name": "New", "level": "barrier"})
    result = invoke("codebook", "import", project_path, write(tmp_path / "v2.yaml", yaml.safe_dump(data)))
    assert "1 added, 1 updated, 2 unchanged" in result.output
    shown = {r["id"]: r for r in json.loads(invoke("codebook", "show", project_path, "--json").output)}
    assert shown["housing"]["definition"] == "Finding and keeping a home."
    assert json.loads(invoke("info", project_path, "--json").output)["codings"] == 1


def test_flat_parent_references_inherit_level(tmp_path: Path) -> None:
    path = write(
        tmp_path / "f.yaml",
        "codes:\n  - id: c\n    name: C\n    parent: b\n  - id: b\n    name: B\n"
        "    parent: a\n  - id: a\n    name: A\n    level: barrier\n",
    )
    assert {c.id: c.level for c in load_codebook(path).codes} == {"a": "barrier", "b": "barrier", "c": "barrier"}


def test_a_file_may_extend_the_project_tree(invoke, project_path: Path, tmp_path: Path) -> None:
    extra = write(tmp_path / "extra.yaml", "codes:\n  - id: rent\n    name: Rent\n    parent: housing\n")
    assert invoke("codebook", "validate", extra).exit_code == 1  # on its own, 'housing' is unknown
    result = invoke("codebook", "import", project_path, extra)
    assert result.exit_code == 0 and "1 added" in result.output
    shown = {r["id"]: r for r in json.loads(invoke("codebook", "show", project_path, "--json").output)}
    assert shown["rent"]["parent"] == "housing" and shown["rent"]["level"] == "medium_term_outcome"


def test_bad_codebook_changes_nothing(invoke, project_path: Path, tmp_path: Path) -> None:
    before = digest(project_path)
    cycle = write(tmp_path / "c.yaml", "codes:\n  - id: outcomes\n    name: O\n    level: other\n    parent: trust\n")
    result = invoke("codebook", "import", project_path, cycle)
    assert result.exit_code == 1 and "parent cycle: outcomes -> trust -> outcomes" in result.output
    assert digest(project_path) == before


def test_init_refuses_existing_file_and_bad_codebook(invoke, tmp_path: Path, small_codebook: Path) -> None:
    existing = write(tmp_path / "x.qdb", "precious")
    assert "already exists" in invoke("init", existing).output
    assert existing.read_text() == "precious"
    bad = write(tmp_path / "bad.yaml", "codes:\n  - id: a\n    name: A\n    level: nope\n")
    result = invoke("init", tmp_path / "new.qdb", "--codebook", small_codebook, "--codebook", bad)
    assert result.exit_code == 1 and not (tmp_path / "new.qdb").exists()
