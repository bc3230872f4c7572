"""Finding query terms in passages: spans to highlight, and the snippet around them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from minutebook.text.words import fold_with_map, phrase_pattern, stem

__all__ = ["mark", "snippet", "stem", "term_spans"]

_WORD = re.compile(r"[\w']+")


def term_spans(text: str, terms: Sequence[str], phrases: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Character spans in ``text`` of words matching ``terms`` (by stem) and of ``phrases``.

    Matching is on the folded text (``words.fold``), so a curly apostrophe, a ligature or a
    word hyphenated across a line break is found; spans index ``text`` itself.
    """
    folded, where = fold_with_map(text)
    wanted = {stem(t) for t in terms if t}
    spans: list[tuple[int, int]] = []
    if wanted:
        for m in _WORD.finditer(folded):
            if stem(m.group()) in wanted:
                spans.append((where[m.start()], where[m.end() - 1] + 1))
    for phrase in phrases:
        if not phrase.strip():
            continue
        for m in phrase_pattern(phrase).finditer(folded):
            if m.end() > m.start():
                spans.append((where[m.start()], where[m.end() - 1] + 1))
    return _merge(sorted(spans))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def snippet(text: str, spans: Sequence[tuple[int, int]], width: int = 240) -> tuple[str, list[tuple[int, int]]]:
    """The window of ``text`` (about ``width`` characters) holding the most matches.

    Returns the snippet (whitespace collapsed) and the match spans within it.
    """
    if len(text) <= width or not spans:
        start, end = 0, min(len(text), width)
    else:
        best, best_count = spans[0][0], 0
        for s, _ in spans:
            count = sum(1 for a, _b in spans if s <= a < s + width)
            if count > best_count:
                best, best_count = s, count
        start = max(0, best - width // 4)
        end = min(len(text), start + width)
        start = max(0, min(start, end - width))
    # Widen to word boundaries so the snippet does not start or end mid-word.
    while start > 0 and not text[start - 1].isspace() and start > end - width - 20:
        start -= 1
    while end < len(text) and not text[end].isspace() and end < start + width + 20:
        end += 1
    piece = text[start:end]
    local = [(max(s, start) - start, min(e, end) - start) for s, e in spans if e > start and s < end]
    collapsed, mapping = _collapse(piece)
    local = [(mapping[s], mapping[e]) for s, e in local]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + collapsed + suffix, [(s + len(prefix), e + len(prefix)) for s, e in local]


def _collapse(text: str) -> tuple[str, list[int]]:
    """Collapse runs of whitespace to one space; map old offsets to new ones."""
    out: list[str] = []
    mapping: list[int] = []
    prev_space = False
    for ch in text:
        mapping.append(len(out))
        if ch.isspace():
            if not prev_space:
                out.append(" ")
            prev_space = True
        else:
            out.append(ch)
            prev_space = False
    mapping.append(len(out))
    return "".join(out), mapping


def mark(text: str, spans: Sequence[tuple[int, int]], before: str = "**", after: str = "**") -> str:
    """``text`` with each span wrapped in markers (the JSON snippet uses **bold**)."""
    out: list[str] = []
    pos = 0
    for s, e in spans:
        out.append(text[pos:s])
        out.append(before + text[s:e] + after)
        pos = e
    out.append(text[pos:])
    return "".join(out)
