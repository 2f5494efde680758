"""The screens at the sizes coders have, 80×24 over SSH and 120×36: what each must keep in sight, read off the
screen as the coder sees it, on the demo study (long code names, five groups, a focus group).
The snapshots in test_snapshots.py hold the whole picture; these say what matters in it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from conftest import screen_text

from qualcode.tui import make_app
from qualcode.tui.picker import CodePicker

DOCUMENTS = ["lead_org_manager.md", "mentee_focus_group.txt", "partner_social_work.docx", "national_stakeholder.txt"]


async def settled(app: Any, pilot: Any) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def shown(demo: Path, size: tuple[int, int], *keys: str, then: Any = None) -> str:
    """The screen after pressing ``keys`` (and running ``then(app)``, with notices shown), as text."""

    async def scenario() -> str:
        app = make_app(demo, coder="amira", user="tester")
        async with app.run_test(size=size, notifications=then is not None) as pilot:
            await settled(app, pilot)
            for key in keys:
                await pilot.press(key)
                await settled(app, pilot)
            if then is not None:
                then(app)
                await settled(app, pilot)
                await pilot.pause(0.2)
            return screen_text(app)

    return asyncio.run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_the_document_list_names_every_document_whole_and_counts_people(demo_copy: Path, size) -> None:
    text = shown(demo_copy, size)
    for name in DOCUMENTS:
        assert name in text, name
    lines = text.splitlines()
    people = next(line for line in lines if "participants:" in line)
    assert people.strip().startswith("20 participants: 9 mentees, 7 mentors"), people
    assert len(people.rstrip()) <= size[0] and not people.rstrip().endswith(","), people
    if size[0] >= 120:
        assert "1 lead organisation staff member" in people and "Kind" in text
    else:
        assert "more groups" in people  # what does not fit is counted, not cut


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_the_agreement_screen_shows_the_pooled_row_and_its_keys(demo_copy: Path, size) -> None:
    text = shown(demo_copy, size, "a", "enter")
    lines = text.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.split()[:2] == ["Code", "alpha"])
    assert "All codes, pooled" in lines[heading + 1], lines[: heading + 2]  # first, under the heading
    assert "Settle" in lines[-1] and "Back" in lines[-1]  # the key bar is on screen
    if size[0] >= 120:  # room for code names: whole, from the first paint
        assert "Ability to source and sustain suitable accommodation" in text
    else:
        assert "Ability…accommodation" in text


def test_the_agreement_screen_widens_the_names_when_the_terminal_grows(demo_copy: Path) -> None:
    async def scenario() -> tuple[str, str]:
        app = make_app(demo_copy, coder="amira", user="tester")
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(app, pilot)
            for key in ("a", "enter"):
                await pilot.press(key)
                await settled(app, pilot)
            narrow = screen_text(app)
            await pilot.resize_terminal(120, 36)
            await settled(app, pilot)
            return narrow, screen_text(app)

    narrow, wide = asyncio.run(scenario())
    assert "Ability to source and sustain suitable accommodation" not in narrow
    assert "Ability to source and sustain suitable accommodation" in wide


def test_evidence_map_headings_are_whole_when_there_is_room(demo_copy: Path) -> None:
    text = shown(demo_copy, (120, 36), "r", "enter")
    for words in ("Lead organisation", "staff (1)", "stakeholders (1)", "organisations (2)", "Mentees", "(9)"):
        assert words in text, words
    assert "…" not in "\n".join(text.splitlines()[2:4])  # the heading rows


def test_search_hits_say_who_in_words_with_a_line_of_context(demo_copy: Path) -> None:
    text = shown(demo_copy, (80, 24), "enter", "slash", *"housing", "enter")
    assert "Claire (lead organisation staff)" in text and "lead_organisation" not in text
    context = [line for line in text.splitlines() if "housing" in line and "…" in line]
    assert context and max(len(line.strip(" │▊▎▁▔")) for line in context) >= 50, context


def test_the_picker_keeps_the_passage_being_coded_in_sight(demo_copy: Path) -> None:
    async def scenario() -> tuple[str, str]:
        app = make_app(demo_copy, coder="amira", user="tester")
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(app, pilot)
            for key in ("enter", "j", "j", "j", "c"):
                await pilot.press(key)
                await settled(app, pilot)
            assert isinstance(app.screen, CodePicker)
            return app.screen.passage, screen_text(app)

    passage, text = asyncio.run(scenario())
    assert passage.startswith("I'm the service manager")
    assert "“I'm the service manager" in text  # over the transcript it hides


def test_help_descriptions_wrap_under_themselves(demo_copy: Path) -> None:
    text = shown(demo_copy, (80, 24), "enter", "question_mark")
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if "Extend the selection by the" in line)
    column = lines[first].index("Extend")
    for line in lines[first + 1 : first + 4]:  # a continuation starts in the description's column
        body = line[column - 2 : column]
        if line[column:column + 1].strip() and not line[: column - 2].strip(" │▊"):
            assert body.strip() == "", line
    words = [line for line in lines if "sentence" in line and line.strip(" │").startswith("sentence")]
    assert not words, words  # never wrapped back under the keys


def test_a_notice_leaves_the_status_line_and_keys_in_sight(demo_copy: Path) -> None:
    def notice(app: Any) -> None:
        app.notify("A notice long enough to need two lines at eighty columns, naming a file: /tmp/x/y/z.xlsx")

    text = shown(demo_copy, (80, 24), "enter", then=notice)
    lines = text.splitlines()
    assert lines[-2].lstrip().startswith("Sentence ") and "selected" in lines[-2], lines[-2]  # the status line
    assert "c Code" in lines[-1]
    assert any("A notice long enough" in line for line in lines[:-2])

