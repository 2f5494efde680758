"""Suggestions that learn from the team: every coder's codings teach them, the consensus most; and who is
speaking counts, from the codebook's beneficiary and the groups in whose words the team coded each code."""

from __future__ import annotations

from pathlib import Path

from qualcode.coding.codings import add_coding
from qualcode.project.store import Project
from qualcode.suggest.speakers import speaker_prior, spoken_by
from qualcode.suggest.suggester import Suggester


def test_the_teams_codings_teach_every_coder(demo_copy: Path, nlp) -> None:
    """Codings by the consensus (not by this coder) make passages like them suggest their code, with the
    reason saying so."""
    with Project.open(demo_copy, write=True) as project:
        document = project.document("mentee_ryan.md")
        rows = project.db.execute(
            'SELECT s.start, s."end" FROM segment s JOIN turn t ON t.id = s.turn_id WHERE s.document_id = ? '
            "AND t.role = 'participant' AND s.\"end\" - s.start > 60 ORDER BY s.start LIMIT 2", [document["id"]]
        ).fetchall()
        sentence = document["text"][rows[0][0] : rows[0][1]]
        before = {c: v for c, v, _ in Suggester(project, nlp, "newcomer").rank(sentence)}
        consensus = project.coder_id("consensus")
        for start, end in rows:  # two passages: one is an anecdote
            add_coding(project, document["id"], "lt-integration", consensus, start, end)
        suggester = Suggester(project, nlp, "newcomer")
    after = {c: (v, why) for c, v, why in suggester.rank(sentence)}
    assert suggester.learned_from["lt-integration"] >= 2
    value, why = after["lt-integration"]
    assert value > before.get("lt-integration", 0.0)
    assert any("the team coded with it" in reason for reason in why), why


def test_who_speaks_moves_a_suggestion_and_says_so(demo_study: Path, nlp) -> None:
    with Project.open(demo_study) as project:
        suggester = Suggester(project, nlp, None)
        counts = spoken_by(project)
    mentee = speaker_prior(suggester.codes, "mentee")  # the codebook's beneficiary alone
    partner = speaker_prior(suggester.codes, "partner_organisation")
    assert mentee["mt-mentee-accommodation"] > 0 == partner.get("mt-mentee-accommodation", 0)  # others speak of it
    taught = speaker_prior(suggester.codes, "mentee", counts)  # and the team's codings
    assert taught["psp-st-trust"] < 0 < speaker_prior(suggester.codes, "partner_organisation", counts)["psp-st-trust"]
    scored = next(s for s in suggester.rank("I got my own flat in May and I've kept my tenancy")
                  if s[0] == "mt-mentee-accommodation")  # fmt: skip
    code, value, reasons = suggester.heard(scored, mentee, "mentee")
    assert value > scored[1] and reasons[-1] == "said by someone in the mentee group"
    assert suggester.heard(scored, partner, "partner_organisation")[1] == scored[1]


def test_a_coding_teaches_at_once_without_a_rebuild(demo_study: Path, nlp) -> None:
    with Project.open(demo_study) as project:
        suggester = Suggester(project, nlp, None)
    sentence = "We go up the allotment on a Thursday, me and the other lads, growing tatties."
    before = {c: v for c, v, _ in suggester.rank(sentence)}
    for passage in ("I've got an allotment now, growing tatties and onions.",
                    "The allotment keeps me busy, I'm up there every Thursday."):  # fmt: skip
        suggester.learn_passage("mt-mentee-leisure", passage)
    after = {c: (v, why) for c, v, why in suggester.rank(sentence)}
    assert after["mt-mentee-leisure"][0] > before.get("mt-mentee-leisure", 0.0)
    assert any("the team coded with it" in why for why in after["mt-mentee-leisure"][1])


def test_a_sub_code_takes_a_share_of_its_parents_evidence(demo_study: Path, nlp) -> None:
    """A sentence with evidence for a sub-code and for its parent ranks the sub-code higher than the same
    evidence for the sub-code alone would."""
    from qualcode.suggest import suggester as module

    with Project.open(demo_study) as project:
        suggester = Suggester(project, nlp, None, learn=False)
    sentence = "I got my own flat through the housing office and I've kept my tenancy a year now."
    with_parent = {c: v for c, v, _ in suggester.rank(sentence)}
    saved, module.PARENT = module.PARENT, 0.0
    try:
        alone = {c: v for c, v, _ in suggester.rank(sentence)}
    finally:
        module.PARENT = saved
    parent = suggester.codes["mt-mentee-accommodation"]["parent"]
    assert parent in with_parent  # the parent has evidence of its own here
    assert with_parent["mt-mentee-accommodation"] > alone["mt-mentee-accommodation"]


def learned(suggester: Suggester) -> tuple:
    """What a suggester has learned from the team's codings, comparably (counts rounded past float noise)."""
    bags = {code: {w: round(n, 6) for w, n in bag.items()} for code, bag in suggester.bags.items() if bag}
    return dict(suggester.learned_from), bags


def test_the_workbench_teaches_the_suggester_and_undo_unteaches_it(demo_copy: Path, nlp) -> None:
    """A coding made in the workbench teaches the suggester at once; undo takes exactly that away, and redo
    gives it back: each time the suggester holds what one built afresh from the project would."""
    import asyncio

    from qualcode.tui import make_app
    from qualcode.tui.transcript import TranscriptView

    async def scenario() -> list[tuple]:
        app = make_app(demo_copy, coder="amira", user="tester")
        seen = []
        async with app.run_test(size=(120, 36)) as pilot:

            async def settle() -> None:
                await app.workers.wait_for_complete()
                await pilot.pause()
                await app.workers.wait_for_complete()
                seen.append(learned(app.suggester))

            await app.workers.wait_for_complete()
            for key in ("slash", *"dee_phase1", "enter", "enter"):
                await pilot.press(key)
                await app.workers.wait_for_complete()
                await pilot.pause()
            assert app.suggester is not None  # built as the document opened
            await settle()
            view = app.screen.query_one(TranscriptView)
            at = view.text.index("She'd brought sandwiches.")
            view.select_range(at, at + len("She'd brought sandwiches."))
            await pilot.press("c", *"mt-mentee-leisure", "enter")
            await settle()
            with Project.open(demo_copy) as project:
                seen.append(learned(Suggester(project, nlp, "amira")))  # afresh, with the coding
            await pilot.press("u")
            await settle()
            await pilot.press("U")
            await settle()
        return seen

    before, coded, afresh, undone, redone = asyncio.run(scenario())
    assert coded[0]["mt-mentee-leisure"] == before[0].get("mt-mentee-leisure", 0) + 1
    assert coded == afresh == redone
    assert undone == before
