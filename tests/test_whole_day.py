"""A whole day of coding: the picker applies what the coder means, codes are created where they are needed,
progress counts what is to be coded, the workbench remembers where the coder was, and navigation says what
it does. Driven by keys (Textual Pilot) against a real project file; the place kept across a killed
workbench is checked with real processes."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from processes import Workbench

from qualcode.coding.places import load_place
from qualcode.project.store import Project
from qualcode.tui import make_app
from qualcode.tui.document import DocumentScreen
from qualcode.tui.picker import CodePicker
from qualcode.tui.transcript import TranscriptView


def codings(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            'SELECT c.code_id, substr(d.text, c.start + 1, c."end" - c.start) FROM coding c '
            "JOIN document d ON d.id = c.document_id ORDER BY c.id"
        ).fetchall()


async def open_named(pilot, name: str) -> TranscriptView:
    app = pilot.app
    row = app.project.db.execute("SELECT id FROM document WHERE name = ?", [name]).fetchone()
    app.open_document(row[0])
    await pilot.pause()
    await app.workers.wait_for_complete()  # the document settled: its suggester built, as a coder's first c finds it
    assert isinstance(app.screen, DocumentScreen)
    return app.screen.query_one(TranscriptView)


def select_text(view: TranscriptView, text: str) -> None:
    start = view.text.index(text)
    view.select_range(start, start + len(text))


# -- the picker ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("housing", "mt-mentee-accommodation"),  # a keyword; "in" (Inputs) inside the word no longer wins
        ("drinking", "mt-mentee-substance-use"),
        ("info shar", "psp-act-info-sharing"),  # word starts in the name
        ("trust", "act-informal-relationship"),  # Dee's words: the picker reads who says them (test_picker_reads)
        ("in", "in"),  # the exact id
    ],
)
def test_a_fast_c_query_enter_applies_what_the_coder_means(demo_copy: Path, typed: str, meant: str) -> None:
    async def scenario() -> None:
        app = make_app(demo_copy, coder="carol", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_named(pilot, "mentee_dee_phase1.txt")
            select_text(view, "As long as it's not going to the polis or anything.")
            await pilot.press("c", *typed, "enter")  # no pause: as fast as a coder types
            await pilot.pause()

    asyncio.run(scenario())
    with Project.open(demo_copy) as project:
        carol = project.coder_id("carol", create=False)
        found = [r[0] for r in project.db.execute("SELECT code_id FROM coding WHERE coder_id = ?", [carol])]
    assert found == [meant]


def test_enter_never_applies_a_list_ranked_for_an_earlier_query(interviews: Path, monkeypatch) -> None:
    """The filter falls behind the typing (here it never runs after the first, empty query): Enter ranks
    the text in the box before applying, so the list on screen for "" (whose first row is Outcomes) is not
    what gets applied."""
    shown: list[str] = []
    real = CodePicker.show_matches

    def slow(self, query: str) -> None:
        if not shown:
            real(self, query)  # the list for the empty query, drawn when the picker opens
        shown.append(query)

    monkeypatch.setattr(CodePicker, "show_matches", slow)

    async def scenario() -> None:
        app = make_app(interviews, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_named(pilot, "m1.txt")
            select_text(view, "I got a flat in May!")
            await pilot.press("c")
            await pilot.pause()
            assert [c["id"] for c in app.screen.shown][0] == "outcomes"
            await pilot.press(*"housing", "enter")
            await pilot.pause()

    asyncio.run(scenario())
    assert codings(interviews) == [("housing", "I got a flat in May!")]


def test_recent_codes_break_ties(interviews: Path) -> None:
    from qualcode.codebook.matching import CodeMatcher

    codes = [
        {"id": "a", "name": "Support from family", "keywords": []},
        {"id": "b", "name": "Support from friends", "keywords": []},
    ]
    assert CodeMatcher(codes).rank("support")[0][0]["id"] == "a"  # codebook order
    assert CodeMatcher(codes, recent=["b"]).rank("support")[0][0]["id"] == "b"  # used recently
    assert CodeMatcher(codes, recent=["b"]).rank("family")[0][0]["id"] == "a"  # but never over a better match


def test_a_code_the_picker_did_not_find_is_created_and_applied_in_one_undoable_step(interviews: Path) -> None:
    async def scenario() -> None:
        app = make_app(interviews, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_named(pilot, "m1.txt")
            select_text(view, "I got a flat in May!")
            await pilot.press("c", *"rent arrears")
            await pilot.pause()
            picker = app.screen
            assert [c["id"] for c in picker.shown][-1].endswith("create")  # offered, and the only row
            assert len(picker.shown) == 1
            await pilot.press("enter")  # the form opens, filled in
            await pilot.pause()
            assert app.screen.query_one("#form-name").value == "rent arrears"
            await pilot.press(*"Owing rent", "enter")  # a definition, then save
            await pilot.pause()
            with Project.open(interviews) as project:
                row = project.db.execute(
                    "SELECT id, parent, definition FROM code WHERE name = 'rent arrears'"
                ).fetchone()
            assert row is not None and row[2] == "Owing rent"
            assert codings(interviews) == [(row[0], "I got a flat in May!")]
            await pilot.press("u")  # one step: the coding and the code go together
            await pilot.pause()
            with Project.open(interviews) as project:
                assert project.db.execute("SELECT 1 FROM code WHERE name = 'rent arrears'").fetchone() is None
            assert codings(interviews) == []
            await pilot.press("U")
            await pilot.pause()
            assert codings(interviews) == [(row[0], "I got a flat in May!")]
            assert app.screen.code_name(row[0]) == "rent arrears"

    asyncio.run(scenario())


# -- coding what counts --------------------------------------------------------------------------------


def test_coding_the_interviewers_words_asks_once_and_is_marked_in_quote_banks(
    interviews: Path, invoke, tmp_path
) -> None:
    async def scenario() -> None:
        app = make_app(interviews, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_named(pilot, "m1.txt")
            select_text(view, "How did you meet your mentor?")
            await pilot.press("c", *"trust", "enter")
            await pilot.pause()
            assert "interviewer" in str(app.screen.query_one(".question").render())
            await pilot.press("n")  # no: nothing coded
            await pilot.pause()
            assert codings(interviews) == []
            await pilot.press("c", *"trust", "enter", "y")  # asked again until the answer is yes
            await pilot.pause()
            assert codings(interviews) == [("trust", "How did you meet your mentor?")]
            select_text(view, "And now?")
            await pilot.press("c", *"trust", "enter")  # not asked again in this session
            await pilot.pause()
            assert isinstance(app.screen, DocumentScreen)
            assert len(codings(interviews)) == 2

    asyncio.run(scenario())
    out = tmp_path / "quotes.csv"
    assert invoke("export", "quotes", interviews, "-o", out).exit_code == 0
    import csv

    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert {r["Includes the interviewer's words"] for r in rows} == {"yes"}
    md = tmp_path / "quotes.md"
    assert invoke("export", "quotes", interviews, "-o", md).exit_code == 0
    assert "— the interviewer" in md.read_text(encoding="utf-8")


def test_progress_on_the_start_screen_reaches_100_when_every_participant_sentence_is_coded(interviews: Path) -> None:
    async def scenario() -> str:
        app = make_app(interviews, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_named(pilot, "m1.txt")
            for index, (_start, _end, turn) in enumerate(view.segments):
                if view.turns[turn]["role"] == "participant":
                    view.go_to_segment(index)
                    app.screen.apply(["trust"])
                    await pilot.pause()
            await pilot.press("escape")
            await app.workers.wait_for_complete()
            await pilot.pause()
            table = app.screen.query_one("#documents")
            return str(table.get_row(table.coordinate_to_cell_key((0, 0)).row_key)[5])

    assert asyncio.run(scenario()).split() == ["100%", "6/6"]  # Dee's six sentences, not the header or questions


# -- remembered ----------------------------------------------------------------------------------------


def test_position_recent_codes_and_filter_come_back_on_reopening(interviews: Path) -> None:
    async def first() -> None:
        app = make_app(interviews, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("slash", *"m2", "enter")
            await pilot.pause()
            view = await open_named(pilot, "m2.txt")
            select_text(view, "It took a while.")
            await pilot.press("c", *"trust", "enter", "j")  # then on to the next sentence
            await pilot.pause()
            await pilot.press("ctrl+q")
            await pilot.pause()

    async def second() -> None:
        app = make_app(interviews, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert app.screen.query_one("#filter").value == "m2"
            await pilot.press("enter")  # the document open last is the one highlighted
            await pilot.pause()
            view = app.screen.query_one(TranscriptView)
            assert app.screen.document["name"] == "m2.txt"
            assert view.text[slice(*view.selection)] == "And now?"
            assert "1 Trust" in str(app.screen.query_one("#recent").render())
            select_text(view, "I got a café flat in May!")
            await pilot.press("1")  # the recent code, kept across sessions
            await pilot.pause()

    asyncio.run(first())
    asyncio.run(second())
    assert codings(interviews) == [("trust", "It took a while."), ("trust", "I got a café flat in May!")]


def test_the_place_survives_a_killed_workbench(interviews: Path) -> None:
    first = Workbench(interviews, "amira")
    try:
        first.do(do="open", document="m1.txt")
        state = first.do(do="code", segment=7, code="housing")
        assert state["recent"] == ["housing"]
        time.sleep(2.5)  # the place is written within a second of a coding
    finally:
        first.kill()
    with Project.open(interviews) as project:
        place = load_place(project, "amira")
    assert place.recent == ["housing"] and place.document is not None
    second = Workbench(interviews, "amira")
    try:
        state = second.do(do="open", document="m1.txt")
        assert state["cursor"] == 7 and state["recent"] == ["housing"]
    finally:
        assert second.quit() == 0


def test_the_selected_sentence_keeps_its_distance_from_the_edges(demo_copy: Path) -> None:
    async def scenario() -> list[tuple[int, int, int]]:
        app = make_app(demo_copy, coder="amira", user="tester")
        seen = []
        async with app.run_test(size=(80, 24)) as pilot:
            view = await open_named(pilot, "mentee_dee_phase1.txt")
            for _ in range(40):
                await pilot.press("j")
                await pilot.pause()
                top = view.scroll_offset.y
                seen.append((view.row_of(view.sel_start) - top, view.row_of(view.sel_end - 1) - top, view.size.height))
            for _ in range(20):
                await pilot.press("k")
                await pilot.pause()
                top = view.scroll_offset.y
                seen.append((view.row_of(view.sel_start) - top, view.row_of(view.sel_end - 1) - top, view.size.height))
        return seen

    seen = asyncio.run(scenario())
    scrolled = [s for s in seen if s[0] >= 2]  # past the first lines of the document
    assert scrolled
    for first, last, height in scrolled:
        assert last <= height - 3, (first, last, height)  # never on the bottom lines
        assert first >= 2 or last - first + 1 >= height - 4, (first, last, height)  # nor on the top ones


def test_a_new_code_is_offered_beside_the_code_nearest_what_was_typed(demo_copy: Path) -> None:
    async def scenario() -> list[dict]:
        app = make_app(demo_copy, coder="carol", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await open_named(pilot, "mentee_dee_phase1.txt")
            await pilot.press("c", *"rent arears")  # a typo, near the accommodation code's criteria
            await pilot.pause()
            return list(app.screen.shown)

    shown = asyncio.run(scenario())
    assert shown[0]["id"] == "mt-mentee-accommodation"
    assert shown[-1]["name"] == "rent arears" and shown[-1]["parent"] == "mt-mentee"  # not "Inputs", the top row
