"""The picker reads the passage: what a coder types decides which codes match, the selected passage (its
suggestion evidence, the codes' exclusion criteria, who is speaking) decides their order among them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from qualcode.codebook.files import project_codes
from qualcode.codebook.matching import CodeMatcher
from qualcode.project.store import Project
from qualcode.suggest.context import passage_context
from qualcode.suggest.suggester import Suggester

CASES = [  # typed, a mentee's sentence, the code meant, the code the words alone put first
    ("trust", "I trust her now. She's my mentor and she never once judged me, even when I messed up.",
     "act-informal-relationship", "psp-st-trust"),
    ("family", "My family's back in my life now, I see the weans every Saturday and my mum's talking to me again.",
     "mt-mentee-relationships", "be-ba-family-interference"),
    ("matching", "They asked if I wanted a woman and they found me somebody from the same background as me.",
     "be-en-matching", "act-induction-matching"),
    ("benefits", "She sat with me and sorted my benefits, and we made a wee budget so I'm not skint by Thursday.",
     "mt-mentee-finance", "be-peer-mentor-benefits"),
]  # fmt: skip


@pytest.fixture(scope="module")
def reading(demo_study: Path, nlp):
    with Project.open(demo_study) as project:
        codes = project_codes(project)
        suggester = Suggester(project, nlp, None, learn=False)
    return CodeMatcher(codes), suggester


@pytest.mark.parametrize(("typed", "sentence", "meant", "by_name"), CASES)
def test_the_passage_puts_the_meant_code_first(reading, typed: str, sentence: str, meant: str, by_name: str) -> None:
    matcher, suggester = reading
    assert matcher.rank(typed, 1)[0][0]["id"] == by_name  # the words alone: the name that contains them
    context = passage_context(suggester, sentence, "mentee")
    ranked = [code["id"] for code, _ in matcher.rank(typed, 5, context)]
    assert ranked[0] == meant, ranked
    assert by_name in ranked  # still offered: the passage orders, the words decide


def test_exclusion_criteria_count_against_a_code(reading) -> None:
    """The partnership's trust excludes "trust between mentor and mentee": that sentence counts against it."""
    _, suggester = reading
    context = passage_context(suggester, CASES[0][1], None)
    assert context.get("psp-st-trust", 0) < 0 < context["act-informal-relationship"]


def test_who_speaks_counts_from_the_codebooks_beneficiary(reading) -> None:
    _, suggester = reading
    sentence = "It gave me something to get up for in the morning."
    as_mentee = passage_context(suggester, sentence, "mentee")
    as_mentor = passage_context(suggester, sentence, "mentor")
    mentee_codes = [c for c, code in suggester.codes.items() if code.get("beneficiary") == "mentee"]
    assert all(as_mentee.get(c, 0) > as_mentor.get(c, 0) for c in mentee_codes)


def test_the_teams_codings_say_who_talks_about_what(demo_study: Path, reading) -> None:
    """In the demo, partners' and lead staff's words carry every coding of the partnership's trust and a
    mentee's the mentoring relationship: in a mentee's words the first counts less, the second more."""
    from qualcode.suggest.speakers import spoken_by

    _, suggester = reading
    with Project.open(demo_study) as project:
        counts = spoken_by(project)
    assert counts["psp-st-trust"] and "mentee" not in counts["psp-st-trust"]
    sentence = "I didn't trust her. I thought she was just another worker."
    assert suggester.spoken_by == {}  # built without learning: the codebook alone
    alone = passage_context(suggester, sentence, "mentee")
    suggester.spoken_by = counts
    try:
        taught = passage_context(suggester, sentence, "mentee")
        as_partner = passage_context(suggester, sentence, "partner_organisation")
    finally:
        suggester.spoken_by = {}
    assert taught.get("psp-st-trust", 0) < alone.get("psp-st-trust", 0)
    assert taught["act-informal-relationship"] > alone["act-informal-relationship"]
    assert as_partner["psp-st-trust"] > taught.get("psp-st-trust", 0)


def test_what_is_typed_in_full_still_wins(reading) -> None:
    matcher, suggester = reading
    context = passage_context(suggester, CASES[1][1], "mentee")
    assert matcher.rank("family interference", 1, context)[0][0]["id"] == "be-ba-family-interference"
    assert matcher.rank("psp-st-trust", 1, passage_context(suggester, CASES[0][1], "mentee"))[0][0]["id"] \
        == "psp-st-trust"  # fmt: skip


def test_in_the_workbench_trust_on_a_mentees_words_offers_the_relationship_first(demo_copy: Path) -> None:
    from qualcode.tui import make_app
    from qualcode.tui.picker import CodePicker
    from qualcode.tui.transcript import TranscriptView

    async def scenario() -> list[str]:
        app = make_app(demo_copy, coder="amira", user="tester")
        async with app.run_test(size=(120, 36)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            for key in ("slash", *"dee_phase1", "enter", "enter"):
                await pilot.press(key)
                await app.workers.wait_for_complete()
                await pilot.pause()
            view = app.screen.query_one(TranscriptView)
            words = "I didn't trust her. I thought she was just another worker, like another social worker"
            at = view.text.index(words)
            view.select_range(at, at + len(words))
            # the speaker of a passage is the turn it starts in: Dee's here, nobody's in a question
            assert view.group_at(at) == "mentee" and view.group_at(view.text.index("Thanks for coming in")) is None
            for key in ("c", *"trust"):
                await pilot.press(key)
                await app.workers.wait_for_complete()
                await pilot.pause()
            assert isinstance(app.screen, CodePicker) and app.screen.context
            return [code["id"] for code in app.screen.shown]

    shown = asyncio.run(scenario())
    assert shown[0] == "act-informal-relationship", shown
