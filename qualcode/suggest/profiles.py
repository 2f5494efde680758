"""Bags of weighted lemmas compared by cosine: a code's description, its exclusion criteria, and what the team's
passages coded with it say, each as a profile a sentence is compared with."""

from __future__ import annotations

import math
from collections import defaultdict


class Profiles:
    """Weighted lemma profiles with an inverted index, so that a sentence is compared only with the codes
    that share a word with it (a few of hundreds)."""

    def __init__(self, profiles: dict[str, dict[str, float]]) -> None:
        self.profiles = profiles
        self.norms = {key: math.sqrt(sum(v * v for v in p.values())) for key, p in profiles.items()}
        self.index: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for key, profile in profiles.items():
            for word, weight in profile.items():
                self.index[word].append((key, weight))

    def similar(self, bag: dict[str, float], cutoff: float) -> list[tuple[str, float, list[str]]]:
        """(key, cosine, shared words best first) for every profile at least ``cutoff`` similar to ``bag``."""
        dots: dict[str, float] = defaultdict(float)
        shared: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for word, weight in bag.items():
            for key, theirs in self.index.get(word, ()):
                dots[key] += weight * theirs
                shared[key].append((weight * theirs, word))
        norm = math.sqrt(sum(v * v for v in bag.values())) or 1.0
        found = []
        for key, dot in dots.items():
            similarity = dot / (norm * self.norms[key])
            if similarity >= cutoff:
                found.append((key, similarity, [w for _, w in sorted(shared[key], reverse=True)]))
        return found


def cosine(a: dict[str, float], b: dict[str, float]) -> tuple[float, list[str]]:
    shared = [w for w in a if w in b]
    if not shared:
        return 0.0, []
    dot = sum(a[w] * b[w] for w in shared)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm, sorted(shared, key=lambda w: -a[w] * b[w])
