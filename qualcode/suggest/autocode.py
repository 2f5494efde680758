"""Coding by search: find every passage that matches, preview it, then code the ones the coder keeps.

Matching, over participants' turns (interviewers' questions are never coded):
- ``pattern``: a regular expression, case-insensitive;
- ``terms``: words or phrases, whole words, any case, any spacing between the words of a phrase;
  with ``lemma`` every form of them ("stop drinking" finds "stopped drinking"), with ``fuzzy`` N spelling
  variants too (rapidfuzz ratio of at least N against the same number of words).

Scope: code the ``match`` itself (widened to whole words), its sentence ``segment`` or its speaker ``turn``.
``group`` keeps hits in turns of that stakeholder group. Nothing is written until ``apply_hits`` (or, in the
workbench, ``hits_change`` as one undoable step), which codes every kept hit in one transaction with origin
"auto" (a passage already coded so is not coded twice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import QualcodeError
from ..project import changes
from ..project.changes import Change
from ..project.facts import Coding, coding_id
from ..project.store import Project, now_iso
from ..text import whole_words

SCOPES = ("match", "segment", "turn")


@dataclass
class Hit:
    document: str
    document_id: int
    start: int  # what would be coded
    end: int
    matched: str  # the words that matched
    context: str  # the sentence around them
    line: int
    keep: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "start": self.start, "end": self.end, "line": self.line,
                "matched": self.matched, "context": self.context}  # fmt: skip


def _terms(terms: str) -> list[str]:
    found = [t.strip() for t in terms.split(";") if t.strip()]
    if not found:
        raise QualcodeError('--terms: give one or more words or phrases separated by ";"')
    return found


def _regex(pattern: str | None, terms: str | None) -> re.Pattern[str]:
    if pattern is not None:
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as error:
            raise QualcodeError(f"--pattern {pattern!r}: {error}") from None
        if compiled.fullmatch(""):
            raise QualcodeError(f"--pattern {pattern!r} matches empty text; it would code everything")
        return compiled
    words = [r"\s+".join(re.escape(w) for w in term.split()) for term in _terms(terms or "")]
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE)


def find_hits(
    project: Project,
    *,
    pattern: str | None = None,
    terms: str | None = None,
    lemma: bool = False,
    fuzzy: int | None = None,
    scope: str = "match",
    group: str | None = None,
    nlp: Any = None,
) -> list[Hit]:
    if (pattern is None) == (terms is None):
        raise QualcodeError("give either --pattern or --terms")
    if scope not in SCOPES:
        raise QualcodeError(f"--scope must be one of {', '.join(SCOPES)}")
    if (lemma or fuzzy is not None) and terms is None:
        raise QualcodeError("--lemma and --fuzzy work with --terms")
    if fuzzy is not None and not 50 <= fuzzy <= 100:
        raise QualcodeError(f"--fuzzy {fuzzy}: give a similarity from 50 to 100")
    regex = _regex(pattern, terms)
    matcher = _LemmaMatcher(nlp, _terms(terms or ""), fuzzy) if (lemma or fuzzy is not None) else None
    hits: dict[tuple[int, int, int], Hit] = {}
    documents = project.db.execute("SELECT id, name FROM document ORDER BY name").fetchall()
    for document_id, name in documents:  # one document's text in memory at a time, fetched once
        _document_hits(project, document_id, name, regex, matcher, scope, group, hits)
    return list(hits.values())


def _document_hits(project: Project, document_id: int, name: str, regex: re.Pattern[str], matcher: Any,
                   scope: str, group: str | None, hits: dict[tuple[int, int, int], Hit]) -> None:  # fmt: skip
    """The hits in one document's segments, streamed in order; line numbers counted as they go (linear)."""
    group_filter = "AND p.stakeholder_group = ?" if group else ""
    text = project.db.execute("SELECT text FROM document WHERE id = ?", [document_id]).fetchone()[0]
    rows = project.db.execute(
        'SELECT s.start, s."end", t.start, t."end" FROM segment s JOIN turn t ON t.id = s.turn_id '
        f"LEFT JOIN participant p ON p.id = t.participant_id WHERE s.document_id = ? AND t.role != 'interviewer' "
        f"{group_filter} ORDER BY s.start",
        [document_id, *([group] if group else [])],
    )
    line, counted = 1, 0
    for seg_start, seg_end, turn_start, turn_end in rows:
        sentence = text[seg_start:seg_end]
        spans = matcher.spans(sentence) if matcher else [(m.start(), m.end()) for m in regex.finditer(sentence)]
        for a, b in spans:
            if a == b:
                continue
            start, end = whole_words(text, seg_start + a, seg_start + b)
            if scope == "segment":
                start, end = seg_start, seg_end
            elif scope == "turn":
                start, end = turn_start, turn_end
            key = (document_id, start, end)
            if key not in hits:
                line += text.count("\n", counted, seg_start)
                counted = seg_start
                hits[key] = Hit(name, document_id, start, end, sentence[a:b], " ".join(sentence.split()), line)


class _LemmaMatcher:
    """Terms matched on lemmas (every form of a word), and with ``fuzzy`` on spelling too."""

    def __init__(self, nlp: Any, terms: list[str], fuzzy: int | None) -> None:
        from spacy.matcher import PhraseMatcher

        from ..ingest.segment import Lemmas

        if nlp is None:
            from ..ingest.segment import load_pipeline

            nlp = load_pipeline()
        self.fuzzy, self.lemmas = fuzzy, Lemmas(nlp)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.terms = [term.lower() for term in terms]
        self.matcher.add("term", [self.lemmas.doc(term) for term in terms])

    def spans(self, sentence: str) -> list[tuple[int, int]]:
        from rapidfuzz import fuzz

        doc = self.lemmas.doc(sentence)
        found = [(doc[a].idx, doc[b - 1].idx + len(doc[b - 1])) for _, a, b in self.matcher(doc)]
        if self.fuzzy is not None:
            words = [t for t in doc if not t.is_punct and not t.is_space]
            for term in self.terms:
                size = len(term.split())
                for n in range(len(words) - size + 1):
                    first, last = words[n], words[n + size - 1]
                    said = sentence[first.idx : last.idx + len(last)].lower()
                    if fuzz.ratio(term, said) >= self.fuzzy:
                        found.append((first.idx, last.idx + len(last)))
        return sorted(set(found))


def hits_change(project: Project, hits: list[Hit], coder_id: int, code: str) -> Change:
    """The change that codes every kept hit not coded so already (origin "auto"), as one step."""
    from ..coding.codings import check_code

    check_code(project, code)
    now = now_iso()
    facts: dict[tuple[int, int, int], Coding] = {}
    for hit in hits:
        if hit.keep and (hit.document_id, hit.start, hit.end) not in facts:
            fact = Coding(hit.document_id, code, coder_id, hit.start, hit.end, "auto", now)
            if coding_id(project.db, fact.key) is None:
                facts[(hit.document_id, hit.start, hit.end)] = fact
    return changes.adding(f"coding by search: {code} on {len(facts)} passage(s)", facts.values())


def apply_hits(project: Project, hits: list[Hit], coder: str, code: str) -> tuple[int, int]:
    """Code every kept hit (origin "auto") in one transaction; returns (added, already coded)."""
    kept = {(h.document_id, h.start, h.end) for h in hits if h.keep}
    with project.transaction():  # the coder, if new, and the codings: together
        coder_id = project.coder_id(coder)
        change = changes.write(project, lambda: hits_change(project, hits, coder_id, code))
    return len(change.edits), len(kept) - len(change.edits)
