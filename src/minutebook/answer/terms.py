"""Query terms: lower-cased, stemmed words with the question's filler removed."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

STOPWORDS = frozenset("""
    a about above after again all also am an and any are as at be been before being below between both
    but by can could did do does doing during each few for from further had has have having he her here
    hers him his how i if in into is it its itself just me more most my no nor not of off on once only or
    other our out over own same she should so some such than that the their them then there these they
    this those through to too under until up very was we were what when where which while who whom why
    will with would you your yours said say says tell told anything something thing things discussed
    mentioned mention regarding re ve ll d s t any happened happen much many
""".split())


def stem(word: str) -> str:
    """A light suffix-stripper: plurals, -ing, -ed, -ly. Enough to match caseload/caseloads."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    for suffix in ("ing", "ed", "ly"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    # "increase", "increased" and "increases" all meet at "increas".
    return w[:-1] if w.endswith("e") and len(w) > 4 else w


def terms(text: str) -> list[str]:
    """Content terms of ``text`` in order (stemmed, stopwords dropped)."""
    return [stem(w) for w in _WORD.findall(text) if w.lower() not in STOPWORDS and len(w) > 1]


def idf_weights(query: Sequence[str], documents: Iterable[set[str]]) -> dict[str, float]:
    """Inverse document frequency of each query term over ``documents`` (smoothed, > 0)."""
    docs = list(documents)
    n = len(docs)
    return {q: math.log(1.0 + (n + 1) / (1 + sum(1 for d in docs if q in d))) for q in set(query)}


def coverage(query: Sequence[str], found: set[str], idf: dict[str, float]) -> float:
    """Share of the query's weight that ``found`` contains, 0..1."""
    total = sum(idf[q] for q in set(query))
    return sum(idf[q] for q in set(query) if q in found) / total if total else 0.0
