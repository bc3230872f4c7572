"""Cutting a span that is too long into pieces: at sentence ends, then between words.

Nothing is dropped: the pieces, taken together, hold every non-space character of the span.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

Span = tuple[int, int, int]  # start, end, word pieces

# A sentence ends at . ! or ? (perhaps followed by a closing quote or bracket) and whitespace,
# and the next one does not start in lower case ("e.g. health" is one sentence).
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'’”)\]]*\s+(?=[^\s\-a-z])")
_WORD = re.compile(r"\S+")


def split_span(text: str, start: int, end: int, count: Callable[[str], int], limit: int, target: int) -> list[Span]:
    """Split ``text[start:end]`` into pieces of at most ``limit`` word pieces, about ``target`` each."""
    units: list[Span] = []
    for s0, s1 in _sentences(text, start, end):
        n = count(text[s0:s1])
        if n <= limit:
            units.append((s0, s1, n))
        else:
            units.extend(_by_words(text, s0, s1, count, limit))
    return _balance(text, units, count, limit, target)


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, end))
    return [_strip(text, a, b) for a, b in spans if text[a:b].strip()]


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    piece = text[a:b]
    return a + len(piece) - len(piece.lstrip()), a + len(piece.rstrip())


def _by_words(text: str, start: int, end: int, count: Callable[[str], int], limit: int) -> list[Span]:
    """Cut between words, taking as many words per piece as fit (found by bisection)."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
    pieces: list[Span] = []
    i = 0
    while i < len(words):
        # Every word is at least one piece, so no more than ``limit`` words can fit.
        lo, hi = i + 1, min(len(words), i + limit)
        if count(text[words[i][0]:words[i][1]]) > limit:
            pieces.extend(_by_characters(text, words[i][0], words[i][1], count, limit))
            i += 1
            continue
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count(text[words[i][0]:words[mid - 1][1]]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        a, b = words[i][0], words[lo - 1][1]
        pieces.append((a, b, count(text[a:b])))
        i = lo
    return pieces


def _by_characters(text: str, start: int, end: int, count: Callable[[str], int], limit: int) -> list[Span]:
    """Last resort for a "word" longer than a whole passage (a pasted hash, a run of symbols)."""
    pieces: list[Span] = []
    pos = start
    while pos < end:
        lo, hi = pos + 1, end
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count(text[pos:mid]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        pieces.append((pos, lo, count(text[pos:lo])))
        pos = lo
    return pieces


def _balance(text: str, units: list[Span], count: Callable[[str], int], limit: int, target: int) -> list[Span]:
    """Group consecutive units into pieces of similar size, none over ``limit``."""
    total = sum(n for _, _, n in units)
    goal = total / max(1, math.ceil(total / max(1, target)))
    pieces: list[Span] = []
    cur: list[Span] = []
    size = 0
    for unit in units:
        if cur and (size + unit[2] > limit or size + unit[2] / 2 > goal):
            pieces.extend(_join(text, cur, count, limit))
            cur, size = [], 0
        cur.append(unit)
        size += unit[2]
    if cur:
        pieces.extend(_join(text, cur, count, limit))
    return pieces


def _join(text: str, units: list[Span], count: Callable[[str], int], limit: int) -> list[Span]:
    if len(units) == 1:
        return units
    a, b = units[0][0], units[-1][1]
    n = count(text[a:b])
    # Counts add up across whitespace for word-piece tokenizers; keep the units apart if not.
    return [(a, b, n)] if n <= limit else units
