"""Coding from the command line: the stored range is exactly the passage, and mistakes change nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import INTERVIEW, digest, write


@pytest.fixture
def coded_project(invoke, project_path: Path, tmp_path: Path) -> Path:
    write(tmp_path / "docs" / "m1.txt", INTERVIEW.replace("flat", "flat 😀 café"))
    assert invoke("import", project_path, tmp_path / "docs", "--group", "mentee").exit_code == 0
    return project_path


def stored(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("""SELECT substr(d.text, c.start + 1, c."end" - c.start), c.code_id, k.name, c.start, c."end", c.origin
            FROM coding c JOIN document d ON d.id = c.document_id JOIN coder k ON k.id = c.coder_id ORDER BY c.id""").fetchall()


def test_code_by_match_is_exact(invoke, coded_project: Path) -> None:
    result = invoke(
        "code",
        coded_project,
        "--coder",
        "amira",
        "--document",
        "m1.txt",
        "--code",
        "housing",
        "--match",
        "flat 😀 café",
        "--json",
    )
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)
    assert row["text"] == "flat 😀 café" and row["coder"] == "amira" and row["created"] is True
    with sqlite3.connect(coded_project) as conn:
        text = conn.execute("SELECT text FROM document").fetchone()[0]
    assert text[row["start"] : row["end"]] == "flat 😀 café"
    assert stored(coded_project) == [("flat 😀 café", "housing", "amira", row["start"], row["end"], "manual")]


def test_code_by_offsets_segment_and_occurrence(invoke, coded_project: Path) -> None:
    with sqlite3.connect(coded_project) as conn:
        text = conn.execute("SELECT text FROM document").fetchone()[0]
        seg = conn.execute('SELECT start, "end" FROM segment WHERE seq = 2').fetchone()
    start = text.index("trust")
    invoke(
        "code",
        coded_project,
        "--coder",
        "ben",
        "--document",
        "m1.txt",
        "--code",
        "trust",
        "--start",
        start,
        "--end",
        start + 5,
    )
    invoke("code", coded_project, "--coder", "ben", "--document", "m1.txt", "--code", "trust", "--segment", 2)
    invoke(
        "code",
        coded_project,
        "--coder",
        "ben",
        "--document",
        "1",
        "--code",
        "outcomes",
        "--match",
        "Dee",
        "--occurrence",
        2,
    )
    assert [r[:2] for r in stored(coded_project)] == [
        ("trust", "trust"),
        (text[seg[0] : seg[1]], "trust"),
        ("Dee", "outcomes"),
    ]
    assert stored(coded_project)[2][3] == text.index("Dee", text.index("Dee") + 1)


def test_same_coding_twice_is_a_noop(invoke, coded_project: Path) -> None:
    args = ("code", coded_project, "--coder", "amira", "--document", "m1.txt", "--code", "trust", "--match", "trust")
    assert "coded trust" in invoke(*args).output
    before = digest(coded_project)
    assert "already coded trust" in invoke(*args).output
    assert len(stored(coded_project)) == 1 and digest(coded_project) == before


def test_uncode(invoke, coded_project: Path) -> None:
    base = ("--coder", "amira", "--document", "m1.txt", "--code", "trust", "--match", "trust")
    invoke("code", coded_project, *base)
    invoke("code", coded_project, "--coder", "ben", "--document", "m1.txt", "--code", "trust", "--match", "trust")
    result = invoke("uncode", coded_project, *base)
    assert result.exit_code == 0 and "removed trust" in result.output
    assert [r[2] for r in stored(coded_project)] == ["ben"]


def test_uncode_says_when_a_memo_goes_with_the_coding(invoke, coded_project: Path) -> None:
    from qualcode.coding.memos import set_memo
    from qualcode.project.store import Project

    base = ("--coder", "amira", "--document", "m1.txt", "--code", "trust", "--match", "trust")
    invoke("code", coded_project, *base)
    with Project.open(coded_project, write=True) as project:
        coding = project.db.execute("SELECT id FROM coding").fetchone()[0]
        set_memo(project, "coding", coding, project.coder_id("amira"), "Trust in her mentor.")
    result = invoke("uncode", coded_project, *base)
    assert result.exit_code == 0 and "removed (with 1 memo(s) on it) trust" in result.output
    with Project.open(coded_project) as project:
        assert project.count("memo") == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--code", "trust", "--start", 5, "--end", 100000), "offsets [5, 100000) are outside the document"),
        (("--code", "trust", "--start", 9, "--end", 9), "outside the document (0 to"),
        (("--code", "trust", "--start", -1, "--end", 3), "outside the document"),
        (("--code", "trustt", "--match", "trust"), "unknown code 'trustt' (did you mean 'trust', “Trust”?)"),
        (("--code", "trust", "--match", "not in the text"), "text 'not in the text' not found"),
        (("--code", "trust", "--segment", 999), "no segment 999 (segments are numbered 0 to"),
        (("--code", "trust", "--match", "trust", "--segment", 1), "give exactly one of"),
        (("--code", "trust", "--start", 3), "give both --start and --end"),
    ],
)
def test_bad_coding_changes_nothing(invoke, coded_project: Path, args: tuple, message: str) -> None:
    before = digest(coded_project)
    result = invoke("code", coded_project, "--coder", "amira", "--document", "m1.txt", *args)
    assert result.exit_code == 1 and message in result.output and result.output.count("\n") == 1
    assert digest(coded_project) == before


def test_unknown_document_and_missing_coding(invoke, coded_project: Path) -> None:
    before = digest(coded_project)
    result = invoke("code", coded_project, "--coder", "a", "--document", "nope.txt", "--code", "trust", "--match", "x")
    assert result.exit_code == 1 and "unknown document 'nope.txt'" in result.output
    result = invoke(
        "uncode", coded_project, "--coder", "amira", "--document", "m1.txt", "--code", "trust", "--match", "trust"
    )
    assert result.exit_code == 1 and "unknown coder 'amira'" in result.output
    invoke("code", coded_project, "--coder", "amira", "--document", "m1.txt", "--code", "trust", "--match", "trust")
    result = invoke(
        "uncode", coded_project, "--coder", "amira", "--document", "m1.txt", "--code", "housing", "--match", "trust"
    )
    assert result.exit_code == 1 and "no coding of 'housing'" in result.output
    assert before != digest(coded_project)  # the one real coding did land
