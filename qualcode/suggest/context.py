"""What the selected passage says for each code, for the code picker: so that ``trust`` typed over a mentee's
sentence about her mentor finds the mentoring relationship first, not "Increased trust among partners".

Three things, each from the project itself, never from names written into qualcode:

- the suggestion score of each code for the passage (``Suggester.score``: keywords, the code's description,
  its example, and the passages the team has coded with it), 0 to 1;
- the code's exclusion criteria (``Suggester.excluded``): a passage closer to what a code excludes than to
  what it describes counts against the code ("Trust between mentor and mentee" is excluded from the
  partnership's trust);
- who is speaking (``Suggester.prior``, from ``speakers``: the codebook's beneficiary of each code, and the
  groups in whose words the team has given it).

``CodeMatcher.rank`` adds these to what the typed words match, so the words still decide which codes are
offered and the passage decides their order among near equals.
"""

from __future__ import annotations

from .suggester import Suggester

EXCLUDED = 0.5  # taken off a code whose exclusion criteria the passage is closer to than its description


def passage_context(suggester: Suggester, text: str, group: str | None) -> dict[str, float]:
    """For every code: how much ``text``, said by someone in stakeholder ``group`` (None: not a participant),
    speaks for it: about -1 to 1.5; 0 for a code the passage says nothing about."""
    doc = suggester.lemmatised(text)
    scores = {code: value for code, value, _ in suggester.score(doc)}
    bag = suggester.weighted(doc)
    prior = suggester.prior(group)
    out: dict[str, float] = {}
    for code_id in suggester.codes:
        value = scores.get(code_id, 0.0) + prior.get(code_id, 0.0)
        if suggester.excluded(bag, code_id):
            value -= EXCLUDED
        if value:
            out[code_id] = value
    return out
