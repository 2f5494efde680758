"""Team workflow: merging coders' copies, listing disagreements, settling them into a consensus coder,
and agreement tables made elsewhere."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from qualcode.project.store import Project
from qualcode.team.reconcile import disagreement_rows, resolve
from qualcode.team.reliability import compare


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def codings(path: Path) -> set[tuple]:
    with sqlite3.connect(path) as conn:
        return set(
            conn.execute(
                'SELECT d.sha256, c.code_id, r.name, c.start, c."end" FROM coding c JOIN document d ON d.id = c.document_id '
                "JOIN coder r ON r.id = c.coder_id"
            ).fetchall()
        )


@pytest.fixture
def copies(study: Path, tmp_path: Path, invoke) -> tuple[Path, Path]:
    """Two coders' copies of one project: each adds codings (and a memo) in their own file."""
    a, b = tmp_path / "a.qdb", tmp_path / "b.qdb"
    with Project.open(study, write=True) as project:  # a consistent copy of each
        project.db.execute(f"VACUUM INTO '{a}'")
        project.db.execute(f"VACUUM INTO '{b}'")
    assert (
        invoke(
            "code",
            a,
            "--coder",
            "amira",
            "--document",
            "m2.txt",
            "--code",
            "outcomes",
            "--match",
            "I trust my mentor completely.",
        ).exit_code
        == 0
    )
    assert (
        invoke(
            "code", b, "--coder", "ben", "--document", "m1.txt", "--code", "housing", "--match", "I got a tenancy"
        ).exit_code
        == 0
    )
    with Project.open(b, write=True) as project, project.transaction() as db:
        db.execute(
            "INSERT INTO memo(target_type, target_id, coder_id, text, created_at, updated_at) "
            "VALUES ('code', 'housing', ?, 'ben: housing includes hostels', '2026-01-01', '2026-01-01')",
            [project.coder_id("ben")],
        )
    return a, b


