"""Figures stated in a passage: numbers with their units and the words around them.

"Caseloads have increased from 55 to 65 children" -> 65 children (from 55);
"a current average of 19 per social worker" -> 19 per social worker (average);
"some holding more than 30 cases" -> 30 cases (more than). Dates, years, minute numbers,
times, cross-references ("paragraphs 58, 59 and 127", "see page 4"), list numbering and
idioms ("100% sure") are not figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from minutebook.text.words import fold, phrase_pattern, stem


@dataclass(frozen=True, slots=True)
class Figure:
    """A number the papers state. ``span`` is where ``phrase`` sits in the paper's text."""

    value: float
    unit: str | None  # "cases", "children", "per social worker", "%", "£ million"
    phrase: str  # "more than 30 cases"
    text: str  # the sentence it is in, whitespace collapsed
    span: tuple[int, int]
    qualifier: str | None = None  # "average", "more than", "up to", "around"
    previous: float | None = None  # "from 55 to 65": 55
    upper: float | None = None  # "50-70": 70


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_FIGURE = re.compile(
    rf"(?P<pre>(?:(?:a|an|the)\s+)?(?:current\s+)?(?:average|mean|median|total|maximum|minimum)\s+(?:of\s+)?|"
    rf"(?:more|fewer|less)\s+than\s+|over\s+|under\s+|up\s+to\s+|around\s+|about\s+|approximately\s+|"
    rf"nearly\s+|almost\s+|at\s+least\s+|c\.\s*)?"
    rf"(?:from\s+(?P<prev>{_NUMBER})\s*(?P<prevunit>%|per\s?cent)?\s+to\s+)?"
    rf"(?P<cur>£|\$)?(?P<num>{_NUMBER})(?:\s*(?:-|–|to)\s*(?P<upper>{_NUMBER})(?![\d/]))?"
    rf"(?P<scale>\s*(?:million|m|bn|billion|k)\b)?(?P<pct>\s*(?:%|per\s?cent))?",
    re.I,
)
_UNIT_STOP = frozenset(
    """a an the and or but of in on at to for from by with which who that this these those is are was were be been
    has have had will would can could should may might it its their there than as per into over under up down so
    not no also across between out""".split())
# A reference to another part of a paper, possibly a list of them, just before a number.
_REFERENCE = re.compile(
    r"\b(?:items?|minutes?|paragraphs?|paras?|pages?|pp?\.|options?|phases?|workstreams?|sections?|"
    r"appendix|appendices|annex(?:es)?|recommendations?|figures?|fig\.|tables?|charts?|chapters?|outcomes?|"
    r"priorit(?:y|ies)|actions?|questions?|standards?|regulations?|rules?|clauses?|schedules?|parts?|steps?|"
    r"stages?|levels?|tiers?|year|key\s+stages?|no\.?|nos\.?|number|ref\.?)"
    r"\s*(?:\d+[a-z]?(?:\.\d+)*\s*(?:,|and|&|to|or|-|–)\s*)*$"
)
_SENTENCE = re.compile(r"[^.!?\n]*(?:\n(?![ \t]*\n)[^.!?\n]*)*[.!?]?")


def _unit(text: str, pos: int) -> tuple[str | None, int]:
    """The words naming what was counted, after a number: "cases", "per social worker", "vacant posts"."""
    rest = text[pos:pos + 60]
    m = re.match(r"\s+per\s+((?:[a-z][\w'-]*\s*){1,3})", rest, re.I)
    if m:
        words = m.group(1).split()
        kept: list[str] = []
        for w in words:
            if w.lower() in _UNIT_STOP:
                break
            kept.append(w)
        if kept:
            unit = "per " + " ".join(kept)
            return unit.rstrip(".,;:"), pos + rest.find(kept[-1]) + len(kept[-1])
    m = re.match(r"(?:[ \t]+[A-Za-z][\w'-]*){1,3}", rest)
    words = m.group().split() if m else []
    kept = []
    for i, w in enumerate(words):
        lower = w.lower()
        if lower in _UNIT_STOP or (i > 0 and re.search(r"(?:ed|ing|ly)$", lower)) or re.fullmatch(_MONTHS, lower):
            break
        kept.append(w)
    if not kept:
        return None, pos
    end = pos + rest.find(kept[-1]) + len(kept[-1])
    return " ".join(kept).rstrip(".,;:"), end


