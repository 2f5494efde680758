"""Importing transcripts through the CLI into a real project file, and refusing bad input without a trace."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import INTERVIEW, digest, write

from qualcode.ingest.importer import Importer, ImportOptions
from qualcode.project.store import Project

FOCUS_GROUP = """\
[00:00:05] Facilitator: Welcome everyone.
[00:00:10] Jade: I'm Jade.
[00:00:12] Liam: Liam. [laughs]
[00:00:15] Shona: Shona here.
[00:00:18] Craig: Craig.
[00:00:20] Facilitator: What helped?
[00:00:25] Liam: Time. And the flat.
"""
SHEET = """\
document,speaker,participant,group,site
m1.txt,Dee,Dee,mentee,North
fg.txt,Jade,Jade,mentee,North
fg.txt,Liam,Liam,mentee,South
fg.txt,Shona,Shona,mentee,North
fg.txt,Craig,Craig,mentor,South
m2.txt,Dee,Dee,mentee,North
"""


@pytest.fixture
def study(tmp_path: Path) -> Path:
    folder = tmp_path / "study"
    write(folder / "m1.txt", INTERVIEW)
    write(folder / "fg.txt", FOCUS_GROUP)
    write(folder / "m2.txt", INTERVIEW.replace("May", "June"))
    write(folder / "participants.csv", SHEET)
    return folder


def rows(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def test_import_attributes_every_turn(invoke, project_path: Path, study: Path) -> None:
    result = invoke("import", project_path, study, "--participants", study / "participants.csv")
    assert result.exit_code == 0, result.output
    assert "imported 3 document(s)" in result.output
    info = json.loads(invoke("info", project_path, "--json").output)
    assert info["documents"] == 3
    assert info["participants"] == {"mentee": 4, "mentor": 1}
    turns = rows(
        project_path,
        """
        SELECT d.name, t.speaker, t.role, p.pseudonym, p.stakeholder_group, t.time_start, substr(d.text, t.start + 1, t."end" - t.start)
        FROM turn t JOIN document d ON d.id = t.document_id LEFT JOIN participant p ON p.id = t.participant_id
        WHERE d.name = 'fg.txt' ORDER BY t.seq""",
    )
    assert turns == [
        ("fg.txt", "Facilitator", "interviewer", None, None, 5.0, "Welcome everyone."),
        ("fg.txt", "Jade", "participant", "Jade", "mentee", 10.0, "I'm Jade."),
        ("fg.txt", "Liam", "participant", "Liam", "mentee", 12.0, "Liam. [laughs]"),
        ("fg.txt", "Shona", "participant", "Shona", "mentee", 15.0, "Shona here."),
        ("fg.txt", "Craig", "participant", "Craig", "mentor", 18.0, "Craig."),
        ("fg.txt", "Facilitator", "interviewer", None, None, 20.0, "What helped?"),
        ("fg.txt", "Liam", "participant", "Liam", "mentee", 25.0, "Time. And the flat."),
    ]
    kinds = dict(rows(project_path, "SELECT name, kind FROM document"))
    assert kinds == {"fg.txt": "focus_group", "m1.txt": "interview", "m2.txt": "interview"}
    # one participant, two documents
    assert rows(
        project_path,
        """SELECT count(DISTINCT t.document_id) FROM turn t JOIN participant p
        ON p.id = t.participant_id WHERE p.pseudonym = 'Dee'""",
    ) == [(2,)]
    # the header line is nobody's turn
    assert rows(
        project_path,
        "SELECT speaker, role FROM turn WHERE seq = 0 AND document_id = (SELECT id FROM document WHERE name = 'm1.txt')",
    ) == [(None, "none")]


def test_segments_lie_inside_turns(invoke, project_path: Path, study: Path) -> None:
    invoke("import", project_path, study, "--participants", study / "participants.csv")
    segments = rows(
        project_path,
        """
        SELECT d.text, s.start, s."end", t.start, t."end" FROM segment s JOIN turn t ON t.id = s.turn_id
        JOIN document d ON d.id = s.document_id WHERE d.name = 'm1.txt' ORDER BY s.seq""",
    )
    texts = [text[s:e] for text, s, e, _, _ in segments]
    assert texts == [
        "Interview, site North.",
        "How did you meet your mentor?",
        "In prison.",
        "She came before I got out.",
        "I didn't trust her at first.",
        "It took a while.",
        "And now?",
        "Now she's the one I ring.",
        "I got a flat in May!",
    ]
    assert all(ts <= s < e <= te for _, s, e, ts, te in segments)


def test_reimport_adds_nothing_and_says_so(invoke, project_path: Path, study: Path) -> None:
    invoke("import", project_path, study, "--participants", study / "participants.csv")
    before = digest(project_path)
    result = invoke("import", project_path, study)
    assert result.exit_code == 0
    assert "skipped m1.txt: already in the project as 'm1.txt'" in result.output
    assert "imported 0 document(s)" in result.output
    assert digest(project_path) == before
    renamed = write(study.parent / "copy" / "renamed.txt", INTERVIEW)
    assert "already in the project as 'm1.txt'" in invoke("import", project_path, renamed).output


def test_unmapped_speakers_group_option_and_generic_labels(invoke, project_path: Path, tmp_path: Path) -> None:
    write(tmp_path / "x" / "notes.md", "Observed a mentoring session at the hub. Lots of laughter.")
    write(tmp_path / "x" / "r1.txt", "Q: Why?\nR: Because.\nQ: ok\n")
    result = invoke("import", project_path, tmp_path / "x", "--group", "partner_organisation")
    assert result.exit_code == 0, result.output
    people = rows(project_path, "SELECT pseudonym, stakeholder_group FROM participant ORDER BY 1")
    assert people == [("notes", "partner_organisation"), ("r1 R", "partner_organisation")]
    write(tmp_path / "y" / "plain.txt", "Just some field notes, nobody speaking.")
    result = invoke("import", project_path, tmp_path / "y", "--kind", "field_notes")
    assert rows(
        project_path,
        "SELECT kind, (SELECT role FROM turn WHERE document_id = document.id) FROM document WHERE name = 'plain.txt'",
    ) == [("field_notes", "none")]


def test_ungrouped_speakers_are_warned_about(invoke, project_path: Path, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Interviewer: hi\nDee: hello\n")
    result = invoke("import", project_path, tmp_path / "a.txt")
    assert "1 participant(s) have no stakeholder group: Dee" in result.output
    assert json.loads(invoke("info", project_path, "--json").output)["participants"] == {"ungrouped": 1}


def test_whole_document_sheet_row(invoke, project_path: Path, tmp_path: Path) -> None:
    write(
        tmp_path / "w" / "submission.docx.txt",
        "Our organisation has seen referrals double since the partnership began.",
    )
    sheet = write(
        tmp_path / "w" / "p.csv",
        "document,speaker,participant,group,organisation\n"
        "submission.docx.txt,,Harbour,partner_organisation,Harbour Housing\n",
    )
    assert invoke("import", project_path, tmp_path / "w", "--participants", sheet).exit_code == 0
    assert rows(
        project_path,
        """SELECT t.role, p.pseudonym, p.stakeholder_group FROM turn t
        JOIN participant p ON p.id = t.participant_id""",
    ) == [("participant", "Harbour", "partner_organisation")]


def test_front_matter_participants_and_interviewers(invoke, project_path: Path, tmp_path: Path) -> None:
    write(
        tmp_path / "r.md",
        "---\nkind: interview\ndate: 2024-05-14\nsite: Lenton\ninterviewers: [Sam]\n"
        "participants:\n  - speaker: Ry\n    pseudonym: Ryan\n    group: mentee\n    gender: male\n---\n"
        "Sam: Hello?\nRy: Alright.\n",
    )
    assert invoke("import", project_path, tmp_path / "r.md").exit_code == 0
    assert rows(project_path, "SELECT attributes FROM document") == [('{"date": "2024-05-14", "site": "Lenton"}',)]
    assert rows(project_path, "SELECT pseudonym, stakeholder_group, attributes FROM participant") == [
        ("Ryan", "mentee", '{"gender": "male"}')
    ]
    assert rows(project_path, "SELECT speaker, role FROM turn ORDER BY seq") == [
        ("Sam", "interviewer"),
        ("Ry", "participant"),
    ]


BAD_INPUTS = {
    "binary file": ("pic.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01" * 50, None, "pic.txt: binary file"),
    "empty file": ("empty.txt", b"", None, "empty.txt: empty file"),
    "no text": ("blank.md", b"\n \n\t\n", None, "blank.md: no text"),
    "bad kind": ("k.md", b"---\nkind: podcast\n---\nDee: hi\n", None, "unknown kind 'podcast'"),
    "unknown document in sheet": (
        "ok.txt",
        b"Dee: hi\n",
        "document,speaker,participant,group\nnope.txt,Dee,Dee,mentee\n",
        "participants.csv:2: unknown document 'nope.txt'",
    ),
    "sheet missing group": (
        "ok.txt",
        b"Dee: hi\n",
        "document,speaker,participant,group\nok.txt,Dee,Dee,\n",
        "participants.csv:2: participant 'Dee' has no group",
    ),
    "duplicate speaker labels": (
        "ok.txt",
        b"Dee: hi\n",
        "document,speaker,participant,group\nok.txt,Dee,Dee,mentee\nok.txt,Dee,Dee2,mentee\n",
        "participants.csv:3: speaker 'Dee' in 'ok.txt' is already mapped on line 2",
    ),
    "speaker not in document": (
        "ok.txt",
        b"Dee: hi\n",
        "document,speaker,participant,group\nok.txt,Dave,Dave,mentee\n",
        "participants.csv:2: speaker 'Dave' does not speak in 'ok.txt' (found: Dee)",
    ),
    "whole-document row for a transcript": (
        "ok.txt",
        b"Dee: hi\n",
        "document,speaker,participant,group\nok.txt,,Org,partner_organisation\n",
        "participants.csv:2: 'ok.txt' has speaker labels (Dee); map each speaker on its own row",
    ),
    "group conflicts with project": (
        "g.txt",
        b"Dee: hi\n",
        "document,speaker,participant,group\ng.txt,Dee,Dee,mentor\n",
        "participant 'Dee' is given group 'mentor' here but is in group 'mentee' in the project",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_changes_nothing(invoke, project_path: Path, study: Path, tmp_path: Path, case: str) -> None:
    invoke("import", project_path, study / "m1.txt", "--participants", study / "participants.csv")
    name, data, sheet, message = BAD_INPUTS[case]
    folder = tmp_path / "bad"
    folder.mkdir()
    write(folder / "a_good_one.txt", FOCUS_GROUP)  # parses fine, and must not be half-imported
    (folder / name).write_bytes(data)
    args = ["import", project_path, folder]
    if sheet is not None:
        args += ["--participants", write(tmp_path / "participants.csv", sheet)]
    before = digest(project_path)
    result = invoke(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
    assert digest(project_path) == before


def test_not_a_project(invoke, tmp_path: Path, study: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    text = write(tmp_path / "notes.qdb", "hello")
    for path, message in [
        (other, "made by another program"),
        (text, "not a SQLite database"),
        (tmp_path / "missing.qdb", "no such project file"),
    ]:
        before = path.read_bytes() if path.exists() else None
        result = invoke("import", path, study)
        assert result.exit_code == 1 and message in result.output
        assert (path.read_bytes() if path.exists() else None) == before


def test_cancelled_import_rolls_back(project_path: Path, study: Path, nlp) -> None:
    before = digest(project_path)
    with Project.open(project_path, write=True) as project:
        importer = Importer(project, [study], ImportOptions(participants=study / "participants.csv"))
        list(importer.read())
        run = importer.run(nlp)
        first = next(run)
        assert first.done == 1 and first.total == 3
        run.close()  # what the workbench does when the coder presses Escape
        assert project.count("document") == 0
    assert digest(project_path) == before


def test_unsupported_and_missing_paths(invoke, project_path: Path, tmp_path: Path) -> None:
    write(tmp_path / "e" / "readme.key", "x")
    assert "no transcripts" in invoke("import", project_path, tmp_path / "e").output
    assert "no such file or folder" in invoke("import", project_path, tmp_path / "nope").output
    assert "unsupported file type" in invoke("import", project_path, tmp_path / "e" / "readme.key").output
