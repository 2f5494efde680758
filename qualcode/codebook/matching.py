"""Ranking codes against what a coder types in the picker.

The picker's ranking follows what a coder means, in tiers: every typed word matching a whole word or the
start of a word in the code's **name** ranks first; then the code's **keywords**; then its **definition**
(and include criteria); then its **id**; then the words found anywhere in the code. Within a tier a whole
word beats a word start, and a word start beats a typo (a fuzzy match, only for words of four letters or
more). Recently used codes break ties, and then the codebook's order does. A short id is never matched
*inside* a longer typed word: typing "housing" does not find the code whose id is ``in``.

Each query is a few vectorised operations over the study's vocabulary (one ``numpy`` array per field), so
ranking 300 codes takes a millisecond or two.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# field -> tier weight; the best tier a code reaches decides its place
FIELDS = (("name", 100.0), ("keywords", 80.0), ("definition", 60.0), ("id", 50.0), ("anywhere", 40.0))
WHOLE, START, TYPO = 1.0, 0.9, 0.7
EXACT = 1000.0  # an id typed in full
PASSAGE = 45.0  # what the selected passage's evidence for a code is worth, per unit of ``suggest.context``
SHORT = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
    ]
)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _content(found: list[str]) -> list[str]:
    """Without "in", "to", "of"…: typing "in" means Inputs or Increased…, not every name with "in" in it."""
    return [w for w in found if w not in SHORT]


class CodeMatcher:
    """Built once per code list (the picker builds one when it opens); ``rank`` answers each keystroke."""

    def __init__(self, codes: Sequence[dict[str, Any]], recent: Sequence[str] = ()) -> None:
        self.codes = list(codes)
        fields: dict[str, list[list[str]]] = {name: [] for name, _ in FIELDS}
        for code in self.codes:
            listed = [*(code.get("keywords") or []), *(code.get("phrases") or [])]  # participants' words too
            keywords = _content([w for k in listed for w in words(str(k))])
            definition = _content(words(f"{code.get('definition') or ''} {code.get('include') or ''}"))
            name, ident = _content(words(code["name"])), words(code["id"])
            fields["name"].append(name)
            fields["keywords"].append(keywords)
            fields["definition"].append(definition)
            fields["id"].append(ident)
            fields["anywhere"].append(name + keywords + definition + ident)
        self.phrases = [{" ".join(words(str(k))) for k in c.get("keywords") or []} for c in self.codes]
        vocabulary = sorted({w for lists in fields.values() for ws in lists for w in ws})
        self.vocabulary = vocabulary
        index = {w: i for i, w in enumerate(vocabulary)}
        self.fields: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for name, lists in fields.items():
            flat = np.array([index[w] for ws in lists for w in ws] or [0], dtype=np.intp)
            lengths = np.array([len(ws) for ws in lists], dtype=np.intp)
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(lengths) else lengths
            self.fields[name] = (flat, np.minimum(starts, max(0, len(flat) - 1)), lengths)
        self.order = np.arange(len(self.codes), dtype=float)
        self.set_recent(recent)

    def set_recent(self, recent: Sequence[str]) -> None:
        """Codes used recently, most recent first: they win ties (a bonus smaller than any tier step)."""
        place = {code_id: n for n, code_id in enumerate(recent[:20])}
        self.bonus = np.array([0.5 - 0.02 * place[c["id"]] if c["id"] in place else 0.0 for c in self.codes])

    def _strength(self, token: str) -> np.ndarray:
        """How well ``token`` matches each vocabulary word: whole word, word start, or a typo."""
        vocabulary = self.vocabulary
        strength = np.zeros(len(vocabulary))
        for i, word in enumerate(vocabulary):
            if word.startswith(token):
                strength[i] = WHOLE if len(word) == len(token) else START
        if len(token) >= 4 and vocabulary:
            whole = process.cdist([token], vocabulary, scorer=fuzz.ratio, score_cutoff=80)[0] / 100.0
            heads = [w[: len(token) + 1] for w in vocabulary]  # a typo in a word still being typed
            head = process.cdist([token], heads, scorer=fuzz.ratio, score_cutoff=85)[0] / 100.0
            np.maximum(strength, np.maximum(whole, head) * TYPO, out=strength)
        return strength

    def scores(self, query: str) -> np.ndarray:
        tokens = words(query)
        total = np.zeros(len(self.codes))
        if not tokens or not self.codes:
            return total
        strengths = [self._strength(token) for token in tokens]
        tiers = []
        for name, weight in FIELDS:
            flat, starts, lengths = self.fields[name]
            field = np.ones(len(self.codes))
            for strength in strengths:  # every typed word must match somewhere in the field
                best = np.maximum.reduceat(strength[flat], starts) if len(flat) else np.zeros(len(self.codes))
                best = np.where(lengths > 0, best, 0.0)
                np.minimum(field, best, out=field)
            tiers.append(np.where(field > 0, weight * field, 0.0))
        total = np.max(tiers, axis=0)
        # within a tier, a code that also matches in its other fields comes first (less than any tier step)
        total += np.where(total > 0, 0.02 * (np.sum(tiers, axis=0) - total), 0.0)
        phrase = " ".join(tokens)
        for i, code in enumerate(self.codes):
            if not total[i]:
                continue
            if "-".join(tokens) == code["id"].lower() or phrase == " ".join(words(code["id"])):
                total[i] = max(total[i], EXACT)  # the exact id: the coder knows the code, whatever the passage
            elif " ".join(words(code["name"])).startswith(phrase):
                total[i] += 3.0  # the name starts with exactly what was typed
            elif phrase in self.phrases[i]:
                total[i] += 3.0  # one of its keywords is exactly what was typed
        return total

    def rank(
        self, query: str, limit: int = 60, context: dict[str, float] | None = None
    ) -> list[tuple[dict[str, Any], float]]:
        """The codes matching ``query``, best first (every code, in codebook order, for an empty query).
        ``context`` (``suggest.context``: what the selected passage says for each code, about -0.65 to 1.15)
        moves a code up to half a tier and more: the words decide which codes match, the passage their order."""
        if not query.strip():
            return [(c, 0.0) for c in self.codes[:limit]]
        scores = self.scores(query)
        if context:
            passage = np.array([context.get(c["id"], 0.0) for c in self.codes])
            scores = np.where((scores > 0) & (scores < EXACT), scores + PASSAGE * passage, scores)
            scores = np.maximum(scores, np.where(scores != 0, 0.01, 0.0))  # a match stays a match
        keyed = np.where(scores > 0, scores + self.bonus, 0.0)
        order = np.lexsort((self.order, -keyed))  # best first; ties keep the codebook's order
        return [(self.codes[i], float(keyed[i])) for i in order[:limit] if keyed[i] > 0]


def rank_codes(query: str, codes: list[dict[str, Any]], limit: int = 60) -> list[tuple[dict[str, Any], float]]:
    """Codes best matching ``query`` (see ``CodeMatcher``), for a one-off ranking."""
    return CodeMatcher(codes).rank(query, limit)


def unknown_code(value: str, codes: list[dict[str, Any]]) -> str:
    """The message for a code that is not in the project, with the code a coder most likely meant — matched on
    names, keywords and definitions as well as ids, as the picker matches ("housing" suggests the
    accommodation outcome, not ``in``, Inputs). The one "did you mean" for codes."""
    best = rank_codes(value, codes, limit=1)
    if not best:
        return f"unknown code {value!r}"
    code = best[0][0]
    return f"unknown code {value!r} (did you mean {code['id']!r}, “{code['name']}”?)"
