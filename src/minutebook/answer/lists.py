"""Questions that ask for a list — "which councils were judged inadequate in 2023?" — answered from attributes.

When the papers carry the attribute the question is about (Ofsted's ``overall_effectiveness_grade``
from its manifest), the answer is every paper whose attribute has the value named, in the years
named: complete, one line per council, each paper cited. Passages can only ever give the few
that search ranks highest, so when no attribute answers a list question the answer says the
list is only what the passages found (``PARTIAL_NOTICE``).

A year is matched against the inspection's last day where the manifest gives one (the day the
judgement was made), else its first day, else the paper's date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from minutebook.answer.cite import format_date, source_label, trim_quote
from minutebook.council.councils import display_name
from minutebook.ingest.attributes import shown_name, shown_value, value_key
from minutebook.text.words import fold
from minutebook.types import Answer, AnswerSentence, Citation, Condition, Filters, Hit

PARTIAL_NOTICE = ("This list is only what the passages found: the papers hold no attribute to list from, "
                  "so councils whose papers say it in other words may be missing")
_LIST_QUESTION = re.compile(
    r"^\s*(?:which|what|list(?: all| the)?|name(?: the| all)?|how many|show(?: me)?(?: the| all)?)\s+"
    r"(?:of the\s+)?(?:councils|local authorities|authorities|las|areas|inspections|reports|papers)\b", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_RANGE = re.compile(r"\b(?:between|from)\s+((?:19|20)\d{2})\s+(?:and|to|-|–)\s+((?:19|20)\d{2})\b", re.I)
_SINCE = re.compile(r"\bsince\s+((?:19|20)\d{2})\b", re.I)
_DATE_PREFERENCE = ("_end_date", "_start_date", "_date")


@runtime_checkable
class PaperLister(Protocol):
    """A searcher that can also list papers by their attributes (both engines' searchers can)."""

    def attribute_values(self) -> dict[str, tuple[str, ...]]: ...

    def papers(self, filters: Filters, near: tuple[str, ...] = (), limit: int = 1000) -> list[Hit]: ...


@dataclass(frozen=True, slots=True)
class ListQuestion:
    """What a list question asks of the attributes: ``name`` has ``value``, in ``years`` (any year if empty)."""

    name: str
    value: str
    years: tuple[str, ...]


def is_list_question(question: str) -> bool:
    """ "Which councils were judged inadequate in 2023?", "List the reports rated good" -> True."""
    return bool(_LIST_QUESTION.match(fold(question)))


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^\w]+", " ", value_key(text)).split()) + " "


def _years(question: str, this_year: int = 2100) -> tuple[str, ...]:
    span = _RANGE.search(question)
    if span:
        lo, hi = sorted((int(span.group(1)), int(span.group(2))))
        return tuple(str(y) for y in range(lo, hi + 1))
    since = _SINCE.search(question)
    found = set(_YEAR.findall(question))
    if since:
        found |= {str(y) for y in range(int(since.group(1)), min(int(since.group(1)) + 30, this_year))}
    return tuple(sorted(found))


def read_list_question(question: str, values: dict[str, tuple[str, ...]]) -> ListQuestion | None:
    """The attribute test a list question asks for, or None when no attribute value is named in it.

    The value is the longest one of any attribute found in the question as whole words
    ("requires improvement" before "good"); the attribute is the one holding that value whose
    name's words the question uses most ("care leavers" -> ``care_leavers_grade``), an overall
    judgement when it names none.
    """
    if not is_list_question(question):
        return None
    text = _words(question)
    holders: dict[str, list[str]] = {}
    for name, options in values.items():
        if name.endswith(("_date", "_link")):
            continue
        for option in options:
            key = value_key(option)
            if len(key) >= 3 and _words(key) in text:
                holders.setdefault(key, []).append(name)
    if not holders:
        return None
    key = max(holders, key=lambda k: (len(k), k))

    def fit(name: str) -> tuple[int, int, str]:
        words = [w for w in shown_name(name).split() if w not in ("of", "and", "the", "in", "on")]
        used = sum(1 for w in words if f" {w} " in text)
        return used, name.startswith("overall"), name

    name = max(holders[key], key=fit)
    value = next(v for v in values[name] if value_key(v) == key)
    return ListQuestion(name, value, _years(question))


