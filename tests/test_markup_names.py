"""Names are text, never markup: a pseudonym, group, group label, code name, coder or document name that
looks like Rich/Textual markup ("[/]Dee", "[draft]", "[@click=app.quit]x[/]") is shown as written on every
screen, and never stops the workbench opening (it did: "MarkupError at tui/start.py"). Fuzzed with Hypothesis
over names built from markup pieces; the snapshots of such names are in test_snapshots.py."""

from __future__ import annotations

import ast
import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from conftest import screen_text
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qualcode.cli import cli
from qualcode.codebook.edits import update_code
from qualcode.project.store import Project
from qualcode.tui import make_app

TUI = Path(__file__).resolve().parent.parent / "qualcode" / "tui"
PIECES = ["[/]", "[b]", "[/b]", "[@click=app.quit]", "[link=file:///etc/passwd]", "[red on black]", "[[", "]",
          "\\[", "[on", "[#ff0000]", "[i", "[/i]", "@", "="]  # fmt: skip
NAME = st.lists(st.one_of(st.sampled_from(PIECES), st.text("abc []/@=#", min_size=1, max_size=4)), min_size=1,
                max_size=3).map(lambda parts: "".join(parts).strip()).filter(bool)  # fmt: skip


def copy_of(demo: Path, folder: Path) -> Path:
    copy = folder / "demo.qdb"
    copy.unlink(missing_ok=True)
    with Project.open(demo) as project:
        project.db.execute(f"VACUUM INTO '{copy}'")
    connection = sqlite3.connect(copy)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    return copy


def renamed(runner: Any, project: Path, person: str, group: str, label: str, code: str) -> None:
    """Dee, the mentor group, its label and a code's name, changed the way a user changes them."""
    for args in (["participant", "rename", project, "Dee", f"Dee {person}"],
                 ["group", "rename", project, "mentor", f"mentor {group}"],
                 ["label", project, f"mentor {group}", f"Mentors {label}"]):  # fmt: skip
        result = runner.invoke(cli, [str(a) for a in args])
        assert result.exit_code == 0, result.output
    with Project.open(project, write=True) as opened:
        update_code(opened, "act-informal-relationship", name=f"Informal {code}")


def visit(project: Path, coder: str) -> dict[str, str]:
    """Every screen a coder reaches, as text: no screen may fail on a name."""
    seen: dict[str, str] = {}

    async def scenario() -> None:
        app = make_app(project, coder=coder, user="tester")
        async with app.run_test(size=(160, 48)) as pilot:

            async def press(*keys: str) -> None:
                for key in keys:
                    await pilot.press(key)
                    await app.workers.wait_for_complete()
                    await pilot.pause()

            await press()
            seen["start"] = screen_text(app)
            await press("slash", *"dee_phase1", "enter", "enter")
            seen["document"] = screen_text(app)
            await press("slash", *"mentor", "enter")
            seen["search"] = screen_text(app)
            await press("escape", "c", *"informal")
            seen["picker"] = screen_text(app)
            await press("escape", "escape", "escape", "r")
            seen["evidence map"] = screen_text(app)
            await press("f")
            seen["frequencies"] = screen_text(app)
            await press("enter")
            seen["quotes"] = screen_text(app)
            await press("escape", "escape", "a", "enter")
            seen["agreement"] = screen_text(app)
            assert app.is_running

    asyncio.run(scenario())
    return seen


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])  # fmt: skip
@given(NAME, NAME, NAME, NAME, NAME)
@example("[/]Dee", "[/]grp", "[draft]", "[b]", "[@click=app.quit]x[/]")
def test_names_that_look_like_markup_are_shown_as_written(demo_study: Path, tmp_path_factory, person: str,
                                                         group: str, label: str, code: str, coder: str) -> None:  # fmt: skip
    from click.testing import CliRunner

    project = copy_of(demo_study, tmp_path_factory.mktemp("markup"))
    renamed(CliRunner(), project, person, group, label, code)
    seen = visit(project, f"amira {coder}")
    assert f"Dee {person}" in seen["start"]  # the participants column, as written
    assert f"amira {coder}" in seen["start"] and f"amira {coder}" in seen["document"]
    assert f"Mentors {label}" in seen["evidence map"] or f"Mentors {label}"[:8] in seen["evidence map"]


def test_every_screen_takes_its_widgets_from_the_one_place_that_shows_text() -> None:
    """Textual's DataTable, Static, Label, OptionList and Option read a string as markup; the workbench takes
    them from ``tui.shown``, which reads it as text."""
    markup_reading = {"DataTable", "Static", "Label", "OptionList", "Option"}
    for path in sorted(TUI.glob("*.py")):
        if path.name == "shown.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual.widgets"):
                taken = {alias.name for alias in node.names} & markup_reading
                assert not taken, f"{path.name} imports {sorted(taken)} from {node.module}: take them from .shown"


def test_every_dialog_closes_once() -> None:
    """A dialog dismissed twice (a held key) would answer twice and close the screen beneath: every one is a
    ``tui.modal.Dialog``, which closes once; no module makes a modal screen of its own."""
    for path in sorted(TUI.glob("*.py")):
        if path.name == "modal.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "ModalScreen" not in text.replace("a modal screen", ""), f"{path.name}: subclass .modal.Dialog"
