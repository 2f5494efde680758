"""Hostile input, second pass: each reproduction from the second audit, as a test. Every one was an internal
fault, a usage error with exit code 2, unbounded work or silence; each must now be one line and exit 1 (or
work), leaving the project as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import digest, write

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


def _one_line_error(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "internal fault" not in result.output
    for word in words:
        assert word in lines[0], lines[0]


def test_small_faults_are_one_line_and_exit_1(demo_copy: Path, invoke, tmp_path: Path, monkeypatch) -> None:
    before = digest(demo_copy)
    _one_line_error(invoke("participant", "rename", demo_copy, "Dee", "Dee"), "already called that")
    _one_line_error(invoke("agreement", demo_copy, "--coders", "amira,ben", "--seed", "-1"), "--seed")
    _one_line_error(invoke("document", "remove", demo_copy, "9" * 25, "--yes"), "unknown document")
    (tmp_path / "folder").mkdir()
    _one_line_error(invoke("backup", demo_copy, "-o", tmp_path / "folder"), "folder")
    _one_line_error(invoke("export", "quotes", demo_copy, "--coders", "all"), "-o")  # a usage error: exit 1 too
    _one_line_error(invoke("demo", "--dir", "/proc/no/such/place", "--no-tui"), "cannot make the demo's folder")
    for patience in ("inf", "nan", "-3", "soon"):
        monkeypatch.setenv("QUALCODE_PATIENCE", patience)
        _one_line_error(invoke("info", demo_copy), "QUALCODE_PATIENCE")
    assert digest(demo_copy) == before


@pytest.mark.parametrize("where", ["codebook", "framework", "front matter"])
def test_a_yaml_number_of_thousands_of_digits_is_refused_with_its_line(invoke, project_path: Path, tmp_path: Path,
                                                                        where: str) -> None:  # fmt: skip
    huge = "9" * 4301
    if where == "codebook":
        path = write(tmp_path / "c.yaml", f"codebook: c\ncodes:\n  - id: a\n    name: A\n    level: other\n"
                                          f"    weight: {huge}\n")  # fmt: skip
        result = invoke("codebook", "validate", path)
    elif where == "framework":
        path = write(tmp_path / "f.yaml", f"framework: f\ntitle: {huge}\nquestions: []\n")
        result = invoke("framework", project_path, path)
    else:
        path = write(tmp_path / "in" / "t.md", f"---\nsite: {huge}\n---\nDee: hello there.\n")
        result = invoke("import", project_path, path)
    _one_line_error(result, str(path.name), "number too long")