def _is_date_or_label(text: str, start: int, end: int, num: str) -> bool:
    before = text[max(0, start - 12):start].lower()
    after = text[end:end + 12].lower()
    if re.search(r"[A-Za-z]-$", before):
        return True  # COVID-19
    if re.fullmatch(r"(?:19|20)\d{2}", num):
        return True  # a year
    if re.match(rf"\s*(?:{_MONTHS})\b", after) or re.search(rf"\b(?:{_MONTHS})\s*$", before):
        return True  # 13 May, May 13
    if re.match(r"(?:st|nd|rd|th)\b", after) or re.match(r"\s*(?:am|pm|a\.m|p\.m)\b|[.:]\d{2}\s*(?:am|pm)", after):
        return True
    if re.match(r"[/.]\d", after) or re.search(r"\d[/.]$", before):
        return True  # 2022/23, 7.15
    if _REFERENCE.search(text[max(0, start - 80):start].lower()):
        return True  # "paragraphs 58, 59 and 127", "item 7", "see page 4"
    if re.match(r"\s*(?:%|per\s?cent)\s+(?:sure|certain|confident|committed|behind|right|correct|agree)\b", after):
        return True  # "100% sure": an idiom, not a measurement
    if re.match(r"\)", after) and re.search(r"\(\s*$", before):
        return True  # "(3)": a list label
    return bool(re.search(r"(?:^|\n)[ \t]*\(?$", before) and re.match(r"[.)]?\s", after))  # a list number


class Topic:
    """What a query is about: its words (matched by stem) and glossary phrases (matched whole)."""

    def __init__(self, words: Iterable[str], phrases: Iterable[str] = ()) -> None:
        self.stems = {stem(w) for w in words if len(w) > 2}
        self.patterns = [phrase_pattern(p) for p in phrases if p.strip()]

    def mentioned_in(self, text: str) -> bool:
        folded = fold(text)
        if self.stems & {stem(w) for w in re.findall(r"[\w']+", folded)}:
            return True
        return any(p.search(folded) for p in self.patterns)


def figures_in(text: str, start: int = 0, end: int | None = None, topic: Topic | None = None) -> list[Figure]:
    """Figures in ``text[start:end]``; with a ``topic``, only in sentences that mention it."""
    end = len(text) if end is None else end
    out: list[Figure] = []
    for sm in _SENTENCE.finditer(text, start, end):
        sentence = sm.group()
        if not sentence.strip():
            continue
        if topic is not None and not topic.mentioned_in(sentence):
            continue
        base = sm.start()
        tidy = re.sub(r"^[-•◼▪*]\s+", "", " ".join(sentence.split()))
        for m in _FIGURE.finditer(sentence):
            num = m.group("num")
            a, b = base + m.start("num"), base + m.end("num")
            if _is_date_or_label(text, a, b, num):
                continue
            value = float(num.replace(",", ""))
            unit: str | None
            stop = base + m.end()
            if m.group("pct"):
                unit = "%"
            else:
                unit, stop = _unit(text, stop) if not m.group("cur") else (None, stop)
                if m.group("cur"):
                    scale = (m.group("scale") or "").strip()
                    unit = m.group("cur") + (f" {scale}" if scale else "")
            qualifier = None
            if m.group("pre"):
                words = [w for w in m.group("pre").lower().split() if w not in ("a", "an", "the", "current", "of")]
                qualifier = " ".join(words) or None
            prev = float(m.group("prev").replace(",", "")) if m.group("prev") else None
            upper = float(m.group("upper").replace(",", "")) if m.group("upper") else None
            phrase_start = base + m.start()
            phrase = " ".join(text[phrase_start:stop].split())
            out.append(Figure(value, unit, phrase, tidy, (phrase_start, stop), qualifier or None, prev, upper))
    return out
