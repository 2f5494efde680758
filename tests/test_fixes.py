"""Putting an import right afterwards: re-mapping speakers from a corrected sheet or one by one, renaming and
merging participants and groups, removing a document — each in one transaction, with every coding kept."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from conftest import write

DATA = Path(__file__).parent / "data" / "transcripts"


def codings(path: Path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute('SELECT document_id, code_id, coder_id, start, "end" FROM coding ORDER BY id').fetchall()


def people(invoke, path: Path) -> dict[str, tuple]:
    rows = json.loads(invoke("participants", path, "--json").output)
    return {r["pseudonym"]: (r["group"], r["turns"]) for r in rows}


def coded_otter(invoke, project_path: Path) -> list[tuple]:
    assert invoke("import", project_path, DATA / "otter.txt", "--group", "mentee").exit_code == 0
    for n in (1, 2, 3):
        result = invoke(
            "code", project_path, "--coder", "ann", "--document", "otter.txt", "--code", "trust", "--segment", n
        )
        assert result.exit_code == 0, result.output
    return codings(project_path)


def test_a_speaker_becomes_the_interviewer_and_codings_stay(invoke, project_path: Path) -> None:
    before = coded_otter(invoke, project_path)
    result = invoke("speaker", project_path, "--document", "otter.txt", "Priya Shah", "--interviewer")
    assert result.exit_code == 0, result.output
    assert "Priya Shah [mentee] -> the interviewer (2 turns)" in result.output
    assert "removed participants who no longer speak anywhere: Priya Shah" in result.output
    assert codings(project_path) == before
    assert people(invoke, project_path) == {"Daniel": ("mentee", 2)}
    quotes = json.loads(invoke("turns", project_path, "otter.txt", "--json").output)
    assert [t["role"] for t in quotes] == ["interviewer", "participant", "interviewer", "participant"]


def test_a_speaker_becomes_another_participant(invoke, project_path: Path) -> None:
    coded_otter(invoke, project_path)
    result = invoke("speaker", project_path, "otter.txt", "Daniel", "--participant", "M-07", "--group", "mentees")
    assert result.exit_code == 0, result.output
    assert people(invoke, project_path) == {"M-07": ("mentee", 2), "Priya Shah": ("mentee", 2)}


def test_speaker_mistakes_change_nothing(invoke, project_path: Path) -> None:
    coded_otter(invoke, project_path)
    with open(project_path, "rb") as handle:
        image = handle.read()
    for args, message in [
        (
            ("--document", "otter.txt", "Priya", "--interviewer"),
            "no speaker 'Priya' in 'otter.txt' (speakers: Priya Shah, Daniel)",
        ),
        (("--document", "nope.txt", "Daniel", "--interviewer"), "unknown document 'nope.txt'"),
        (("--document", "otter.txt", "Daniel"), "say either --interviewer or --participant NAME"),
        (("otter.txt",), "give the document and the label"),
    ]:
        result = invoke("speaker", project_path, *args)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
    with open(project_path, "rb") as handle:
        assert handle.read() == image


def test_a_corrected_sheet_re_maps_what_was_imported(invoke, project_path: Path, tmp_path: Path) -> None:
    for n in (1, 2):
        write(tmp_path / "s" / f"m{n}.txt", f"Interviewer: How was it?\nRESP: Fine {n}.\nOfficer: Good {n}.\n")
    wrong = write(
        tmp_path / "wrong.csv",
        "document,speaker,participant,group\nm1.txt,RESP,Asha,mentee\nm1.txt,Officer,Asha,mentee\nm2.txt,RESP,Ben,mentee\nm2.txt,Officer,Ola,officer\n",
    )
    assert invoke("import", project_path, tmp_path / "s", "--participants", wrong).exit_code == 0
    invoke("code", project_path, "--coder", "ann", "--document", "m1.txt", "--code", "trust", "--match", "Good 1")
    before = codings(project_path)
    right = write(
        tmp_path / "right.csv",
        "document,speaker,participant,group,site\nm1.txt,RESP,Asha,mentee,North\nm1.txt,Officer,Ola,Officers,North\nm2.txt,RESP,Ben,mentee,South\nm2.txt,Officer,Ola,officer,North\nm9.txt,RESP,Zed,mentee,South\n",
    )
    again = invoke("import", project_path, tmp_path / "s", "--participants", wrong)
    assert "already in the project" in again.output  # importing again is not the way...
    result = invoke("participants", "apply", project_path, right)  # ...this is
    assert result.exit_code == 0, result.output
    assert "m1.txt: Officer: Asha [mentee] -> Ola [officer]" in result.output
    assert "not in the project (import it first): m9.txt" in result.output
    assert "1 speaker(s) re-mapped" in result.output
    assert people(invoke, project_path) == {"Asha": ("mentee", 1), "Ben": ("mentee", 1), "Ola": ("officer", 2)}
    rows = json.loads(invoke("participants", project_path, "--json").output)
    assert {r["pseudonym"]: r["attributes"].get("site") for r in rows} == {
        "Asha": "North",
        "Ben": "South",
        "Ola": "North",
    }
    assert codings(project_path) == before
    assert "nothing to change" in invoke("participants", "apply", project_path, right).output


def test_a_bad_sheet_changes_nothing(invoke, project_path: Path, tmp_path: Path) -> None:
    coded_otter(invoke, project_path)
    before = people(invoke, project_path)
    sheet = write(
        tmp_path / "bad.csv",
        "document,speaker,participant,group\notter.txt,Daniel,Dan,mentee\notter.txt,Priya,P,mentee\n",
    )
    result = invoke("participants", "apply", project_path, sheet)
    assert result.exit_code == 1 and "bad.csv:3: speaker 'Priya' does not speak in 'otter.txt'" in result.output
    assert people(invoke, project_path) == before


def test_participants_are_renamed_and_merged(invoke, project_path: Path, tmp_path: Path) -> None:
    write(tmp_path / "t" / "a.txt", "I: Hi?\nAsha R: Hello.\n")
    write(tmp_path / "t" / "b.txt", "I: Hi?\nAsha: Hello again.\nAsha: And more.\n")
    invoke("import", project_path, tmp_path / "t", "--group", "mentee")
    assert "Asha R renamed to M-01 (1 turns)" in invoke("participant", "rename", project_path, "Asha R", "M-01").output
    assert "Asha merged into M-01 (3 turns)" in invoke("participant", "rename", project_path, "Asha", "M-01").output
    assert people(invoke, project_path) == {"M-01": ("mentee", 3)}
    result = invoke("participant", "rename", project_path, "Nobody", "X")
    assert result.exit_code == 1 and "no participant 'Nobody'" in result.output


def test_groups_are_listed_renamed_and_merged(invoke, project_path: Path, tmp_path: Path) -> None:
    invoke("import", project_path, write(tmp_path / "a.txt", "I: Hi?\nAsha: Hello.\n"), "--group", "mentor")
    invoke("import", project_path, write(tmp_path / "b.txt", "I: Hi?\nBen: Hello.\n"), "--group", "peer mentor")
    rows = json.loads(invoke("groups", project_path, "--json").output)
    assert rows == [{"group": "mentor", "participants": 1, "documents": 1, "turns": 1},
                    {"group": "peer mentor", "participants": 1, "documents": 1, "turns": 1}]  # fmt: skip
    result = invoke("group", "rename", project_path, "Peer Mentors", "mentor")
    assert "group 'peer mentor' -> 'mentor': 1 participant(s)" in result.output
    assert json.loads(invoke("info", project_path, "--json").output)["participants"] == {"mentor": 2}
    result = invoke("group", "rename", project_path, "staff", "mentor")
    assert result.exit_code == 1 and "no group 'staff'" in result.output


def test_a_document_is_removed_with_everything_on_it(invoke, project_path: Path, tmp_path: Path) -> None:
    coded_otter(invoke, project_path)
    invoke("import", project_path, DATA / "trint.txt", "--group", "mentee")
    invoke("code", project_path, "--coder", "ann", "--document", "trint.txt", "--code", "trust", "--segment", 1)
    refused = invoke("document", "remove", project_path, "otter.txt", input="n\n")
    assert refused.exit_code == 1 and "Remove otter.txt with its 3 coding(s) by ann and 0 memo(s)?" in refused.output
    assert len(codings(project_path)) == 4
    result = invoke("document", "remove", project_path, "otter.txt", input="y\n")
    assert result.exit_code == 0, result.output
    backup = Path(result.output.split("backup: ")[1].split("\n")[0])
    assert backup.exists() and len(codings(backup)) == 4  # the backup is the project as it was
    assert len(codings(project_path)) == 1
    check = invoke("check", project_path)
    assert check.exit_code == 0 and "1 document" in check.output, check.output
    with closing(sqlite3.connect(project_path)) as db:
        assert db.execute("SELECT count(*) FROM segment_fts WHERE segment_fts MATCH 'gate'").fetchone()[0] == 1
    assert invoke("import", project_path, DATA / "otter.txt", "--group", "mentee").exit_code == 0  # it can come back


def test_removing_asks_and_a_closed_input_removes_nothing(invoke, project_path: Path) -> None:
    coded_otter(invoke, project_path)
    result = invoke("document", "remove", project_path, "otter.txt")
    assert result.exit_code == 1 and len(codings(project_path)) == 3


def test_the_workbench_document_list_remaps_and_removes(invoke, project_path: Path) -> None:
    import asyncio

    from qualcode.tui import make_app

    assert invoke("import", project_path, DATA / "otter.txt", DATA / "trint.txt", "--group", "mentee").exit_code == 0
    invoke("code", project_path, "--coder", "ann", "--document", "trint.txt", "--code", "trust", "--segment", 1)

    async def scenario() -> None:
        app = make_app(project_path, "ann")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("w")  # otter.txt is first: its speakers
            await pilot.pause()
            await pilot.press("ctrl+u", *"Priya Shah = interviewer", "enter")
            await pilot.pause()
            await pilot.press("down", "delete")  # trint.txt
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            await pilot.pause()

    asyncio.run(scenario())
    rows = json.loads(invoke("documents", project_path, "--json").output)
    assert [r["name"] for r in rows] == ["otter.txt"]
    turns = json.loads(invoke("turns", project_path, "otter.txt", "--json").output)
    assert [t["role"] for t in turns] == ["interviewer", "participant", "interviewer", "participant"]
    assert codings(project_path) == []
    assert list(project_path.parent.glob("study-backup-*.qdb"))


def test_speaker_moves_a_participant_to_the_group_named_and_says_so(demo_copy: Path, invoke) -> None:
    result = invoke("speaker", demo_copy, "--document", "mentor_tom.txt", "A", "--participant", "Tom",
                    "--group", "mentee")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Tom moved from group mentor to mentee, in every document they speak in" in result.output
    groups = {r["group"]: r["participants"] for r in json.loads(invoke("groups", demo_copy, "--json").output)}
    assert groups["mentee"] == 10 and groups["mentor"] == 6
