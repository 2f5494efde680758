"""Code suggestions from the codebook, with reasons — shown to the coder, never applied silently.

For each sentence segment, every code is scored on four kinds of evidence:

1. **keywords** — spaCy ``PhraseMatcher`` on lemmas, so "stopped drinking" finds the keyword "stop drink"
   and "tenancies" finds "tenancy" (lemmas come from the lookup tables, lower-cased, so a capital at the start
   of a sentence does not hide a word); a phrase weighs more than a single word;
2. **spelling variants and examples** — rapidfuzz: a word within a few letters of a single-word keyword
   ("tennancy"), and a sentence worded like the code's example (token-set similarity);
3. **the code's description** — the lemmas a segment shares with the code's name, definition, inclusion
   criteria and example, weighted by how rare each lemma is across the codebook (tf-idf cosine);
4. **the team's codings** — passages already coded with a code make similar passages suggest it (cosine
   with the lemmas of those passages): every coder's, the consensus counting twice and the coder's own half
   as much again as a colleague's, so that what the team settled on teaches most.
5. **closeness in meaning** (optional, ``meaning``) — with a local embedding model, a segment close in meaning
   to a code's text, or to the passages the team coded with it, even in none of the same words.

A segment closer to a code's *exclusion* criteria than to its description has that code's score halved, and
says so. Scores are squashed to 0–1; every suggestion carries its reasons (the words that matched).
Suggestions the coder has already applied or dismissed are not offered again.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from ..codebook.files import project_codes
from ..ingest.segment import Lemmas, tokenisable
from ..project import changes
from ..project.changes import Change
from ..project.facts import CONSENSUS, Dismissal, dismissals_where
from ..project.store import Project
from .meaning import meaning_for
from .profiles import Profiles, cosine
from .speakers import speaker_prior, spoken_by

THRESHOLD = 0.5  # the default: a phrase, or a keyword and a description match, or two weaker kinds together
PHRASE, WORD, VARIANT, DESCRIBED, LEARNED, EXAMPLE = 1.2, 0.7, 0.5, 2.0, 2.0, 1.0  # weights of the evidence
LEARNED_WORDS = 40  # a code's past passages are summed up by their 40 most telling lemmas
EXAMPLE_CUTOFF = 60  # rapidfuzz token-set similarity to a code's example sentence that starts to count
TEAM = {CONSENSUS: 2.0}  # what a passage the team settled on teaches, against a coder's 1 (the coder's own: OWN)
OWN = 1.5
EXCLUSION = 0.2  # how like a code's exclusion criteria a passage must be before they count against the code
PARENT = 0.15  # the share of its parent's evidence a sub-code with its own evidence takes
MIN_LEARNED = 2  # passages a code needs before they count as the team's evidence (tried 1: no gain on the curve)
HEARD = 0.3  # how much who is speaking moves a suggestion's score, per unit of ``speakers.speaker_prior``
SAID = "said"  # marks a matcher pattern made from a code's phrases (participants' words), not its keywords


@dataclass
class Suggestion:
    document: str
    start: int
    end: int
    code: str
    score: float
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "start": self.start, "end": self.end, "code": self.code,
                "score": round(self.score, 3), "reasons": self.reasons}  # fmt: skip


class Suggester:
    """The codebook (and a coder's past codings) compiled for scoring segments."""

    def __init__(self, project: Project, nlp: Any, coder: str | None = None, learn: bool = True,
                 embeddings: bool = True) -> None:  # fmt: skip
        from spacy.lang.en.stop_words import STOP_WORDS
        from spacy.matcher import PhraseMatcher

        self.nlp, self.stop, self.lemmas = nlp, STOP_WORDS, Lemmas(nlp)
        self.codes = {c["id"]: c for c in project_codes(project)}
        self.matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.single: dict[str, list[tuple[str, str]]] = defaultdict(list)  # one-word keyword -> (code, keyword)
        for code in self.codes.values():
            for keyword in code["keywords"]:
                pattern = self.lemmatised(keyword)
                self.matcher.add(f"{code['id']}\x1f{keyword}", [pattern])
                if len(pattern) == 1 and len(keyword) >= 5:
                    self.single[pattern[0].lemma_].append((code["id"], keyword))
            for phrase in code["phrases"]:  # participants' words: matched as keywords are, said so
                self.matcher.add(f"{code['id']}\x1f{phrase}\x1f{SAID}", [self.lemmatised(phrase)])
        said = {cid: " ".join([*(str(c[f] or "") for f in ("name", "definition", "include", "example")), *c["phrases"]])
                for cid, c in self.codes.items()}  # what each code is about, in the codebook's and participants' words
        described = {cid: self.bag(text) for cid, text in said.items()}
        self.meaning = meaning_for(said) if embeddings else None  # when a local embedding model was asked for
        excluded = {cid: self.bag(c["exclude"] or "") for cid, c in self.codes.items()}
        counts = Counter(w for bag in described.values() for w in set(bag))
        self.idf = {w: math.log((1 + len(described)) / (1 + n)) + 1 for w, n in counts.items()}
        self.description = {cid: self.weigh(bag) for cid, bag in described.items()}
        self.described = Profiles(self.description)
        self.exclusion = {cid: self.weigh(bag) for cid, bag in excluded.items()}
        self.examples = {f"{cid}\x1f{n}": text.strip().strip('"').lower() for cid, c in self.codes.items()
                         for n, text in enumerate([c["example"] or "", *c["phrases"]])
                         if len(text.split()) >= 4}  # the example, and participants' words long enough to compare
        self.coder = coder
        self.learned: dict[str, dict[str, float]] = {}
        self.bags: dict[str, Counter[str]] = defaultdict(Counter)  # the team's passages' lemmas, per code
        self.held: dict[tuple[str, int, int, int], dict[str, float]] = {}  # passage -> who coded it, what it teaches
        self.learned_from: dict[str, int] = {}
        self.learned_profiles = Profiles({})
        self.spoken_by: dict[str, dict[str, int]] = {}  # per code, codings in each group's words
        if learn:
            self.learn(project)
            self.spoken_by = spoken_by(project)

    def lemmatised(self, text: str) -> Any:
        return self.lemmas.doc(text)

    def bag(self, text: str) -> Counter[str]:
        return Counter(t.lemma_ for t in self.lemmatised(text) if self.content(t))

    def content(self, token: Any) -> bool:
        return bool(token.is_alpha and len(token.text) > 2 and token.lemma_ not in self.stop)

    def weigh(self, bag: Counter[str]) -> dict[str, float]:
        return {w: self.idf.get(w, math.log(1 + len(self.codes)) + 1) for w in bag}

    def weight_of(self, coder: str) -> float:
        """What one coder's coding of a passage teaches (``TEAM``): the consensus most, then the coder's own."""
        return TEAM.get(coder, OWN if coder == self.coder else 1.0)

    def learn(self, project: Project) -> None:
        """The lemmas of every passage the team has coded with each code, weighted by whose coding it is
        (``weight_of``); a passage several coders coded counts once, at its heaviest weight."""
        rows = project.db.execute(
            'SELECT c.code_id, c.document_id, c.start, c."end", r.name FROM coding c '
            "JOIN coder r ON r.id = c.coder_id ORDER BY c.document_id, c.start"
        ).fetchall()
        for code_id, document_id, start, end, name in rows:
            self.held.setdefault((code_id, document_id, start, end), {})[name] = self.weight_of(name)
        text_of = dict(project.db.execute("SELECT id, text FROM document WHERE id IN (SELECT DISTINCT document_id "
                                          "FROM coding)").fetchall())  # fmt: skip
        keys = list(self.held)
        pieces = [tokenisable(text_of[d][s:e]) for _, d, s, e in keys]
        vectors = self.meaning.vectors(pieces) if self.meaning and pieces else [None] * len(pieces)
        for key, doc, vector in zip(keys, self.nlp.tokenizer.pipe(pieces), vectors, strict=True):
            self._add(key[0], doc, max(self.held[key].values()), vector)  # the tokenizer: lemmas are looked up
        for code_id in self.bags:
            self._summarise(code_id)
        self.learned_profiles = Profiles(self.learned)

    def taught(self, code_id: str, where: tuple[int, int, int], coder: str, text: str, present: bool) -> None:
        """A coding made (``present``) or taken away — by a coding, an uncoding, an undo or a redo — on the
        passage ``where`` (document, start, end; ``text`` its words): the profile becomes exactly what
        ``learn`` would build from the project now, by the difference alone (a millisecond; nothing rebuilt)."""
        key = (code_id, *where)
        holders = self.held.setdefault(key, {})
        before = max(holders.values(), default=0.0)
        if present:
            holders[coder] = self.weight_of(coder)
        else:
            holders.pop(coder, None)
        after = max(holders.values(), default=0.0)
        if not holders:
            del self.held[key]
        if after != before:
            self._taught(code_id, text, after - before, int(after > 0) - int(before > 0))

    def learn_passage(self, code_id: str, text: str, weight: float = OWN) -> None:
        """One more passage coded with ``code_id`` (no place in a document: the benchmarks' coded examples)."""
        self._taught(code_id, text, weight, 1)

    def _taught(self, code_id: str, text: str, weight: float, passages: int) -> None:
        piece = tokenisable(text)
        vector = self.meaning.vectors([piece])[0] if self.meaning else None
        self._add(code_id, self.nlp.tokenizer(piece), weight, vector, passages)
        self._summarise(code_id)
        self.learned_profiles = Profiles(self.learned)

    def forget(self) -> None:
        """Unlearn every passage: the codebook alone, as before the team coded anything."""
        for store in (self.bags, self.learned, self.learned_from, self.held):
            store.clear()
        self.learned_profiles = Profiles({})
        if self.meaning:
            self.meaning.forget()

    def _add(self, code_id: str, doc: Any, weight: float, vector: Any = None, passages: int = 1) -> None:
        """``weight`` more (or, negative, less) of a passage's lemmas in its code's bag; ``passages`` more."""
        if vector is not None and self.meaning:
            self.meaning.learn(code_id, vector, weight)
        bag = self.bags[code_id]
        for token in doc:
            if token.is_alpha and len(token.text) > 2 and (lemma := self.lemmas.of(token.text)) not in self.stop:
                bag[lemma] += weight
                if bag[lemma] <= 1e-9:
                    del bag[lemma]
        self.learned_from[code_id] = self.learned_from.get(code_id, 0) + passages
        if self.learned_from[code_id] <= 0:  # its last passage taken away: as if never coded
            del self.learned_from[code_id], self.bags[code_id]
            if self.meaning:
                self.meaning.forget(code_id)

    def _summarise(self, code_id: str) -> None:
        if code_id not in self.learned_from:
            self.learned.pop(code_id, None)
            return
        weighted = sorted(((n * self.idf.get(w, 1.0), w) for w, n in self.bags[code_id].items()), reverse=True)
        self.learned[code_id] = {w: weight for weight, w in weighted[:LEARNED_WORDS]}  # the most telling

    def rank(self, text: str) -> list[tuple[str, float, list[str]]]:
        """Every code with any evidence for ``text``, best first."""
        return self.score(self.lemmatised(text))

    def score(self, doc: Any, vector: Any = None) -> list[tuple[str, float, list[str]]]:
        """(code, score, reasons) for one lemmatised segment doc (and its embedding, if already made), best
        first."""
        raw: dict[str, float] = defaultdict(float)
        reasons: dict[str, list[str]] = defaultdict(list)
        found: set[tuple[str, str]] = set()
        covered: dict[str, set[int]] = defaultdict(set)  # a word counts once per code: "stopped drinking" wins
        for match_id, start, end in sorted(self.matcher(doc), key=lambda m: m[1] - m[2]):
            code_id, keyword, *said = self.nlp.vocab.strings[match_id].split("\x1f")
            if (code_id, keyword) in found:
                continue
            if end - start == 1 and (not doc[start].is_alpha or doc[start].lemma_ in self.stop):
                continue  # "'ll" is a form of "will", but not of the keyword "willing"
            if covered[code_id] >= set(range(start, end)):
                continue  # "ended" is one piece of evidence, even when "end" and "ending" are both keywords
            covered[code_id] |= set(range(start, end))
            found.add((code_id, keyword))
            raw[code_id] += PHRASE if end - start > 1 else WORD
            kind = "in participants' words" if said else "keyword"
            found_as = doc[start:end].text
            reasons[code_id].append(
                f'{kind} "{keyword}"' + (f' ("{found_as}")' if found_as.lower() != keyword.lower() else "")
            )
        words = {t.lemma_ for t in doc if t.is_alpha and len(t.lemma_) >= 5 and t.lemma_ not in self.single}
        for word in words:
            close = process.extractOne(word, self.single.keys(), scorer=fuzz.ratio, score_cutoff=86)
            if close:
                for code_id, keyword in self.single[close[0]]:
                    if (code_id, keyword) not in found:
                        raw[code_id] += VARIANT
                        reasons[code_id].append(f'close to keyword "{keyword}" ("{word}")')
        bag = self.weighted(doc)
        for code_id, similarity, shared in self.described.similar(bag, 0.12):
            raw[code_id] += DESCRIBED * similarity
            reasons[code_id].append("shares " + ", ".join(f'"{w}"' for w in shared[:3]) + " with the definition")
        sentence = doc.text.lower()
        if len(sentence.split()) >= 4:
            credited: set[str] = set()
            for example, similarity, key in process.extract(
                sentence, self.examples, scorer=fuzz.token_set_ratio, score_cutoff=EXAMPLE_CUTOFF, limit=5
            ):
                code_id, n = key.split("\x1f")
                if code_id in credited:  # the closest of a code's example and phrases counts, once
                    continue
                credited.add(code_id)
                raw[code_id] += EXAMPLE * (similarity - EXAMPLE_CUTOFF) / (100 - EXAMPLE_CUTOFF)
                what = "the codebook's example" if n == "0" else "participants' words in the codebook"
                reasons[code_id].append(f'like {what} ("{example[:40]}")')
        for code_id, similarity, shared in self.learned_profiles.similar(bag, 0.15):
            if self.learned_from[code_id] >= MIN_LEARNED:  # one passage is an anecdote
                raw[code_id] += LEARNED * similarity
                reasons[code_id].append(
                    f"like {self.learned_from[code_id]} passage(s) the team coded with it (" + ", ".join(shared[:3])
                    + ")"
                )
        if self.meaning:
            vector = self.meaning.vectors([doc.text])[0] if vector is None else vector
            counted = {c: n for c, n in self.learned_from.items() if n >= MIN_LEARNED}  # one passage: an anecdote
            for code_id, value, why in self.meaning.evidence(vector, counted):
                raw[code_id] += value
                reasons[code_id].append(why)
        own = dict(raw)
        for code_id, value in own.items():  # a sub-code with evidence of its own takes a share of its parent's
            parent = self.codes[code_id].get("parent")
            if parent in own and value > 0:
                raw[code_id] += PARENT * own[parent]
        out = []
        for code_id, value in raw.items():
            shared = self.excluded(bag, code_id)
            if shared:
                value /= 2
                reasons[code_id].append("but close to its exclusion criteria (" + ", ".join(shared[:3]) + ")")
            out.append((code_id, value / (value + 1.0), reasons[code_id]))
        return sorted(out, key=lambda s: -s[1])

    def weighted(self, doc: Any) -> dict[str, float]:
        """A lemmatised passage's content words, each weighed by how rare it is in the codebook."""
        return self.weigh(Counter(t.lemma_ for t in doc if self.content(t)))

    def excluded(self, bag: dict[str, float], code_id: str) -> list[str]:
        """The words a passage (``weighted``) shares with a code's exclusion criteria, best first, when it is
        closer to them than to the code's description; else nothing."""
        excluded, shared = cosine(bag, self.exclusion.get(code_id, {}))
        return shared if excluded >= EXCLUSION and excluded > cosine(bag, self.description[code_id])[0] else []

    def prior(self, group: str | None) -> dict[str, float]:
        """What it says for each code that someone in ``group`` is speaking (``speakers.speaker_prior``)."""
        return speaker_prior(self.codes, group, self.spoken_by)

    def heard(self, scored: tuple[str, float, list[str]], prior: dict[str, float],
              group: str | None) -> tuple[str, float, list[str]]:  # fmt: skip
        """A code's score for a sentence with who said it weighed in (``speakers``): up to about a fifth either
        way, for a code the sentence already has evidence for, said in words when it counts for the code."""
        code_id, value, reasons = scored
        shift = HEARD * prior.get(code_id, 0.0)
        if shift > 0.02 and group:
            reasons = [*reasons, f"said by someone in the {group.replace('_', ' ')} group"]
        return code_id, min(1.0, max(0.0, value + shift)), reasons

    def document(
        self,
        project: Project,
        document: dict[str, Any],
        coder: str | None = None,
        top: int = 3,
        threshold: float = THRESHOLD,
    ) -> list[Suggestion]:
        """Suggestions for every segment of one document, the best ``top`` per segment above ``threshold``;
        codes the coder already applied there, or dismissed there, are left out. ``project`` is passed each
        time (not kept) so that one suggester can serve connections in different threads."""
        segments = project.db.execute(  # interviewers' questions are not coded
            'SELECT s.start, s."end", p.stakeholder_group FROM segment s JOIN turn t ON t.id = s.turn_id '
            "LEFT JOIN participant p ON p.id = t.participant_id "
            "WHERE s.document_id = ? AND t.role != 'interviewer' ORDER BY s.start",
            [document["id"]],
        ).fetchall()
        priors: dict[str | None, dict[str, float]] = {}
        applied: set[tuple[str, int, int]] = set()
        if coder:
            for code_id, start, end in project.db.execute(
                'SELECT c.code_id, c.start, c."end" FROM coding c JOIN coder r ON r.id = c.coder_id '
                'WHERE r.name = ? AND c.document_id = ? UNION SELECT x.code_id, x.start, x."end" '
                "FROM dismissal x JOIN coder r ON r.id = x.coder_id WHERE r.name = ? AND x.document_id = ?",
                [coder, document["id"], coder, document["id"]],
            ):
                applied.add((code_id, start, end))
        text = document["text"]
        pieces = [tokenisable(text[s:e]) for s, e, _ in segments]
        vectors = self.meaning.vectors(pieces) if self.meaning and pieces else [None] * len(pieces)
        out = []
        for (start, end, group), doc, vector in zip(segments, self.nlp.pipe(pieces), vectors, strict=True):
            self.lemmas.fix(doc)
            taken = {c for c, s, e in applied if s < end and e > start}
            if group not in priors:
                priors[group] = self.prior(group)
            scored = [self.heard(s, priors[group], group) for s in self.score(doc, vector)]
            ranked = [s for s in sorted(scored, key=lambda s: -s[1]) if s[0] not in taken and s[1] >= threshold][:top]
            out += [Suggestion(document["name"], start, end, c, value, why) for c, value, why in ranked]
        return out


def suggest_study(
    project: Project, nlp: Any, coder: str | None, documents: list[str] | None, top: int, threshold: float
) -> Iterator[tuple[int, int, list[Suggestion]]]:
    """Suggestions document by document: yields (done, total, that document's suggestions)."""
    suggester = Suggester(project, nlp, coder)
    names = documents or [r[0] for r in project.db.execute("SELECT name FROM document ORDER BY name")]
    for n, name in enumerate(names, start=1):
        yield n, len(names), suggester.document(project, project.document(name), coder, top, threshold)


def dismiss_change(project: Project, coder_id: int, document_id: int, start: int, end: int, code: str) -> Change:
    """The change that remembers this coder does not want ``code`` suggested for this passage again."""
    fact = Dismissal(coder_id, document_id, start, end, code)
    there = dismissals_where(project.db, 'coder_id = ? AND document_id = ? AND start = ? AND "end" = ? AND code_id = ?',
                             list(fact.key))  # fmt: skip
    return changes.adding(f"suggestion of {code} dismissed", [] if there else [fact])


def dismiss(project: Project, coder: str, document_id: int, start: int, end: int, code: str) -> None:
    """Remember that this coder does not want ``code`` suggested for this passage again."""
    with project.transaction():  # the coder, if new, and the dismissal: together
        coder_id = project.coder_id(coder)
        changes.write(project, lambda: dismiss_change(project, coder_id, document_id, start, end, code))
