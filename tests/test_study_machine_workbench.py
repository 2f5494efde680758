"""The study machine's shorter run through the real workbench: random sequences of the keys a coder presses —
code from the picker, uncode, memo, star, recent-code keys, create a code in the picker, delete a code, undo,
redo, move about — on a real project file, with after every key: ``qualcode check`` finds nothing, no memo is
left without its coding, what the screen shows is what the file holds, nothing the workbench offers (recent
codes, the codebook) points at a code that is gone, and ``u`` gives back exactly the study before the last
step (``U`` the study after it)."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from study_machine import prepare
from test_study_machine import build
from textual.widgets import TextArea

from qualcode.project.facts import content
from qualcode.project.upkeep import check_project
from qualcode.tui import make_app
from qualcode.tui.codebook import CodebookPanel
from qualcode.tui.document import DocumentScreen
from qualcode.tui.transcript import TranscriptView

ACTIONS = st.one_of(
    st.tuples(st.just("move"), st.sampled_from(["j", "k", "t", "T", "J", "right", "shift+right"])),
    st.tuples(st.just("code"), st.integers(0, 20)),
    st.tuples(st.just("uncode"), st.booleans()),
    st.tuples(st.just("memo"), st.sampled_from(["", "why", "a longer thought about this"])),
    st.tuples(st.just("star"), st.just(None)),
    st.tuples(st.just("quick"), st.integers(1, 3)),
    st.tuples(st.just("create"), st.sampled_from(["Wants a woman mentor", "Rent arrears"])),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("undo"), st.just(None)),
    st.tuples(st.just("redo"), st.just(None)),
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("machine-workbench")
    return prepare(folder, build)[0]


def _read(path: Path) -> dict[str, Any]:
    with sqlite3.connect(path) as conn:
        from qualcode.project.connection import wrap

        return content(wrap(conn))


async def _press(app: Any, pilot: Any, action: str, value: Any) -> None:
    screen = app.screen
    view = screen.query_one(TranscriptView)
    if action == "move":
        await pilot.press(value)
    elif action == "code" and app.codes:
        name = app.codes[value % len(app.codes)]["name"]
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*name, "enter")
    elif action == "uncode":
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y" if value else "n")
    elif action == "memo":
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one(TextArea).clear()  # what was there goes; what is typed is the memo
        if value:
            await pilot.press(*value)
        await pilot.press("escape")
    elif action == "star":
        await pilot.press("asterisk")
    elif action == "quick":
        await pilot.press(str(value))
    elif action == "create":
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*value, "enter")
        await pilot.pause()
        await pilot.press("enter")
    elif action == "delete" and len(app.codes) > 1:
        panel = screen.query_one(CodebookPanel)
        panel.select_code(app.codes[value % len(app.codes)]["id"])
        await pilot.pause()
        panel.focus()
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("y")
        view.focus()
    elif action == "undo":
        await pilot.press("u")
    elif action == "redo":
        await pilot.press("U")
    await pilot.pause()
    for _ in range(3):  # a dialog this action left open (a picker that found nothing): closed
        if isinstance(app.screen, DocumentScreen):
            break
        await pilot.press("escape")
        await pilot.pause()


def _check(app: Any, path: Path) -> None:
    assert check_project(path).problems == []
    with sqlite3.connect(path) as conn:
        orphans = conn.execute("SELECT count(*) FROM memo WHERE target_type = 'coding' AND target_id NOT IN "
                               "(SELECT CAST(id AS TEXT) FROM coding)").fetchone()[0]  # fmt: skip
        codes = {r[0] for r in conn.execute("SELECT id FROM code")}
        screen = app.screen
        shown = sorted((c["code_id"], c["start"], c["end"], c["key_quote"]) for c in
                       screen.query_one(TranscriptView).codings)  # fmt: skip
        stored = sorted(conn.execute('SELECT code_id, start, "end", key_quote FROM coding WHERE document_id = ? '
                                     "AND coder_id = ?", [screen.document_id, screen.coder_id]).fetchall())  # fmt: skip
    assert orphans == 0
    assert set(app.place.recent) <= codes, "a recent-code key points at a code that is gone"
    assert {c["id"] for c in app.codes} == codes
    assert [tuple(s) for s in shown] == [tuple(s) for s in stored], "the screen shows what the file does not hold"


@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(actions=st.lists(ACTIONS, min_size=12, max_size=18))
def test_keys_in_any_order_keep_the_study_whole(base: Path, tmp_path_factory: pytest.TempPathFactory,
                                                actions: list[tuple[str, Any]]) -> None:  # fmt: skip
    path = tmp_path_factory.mktemp("run") / "study.qdb"
    shutil.copy(base, path)

    async def scenario() -> None:
        app = make_app(path, coder="amira", user="machine")
        app.interviewer_ok = True
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")  # the first document
            await pilot.pause()
            assert isinstance(app.screen, DocumentScreen)
            undo: list[tuple[Any, Any]] = []
            redo: list[tuple[Any, Any]] = []
            for action, value in actions:
                before = _read(path)
                await _press(app, pilot, action, value)
                after = _read(path)
                if action == "undo":
                    if undo:
                        was, then = undo.pop()
                        assert after == was, "u did not give back the study as it was before the last step"
                        redo.append((was, then))
                    else:
                        assert after == before
                elif action == "redo":
                    if redo:
                        was, then = redo.pop()
                        assert after == then, "U did not give back the study as it was after the step"
                        undo.append((was, then))
                    else:
                        assert after == before
                elif after != before:  # every change the workbench makes is one step
                    undo.append((before, after))
                    redo.clear()
                _check(app, path)

    asyncio.run(scenario())
