"""Redacting identifiers from exported quotes: names, places and services a reader could recognise.

A redaction list has one identifier per line, optionally with its replacement (``Greyholm => [prison]``;
the default is ``[redacted]``); ``#`` starts a comment. Matching is word by word (and phrase by phrase for
identifiers of several words), case-insensitive, and fuzzy with rapidfuzz, so that "Angella" or "Greyhom"
are caught too; a possessive keeps its ending ("Angela's" -> "[mentor]'s"). Identifiers of three letters or
fewer match exactly only, because a fuzzy match on "Jo" would catch "so" and "to".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import located
from .text import read_text_file

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_POSSESSIVE = re.compile(r"(['’]s|['’])$", re.I)
DEFAULT_REPLACEMENT = "[redacted]"


@dataclass
class Redactor:
    identifiers: list[tuple[str, str]]  # (identifier, replacement)
    threshold: float = 85.0
    counts: Counter[str] = field(default_factory=Counter)

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

    def redact(self, text: str) -> str:
        for name, replacement in self.identifiers:
            text = self._replace(text, name, replacement)
        return text

    def _replace(self, text: str, name: str, replacement: str) -> str:
        from rapidfuzz import fuzz

        size = len(name.split())
        target = name.lower()
        words = list(_WORD.finditer(text))
        out, position, i = [], 0, 0
        while i + size <= len(words):
            first, last = words[i], words[i + size - 1]
            phrase = text[first.start() : last.end()]
            suffix = _POSSESSIVE.search(phrase) if not target.endswith("s") else None
            core = phrase[: suffix.start()] if suffix else phrase
            candidate = " ".join(core.lower().split())
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
