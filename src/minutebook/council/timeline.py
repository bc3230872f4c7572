"""How a topic moved from meeting to meeting: one entry per meeting, oldest first, with its figures.

``build(searcher, "caseloads")`` finds the passages about the topic, keeps those that mention it,
groups them by meeting (council, committee, date), and pulls out the figures stated in the
sentences that mention it: an average of 19 per social worker (January 2017), more than 30 cases
(July 2021), from 55 to 65 children (July 2023). The terminal app renders the same value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from minutebook.answer.cite import format_citation
from minutebook.council.councils import name_words
from minutebook.council.figures import Figure, Topic, figures_in
from minutebook.protocols import Searcher
from minutebook.search.query import parse_query
from minutebook.text.words import MONTHS, stem
from minutebook.types import Filters, Hit


@dataclass(frozen=True, slots=True)
class TimelineFigure:
    """A figure and the citation of the passage that states it."""

    figure: Figure
    citation: str


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One meeting: its best passage on the topic, every passage on it, and the figures they state."""

    date: str | None
    committee: str | None
    council: str | None
    citation: str
    hit: Hit
    figures: tuple[TimelineFigure, ...]
    passages: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class Timeline:
    query: str
    entries: tuple[TimelineEntry, ...]
    weak: bool  # nothing in the papers is clearly about the topic


def topic_of(query: str, named: Sequence[str] = ()) -> Topic:
    """The query's words, its phrases, and the glossary's names for the same thing.

    Words that only say where or when to look — the councils in ``named``, years, months —
    are not the topic: "caseloads in Norfolk in 2023" is about caseloads.
    """
    q = parse_query(query)
    scope = {w for council in named for w in name_words(council)}
    words = [t for t in q.terms
             if t not in scope and not re.fullmatch(r"(?:19|20)\d\d", t) and stem(t) not in MONTHS]
    single = [t for t in q.expanded if " " not in t.strip()]
    return Topic((*(words or q.terms), *single), (*q.phrases, *(t for t in q.expanded if " " in t.strip())))


def build(searcher: Searcher, query: str, filters: Filters | None = None, *, top_k: int = 40) -> Timeline:
    """The timeline of ``query`` across the indexed meetings that pass ``filters``.

    Passages count when they contain a word of the query (or a glossary term for it); when
    none does, the searcher's best passages (within 60 % of the top score) stand in.
    """
    result = searcher.search(query, filters, top_k)
    topic = topic_of(query, result.scope.councils)
    hits = [h for h in result.hits if not h.boilerplate]
    relevant = [h for h in hits if topic.mentioned_in(h.text)]
    figure_topic: Topic | None = topic
    if not relevant and hits and not result.weak:
        best = hits[0].score
        relevant = [h for h in hits if h.score >= 0.6 * best]
        figure_topic = None
    meetings: dict[tuple[str | None, str | None, str | None, str | None], list[Hit]] = {}
    for h in relevant:
        key = (h.council, h.committee, h.date, None if h.date else h.path)
        meetings.setdefault(key, []).append(h)
    entries: list[TimelineEntry] = []
    for passages in meetings.values():
        best_hit = passages[0]
        figures: list[TimelineFigure] = []
        seen: set[tuple[int, int]] = set()
        for h in sorted(passages, key=lambda x: x.start_char):
            for f in figures_in(h.text, topic=figure_topic):
                span = (h.start_char + f.span[0], h.start_char + f.span[1])
                if span in seen:
                    continue
                seen.add(span)
                fig = Figure(f.value, f.unit, f.phrase, f.text, span, f.qualifier, f.previous, f.upper)
                figures.append(TimelineFigure(fig, format_citation(h)))
        entries.append(TimelineEntry(best_hit.date, best_hit.committee, best_hit.council, format_citation(best_hit),
                                     best_hit, tuple(figures), tuple(passages)))
    entries.sort(key=lambda e: (e.date is None, e.date or "", e.council or "", e.committee or ""))
    return Timeline(query, tuple(entries), result.weak or not entries)
