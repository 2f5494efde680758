"""Snapshots of every workbench screen at three terminal sizes: 80×24 (the smallest a coder over SSH has),
120×36 and 200×60 (pytest-textual-snapshot; Textual and Rich are pinned in pyproject).

The study is the reports' hand-built one (a focus group and two interviews, two coders), so the evidence
map, the agreement table and the disagreements all have something to show. Regenerate after an intended
change with ``pytest tests/test_snapshots.py --snapshot-update`` and look at the SVGs in
``tests/__snapshots__`` before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SMALL_FRAMEWORK

from qualcode.tui import make_app

SIZES = {"80x24": (80, 24), "120x36": (120, 36), "200x60": (200, 60)}

SCREENS = {
    "start": (),
    "document": ("enter", "j", "j", "shift+down"),
    "picker": ("enter", "j", "c", *"trust"),
    "picker-create": ("enter", "j", "c", *"rent arrears"),
    "code-form": ("enter", "j", "c", *"rent arrears", "enter"),
    "search": ("enter", "slash", *"trust", "enter"),
    "help": ("enter", "question_mark"),
    "evidence-map": ("r", "enter"),  # two coders, no consensus: all coders
    "frequencies": ("r", "enter", "f"),
    "quotes": ("r", "enter", "down", "right", "enter"),
    "agreement": ("a", "enter"),
    "disagreements": ("a", "enter", "enter"),
    "framework": ("r", "enter", "g"),
}


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def pressing(*keys: str):
    """Press the keys, waiting for every worker after each (the start screen's progress, the document's
    suggestions, the reports' tables), so that the screenshot does not depend on timing."""

    async def run(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, study: Path, invoke, tmp_path: Path, screen: str, size: str) -> None:
    if screen == "framework":
        (tmp_path / "framework.yaml").write_text(SMALL_FRAMEWORK, encoding="utf-8")
        assert invoke("framework", study, tmp_path / "framework.yaml").exit_code == 0
    app = make_app(study, coder="amira", user="snap")
    assert snap_compare(app, terminal_size=SIZES[size], run_before=pressing(*SCREENS[screen]))


MARKUP_SCREENS = {"start": (), "document": ("enter", "j", "j"), "evidence-map": ("r", "enter")}


@pytest.mark.parametrize("size", ["80x24", "120x36"])
@pytest.mark.parametrize("screen", list(MARKUP_SCREENS))
def test_names_with_markup(snap_compare, study: Path, invoke, screen: str, size: str) -> None:
    """Names that look like markup, shown as written (the study's Jade, mentor group and its label)."""
    for args in (("participant", "rename", study, "Jade", "[/]Jade"), ("group", "rename", study, "mentor", "[draft]"),
                 ("label", study, "[draft]", "[@click=app.quit]Mentors[/]")):  # fmt: skip
        assert invoke(*args).exit_code == 0
    app = make_app(study, coder="[b]amira", user="snap")
    assert snap_compare(app, terminal_size=SIZES[size], run_before=pressing(*MARKUP_SCREENS[screen]))
