"""Never lose work: a killed workbench loses nothing, and two workbenches on one project coexist."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import INTERVIEW, write

from qualcode.coding.codings import add_coding
from qualcode.project.store import Project
from qualcode.tui import make_app
from qualcode.tui.transcript import TranscriptView


@pytest.fixture
def study(invoke, project_path: Path, tmp_path: Path) -> Path:
    write(tmp_path / "docs" / "m1.txt", INTERVIEW)
    invoke("import", project_path, tmp_path / "docs", "--group", "mentee")
    return project_path


def run_and_kill(script: str) -> None:
    """Run a workbench script until it prints CODED, then SIGKILL it: no clean-up at all."""
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "CODED"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()


def test_killed_while_coding_loses_nothing(study: Path) -> None:
    """A workbench process is killed with SIGKILL (no clean-up at all) straight after coding by keys."""
    script = textwrap.dedent(f"""
        import asyncio, sys, time
        from qualcode.tui import make_app

        async def main():
            app = make_app({str(study)!r}, coder="amira", user="killed")
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.press("enter")
                await pilot.pause()
                await pilot.press("j", "j", "c", *"trust", "enter", "m", *"half-written memo", "escape")
                await pilot.pause()
                await pilot.press("j", "shift+down", "c", *"housing", "enter")
                await pilot.pause()
                print("CODED", flush=True)
                time.sleep(60)  # still running, mid-session, when it is killed

        asyncio.run(main())
    """)
    run_and_kill(script)
    with sqlite3.connect(study) as conn:  # reopen from disk, as the next session would
        codings = conn.execute("""SELECT code_id, substr(d.text, c.start + 1, c."end" - c.start) FROM coding c
            JOIN document d ON d.id = c.document_id ORDER BY c.id""").fetchall()
        memos = conn.execute("SELECT target_type, text FROM memo").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert codings == [("trust", "In prison."), ("housing", "She came before I got out. I didn't trust her at first.")]
    assert memos == [("coding", "half-written memo")]


def test_killed_after_reading_reports_loses_nothing(study: Path) -> None:
    """Reading the quotes behind a report cell, then coding, then SIGKILL: the coding is on disk (a read
    once left a transaction open that swallowed every later write)."""
    with Project.open(study, write=True) as project:
        document = project.db.execute("SELECT id, text FROM document").fetchone()
        start = document[1].index("In prison.")
        add_coding(project, document[0], "trust", project.coder_id("ben"), start, start + len("In prison."))
    script = textwrap.dedent(f"""
        import asyncio, time
        from qualcode.tui import make_app

        async def main():
            app = make_app({str(study)!r}, coder="amira", user="killed")
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.press("r")
                await app.workers.wait_for_complete()
                await pilot.pause()
                await pilot.press("f")
                await app.workers.wait_for_complete()
                await pilot.pause()
                await pilot.press("enter")  # the quotes behind the first cell
                await pilot.pause()
                await pilot.press("escape", "escape", "enter")
                await pilot.pause()
                await pilot.press("j", "j", "c", *"housing", "enter")
                await pilot.pause()
                print("CODED", flush=True)
                time.sleep(60)

        asyncio.run(main())
    """)
    run_and_kill(script)
    with sqlite3.connect(study) as conn:
        codings = conn.execute(
            "SELECT r.name, c.code_id FROM coding c JOIN coder r ON r.id = c.coder_id ORDER BY c.id"
        ).fetchall()
    assert codings == [("ben", "trust"), ("amira", "housing")]


def test_a_second_workbench_sees_the_first_ones_work(study: Path) -> None:
    async def scenario() -> None:
        app = make_app(study, coder="amira", user="a")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            view = pilot.app.screen.query_one(TranscriptView)
            await pilot.press("o")  # nobody else yet
            await pilot.pause()
            with Project.open(study, write=True) as other:  # another coder's workbench writes meanwhile
                start = other.document("m1.txt")["text"].index("It took a while.")
                add_coding(other, 1, "trust", other.coder_id("ben"), start, start + 16)
            await pilot.press("o", "enter")  # now ben's codings can be shown
            await pilot.pause()
            assert [c["code_id"] for c in view.others] == ["trust"]
            with Project.open(study, write=True) as other:
                add_coding(other, 1, "housing", other.coder_id("ben"), 0, 9)
            pilot.app.screen.watch_for_others()  # what the two-second timer does
            await pilot.pause()
            assert sorted(c["code_id"] for c in view.others) == ["housing", "trust"]
            await pilot.press("j", "j", "c", *"trust", "enter")  # and amira's own coding still lands
            await pilot.pause()

    asyncio.run(scenario())
    with sqlite3.connect(study) as conn:
        assert conn.execute("SELECT count(*) FROM coding").fetchone() == (3,)