def test_merge_two_copies_then_again_adds_nothing(copies, tmp_path: Path, invoke) -> None:
    a, b = copies
    out = tmp_path / "merged.qdb"
    result = invoke("merge", out, a, b, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [s["documents_added"] for s in report["sources"]] == [3, 0]
    assert report["sources"][1]["codings_added"] == 1 and report["sources"][1]["memos_added"] == 1
    assert codings(out) == codings(a) | codings(b)
    again = json.loads(invoke("merge", out, a, b, "--json").output)
    assert all(s["codings_added"] == 0 and s["documents_added"] == 0 for s in again["sources"])
    with Project.open(out, write=True) as project:
        assert project.count("memo") == 1 and project.count("document") == 3
        assert (
            project.db.execute("SELECT count(*) FROM segment_fts WHERE segment_fts MATCH 'tenancy'").fetchone()[0] == 1
        )
        assert compare(project, ["amira", "ben"])["per_code"]  # the merged file is a working project
        assert project.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert (
            project.db.execute(
                "SELECT count(*) FROM segment s JOIN turn t ON t.id = s.turn_id "
                'WHERE t.document_id != s.document_id OR s.start < t.start OR s."end" > t."end"'
            ).fetchone()[0]
            == 0
        )
        with Project.open(a, write=True) as original:  # turns and segments as in the copy they came from
            for table in ("turn", "segment"):
                sql = f'SELECT d.sha256, x.seq, x.start, x."end" FROM {table} x JOIN document d ON d.id = x.document_id ORDER BY 1, 2'
                assert project.db.execute(sql).fetchall() == original.db.execute(sql).fetchall()
    assert codings(out) == codings(a) | codings(b)


def test_merge_matches_documents_by_content_not_name(copies, tmp_path: Path) -> None:
    a, b = copies
    with sqlite3.connect(b) as conn:
        conn.execute("UPDATE document SET name = 'renamed.txt' WHERE name = 'm1.txt'")
    out = tmp_path / "merged.qdb"
    from qualcode.team.merge import merge_projects

    merge_projects(out, [a, b])
    with Project.open(out, write=True) as project:
        assert [r[0] for r in project.db.execute("SELECT name FROM document ORDER BY name")] == [
            "fg.txt",
            "m1.txt",
            "m2.txt",
        ]


def test_merge_conflicts_write_nothing(copies, tmp_path: Path, invoke) -> None:
    a, b = copies
    with sqlite3.connect(b) as conn:
        conn.execute("UPDATE code SET name = 'Housing and hostels' WHERE id = 'housing'")
        conn.execute("UPDATE participant SET stakeholder_group = 'mentor' WHERE pseudonym = 'Dee'")
    existing = tmp_path / "existing.qdb"
    shutil.copy(a, existing)
    before = digest(existing)
    result = invoke("merge", existing, b)
    assert result.exit_code == 1
    assert "code housing is 'Housing and hostels'" in result.output and "participant Dee is mentor" in result.output
    assert digest(existing) == before
    fresh = tmp_path / "new.qdb"
    assert invoke("merge", fresh, a, b).exit_code == 1 and not fresh.exists()
    assert invoke("merge", a, a).exit_code == 1  # into itself


def test_disagreements_and_consensus(study: Path, invoke, tmp_path: Path) -> None:
    with Project.open(study, write=True) as project:
        rows = disagreement_rows(project, ["amira", "ben"])
        # fg.txt only (ben coded nothing else): housing on Jade's sentence and on the facilitator's question
        # (amira), on Mel's sentence (ben); trust on two segments (amira)
        assert [(r["code"], r["text"], r["applied_by"]) for r in rows] == [
            ("housing", "I got my own flat in March.", "amira"),
            ("trust", "It took ages.", "amira"),
            ("trust", "As a mentor I trust the process.", "amira"),
            ("housing", "The housing office knows us now.", "ben"),
            ("housing", "Anything else about housing?", "amira"),
        ]
        resolve(project, rows[0], ["amira", "ben"], "first", memo="Clearly housing.")
        resolve(project, rows[3], ["amira", "ben"], "second")
        resolve(project, rows[4], ["amira", "ben"], "neither", memo="The interviewer's question.")
        resolve(project, rows[1], ["amira", "ben"], "edit", span=(rows[1]["start"], rows[1]["end"]))
        resolve(project, rows[4], ["amira", "ben"], "first")  # changed its mind
        resolve(project, rows[4], ["amira", "ben"], "neither", memo="No: the interviewer's question.")
        consensus = project.db.execute(
            'SELECT c.code_id, c.start, c."end", c.memo FROM coding c JOIN coder r ON r.id = c.coder_id '
            "WHERE r.name = 'consensus' ORDER BY c.start"
        ).fetchall()
        assert consensus == [
            ("housing", 41, 68, "Clearly housing."),
            ("trust", 100, 113, None),
            ("housing", 160, 192, None),
        ]
        decisions = {(r["text"], r["decision"], r["memo"]) for r in disagreement_rows(project, ["amira", "ben"])}
        assert ("Anything else about housing?", "neither", "No: the interviewer's question.") in decisions
        assert project.count("decision") == 4
    out = tmp_path / "dis.xlsx"
    assert (
        invoke(
            "agreement", study, "--coders", "amira,ben", "--disagreements", out, "-o", tmp_path / "agree.xlsx"
        ).exit_code
        == 0
    )
    sheet = openpyxl.load_workbook(out).active
    values = list(sheet.values)
    assert values[0][:3] == ("code", "code_name", "document") and len(values) == 6
    agree = list(openpyxl.load_workbook(tmp_path / "agree.xlsx").active.values)
    assert agree[0][:3] == ("code", "name", "krippendorff_alpha") and agree[-1][0] == "pooled"
    assert [r[0] for r in agree[1:-1]] == ["outcomes", "housing", "trust"]
    assert agree[2][3] == pytest.approx(-4 / 17)  # housing's kappa, as counted by hand in test_reliability


def test_agreement_table_command(invoke, tmp_path: Path) -> None:
    table = tmp_path / "table.csv"
    rows = [
        "unit,A,B,C,D",
        "1,1,1,,1",
        "2,2,2,3,2",
        "3,3,3,3,3",
        "4,3,3,3,3",
        "5,2,2,2,2",
        "6,1,2,3,4",
        "7,4,4,4,4",
        "8,1,1,2,1",
        "9,2,2,2,2",
        "10,,5,5,5",
        "11,,,1,1",
        "12,,3,,",
    ]
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    nominal = json.loads(invoke("agreement", "table", table, "--json", "--bootstrap", "200").output)
    assert nominal["krippendorff_alpha"] == pytest.approx(0.743, abs=5e-4) and nominal["units"] == 12
    assert nominal["cohen_kappa"] is None and len(nominal["alpha_ci"]) == 2
    interval = json.loads(invoke("agreement", "table", table, "--level", "interval", "--json").output)
    assert interval["krippendorff_alpha"] == pytest.approx(0.849, abs=5e-4)
    text = invoke("agreement", "table", table).output
    assert "krippendorff_alpha" in text and "0.743" in text
    (tmp_path / "bad.csv").write_text("A,B\n1,x\n", encoding="utf-8")
    bad = invoke("agreement", "table", tmp_path / "bad.csv", "--level", "interval")
    assert bad.exit_code == 1 and "bad.csv:2: 'x' is not a number" in bad.output
    (tmp_path / "short.csv").write_text("A,B\n1,2\n3\n", encoding="utf-8")
    assert "short.csv:3: 1 cells" in invoke("agreement", "table", tmp_path / "short.csv").output
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x01garbage")
    assert invoke("agreement", "table", tmp_path / "binary.csv").exit_code == 1
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    assert "needs a header row" in invoke("agreement", "table", tmp_path / "empty.csv").output
