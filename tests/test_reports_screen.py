"""The Reports screen, driven by keys: the grid, filters, the quotes behind a cell and exports from there."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import docx
import pytest

from qualcode.errors import QualcodeError
from qualcode.project.store import Project
from qualcode.reports.excerpts import Filters, excerpts
from qualcode.reports.exports import write_quotes
from qualcode.tui import make_app
from qualcode.tui.dialogs import CoderDialog
from qualcode.tui.reports import _EVERYONE, QuotesDialog, ReportsScreen


async def _choose(pilot, option: str) -> None:
    """Pick ``option`` in the chooser on show."""
    dialog = pilot.app.screen
    assert isinstance(dialog, CoderDialog)
    options = dialog.query_one("#coders")
    options.highlighted = [options.get_option_at_index(i).id for i in range(options.option_count)].index(option)
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_reports_screen(study: Path, tmp_path: Path) -> None:
    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("r")
            await pilot.pause()
            assert "2 coders: count whose codings?" in str(pilot.app.screen.query_one(".dialog-title").render())
            await _choose(pilot, _EVERYONE)  # two coders and no consensus: the screen asks first
            screen = pilot.app.screen
            assert isinstance(screen, ReportsScreen)
            assert "Coded by: amira and ben (a passage both coded with one code counts once)" in str(screen.query_one("#reports-title").render())
            grid = screen.query_one("#report-grid")
            assert grid.row_count == 3 and str(grid.get_cell_at((1, 1))) == "2/3"  # trust x mentee
            grid.move_cursor(row=1, column=2)  # trust x mentor: Bernie's share of the shared passage
            await pilot.press("enter")
            await pilot.pause()
            dialog = pilot.app.screen
            assert isinstance(dialog, QuotesDialog) and [r["speakers"] for r in dialog.rows] == [["Liam", "Bernie"]]
            await pilot.press("escape", "f")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert grid.row_count == 6
            await pilot.press("x", "ctrl+a", "ctrl+k", *str(tmp_path / "f.json"), "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()

    asyncio.run(scenario())
    assert len(json.loads((tmp_path / "f.json").read_text())) == 6


def test_filters_and_quote_bank_from_a_cell(study: Path, tmp_path: Path) -> None:
    target = tmp_path / "bank.docx"

    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("r")
            await pilot.pause()
            await _choose(pilot, "ben")  # two coders and no consensus: the screen asks first
            screen = pilot.app.screen
            assert isinstance(screen, ReportsScreen)
            grid = screen.query_one("#report-grid")  # ben coded one passage: Mel's (a mentor), under housing
            cells = {
                str(grid.get_cell_at((r, 0))).strip("· "): [str(grid.get_cell_at((r, c))) for c in (1, 2)]
                for r in range(grid.row_count)
            }
            assert cells == {"Outcomes": ["0/3", "1/2"], "Housing": ["0/3", "1/2"], "Trust": ["0/3", "0/2"]}
            assert "ben" in str(screen.query_one("#reports-title").render())
            await pilot.press("c")
            await _choose(pilot, _EVERYONE)
            await pilot.press("b")
            await _choose(pilot, "site")  # frequencies by the participants' site
            assert screen.view == "frequencies"
            rows = [[str(grid.get_cell_at((r, c))) for c in range(7)] for r in range(grid.row_count)]
            assert ["Outcomes", "North", "4", "3", "3", "100%", "3"] in rows
            assert ["Outcomes", "South", "2", "2", "2", "100%", "1"] in rows
            row = rows.index(["Trust", "South", "1", "1", "2", "50%", "1"])  # Liam's part of the shared passage
            grid.move_cursor(row=row, column=0)
            await pilot.press("enter")
            await pilot.pause()
            quotes = pilot.app.screen
            assert isinstance(quotes, QuotesDialog) and [r["speakers"] for r in quotes.rows] == [["Liam", "Bernie"]]
            await pilot.press("escape")
            grid.move_cursor(row=rows.index(["Outcomes", "North", "4", "3", "3", "100%", "3"]), column=2)
            await pilot.press("w", "ctrl+a", "ctrl+k", *str(target), "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(pilot.app.screen, ReportsScreen)  # the bar has gone

    asyncio.run(scenario())
    paragraphs = [p.text for p in docx.Document(str(target)).paragraphs]
    quotes = [p.text for p in docx.Document(str(target)).paragraphs if p.style.name == "Quote"]
    assert sorted(quotes) == sorted(
        [  # outcomes and its sub-codes, North participants only (Jade, Bernie, Dee)
            "I got my own flat in March.",
            "It took ages. Bernie: As a mentor I trust",
            "I got a tenancy and I kept it.",
            "I got a tenancy and I kept it.",
            "I trust my mentor completely.",
        ]
    )
    assert "— Jade, mentee, North (fg.txt, line 2)" in paragraphs
    assert paragraphs[1].startswith("study.qdb · ")  # the project and the date, then whose codings
    assert paragraphs[1].endswith("Coded by: amira and ben (a passage both coded with one code counts once).")


def test_a_cancelled_quote_bank_leaves_nothing(study: Path, tmp_path: Path) -> None:
    with Project.open(study, write=True) as project:
        rows = excerpts(project, Filters())
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        raise QualcodeError("cancelled")

    out = tmp_path / "out"
    out.mkdir()
    for name in ("bank.docx", "bank.xlsx", "bank.csv", "bank.md"):
        with pytest.raises(QualcodeError, match="cancelled"):
            write_quotes(out / name, rows, {}, {}, progress)
    assert len(seen) == 4 and all(total == len(rows) for _, total in seen)
    assert list(out.iterdir()) == []  # neither the file nor its partial


def test_shortlisting_key_quotes_from_the_quotes(study: Path) -> None:
    """* in the quotes behind a cell stars the highlighted one; k then shows key quotes only."""

    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("r")
            await pilot.pause()
            await _choose(pilot, _EVERYONE)
            screen = pilot.app.screen
            grid = screen.query_one("#report-grid")
            grid.move_cursor(row=0, column=1)  # outcomes x mentee
            await pilot.press("enter")
            await pilot.pause()
            quotes = pilot.app.screen
            assert isinstance(quotes, QuotesDialog) and len(quotes.rows) == 5  # Dee's passage: housing and outcomes
            await pilot.press("down", "asterisk")
            await pilot.pause()
            starred = quotes.rows[1]
            assert starred["key_quote"] is True and "★" in str(
                quotes.query_one("#quotes").get_option_at_index(1).prompt
            )
            await pilot.press("escape", "k")
            await app.workers.wait_for_complete()
            await pilot.pause()
            grid.move_cursor(row=0, column=1)
            await pilot.press("enter")
            await pilot.pause()
            assert [r["id"] for r in pilot.app.screen.rows] == [starred["id"]]
            assert not app.project.db.conn.in_transaction  # nothing left open to swallow later writes

    asyncio.run(scenario())
    with Project.open(study, write=True) as project:
        assert project.db.execute("SELECT count(*) FROM coding WHERE key_quote = 1").fetchone()[0] == 1
