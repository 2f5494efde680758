"""Snapshots of the workbench's main screens (pytest-textual-snapshot; textual is pinned in pyproject).

Regenerate after an intended change with ``pytest tests/test_snapshots.py --snapshot-update`` and look at
the SVGs in ``tests/__snapshots__`` before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import INTERVIEW, write

from qualcode.coding import add_coding
from qualcode.store import Project
from qualcode.tui import make_app

SIZE = (110, 32)


@pytest.fixture
def study(invoke, project_path: Path, tmp_path: Path) -> Path:
    write(tmp_path / "docs" / "m1.txt", INTERVIEW)
    write(tmp_path / "docs" / "fg.txt", "Facilitator: Welcome.\nJade: Hi.\nLiam: Hiya.\nShona: Hello.\n")
    invoke("import", project_path, tmp_path / "docs", "--group", "mentee")
    with Project.open(project_path, write=True) as project:
        text = project.document("m1.txt")["text"]
        start = text.index("In prison.")
        add_coding(project, 2, "trust", project.coder_id("amira"), start, start + len("In prison. She came"))
        start = text.index("I got a flat")
        add_coding(project, 2, "housing", project.coder_id("amira"), start, start + len("I got a flat in May!"))
    return project_path


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def pressing(*keys: str):
    """Press the keys, then wait for every worker (the document's suggestions are computed in one), so that
    the screenshot does not depend on timing."""

    async def run(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


class TestStartScreen:
    def test_documents_and_progress(self, snap_compare, study: Path) -> None:
        assert snap_compare(make_app(study, coder="amira", user="snap"), terminal_size=SIZE, run_before=settle)


class TestDocumentScreen:
    def test_coded_transcript(self, snap_compare, study: Path) -> None:
        app = make_app(study, coder="amira", user="snap")
        assert snap_compare(app, terminal_size=SIZE, run_before=pressing("down", "enter", "j", "j", "shift+down"))

    def test_narrow_terminal(self, snap_compare, study: Path) -> None:
        app = make_app(study, coder="amira", user="snap")
        assert snap_compare(app, terminal_size=(80, 24), run_before=pressing("down", "enter", "j", "j"))


class TestCodePicker:
    def test_fuzzy_match_with_definition(self, snap_compare, study: Path) -> None:
        app = make_app(study, coder="amira", user="snap")
        assert snap_compare(app, terminal_size=SIZE, run_before=pressing("down", "enter", "c", *"tenancy"))


class TestHelp:
    def test_document_keys(self, snap_compare, study: Path) -> None:
        app = make_app(study, coder="amira", user="snap")
        assert snap_compare(app, terminal_size=(110, 50), run_before=pressing("down", "enter", "question_mark"))
