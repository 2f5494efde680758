"""Redacting identifiers from exported quotes: names, places and services a reader could recognise.

A redaction list has one identifier per line, optionally with its replacement (``Greyholm => [prison]``;
the default is ``[redacted]``); ``#`` starts a comment. Matching is word by word (and phrase by phrase for
identifiers of several words), case-insensitive, and fuzzy with rapidfuzz, so that "Angella" or "Greyhom"
are caught too; a possessive keeps its ending ("Angela's" -> "[mentor]'s"). Identifiers of three letters or
fewer match exactly only, because a fuzzy match on "Jo" would catch "so" and "to".

Matching folds case and accents away ("José" in a list catches "Jose", and "Jose" catches "José").
``redact_quotes`` applies a list to everything a quote bank shows — the quote and its context, memos, code
names, coders, the speakers' names and the attribute values in the line under each quote — and gives a
document whose name holds an identifier a neutral label ("Interview 3"); ``redact_everything`` does the same
for every other string a reader sees (titles, group labels, codebook text, the project's file name). Every
replacement is logged with where it was, for ``--redact-report``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import located
from ..project.limits import read_text_file

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_POSSESSIVE = re.compile(r"(['’]s|['’])$", re.I)
DEFAULT_REPLACEMENT = "[redacted]"


KIND_LABELS = {"interview": "Interview", "focus_group": "Focus group", "field_notes": "Field notes"}
REPORT_COLUMNS = ["place", "field", "identifier", "replacement", "times"]


@dataclass
class Redactor:
    identifiers: list[tuple[str, str]]  # (identifier, replacement)
    threshold: float = 85.0
    counts: Counter[str] = field(default_factory=Counter)
    log: list[dict[str, Any]] = field(default_factory=list)  # each replacement: where, what, by what

    @classmethod
    def from_file(cls, path: Path, threshold: float = 85.0) -> Redactor:
        identifiers = []
        for number, line in enumerate(read_text_file(path).split("\n"), start=1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, _, replacement = (part.strip() for part in line.partition("=>"))
            if not name:
                raise located(path, number, "an identifier is missing before '=>'")
            identifiers.append((name, replacement or DEFAULT_REPLACEMENT))
        if not identifiers:
            raise located(path, 1, "no identifiers to redact")
        # longest first, so that "Harbour Housing" is replaced before "Harbour"
        identifiers.sort(key=lambda pair: -len(pair[0].split()))
        return cls(identifiers, threshold)

    def redact(self, text: str, place: str = "", where: str = "") -> str:
        """``text`` with every identifier replaced; ``place`` and ``where`` (a quote's id, a field) are logged."""
        for name, replacement in self.identifiers:
            before = self.counts[name]
            text = self._replace(text, name, replacement)
            if self.counts[name] > before:
                times = self.counts[name] - before
                self.log.append({"place": place, "field": where, "identifier": name, "replacement": replacement,
                                 "times": times})  # fmt: skip
        return text

    def _replace(self, text: str, name: str, replacement: str) -> str:
        from rapidfuzz import fuzz

        size = len(name.split())
        target = fold(name)
        words = list(_WORD.finditer(text))
        out, position, i = [], 0, 0
        while i + size <= len(words):
            first, last = words[i], words[i + size - 1]
            phrase = text[first.start() : last.end()]
            suffix = _POSSESSIVE.search(phrase) if not target.endswith("s") else None
            core = phrase[: suffix.start()] if suffix else phrase
            candidate = " ".join(fold(core).split())
            exact = candidate == target
            close = len(target) > 3 and fuzz.ratio(candidate, target) >= self.threshold
            if exact or close:
                out.append(text[position : first.start()])
                out.append(replacement + (suffix.group() if suffix else ""))
                position = last.end()
                self.counts[name] += 1
                i += size
                continue
            i += 1
        out.append(text[position:])
        return "".join(out)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def fold(text: str) -> str:
    """Case and accents folded away, so that "José", "JOSE" and "Jose" are one identifier."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Fields that hold ids, not words a reader sees: left as they are so that lookups by them still work.
STRUCTURAL = frozenset({"groups", "expected", "speaker_groups", "code", "id", "parent", "level", "group", "depth",
                        "cells", "date", "sources", "key_quote", "start", "end", "line", "turn", "coding_ids",
                        "document_kind", "origin", "opens", "closes", "interviewer_words"})  # fmt: skip


def redact_everything(value: Any, redactor: Redactor, place: str, skip: frozenset[str] = STRUCTURAL) -> Any:
    """Every string a reader could see in ``value`` (dicts, lists, strings) redacted, in place where it can
    be: titles, names of groups, codes and coders, definitions, the project's file name. Dict keys and the
    ``skip`` fields (ids) are kept."""
    if isinstance(value, str):
        return redactor.redact(value, place, "name or heading")
    if isinstance(value, list):
        value[:] = [redact_everything(v, redactor, place, skip) for v in value]
        return value
    if isinstance(value, dict):
        for key in list(value):
            if key not in skip:
                value[key] = redact_everything(value[key], redactor, place, skip)
        return value
    return value


def redact_quotes(
    rows: list[dict[str, Any]], people: dict[str, dict[str, Any]], redactor: Redactor
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Quote-bank rows and the people behind their attribution lines, with identifiers gone from every field a
    reader sees; documents whose names hold one get a neutral label by kind ("Interview 2")."""
    labels: dict[str, str] = {}
    numbers: Counter[str] = Counter()
    for document, kind in sorted({(r["document"], r.get("document_kind", "other")) for r in rows}):
        words = " ".join(re.split(r"[\W_]+", document))
        if redactor.redact(words, f"document {len(labels) + 1}", "document name") != words:
            numbers[kind] += 1
            labels[document] = f"{KIND_LABELS.get(kind, 'Document')} {numbers[kind]}"
    for row in rows:
        place = f"{row['id']} ({labels.get(row['document'], row['document'])}, line {row['line']})"
        for key in ("text", "context_before", "context_after", "memo", "code_name", "code_path", "coder"):
            if isinstance(row.get(key), str):
                row[key] = redactor.redact(row[key], place, "quote" if key == "text" else key.replace("_", " "))
        if "coders" in row:
            row["coders"] = [redactor.redact(name, place, "coder") for name in row["coders"]]
        row["speakers"] = [redactor.redact(name, place, "speaker") for name in row["speakers"]]
        row["document"] = labels.get(row["document"], row["document"])
    hidden = {}
    for n, (name, person) in enumerate(sorted(people.items()), start=1):
        shown = redactor.redact(name, f"participant #{n}", "pseudonym")
        hidden[shown] = {
            key: redactor.redact(str(value), f"participant {shown}", f"attribute {key}") if value else value
            for key, value in person.items()
        }
    return rows, hidden
