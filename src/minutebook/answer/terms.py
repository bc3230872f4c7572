"""Query terms for scoring sentences; the words themselves come from ``minutebook.text.words``."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from minutebook.text.words import STOPWORDS, stem, terms

__all__ = ["STOPWORDS", "coverage", "idf_weights", "stem", "terms"]


def idf_weights(query: Sequence[str], documents: Iterable[set[str]]) -> dict[str, float]:
    """Inverse document frequency of each query term over ``documents`` (smoothed, > 0)."""
    docs = list(documents)
    n = len(docs)
    return {q: math.log(1.0 + (n + 1) / (1 + sum(1 for d in docs if q in d))) for q in set(query)}


def coverage(query: Sequence[str], found: set[str], idf: dict[str, float]) -> float:
    """Share of the query's weight that ``found`` contains, 0..1."""
    total = sum(idf[q] for q in set(query))
    return sum(idf[q] for q in set(query) if q in found) / total if total else 0.0