def paper_year(hit: Hit) -> str:
    """The year a paper's judgement belongs to: the inspection's last day, else its first, else the paper's date."""
    attributes = dict(hit.attributes)
    for suffix in _DATE_PREFERENCE:
        for name in sorted(attributes):
            if name.endswith(suffix) and re.match(r"\d{4}-", attributes[name]):
                return attributes[name][:4]
    return (hit.date or "")[:4]


def list_answer(question: str, lister: PaperLister, filters: Filters | None) -> Answer | None:
    """The complete answer to a list question from the papers' attributes, or None when they cannot give one."""
    asked = read_list_question(question, lister.attribute_values())
    if asked is None:
        return None
    base = filters or Filters()
    wanted = replace(base, where=(*base.where, Condition(asked.name, "=", asked.value)))
    near = (asked.value.replace("_", " "), shown_name(asked.name))
    papers = [p for p in lister.papers(wanted, near) if not asked.years or paper_year(p) in asked.years]
    judged = asked.name.endswith("_grade")
    what = (f"judged {shown_value(asked.value)} for {shown_name(asked.name)}" if judged
            else f"with {shown_name(asked.name)} {shown_value(asked.value)}")
    when = _when(asked.years)
    if not papers:
        text = f"No council was {what}{when}, by the papers' own records."
        return Answer(question, "listed", text, (AnswerSentence(text, (), True),), (), False)
    by_council: dict[str, list[Hit]] = {}
    for paper in sorted(papers, key=lambda p: (display_name(p.council) or p.title, p.date or "")):
        by_council.setdefault(display_name(paper.council) or paper.title, []).append(paper)
    many = len(by_council) != 1
    head = (f"{len(by_council)} council{'s were' if many else ' was'} {what}{when}, by the papers' own records "
            f"({len(papers)} paper{'s' if len(papers) != 1 else ''}):")
    lines = [head]
    sentences = [AnswerSentence(head, (), True)]
    citations: list[Citation] = []
    for council, hits in by_council.items():
        marks = []
        for hit in hits:
            n = len(citations) + 1
            citations.append(Citation(n, hit, _quote(hit, near)))
            ended = paper_date(hit)
            label = ", ".join(x for x in (source_label(hit), format_date(hit.date)) if x)
            if ended and ended != hit.date:
                label += f" (inspection ended {format_date(ended)})"
            marks.append(f"{label} [{n}]")
        line = f"{council} — " + "; ".join(marks)
        lines.append(f"  - {line}")
        sentences.append(AnswerSentence(line, tuple(range(len(citations) - len(hits) + 1, len(citations) + 1)), True))
    return Answer(question, "listed", "\n".join(lines), tuple(sentences), tuple(citations), False)


def paper_date(hit: Hit) -> str | None:
    """The day the judgement was made: the inspection's last day where known, else the paper's date."""
    attributes = dict(hit.attributes)
    for suffix in _DATE_PREFERENCE[:1]:
        for name in sorted(attributes):
            if name.endswith(suffix) and re.match(r"\d{4}-\d{2}-\d{2}", attributes[name]):
                return attributes[name]
    return hit.date


def _when(years: Sequence[str]) -> str:
    if not years:
        return ""
    if len(years) == 1:
        return f" in {years[0]}"
    return f" in {years[0]}–{years[-1]}" if len(years) > 2 else f" in {years[0]} or {years[1]}"


def _quote(hit: Hit, near: Sequence[str]) -> str:
    folded = fold(hit.text).lower()
    at = next((folded.find(w.lower()) for w in near if w and folded.find(w.lower()) >= 0), 0)
    return trim_quote(hit.text, at, at + 1)


def with_partial_notice(answer: Answer) -> Answer:
    """A passage answer to a list question, marked as only what the passages found."""
    if answer.mode not in ("extractive", "generated") or answer.notice:
        return answer
    return replace(answer, notice=PARTIAL_NOTICE)
