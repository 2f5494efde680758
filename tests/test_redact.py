"""Redacting identifiers from quotes: spelling variants, possessives, phrases, and no false positives."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from qualcode.errors import QualcodeError
from qualcode.redact import Redactor


def redactor(tmp_path: Path, lines: str) -> Redactor:
    return Redactor.from_file(write(tmp_path / "ids.txt", lines))


def test_variants_possessives_and_phrases(tmp_path: Path) -> None:
    r = redactor(
        tmp_path,
        "Angela => [mentor]\nGreyholm => [prison]\nHarbour Housing => [housing provider]\n"
        "Harbour\nJo\n# comments are ignored\n",
    )
    text = (
        "Angella's car. GREYHOLM was rough, Greyhom too. Harbour Housing and Harbour Street. Jo said so, to Jo’s mum."
    )
    assert r.redact(text) == (
        "[mentor]'s car. [prison] was rough, [prison] too. [housing provider] and "
        "[redacted] Street. [redacted] said so, to [redacted]’s mum."
    )
    assert r.counts == {"Angela": 1, "Greyholm": 2, "Harbour Housing": 1, "Harbour": 1, "Jo": 2}
    assert r.total == 7


def test_unrelated_words_survive(tmp_path: Path) -> None:
    r = redactor(tmp_path, "Angela\nMark\n")
    text = "The market was angry; I marked it. Angle grinder."
    assert r.redact(text) == text and r.total == 0


def test_bad_lists(tmp_path: Path) -> None:
    with pytest.raises(QualcodeError, match=r"ids\.txt:1: no identifiers"):
        redactor(tmp_path, "# nothing\n\n")
    with pytest.raises(QualcodeError, match=r"ids\.txt:2: an identifier is missing"):
        redactor(tmp_path, "Angela\n=> [x]\n")


def test_export_with_redaction(invoke, project_path: Path, tmp_path: Path) -> None:
    write(tmp_path / "d" / "m.txt", "Interviewer: Who helped?\nDee: Angela did, at Greyholm. Angela's great.\n")
    invoke("import", project_path, tmp_path / "d", "--group", "mentee")
    invoke(
        "code",
        project_path,
        "--coder",
        "a",
        "--document",
        "m.txt",
        "--code",
        "trust",
        "--match",
        "Angela did, at Greyholm. Angela's great.",
    )
    ids = write(tmp_path / "ids.txt", "Angela => [mentor]\nGreyholm\n")
    result = invoke("export", "quotes", project_path, "-o", tmp_path / "q.md", "--redact", ids)
    assert "redacted 3 occurrence(s): Angela 2, Greyholm 1" in result.output
    page = (tmp_path / "q.md").read_text(encoding="utf-8")
    assert "[mentor] did, at [redacted]. [mentor]'s great." in page and "Angela" not in page
    assert (
        "no such redaction list"
        in invoke("export", "quotes", project_path, "-o", tmp_path / "r.md", "--redact", tmp_path / "none.txt").output
    )
