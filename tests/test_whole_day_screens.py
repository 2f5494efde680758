"""Screens that use their space and say what they do: columns sized to the terminal with names cut at the
part that tells them apart, navigation messages that name the code, search hits that say who spoke, help
without widget names, no negative zero; and a command line where every document is ``--document`` and
every unknown name gets a "did you mean"."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from conftest import recording_app, screen_text

from qualcode.coding.codings import add_coding
from qualcode.project.store import Project
from qualcode.reports.figures import fixed
from qualcode.tui import make_app
from qualcode.tui.codebook import CodebookPanel
from qualcode.tui.document import DocumentScreen
from qualcode.tui.text import shorten
from qualcode.tui.transcript import TranscriptView


def test_names_are_cut_in_the_middle_keeping_the_end_that_tells_them_apart() -> None:
    names = [
        "Increased motivation to engage with mentoring",
        "Increased motivation to engage with education, training and employment",
        "Increased motivation to engage with other interventions",
        "Increased motivation to change",
    ]
    for width in (16, 20, 28, 40):
        cut = [shorten(n, width) for n in names]
        assert all(len(c) <= width for c in cut)
        assert len(set(cut)) == len(cut), cut  # still four different rows
    assert shorten("Housing", 20) == "Housing"  # cut only when there is no room


def test_the_evidence_map_at_80_columns_shows_distinct_outcomes_and_readable_groups(demo_copy: Path) -> None:
    async def scenario() -> str:
        app = make_app(demo_copy, coder="amira", user="tester")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            if "count whose codings" in screen_text(app):
                await pilot.press("enter")  # all coders
                await app.workers.wait_for_complete()
                await pilot.pause()
            table = app.screen.query_one("#report-grid")
            outcomes = [str(table.get_row_at(r)[0]) for r in range(table.row_count)]
            assert len(set(outcomes)) == len(outcomes), outcomes  # no two rows read the same
            await pilot.press("down", "right")
            await pilot.pause()
            return screen_text(app)

    text = asyncio.run(scenario())
    assert "lead_organisa" not in text and "national_stakeholder" not in text  # readable group names
    assert "mentee" in text


def test_the_document_list_at_80_columns_keeps_names_and_numbers(demo_copy: Path) -> None:
    async def scenario() -> str:
        app = make_app(demo_copy, coder="amira", user="tester")
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            return screen_text(app)

    text = asyncio.run(scenario())
    header = next(line for line in text.splitlines() if "Document" in line)
    for column in ("People", "Groups", "Words", "Coded"):
        assert column in header, header
    assert "Kind" not in header  # at 80 columns the names come first; the kind is said under the table
    assert "lead_org_manager.md · interview" in text  # the highlighted row in full, under the table


def test_a_long_code_name_never_hides_its_count(interviews: Path) -> None:
    with Project.open(interviews, write=True) as project:
        long = "A very long code name that says a great deal about what it is for and when to use it"
        project.db.execute("UPDATE code SET name = ? WHERE id = 'trust'", [long])
        project.db.conn.commit()
        start = project.document("m1.txt")["text"].index("In prison.")
        add_coding(project, 1, "trust", project.coder_id("amira"), start, start + 10)

    async def scenario() -> str:
        app = make_app(interviews, coder="amira", user="tester")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            panel = app.screen.query_one(CodebookPanel)
            index = next(i for i, row in enumerate(panel.rows) if row["id"] == "trust")
            return panel.render_line(index - panel.scroll_offset.y).text

    line = asyncio.run(scenario())
    assert line.rstrip().endswith("1/1"), line
    assert "…" in line


def test_next_coded_names_the_code_and_any_code_goes_to_the_next_coding(interviews: Path) -> None:
    with Project.open(interviews, write=True) as project:
        text = project.document("m1.txt")["text"]
        amira = project.coder_id("amira")
        for code, words in (("trust", "In prison."), ("housing", "I got a flat in May!")):
            start = text.index(words)
            add_coding(project, 1, code, amira, start, start + len(words))

    async def scenario() -> list[str]:
        app, said = recording_app(interviews)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            view = app.screen.query_one(TranscriptView)
            await pilot.press("right_square_bracket")  # any code: the first coding after the cursor
            await pilot.pause()
            assert view.text[slice(*view.selection)] == "In prison."
            await pilot.press("right_square_bracket")
            await pilot.pause()
            assert view.text[slice(*view.selection)] == "I got a flat in May!"
            app.screen.query_one(CodebookPanel).select_code("trust")
            await pilot.press("n")  # trust after the flat: none, in any document
            await pilot.pause()
            await pilot.press("N")
            await pilot.pause()
            assert view.text[slice(*view.selection)] == "In prison."
        return said

    said = asyncio.run(scenario())
    assert any("No passage coded “Trust” after this one" in s for s in said), said
    assert any("Previous passage coded “Trust”" in s for s in said), said


def test_search_hits_say_who_spoke(interviews: Path) -> None:
    async def scenario() -> str:
        app = make_app(interviews, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("slash", *"now", "enter")
            await pilot.pause()
            return screen_text(app)

    text = asyncio.run(scenario())
    assert "Dee (mentee)" in text and "Jo (mentee)" in text
    assert "I (interviewer)" in text  # "And now?" is the interviewer's


def test_help_is_grouped_by_screen_without_widget_names(interviews: Path) -> None:
    async def scenario() -> str:
        app = make_app(interviews, coder="amira", user="tester")
        async with app.run_test(size=(120, 60)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("b", "question_mark")  # the codebook panel has the focus
            await pilot.pause()
            from rich.console import Console

            console = Console(width=120, record=True, file=io.StringIO())
            console.print(app.screen.query_one("#help-text").content)  # the keys as the coder reads them
            return console.export_text()

    text = asyncio.run(scenario())
    for widget in ("DataTable", "(focused)", "CodebookPanel", "TranscriptView", "Screen", "_bracket"):
        assert widget not in text
    first = text.splitlines()[0]
    assert first.startswith("The codebook panel")  # the focused panel's keys first
    for title in ("A transcript (the document screen)", "Documents (the start screen)", "Reports", "Everywhere"):
        assert title in text


def test_no_negative_zero() -> None:
    assert fixed(-0.0001) == "0.00" and fixed(-0.0) == "0.00" and fixed(-0.004, 2) == "0.00"
    assert fixed(-0.006) == "-0.01" and fixed(0.5, 3) == "0.500"
    from qualcode.reports.figures import figure
    from qualcode.tui.agreement import _plus_minus

    assert figure(-1e-9) == "0.00" and figure(None) == "—" and figure(-1e-9, 3) == "0.000"
    assert _plus_minus({"value": -0.001, "ci": [-0.0001, 0.2]}) == "0.00 ±0.00"


def test_every_command_naming_a_document_takes_document(invoke, interviews: Path) -> None:
    by_option = invoke("turns", interviews, "--document", "m1.txt")
    by_position = invoke("turns", interviews, "m1.txt")
    assert by_option.exit_code == 0 and by_option.output == by_position.output
    both = invoke("turns", interviews, "m1.txt", "--document", "m2.txt")
    assert both.exit_code != 0 and "two documents" in both.output
    assert invoke("document", "remove", interviews, "--document", "m2.txt", "--yes").exit_code == 0
    with Project.open(interviews) as project:
        assert [r[0] for r in project.db.execute("SELECT name FROM document")] == ["m1.txt"]


@pytest.mark.parametrize(
    "args, hint",
    [
        (["turns", "{p}", "--document", "m1.tx"], "did you mean 'm1.txt'?"),
        (["code", "{p}", "--coder", "amira", "--document", "m1.txt", "--code", "trsut", "--segment", "2"], "'trust'"),
        (["export", "quotes", "{p}", "-o", "{o}", "--group", "mentees"], None),  # the plural is the same group
        (["export", "quotes", "{p}", "-o", "{o}", "--group", "mentorr"], "did you mean 'mentor'?"),
        (["export", "quotes", "{p}", "-o", "{o}", "--coder", "amria"], "did you mean 'amira'?"),
        (["speaker", "{p}", "--document", "m3.txt", "Dee", "--interviewer"], "did you mean"),
    ],
)
def test_unknown_names_get_did_you_mean(
    invoke, interviews: Path, tmp_path: Path, args: list[str], hint: str | None
) -> None:
    with Project.open(interviews, write=True) as project:
        start = project.document("m1.txt")["text"].index("In prison.")
        add_coding(project, 1, "trust", project.coder_id("amira"), start, start + 10)
        write_mentor = project.db.execute("UPDATE participant SET stakeholder_group = 'mentor' WHERE pseudonym = 'Jo'")
        assert write_mentor.rowcount == 1
        project.db.conn.commit()
    result = invoke(*[a.format(p=interviews, o=tmp_path / "q.csv") for a in args])
    if hint is None:
        assert result.exit_code == 0, result.output
        assert "wrote 1 excerpt(s)" in result.output
    else:
        assert result.exit_code == 1 and hint in result.output, result.output


def test_a_screen_is_never_left_without_a_document(interviews: Path) -> None:
    """Opening the workbench on a coder's remembered document that was removed since: the list, not an error."""
    with Project.open(interviews, write=True) as project:
        project.set_meta("workbench:amira", '{"document": 99, "positions": {"99": [0, 5]}, "recent": ["gone"]}')
        project.db.conn.commit()

    async def scenario() -> None:
        app = make_app(interviews, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert app.place.document is None and app.place.recent == [] and app.place.positions == {}
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, DocumentScreen)

    asyncio.run(scenario())


def test_coding_the_interviewers_words_from_the_command_line_says_so(invoke, interviews: Path) -> None:
    question = invoke(
        "code", interviews, "--coder", "amira", "--document", "m1.txt", "--code", "trust", "--segment", "1"
    )
    assert question.exit_code == 0 and "includes the interviewer's words" in question.output
    answer = invoke("code", interviews, "--coder", "amira", "--document", "m1.txt", "--code", "trust", "--segment", "2")
    assert answer.exit_code == 0 and "interviewer" not in answer.output
