"""Where the workbench's features meet, pressed as a coder would on the demo study: settling one disagreement
changes the consensus in that sentence only; a memo never goes without a word and comes back with undo;
undo never leaves a key pointing at a code that is gone."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from conftest import screen_text

from qualcode.findings.build import build_findings
from qualcode.findings.framework import stored_framework
from qualcode.project.facts import content
from qualcode.project.store import Project
from qualcode.reports.counting import counted
from qualcode.reports.excerpts import Filters, excerpts
from qualcode.tui import make_app
from qualcode.tui.agreement import AgreementScreen, DisagreementScreen
from qualcode.tui.dialogs import ConfirmDialog
from qualcode.tui.document import DocumentScreen
from qualcode.tui.transcript import TranscriptView

RELATIONSHIPS = "mt-mentee-relationships"


def consensus_passages(path: Path, code: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute(
            'SELECT substr(d.text, c.start + 1, c."end" - c.start) FROM coding c JOIN coder r ON r.id = c.coder_id '
            "JOIN document d ON d.id = c.document_id WHERE r.name = 'consensus' AND c.code_id = ? ORDER BY c.start",
            [code])]  # fmt: skip


async def open_document(pilot, name: str) -> TranscriptView:
    app = pilot.app
    table = app.screen.query_one("#documents")
    names = [str(table.get_row_at(r)[0]) for r in range(table.row_count)]
    table.move_cursor(row=next(n for n, shown in enumerate(names) if name in shown))
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, DocumentScreen)
    return app.screen.query_one(TranscriptView)


async def open_at_participant(pilot, name: str) -> TranscriptView:
    """The document open, the selection on a participant's sentence past its first lines."""
    view = await open_document(pilot, name)
    view.go_to_segment(next(n for n, (_, _, turn) in enumerate(view.segments)
                            if n > 4 and view.turns[turn]["role"] == "participant"))  # fmt: skip
    await pilot.pause()
    return view


def test_settling_one_sentence_leaves_the_rest_of_the_consensus_passage(demo_copy: Path) -> None:
    before = consensus_passages(demo_copy, RELATIONSHIPS)
    assert before == ["I see them on a Saturday. Supervised, at my mum's. But I see them."]

    async def scenario() -> None:
        app = make_app(demo_copy, coder="amira", user="tester")
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.press("a", "enter")  # amira and ben
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, AgreementScreen) and screen.coders == ["amira", "ben"]
            grid = screen.query_one("#agreement-grid")
            names = [str(grid.get_cell_at((r, 0))) for r in range(grid.row_count)]
            grid.move_cursor(row=next(n for n, name in enumerate(names) if name.startswith("Improved positive pers")))
            await pilot.press("enter")
            await pilot.pause()
            steps = app.screen
            assert isinstance(steps, DisagreementScreen) and len(steps.rows) == 2
            await pilot.press("down")  # disagreement 2 of 2: "But I see them." (amira coded it, ben did not)
            await pilot.pause()
            assert "disagreement 2 of 2" in screen_text(app)
            assert steps.rows[steps.at]["text"] == "But I see them."
            await pilot.press("2")  # take ben's: the consensus does not code that sentence
            await pilot.pause()
            assert consensus_passages(demo_copy, RELATIONSHIPS) == [
                "I see them on a Saturday. Supervised, at my mum's."
            ]
            await pilot.press("1")  # the team changes its mind: the passage is whole again, as it was
            await pilot.pause()
            assert consensus_passages(demo_copy, RELATIONSHIPS) == before
            await pilot.press("u")  # and back to ben's
            await pilot.pause()
            assert consensus_passages(demo_copy, RELATIONSHIPS) == [
                "I see them on a Saturday. Supervised, at my mum's."
            ]

    asyncio.run(scenario())
    with Project.open(demo_copy) as project:  # the default pack (the consensus) still hears Dee on it
        data = build_findings(project, stored_framework(project), counted(project))
    rows = [(s, r) for q in data["questions"] for s in q["specifics"] for r in s["rows"] if r["code"] == RELATIONSHIPS]
    assert rows and all(r["cells"]["mentee"]["participants"] == 1 for _, r in rows)
    with Project.open(demo_copy) as project:  # and the consensus quote bank still quotes her
        quotes = excerpts(project, Filters(codes=[RELATIONSHIPS], coders=["consensus"]))
    assert [(q["speakers"], q["text"]) for q in quotes] == [(["Dee"], "I see them on a Saturday. Supervised, at my mum's.")]


def test_a_memo_goes_only_when_the_coder_says_so_and_comes_back_with_undo(demo_copy: Path) -> None:
    async def scenario() -> None:
        app = make_app(demo_copy, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await open_at_participant(pilot, "mentor_tom.txt")  # Tom's words
            await pilot.press("c", *"trust", "enter")  # code the sentence
            await pilot.pause()
            await pilot.press("m")  # a memo on it
            await pilot.pause()
            await pilot.press(*"Tom means his mentee, not the service.", "escape")
            await pilot.pause()
            assert "✎ Tom means" in screen_text(app)
            with Project.open(demo_copy) as project:
                before = content(project.db)
            await pilot.press("x")  # remove: the memo goes too, so the workbench asks
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog) and "memo" in screen_text(app)
            await pilot.press("n")  # kept
            await pilot.pause()
            with Project.open(demo_copy) as project:
                assert content(project.db) == before
            await pilot.press("x", "y")
            await pilot.pause()
            with Project.open(demo_copy) as project:
                assert project.db.execute("SELECT count(*) FROM memo WHERE text LIKE 'Tom means%'").fetchone()[0] == 0
            assert "✎" not in app.screen.query_one("#status").render().plain
            await pilot.press("u")  # the coding and its memo, together
            await pilot.pause()
            with Project.open(demo_copy) as project:
                assert content(project.db) == before
            assert "✎ Tom means" in app.screen.query_one("#status").render().plain

    asyncio.run(scenario())


def test_undoing_a_new_code_takes_it_off_the_recent_keys(demo_copy: Path) -> None:
    async def scenario() -> None:
        app = make_app(demo_copy, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await open_at_participant(pilot, "mentee_dee_phase1.txt")  # Dee's words
            await pilot.press("c", *"Tattoo removal", "enter", "enter")  # create it here, and apply it
            await pilot.pause()
            made = app.place.recent[0]
            assert app.screen.code_name(made) == "Tattoo removal"
            await pilot.press("u")  # the code and its coding go together
            await pilot.pause()
            assert made not in app.place.recent and all(c["id"] != made for c in app.codes)
            with Project.open(demo_copy) as project:
                before = content(project.db)
            await pilot.press("1")  # recent code 1 is now an older code, or none: never the one that is gone
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, DocumentScreen)
            with Project.open(demo_copy) as project:
                after = content(project.db)
                assert project.db.execute("SELECT 1 FROM code WHERE id = ?", [made]).fetchone() is None
            assert [c for c in after["codings"] if c.code == made] == []
            assert len(after["codings"]) - len(before["codings"]) == (1 if app.place.recent else 0)
            await pilot.press("U")  # redo brings the code back, and its coding, under the same id
            await pilot.pause()
            assert any(c["id"] == made for c in app.codes)

    asyncio.run(scenario())
