"""The workbench driven by keys only (Textual Pilot), checked against the project file on disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import screen_text

from qualcode.coding.codings import code_counts
from qualcode.project.store import Project
from qualcode.tui import make_app
from qualcode.tui.dialogs import KeyGuide
from qualcode.tui.document import DocumentScreen
from qualcode.tui.transcript import TranscriptView


@pytest.fixture
def study(interviews: Path) -> Path:
    return interviews


def codings(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("""SELECT k.name, c.code_id, substr(d.text, c.start + 1, c."end" - c.start), c.start, c."end", d.name
            FROM coding c JOIN coder k ON k.id = c.coder_id JOIN document d ON d.id = c.document_id ORDER BY c.id""").fetchall()


def segment(path: Path, document: str, seq: int) -> tuple[int, int, str]:
    with sqlite3.connect(path) as conn:
        start, end, text = conn.execute(
            """SELECT s.start, s."end", d.text FROM segment s JOIN document d
            ON d.id = s.document_id WHERE d.name = ? AND s.seq = ?""",
            [document, seq],
        ).fetchone()
    return start, end, text[start:end]


async def open_first(pilot) -> TranscriptView:
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, DocumentScreen)
    return pilot.app.screen.query_one(TranscriptView)


def run(coroutine):
    import asyncio

    return asyncio.run(coroutine)


def test_code_a_sentence_by_keys(study: Path) -> None:
    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await open_first(pilot)
            await pilot.press("j", "j", "c", *"trust", "enter")
            await pilot.pause()

    run(scenario())
    start, end, text = segment(study, "m1.txt", 2)
    assert codings(study) == [("amira", "trust", text, start, end, "m1.txt")]
    assert text == "In prison."


def test_extend_narrow_multicode_remove_undo(study: Path) -> None:
    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_first(pilot)
            await pilot.press("j", "j", "shift+down", "shift+down")  # three sentences of Dee's turn
            assert (
                view.text[slice(*view.selection)]
                == "In prison. She came before I got out. I didn't trust her at first."
            )
            await pilot.press("shift+right", "left", "left")  # drop "In" at the start, "at first." at the end
            assert view.text[slice(*view.selection)] == "prison. She came before I got out. I didn't trust her"
            await pilot.press("c", *"housing", "ctrl+t", *["backspace"] * 7, *"trust", "ctrl+t", "enter")
            await pilot.pause()
            assert sorted(c[1] for c in codings(study)) == ["housing", "trust"]
            await pilot.press("x")  # two codes here: a picker asks which
            await pilot.pause()
            await pilot.press(*"hous", "enter")
            await pilot.pause()
            assert [c[1] for c in codings(study)] == ["trust"]
            await pilot.press("u")
            await pilot.pause()
            assert sorted(c[1] for c in codings(study)) == ["housing", "trust"]
            await pilot.press("U")
            await pilot.pause()
            assert [c[1] for c in codings(study)] == ["trust"]
            await pilot.press("1")  # the most recent code again, on the same passage: no duplicate
            await pilot.pause()
            screen = pilot.app.screen  # counts kept up to date incrementally must equal a full recount
            assert screen.counts == code_counts(screen.project, screen.document_id, [screen.coder_id])
            await pilot.press("u", "u", "U")
            await pilot.pause()
            assert screen.counts == code_counts(screen.project, screen.document_id, [screen.coder_id])

    run(scenario())  # undo, undo, redo: the removal and the first step undone, the first step redone
    assert sorted((row[1], row[2]) for row in codings(study)) == [
        ("housing", "prison. She came before I got out. I didn't trust her"),
        ("trust", "prison. She came before I got out. I didn't trust her"),
    ]


def test_blind_by_default_and_others_on_request(study: Path) -> None:
    with Project.open(study, write=True) as project:
        start, end, _ = segment(study, "m1.txt", 1)
        from qualcode.coding.codings import add_coding

        add_coding(project, 1, "outcomes", project.coder_id("ben"), start, end)

    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_first(pilot)
            assert view.codings == [] and view.others == []
            await pilot.press("o")
            await pilot.pause()
            await pilot.press("enter")  # the only other coder, ben
            await pilot.pause()
            assert [c["code_id"] for c in view.others] == ["outcomes"]
            await pilot.press("o")
            assert view.others == []

    run(scenario())


def test_memo_search_and_navigation(study: Path) -> None:
    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_first(pilot)
            await pilot.press("m", *"Recorded at the hub", "escape")
            await pilot.pause()
            assert "✎ Recorded at the hub" in str(pilot.app.screen.query_one("#doc-title").render())
            await pilot.press("j", "j", "c", *"trust", "enter", "m", *"Key quote on trust", "escape")
            await pilot.pause()
            assert "✎ Key quote on trust" in str(pilot.app.screen.query_one("#status").render())
            await pilot.press("P", *"Dee was nervous", "escape")
            await pilot.pause()
            assert view.noted == {"Dee"}
            await pilot.press("slash", *"cafe fla", "enter")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            screen = pilot.app.screen
            assert screen.document["name"] == "m2.txt"
            assert view.text[slice(*view.selection)] == "I got a café flat in May!"
            await pilot.press("c", *"housing", "enter", "g")
            await pilot.pause()
            assert view.cursor == 2  # the first of the participant's sentences not coded (not the header or question)
            await pilot.press("b")
            panel = screen.query_one("#codebook")
            panel.select_code("housing")
            await pilot.press("b", "n")  # from the top of the document, the next passage coded housing
            await pilot.pause()
            assert view.text[slice(*view.selection)] == "I got a café flat in May!"

    run(scenario())
    with sqlite3.connect(study) as conn:
        assert conn.execute("SELECT target_type, text FROM memo ORDER BY id").fetchall() == [
            ("document", "Recorded at the hub"),
            ("coding", "Key quote on trust"),
            ("participant", "Dee was nervous"),
        ]


def test_codebook_grows_and_merges_during_coding(study: Path) -> None:
    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await open_first(pilot)
            await pilot.press("j", "j", "c", *"trust", "enter")
            await pilot.pause()
            await pilot.press("b")
            pilot.app.screen.query_one("#codebook").select_code("trust")
            await pilot.press("a", *"Distrust of workers", "enter")  # a sub-code of trust, now highlighted
            await pilot.pause()
            await pilot.press("enter")  # Enter in the codebook applies the highlighted code to the selection
            await pilot.pause()
            assert sorted(c[1] for c in codings(study)) == ["trust", "trust-distrust-of-workers"]
            await pilot.press("M", *"trust", "enter", "y")  # merge the sub-code into trust: same passage, one coding
            await pilot.pause()

    run(scenario())
    with sqlite3.connect(study) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM code ORDER BY id")]
    assert "trust-distrust-of-workers" not in ids
    assert [c[1] for c in codings(study)] == ["trust"]


def test_coder_is_asked_for_and_remembered(study: Path) -> None:
    async def first() -> None:
        app = make_app(study, user="tester")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press(*"zoe", "enter")
            await pilot.pause()
            assert pilot.app.coder == "zoe"
            assert isinstance(pilot.app.screen, KeyGuide)  # a new coder sees the keys they need, once
            assert "c                  code it" in screen_text(pilot.app)
            from textual import events

            guide = pilot.app.screen
            for _ in range(3):  # any key starts; keys that come quicker than the guide closes (a held arrow
                guide.post_message(events.Key("down", None))  # key) close it once, and close nothing else
            await pilot.pause()
            assert not isinstance(pilot.app.screen, KeyGuide)
            assert pilot.app.screen is not guide and len(pilot.app.screen_stack) == 2  # the documents, still
            pilot.app.remember()

    async def second() -> None:
        app = make_app(study, user="tester")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert pilot.app.coder == "zoe"
            pilot.app.action_switch_coder()  # choosing the same name again: no guide the second time
            await pilot.pause()
            await pilot.press("ctrl+a", "ctrl+k", *"zoe", "enter")
            await pilot.pause()
            assert not isinstance(pilot.app.screen, KeyGuide)

    run(first())
    run(second())


def test_mouse_click_and_drag_select(study: Path) -> None:
    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_first(pilot)

            def at(offset: int) -> tuple[int, int]:
                row = view.row_of(offset)
                line = view._lines[row]
                return 4 + (offset - line.start), row - view.scroll_offset.y

            start = view.text.index("She came")
            await pilot.click(TranscriptView, offset=at(start + 2))
            assert view.text[slice(*view.selection)] == "She came before I got out."
            end = view.text.index("trust her") + len("trust")
            await pilot.mouse_down(TranscriptView, offset=at(start))
            await pilot.hover(TranscriptView, offset=at(end))
            await pilot.mouse_up(TranscriptView, offset=at(end))
            await pilot.pause()
            assert view.text[slice(*view.selection)] == "She came before I got out. I didn't trust"
            await pilot.press("c", *"trust", "enter")
            await pilot.pause()

    run(scenario())
    assert [c[2] for c in codings(study)] == ["She came before I got out. I didn't trust"]


def test_filter_documents(study: Path) -> None:
    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            table = pilot.app.screen.query_one("#documents")
            await pilot.press("slash", *"participant:jo", "enter")
            assert table.row_count == 1
            await pilot.press("slash", "ctrl+a", "ctrl+k", *"group:mentor", "enter")
            await pilot.pause()
            assert table.row_count == 0
            assert "No document matches" in str(pilot.app.screen.query_one("#no-match").render())

    run(scenario())


def test_star_a_key_quote(study: Path) -> None:
    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await open_first(pilot)
            await pilot.press("j", "j", "c", *"trust", "enter", "asterisk")
            await pilot.pause()
            assert "★ Trust" in str(pilot.app.screen.query_one("#status").render())

    run(scenario())
    with sqlite3.connect(study) as conn:
        assert conn.execute("SELECT code_id, key_quote FROM coding").fetchall() == [("trust", 1)]


def test_arrow_keys_move_the_selection(study: Path) -> None:
    """The transcript is a scroll view, but the arrows belong to coding: sentence, extend, narrow."""

    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_first(pilot)
            await pilot.press("down", "down", "down", "up")
            assert view.cursor == 2 and view.text[slice(*view.selection)] == "In prison."
            await pilot.press("shift+down", "right")
            assert view.text[slice(*view.selection)] == "In prison. She came before I got out. I"
            await pilot.press("b", "down", "down")
            assert pilot.app.screen.query_one("#codebook").highlighted_code == "trust"

    run(scenario())


def test_back_and_forth_between_documents(study: Path) -> None:
    """Leaving a document returns to the list (the screen is removed cleanly), as often as a coder likes."""
    from qualcode.tui.reports import ReportsScreen
    from qualcode.tui.start import StartScreen

    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(2):
                await open_first(pilot)
                await pilot.press("q")
                await pilot.pause()
                assert isinstance(pilot.app.screen, StartScreen)
                await pilot.press("down")
            await open_first(pilot)
            await pilot.press("R")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(pilot.app.screen, ReportsScreen)
            await pilot.press("escape", "escape")
            await pilot.pause()
            assert isinstance(pilot.app.screen, StartScreen)

    run(scenario())


def test_suggestions_beside_the_sentence(study: Path) -> None:
    """One coder: suggestions are on. "I got a flat in May!" suggests Housing (keyword "flat"); a accepts it
    as a coding with origin "suggestion"; d dismisses; s hides them."""

    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(140, 40)) as pilot:
            view = await open_first(pilot)
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = pilot.app.screen
            flat = next(i for i, s in enumerate(view.segments) if "flat" in view.text[s[0] : s[1]])
            view.go_to_segment(flat)
            await pilot.pause()
            assert [s.code for s in screen.current_suggestions()][:1] == ["housing"]
            assert "Housing" in str(screen.query_one("#suggestions").render())
            await pilot.press("a")
            await pilot.pause()
            assert screen.current_suggestions() == [] or screen.current_suggestions()[0].code != "housing"
            trust = next(i for i, s in enumerate(view.segments) if "trust" in view.text[s[0] : s[1]])
            view.go_to_segment(trust)
            await pilot.pause()
            offered = [s.code for s in screen.current_suggestions()]
            assert offered[0] == "trust"  # the code's name is in the sentence
            await pilot.press("d")
            await pilot.pause()
            assert "trust" not in [s.code for s in screen.current_suggestions()]
            await pilot.press("s")
            await pilot.pause()
            assert screen.current_suggestions() == [] and "hidden" in str(screen.query_one("#suggestions").render())
            assert not app.project.db.conn.in_transaction

    run(scenario())
    rows = codings(study)
    assert [(r[0], r[1], r[2]) for r in rows] == [("amira", "housing", "I got a flat in May!")]
    with sqlite3.connect(study) as conn:
        assert conn.execute("SELECT origin FROM coding").fetchone()[0] == "suggestion"
        assert conn.execute("SELECT code_id FROM dismissal").fetchall() == [("trust",)]


def test_suggestions_start_hidden_in_an_agreement_study(study: Path, invoke) -> None:
    assert (
        invoke("code", study, "--coder", "ben", "--document", "m1.txt", "--code", "trust", "--segment", "1").exit_code
        == 0
    )

    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(140, 40)) as pilot:
            await open_first(pilot)
            await pilot.pause()
            assert pilot.app.screen.suggestions_on is False

    run(scenario())


def test_code_by_search_with_preview(study: Path) -> None:
    """A: search the study, see every hit in context, untick one, pick the code, apply."""
    from qualcode.tui.autocode import AutocodeDialog

    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(140, 40)) as pilot:
            await open_first(pilot)
            await pilot.press("A", *"flat | segment", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            dialog = pilot.app.screen
            assert isinstance(dialog, AutocodeDialog)
            assert [(h.document, h.matched) for h in dialog.hits] == [("m1.txt", "flat"), ("m2.txt", "flat")]
            await pilot.press("down", "space", "enter")  # untick m2's
            await pilot.pause()
            await pilot.press(*"housing", "enter")
            await pilot.pause()
            assert isinstance(pilot.app.screen, DocumentScreen)
            assert len(codings(study)) == 1
            await pilot.press("u")  # the batch is one undoable step
            await pilot.pause()
            assert codings(study) == []
            await pilot.press("U")
            await pilot.pause()

    run(scenario())
    assert [(r[0], r[1], r[2], r[5]) for r in codings(study)] == [
        ("amira", "housing", "I got a flat in May!", "m1.txt")
    ]
    with sqlite3.connect(study) as conn:
        assert conn.execute("SELECT origin FROM coding").fetchone()[0] == "auto"


def test_suggestions_for_the_whole_study(study: Path) -> None:
    """S on the document list: every transcript's suggestions in the background; documents then open with
    them ready (no second computation)."""

    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            await pilot.press("S")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert set(app.suggestion_cache) == {"m1.txt", "m2.txt"}
            cached, suggester = app.suggestion_cache["m1.txt"], app.suggester
            await open_first(pilot)
            screen = pilot.app.screen
            assert screen.suggested is cached  # taken from the study-wide run
            assert suggester is not None and app.suggester is suggester  # the codebook compiled once
            assert any(s.code == "housing" for found in cached.values() for s in found)

    run(scenario())


def test_suggestions_follow_codebook_edits(study: Path) -> None:
    """A keyword added to a code during coding is suggested at once (the cached suggestions are redone)."""
    from qualcode.codebook.edits import update_code_change

    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(140, 40)) as pilot:
            view = await open_first(pilot)
            await app.workers.wait_for_complete()
            screen = pilot.app.screen
            ring = next(i for i, s in enumerate(view.segments) if "ring" in view.text[s[0] : s[1]])
            view.go_to_segment(ring)
            await pilot.pause()
            assert "trust" not in [s.code for s in screen.current_suggestions()]
            screen._codebook_edit("keywords", lambda: update_code_change(screen.project, "trust", keywords=["ring"]))
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "trust" in [s.code for s in screen.current_suggestions()]

    run(scenario())


def test_a_speakers_group_reads_as_a_reader_says_it(demo_copy: Path) -> None:
    async def scenario() -> str:
        app = make_app(demo_copy, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")  # lead_org_manager.md, the first document
            await pilot.pause()
            return screen_text(pilot.app)

    shown = run(scenario())
    assert "Claire · lead organisation staff" in shown and "lead_organisation" not in shown
