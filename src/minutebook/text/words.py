"""Words as minutebook matches them: typography folded, stopwords known, suffixes stripped.

Papers arrive with curly apostrophes (children’s), typographic quotes and dashes, ligatures
(ﬁ), non-breaking spaces and words hyphenated across a line break ("recom-\\nmendation");
people type straight ones on a keyboard. Everything that compares what a person typed with
what a paper says — keyword search, phrase filters, exclusions, highlighting, answer
scoring, the glossary and timeline topics — folds both sides here, so the two spellings
always match the same passages.

``fold`` keeps offsets where they matter: ``fold_with_map`` also says where each folded
character came from, so highlights land on the paper's own text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Characters that are typed one way and printed another. Values may be longer than one character.
_TABLE: dict[int, str] = {
    **{ord(c): "'" for c in "’‘‛ʼ′`´"},
    **{ord(c): '"' for c in "“”„‟″«»"},
    **{ord(c): "-" for c in "‐‑‒–—―−"},
    **{ord(c): " " for c in "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000"},
    **{ord(c): "" for c in "\u00ad\u200b\u200c\u200d\u2060\ufeff"},
    ord("ﬀ"): "ff", ord("ﬁ"): "fi", ord("ﬂ"): "fl", ord("ﬃ"): "ffi", ord("ﬄ"): "ffl", ord("ﬅ"): "st",
    ord("ﬆ"): "st",
}
# A word hyphenated across a line break: "recom-\nmendation" reads "recommendation".
_LINE_HYPHEN = re.compile(r"(?<=[a-z])-[ \t]*\r?\n[ \t]*(?=[a-z])")
_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")

STOPWORDS = frozenset("""
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves said say says tell told anything something thing things whether there's
    what's discuss discussed mentioned mention regarding re ve ll d s t happened happen
""".split())


# Words of a question that say what kind of answer is wanted, not what it is about.
_QUESTION_WORDS = """
    what which who whom whose when where why how did does do was were is are has have had say said
    tell told describe explain show find give list name named latest recent last current
    inspection inspected report reported
    ofsted council councils committee committees authority authorities local please paper papers
    anything something about there any year years month months
"""
_MONTHS = """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
"""



def fold(text: str) -> str:
    """``text`` with typography folded: one apostrophe, one quote, one dash, plain spaces, no
    ligatures or soft hyphens, and line-break hyphenation joined. Case is kept."""
    return _LINE_HYPHEN.sub("", text.translate(_TABLE))


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each of its characters plus its end, the offset in ``text`` it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        repl = _TABLE.get(ord(ch), ch)
        out.append(repl)
        where.extend([i] * len(repl))
    folded = "".join(out)
    # Drop the joins of line-break hyphenation, keeping the map in step.
    pieces: list[str] = []
    kept: list[int] = []
    pos = 0
    for m in _LINE_HYPHEN.finditer(folded):
        pieces.append(folded[pos:m.start()])
        kept.extend(where[pos:m.start()])
        pos = m.end()
    pieces.append(folded[pos:])
    kept.extend(where[pos:])
    kept.append(len(text))
    return "".join(pieces), kept


def stem(word: str) -> str:
    """A light suffix-stripper: plurals, -ing, -ed, -ly. Enough to match caseload/caseloads."""
    w = fold(word).lower()
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


QUESTION_WORDS = frozenset(stem(w) for w in _QUESTION_WORDS.split())  # stemmed
MONTHS = frozenset(stem(w) for w in _MONTHS.split())  # stemmed


def words(text: str) -> list[str]:
    """The words of ``text`` as typed or printed, folded (apostrophes kept inside a word)."""
    return _WORD.findall(fold(text))


def terms(text: str) -> list[str]:
    """Content terms of ``text`` in order (folded, stemmed, stopwords dropped)."""
    return [stem(w) for w in words(text) if w.lower() not in STOPWORDS and len(w) > 1]


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A regex (any case) finding ``phrase`` in folded text, whatever separates its words.

    Words may be joined by any run of spaces or punctuation, or by nothing, since a paper
    may print "multi-disciplinary", "multi disciplinary" or (from a PDF's soft hyphen)
    "multidisciplinary".
    """
    parts = re.findall(r"\w+", fold(phrase).lower())
    return re.compile(r"\b" + r"[\W_]*".join(re.escape(p) for p in parts) + r"\b", re.IGNORECASE)


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether ``text`` contains ``phrase`` once both are folded (see ``phrase_pattern``)."""
    return bool(phrase_pattern(phrase).search(fold(text)))


def contains_word(text: str, word: str) -> bool:
    """Whether ``text`` has a word starting with ``word`` (an exclusion: -covid drops covid-19)."""
    parts = re.findall(r"\w+", fold(word).lower())
    if not parts:
        return False
    pattern = r"\b" + r"[\W_]*".join(re.escape(p) for p in parts) + r"\w*"
    return bool(re.search(pattern, fold(text), re.IGNORECASE))


def stems(items: Iterable[str]) -> set[str]:
    """The stems of ``items``."""
    return {stem(w) for w in items if w}
