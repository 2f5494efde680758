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
    mentee = speaker_prior(suggester.codes, "mentee", suggester.groups)  # the codebook's beneficiary alone
    partner = speaker_prior(suggester.codes, "partner_organisation", suggester.groups)
    assert mentee["mt-mentee-accommodation"] > 0 > partner["mt-mentee-accommodation"]
    taught = speaker_prior(suggester.codes, "mentee", suggester.groups, counts)  # and the team's codings
    assert taught["psp-st-trust"] < 0 < speaker_prior(suggester.codes, "partner_organisation", suggester.groups,
                                                       counts)["psp-st-trust"]  # fmt: skip
    scored = next(s for s in suggester.rank("I got my own flat in May and I've kept my tenancy")
                  if s[0] == "mt-mentee-accommodation")  # fmt: skip
    code, value, reasons = suggester.heard(scored, mentee, "mentee")
    assert value > scored[1] and reasons[-1] == "said by someone in the mentee group"
    assert suggester.heard(scored, partner, "partner_organisation")[1] <= scored[1]
