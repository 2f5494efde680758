"""Who is speaking, as evidence for a code: the one rule the suggestions and the picker both use.

A code whose ``beneficiary`` (codebook metadata) is the speaker's stakeholder group counts a little more (one
meant for another group no less: mentors and partners speak of mentees' outcomes all the time, and taking
those down cost the held-out mentor interview a sixth of its top-3 hits); and, as the team codes, a code counts
more in the words of the groups whose words it has been given to, and less in others' ("Increased trust among
partners", coded in partners' words, counts less in a mentee's). Nothing here names a group or a code.
"""

from __future__ import annotations

import math
from typing import Any

SPEAKER = 0.15  # added for a code meant for the speaker's group (one meant for another: nothing, see above)
LEARNED = 0.6  # what the team's codings say of a code in this group's words, at most (see ``_learned``)
PRIOR = 3.0  # codings' worth of "like any code" that a code's own codings are weighed against


def spoken_by(project: Any) -> dict[str, dict[str, int]]:
    """For every code, how many of the team's codings of it start in the words of each stakeholder group."""
    counts: dict[str, dict[str, int]] = {}
    for code_id, group, n in project.db.execute(
        "SELECT c.code_id, p.stakeholder_group, count(*) FROM coding c JOIN turn t ON t.document_id = "
        'c.document_id AND t.start <= c.start AND t."end" > c.start JOIN participant p ON p.id = t.participant_id '
        "WHERE p.stakeholder_group IS NOT NULL GROUP BY 1, 2"
    ):
        counts.setdefault(code_id, {})[group] = int(n)
    return counts


def speaker_prior(codes: dict[str, dict[str, Any]], group: str | None,
                  counts: dict[str, dict[str, int]] | None = None) -> dict[str, float]:  # fmt: skip
    """For every code the speaker's group says something about: about -0.6 to 0.75 (0 left out)."""
    if not group:
        return {}
    learned = _learned(counts or {}, group)
    out: dict[str, float] = {}
    for code_id, code in codes.items():
        value = SPEAKER if code.get("beneficiary") == group else 0.0
        value += LEARNED * learned.get(code_id, 0.0)
        if value:
            out[code_id] = value
    return out


def _learned(counts: dict[str, dict[str, int]], group: str) -> dict[str, float]:
    """log2 of how much likelier each code is in ``group``'s words than codes are in general (smoothed, so
    two codings say little), capped at ±2 and halved: -1 to 1."""
    totals: dict[str, int] = {}
    for by_group in counts.values():
        for name, n in by_group.items():
            totals[name] = totals.get(name, 0) + n
    everything = sum(totals.values())
    if not everything:
        return {}
    base = (totals.get(group, 0) + 1) / (everything + len(totals))
    out = {}
    for code_id, by_group in counts.items():
        share = (by_group.get(group, 0) + PRIOR * base) / (sum(by_group.values()) + PRIOR)
        out[code_id] = max(-2.0, min(2.0, math.log2(share / base))) / 2
    return out
