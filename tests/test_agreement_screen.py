"""The Agreement screen, driven by keys: the per-code table, and settling disagreements into a consensus."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from qualcode.tui import make_app
from qualcode.tui.agreement import AgreementScreen, DisagreementScreen


def test_agreement_table_and_reconciliation(study: Path, tmp_path: Path) -> None:
    async def scenario() -> None:
        app = make_app(study, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("a", "enter")  # the prompt offers every coder but the consensus: amira,ben
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = pilot.app.screen
            assert isinstance(screen, AgreementScreen) and screen.coders == ["amira", "ben"]
            grid = screen.query_one("#agreement-grid")
            rows = [[str(grid.get_cell_at((r, c))) for c in range(7)] for r in range(grid.row_count)]
            assert rows[0][0] == "All codes, pooled" and rows[0][5] == "21"  # first, and in sight as rows scroll
            assert rows[1] == [
                "Housing",
                "-0.18",
                "-0.24",
                "0.34 ±0.87",
                "57.1",
                "7",
                "2/1",
            ]  # worst first; alpha 1 - (6/14)/(66/182), Scott -18/66; AC1: of 11 units with a value, 7 with
            # both, 4 agreeing: p_a 4/7; applied share (2 x 1/2 + 1/2 + 1)/11 = 2.5/11, p_e 2 x 2.5/11 x 8.5/11,
            # AC1 (4/7 - p_e)/(1 - p_e) = 0.3394; t(0.975, 10) x se = 0.87; applied by amira/ben
            assert rows[-1][0] == "Outcomes" and rows[-1][1] == "—"  # undefined: nothing varies in fg.txt
            assert grid.fixed_rows == 1
            await pilot.press("x", "ctrl+a", "ctrl+k", *str(tmp_path / "agree.csv"), "enter")
            await pilot.pause()
            await pilot.press("u")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.unit == "turn"
            grid.move_cursor(row=[str(grid.get_cell_at((r, 0))) for r in range(grid.row_count)].index("Housing"))
            await pilot.press("enter")
            await pilot.pause()
            steps = pilot.app.screen
            assert isinstance(steps, DisagreementScreen) and len(steps.rows) == 3
            await pilot.press("1")  # Jade's sentence: take amira's coding
            await pilot.press("2")  # Mel's sentence: take ben's
            await pilot.press("m", *"The interviewer asked it", "escape", "0")  # memo, then neither
            await pilot.pause()
            assert "3 decided" in str(steps.query_one("#disagreement-title").render())
            await pilot.press("escape")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert pilot.app.screen is screen
            assert not app.project.db.conn.in_transaction

    asyncio.run(scenario())
    with sqlite3.connect(study) as conn:
        consensus = conn.execute(
            'SELECT c.code_id, c.start, c."end" FROM coding c JOIN coder r ON r.id = c.coder_id '
            "WHERE r.name = 'consensus' ORDER BY c.start"
        ).fetchall()
        decisions = conn.execute("SELECT choice, memo FROM decision ORDER BY start").fetchall()
    assert consensus == [("housing", 41, 68), ("housing", 160, 192)]
    lines = (tmp_path / "agree.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("code,name,krippendorff_alpha") and lines[-1].startswith("pooled,")
    assert decisions == [("first", ""), ("second", ""), ("neither", "The interviewer asked it")]


def test_the_agreement_prompt_leaves_out_a_practice_round(demo_copy: Path) -> None:
    """A coder who coded one sentence of one document (as the findings pack's methods say: too little
    overlap to compare) is not offered with the coders who double-coded."""
    from qualcode.coding.codings import add_coding
    from qualcode.project.store import Project
    from qualcode.tui.dialogs import TextPrompt

    with Project.open(demo_copy, write=True) as project:
        document = project.db.execute("SELECT document_id FROM coding LIMIT 1").fetchone()[0]
        add_coding(project, document, "in-staff", project.coder_id("sam"), 0, 5)

    async def scenario() -> str:
        app = make_app(demo_copy, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("a")
            await pilot.pause()
            assert isinstance(pilot.app.screen, TextPrompt)
            return pilot.app.screen.value

    assert asyncio.run(scenario()) == "amira,ben"
