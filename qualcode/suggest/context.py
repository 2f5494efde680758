"""What the selected passage says for each code, for the code picker: so that ``trust`` typed over a mentee's
sentence about her mentor finds the mentoring relationship first, not "Increased trust among partners".

Three things, each from the project itself, never from names written into qualcode:

- the suggestion score of each code for the passage (``Suggester.score``: keywords, the code's description,
  its example, and the passages the team has coded with it), 0 to 1;
- the code's exclusion criteria: a passage closer to what a code excludes than to what it describes counts
  against the code ("Trust between mentor and mentee" is excluded from the partnership's trust);
- who is speaking (``speakers``: the codebook's beneficiary of each code, and the groups in whose words the
  team has given it).

``CodeMatcher.rank`` adds these to what the typed words match, so the words still decide which codes are
offered and the passage decides their order among near equals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from .speakers import speaker_prior
from .suggester import Suggester, cosine

EXCLUDED = 0.5  # taken off a code whose exclusion criteria the passage is closer to than its description


def passage_context(suggester: Suggester, text: str, group: str | None, groups: Iterable[str],
                    counts: dict[str, dict[str, int]] | None = None) -> dict[str, float]:  # fmt: skip
    """For every code: how much ``text``, said by someone in ``group`` (one of the project's ``groups``),
    speaks for it: about -1 to 1.5; 0 for a code the passage says nothing about. ``counts``: ``spoken_by``."""
    doc = suggester.lemmatised(text)
    scores = {code: value for code, value, _ in suggester.score(doc)}
    bag = suggester.weigh(Counter(t.lemma_ for t in doc if suggester.content(t)))
    prior = speaker_prior(suggester.codes, group, groups, counts)
    out: dict[str, float] = {}
    for code_id in suggester.codes:
        value = scores.get(code_id, 0.0) + prior.get(code_id, 0.0)
        excluded = cosine(bag, suggester.exclusion.get(code_id, {}))[0]
        if excluded >= 0.15 and excluded > cosine(bag, suggester.description.get(code_id, {}))[0]:
            value -= EXCLUDED
        if value:
            out[code_id] = value
    return out


def speaker_group(project: Any, document_id: int, start: int) -> str | None:
    """The stakeholder group of the participant whose turn the passage starts in (the attribution rule's
    speaker), or None for an interviewer or an unattributed turn."""
    row = project.db.execute(
        "SELECT p.stakeholder_group FROM turn t JOIN participant p ON p.id = t.participant_id "
        'WHERE t.document_id = ? AND t.start <= ? AND t."end" > ? ORDER BY t.start DESC LIMIT 1',
        [document_id, max(start, 0), max(start, 0)],
    ).fetchone()
    return row[0] if row else None
