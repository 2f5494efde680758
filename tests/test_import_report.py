"""The import never works silently: a row per document (speakers found, who they became, turns, words, kind),
warnings for unlabelled interviewers and documents with no speakers, role labels kept per document, and one
spelling per stakeholder group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write

DATA = Path(__file__).parent / "data" / "transcripts"


def imported(invoke, project: Path, *args: object) -> dict:
    result = invoke("import", project, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_each_document_is_reported_with_its_speakers(invoke, project_path: Path) -> None:
    report = imported(invoke, project_path, DATA / "otter.txt", "--group", "mentee")
    (row,) = report["documents"]
    assert row["document"] == "otter.txt" and row["kind"] == "interview" and row["kind_from"] == "inferred"
    assert row["turns"] == 4 and row["words"] == 48 and row["speakers_found"] == 2
    assert [(s["label"], s["role"], s["participant"], s["group"], s["turns"]) for s in row["speakers"]] == [
        ("Priya Shah", "participant", "Priya Shah", "mentee", 2), ("Daniel", "participant", "Daniel", "mentee", 2)
    ]  # fmt: skip
    assert [s["probable_interviewer"] for s in row["speakers"]] == [True, False]
    assert any("'Priya Shah' asks the questions and may be the interviewer" in w and "qualcode speaker" in w
               for w in report["warnings"])  # fmt: skip


def test_the_terminal_shows_the_same_table(invoke, project_path: Path) -> None:
    result = invoke("import", project_path, DATA / "trint.txt", "--group", "mentee")
    assert "trint.txt: interview; 4 turns, 48 words" in result.output
    assert "  Daniel -> Daniel [mentee]: 2 turns, 28 words" in result.output
    assert "<- asks the questions: the interviewer?" in result.output


def test_an_unlabelled_interviewer_does_not_make_a_focus_group(invoke, project_path: Path, tmp_path: Path) -> None:
    text = (DATA / "otter.txt").read_text(encoding="utf-8") + "\n\nSam  0:31\nAye, same for me. He was there.\n"
    report = imported(invoke, project_path, write(tmp_path / "three.txt", text), "--group", "mentee")
    assert report["documents"][0]["kind"] == "interview"


def test_a_document_with_no_speakers_says_why(invoke, project_path: Path, tmp_path: Path) -> None:
    text = "INT - How was it?\nRESP - Fine, it was fine.\nINT - And the mentor?\nRESP - Good.\n"
    report = imported(invoke, project_path, write(tmp_path / "dashes.txt", text))
    (warning,) = [w for w in report["warnings"] if w.startswith("dashes.txt")]
    assert "no speaker label recognised" in warning and "INT - How was it? | RESP - Fine, it was fine." in warning
    pattern = warning.split("--speaker-pattern '")[1].split("'")[0]
    again = imported(invoke, project_path, write(tmp_path / "dashes2.txt", text + "\n"), "--speaker-pattern", pattern)
    assert [s["label"] for s in again["documents"][0]["speakers"]] == ["INT", "RESP"]


def test_field_notes_with_a_group_are_not_warned_about(invoke, project_path: Path, tmp_path: Path) -> None:
    report = imported(
        invoke, project_path, write(tmp_path / "notes.txt", "Visited the hub. Busy day.\n"), "--group", "staff"
    )
    assert report["warnings"] == []


def test_role_labels_are_people_of_their_own_document(invoke, project_path: Path, tmp_path: Path) -> None:
    for n in (1, 2):
        write(tmp_path / "s" / f"m{n}.txt", f"Interviewer: How was it?\nMentee: Fine {n}.\nRESP: Aye {n}.\n"
              f"Officer: Good {n}.\nSpeaker 2: Yes {n}.\nP1: No {n}.\nParticipant: So {n}.\n")  # fmt: skip
    imported(invoke, project_path, tmp_path / "s", "--group", "mentee")
    people = json.loads(invoke("participants", project_path, "--json").output)
    names = sorted(p["pseudonym"] for p in people)
    assert names == sorted(
        f"m{n} {label}" for n in (1, 2) for label in ("Mentee", "RESP", "Officer", "Speaker 2", "P1", "Participant")
    )


def test_group_spellings_are_one_group(invoke, project_path: Path, tmp_path: Path) -> None:
    imported(invoke, project_path, write(tmp_path / "a.txt", "I: Hi?\nAsha: Hello.\n"), "--group", "mentor")
    imported(invoke, project_path, write(tmp_path / "b.txt", "I: Hi?\nBen: Hello.\n"), "--group", "Mentor")
    imported(invoke, project_path, write(tmp_path / "c.txt", "I: Hi?\nCal: Hello.\n"), "--group", "mentors ")
    close = imported(invoke, project_path, write(tmp_path / "d.txt", "I: Hi?\nDot: Hello.\n"), "--group", "mentr")
    info = json.loads(invoke("info", project_path, "--json").output)
    assert info["participants"] == {"mentor": 3, "mentr": 1}
    assert any("new group 'mentr'" in w and "did you mean 'mentor'?" in w and "qualcode group rename" in w
               for w in close["warnings"])  # fmt: skip


def test_a_sheet_may_spell_a_group_two_ways(invoke, project_path: Path, tmp_path: Path) -> None:
    write(tmp_path / "t" / "a.txt", "I: Hi?\nAsha: Hello.\n")
    write(tmp_path / "t" / "b.txt", "I: Hi?\nAsha: Hello again.\n")
    sheet = write(
        tmp_path / "sheet.csv", "document,speaker,participant,group\na.txt,Asha,Asha,Mentee\nb.txt,Asha,Asha,mentees\n"
    )
    imported(invoke, project_path, tmp_path / "t", "--participants", sheet)
    assert json.loads(invoke("info", project_path, "--json").output)["participants"] == {"Mentee": 1}


@pytest.mark.parametrize("separator", [" - ", " > ", " | ", "\t", ") ", ". ", " = "])
def test_the_suggested_pattern_reads_the_labels(separator: str) -> None:
    import re

    from qualcode.ingest.speakers import suggest_pattern

    text = "\n".join(f"INT{separator}How is it?\nRESP{separator}Fine, yes." for _ in range(3))
    pattern, speakers = suggest_pattern(text)
    assert [re.match(pattern, line).group("label") for line in text.split("\n")[:2]] == ["INT", "RESP"]
    assert speakers == ["INT", "RESP"]


@pytest.mark.parametrize(
    "text",
    [
        "INT - How is it going?\nRESP - Fine, yes.\nINT - And the flat?\nRESP - Still there.\n",
        "Kerr, Joanne > Hello.\nSmith, Dee > Hi.\nKerr, Joanne > How are you?\nSmith, Dee > Fine.\n",
        "Q. How is it?\nA. Fine.\nQ. And the flat?\nA. Still there.\n",
        "1) INTERVIEWER\tHow is it?\n2) DEE\tFine.\n3) INTERVIEWER\tGood.\n",
    ],
)
def test_a_suggested_pattern_is_one_that_reads_that_file(invoke, tmp_path: Path, text: str) -> None:
    """What the warning suggests was tried on the file: imported with it, the file has the speakers it names;
    where nothing qualcode tries finds two speakers, it says so instead of suggesting a pattern that fails."""
    import re

    write(tmp_path / "t" / "odd.txt", text)
    first = tmp_path / "first.qdb"
    invoke("init", first)
    report = json.loads(invoke("import", first, tmp_path / "t", "--json").output)
    warning = next(w for w in report["warnings"] if "no speaker label recognised" in w)
    suggested = re.search(r"--speaker-pattern '(.+?)' \(it finds (\d+) speakers here: (.+?)\)", warning)
    if suggested is None:
        assert "give a --speaker-pattern that matches them" in warning
        return
    second = tmp_path / "second.qdb"
    invoke("init", second)
    again = json.loads(invoke("import", second, tmp_path / "t", "--speaker-pattern", suggested[1], "--json").output)
    labels = [s["label"] for s in again["documents"][0]["speakers"]]
    assert len(labels) == int(suggested[2]) >= 2 and ", ".join(labels[:4]).startswith(suggested[3].rstrip(", …"))
    assert not any("no speaker label recognised" in w for w in again["warnings"])


@pytest.mark.parametrize("name", ["teams_surname.docx", "teams_surname.vtt"])
def test_teams_surname_first_files_import_without_a_pattern(invoke, project_path: Path, tmp_path: Path, name) -> None:
    """The real files: both speakers found, the interviewer's words a turn of their own, nothing to fix."""
    import shutil

    folder = tmp_path / "teams"
    folder.mkdir()
    shutil.copy(Path(__file__).parent / "data" / "transcripts" / name, folder / name)
    report = json.loads(invoke("import", project_path, folder, "--json").output)
    labels = [s["label"] for s in report["documents"][0]["speakers"] if s["label"]]  # not the heading lines
    assert labels == ["Shah, Priya", "Kerr, Daniel"], labels
    assert not any("no speaker label recognised" in w for w in report["warnings"]), report["warnings"]
