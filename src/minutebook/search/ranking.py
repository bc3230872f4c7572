"""Ranking: what an index's read view returned for a query, turned into ranked, merged hits.

Pure code: no SQL, no engine. The searcher gathers a pool of candidate passages (the keyword
ranker's and the dense ranker's proposals) and what the view says of each: its passage and
paper, its cosine to the query, its BM25 on the query's keywords and on the glossary terms, and
how rare each query word is. From that alone this module

- fuses the two scores after scaling each over the pool (``dense_weight`` of the scaled cosine,
  the rest of the BM25 over the best BM25), so every candidate is scored by both rankers;
- boosts passages of a council or year the question names, and ranks boilerplate lower;
- says how confident it is that the best passages are about the query (meaning and rare
  keywords), and flags the result set ``weak`` under ``weak_below``;
- joins adjacent passages of one paper nearly as relevant as the one shown, so one place in a
  paper is never listed twice (the joined text comes from the view's paper text).

Each hit's ``score`` is its fused score over the best one, times the confidence, so a caller
can compare scores across queries.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from minutebook.search.highlight import stem
from minutebook.search.query import ParsedQuery, named_speakers
from minutebook.text.words import contains_phrase, contains_word
from minutebook.types import Hit, Passage, Scope, SearchResult

YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_WORD = re.compile(r"[\w'’]+")


@dataclass(frozen=True, slots=True)
class Ranking:
    """Tunable knobs, set against bench/eval (see bench/RESULTS.md)."""

    mode: str = "hybrid"  # hybrid | keyword | dense
    candidates: int = 100  # from each ranker
    dense_weight: float = 0.5  # share of the dense score in the fused score
    boilerplate_factor: float = 0.5  # boilerplate ranks below substance
    cos_floor: float = 0.15  # cosine at which confidence starts
    cos_full: float = 0.55  # cosine at which meaning alone gives full confidence
    weak_below: float = 0.55  # confidence under which a result set is weak
    expand: bool = True  # widen queries with the glossary of council terms
    metadata_boost: float = 0.3  # added when a passage's council is named in the query
    scope_keywords: bool = True  # a named council's words scope the search; they do not rank keywords
    year_boost: float = 0.3  # added when a passage's meeting year is named in the query
    year_after: float = 1.0  # share of that for the year after one named
    expansion_weight: float = 0.3  # share of BM25 given to glossary terms
    merge_adjacent: bool = True
    merge_ratio: float = 0.7  # a neighbour this close in score to a shown passage is joined to it
    merge_parts: int = 2  # a result joins at most this many passages, so it never grows without bound
    shown_share: float = 0.5  # a passage this much inside results already listed is not listed again
    speaker_boost: float = 0.5  # added in proportion to the share of a passage a speaker named in the query says
    # BM25 spends ~1 µs per matching passage: keywords matching more than this many passages
    # together leave their commonest words out of the keyword ranker's proposals (bench/bench_search.py).
    keyword_rows: int = 20_000
    # The glossary terms weigh 0.3 of a keyword and propose half as many passages: a quarter of the
    # budget (R@5 unchanged at 5,000 and 10,000, 0.91 at 2,000; bench/eval).
    expansion_rows: int = 5_000
    exact_filter_limit: int = 2_000  # filtered sets up to this size are scored exactly from the database
    df_sample_rows: int = 20_000  # above this many passages, a common word's frequency is estimated


class PaperText(Protocol):
    """The one read merging needs: a range of a paper's text (the read view offers it)."""

    def paper_text(self, doc_id: int, start: int, end: int) -> str: ...


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the view returned for the pool of candidates of one query.

    ``passages`` is the pool. ``cosines`` is None when the query was not embedded (keyword mode).
    ``keyword`` and ``expansion`` are BM25 scores (higher is better; a passage a term set does not
    match is absent). ``idf`` weighs the query's keywords; ``named`` and ``years`` are the councils
    (as the index names them) and years the question names. ``said`` lists, for passages holding
    attributed statements (the turns of a verbatim record, "Cllr Hughes said…" in minutes), who
    said what where: (speaker, start_char, end_char) in the paper.
    """

    passages: Mapping[int, Passage]
    cosines: Mapping[int, float] | None = None
    keyword: Mapping[int, float] = field(default_factory=dict)
    expansion: Mapping[int, float] = field(default_factory=dict)
    idf: Mapping[str, float] = field(default_factory=dict)
    named: frozenset[str] = frozenset()
    years: frozenset[str] = frozenset()
    said: Mapping[int, Sequence[tuple[str, int, int]]] = field(default_factory=dict)


@dataclass(slots=True)
class Scored:
    """A candidate's scores: its cosine, its BM25 (keywords plus weighted glossary terms), fused."""

    passage: Passage
    cos: float = 0.0
    bm25: float = 0.0
    fused: float = 0.0


def idf(df: int, n: int) -> float:
    """Inverse document frequency of a word found in ``df`` of ``n`` passages (BM25's, never negative)."""
    n = max(n, 1)
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def named_years(text: str) -> frozenset[str]:
    """The years a question names ("in 2017", "2016/17")."""
    return frozenset(YEAR.findall(text))


def passes(text: str, q: ParsedQuery) -> bool:
    """Whether a passage holds every phrase and no excluded word (typography folded, any case)."""
    return all(contains_phrase(text, p) for p in q.phrases) and not any(contains_word(text, w) for w in q.excluded)


def year_match(year: str, named: frozenset[str] | set[str], after: float) -> float:
    """1 when a paper's year is named; ``after`` when it is the year after one named (papers
    report on the past: January 2017's minutes and inspection report on 2016's review)."""
    if year in named:
        return 1.0
    return after if year.isdigit() and str(int(year) - 1) in named else 0.0


def fuse(q: ParsedQuery, ev: Evidence, r: Ranking) -> list[Scored]:
    """Every candidate that passes the query's phrases and exclusions, scored and ranked best first."""
    pool = [Scored(p) for cid, p in ev.passages.items() if not (q.phrases or q.excluded) or passes(p.text, q)]
    dense = ev.cosines is not None
    for s in pool:
        cid = s.passage.chunk_id
        if ev.cosines is not None:
            s.cos = float(ev.cosines.get(cid, 0.0))
        s.bm25 = ev.keyword.get(cid, 0.0)
        if cid in ev.expansion:
            s.bm25 = s.bm25 + r.expansion_weight * ev.expansion[cid]
    top_bm25 = max((s.bm25 for s in pool), default=0.0)
    cmin, cmax = (min(s.cos for s in pool), max(s.cos for s in pool)) if pool else (0.0, 0.0)
    w = {"hybrid": r.dense_weight, "dense": 1.0, "keyword": 0.0}[r.mode]
    for s in pool:
        p = s.passage
        kw = s.bm25 / top_bm25 if top_bm25 > 0 else 0.0
        dn = (s.cos - cmin) / (cmax - cmin) if cmax > cmin else (1.0 if dense else 0.0)
        s.fused = w * dn + (1 - w) * kw
        if ev.named and p.council in ev.named:
            s.fused += r.metadata_boost
        if ev.years:
            s.fused += r.year_boost * year_match(str(p.date or "")[:4], ev.years, r.year_after)
        if p.boilerplate:
            s.fused *= r.boilerplate_factor
    if r.speaker_boost and ev.said:
        _prefer_speakers(q, pool, ev.said, r.speaker_boost)
    return sorted(pool, key=lambda s: (-s.fused, s.passage.chunk_id))


def _prefer_speakers(q: ParsedQuery, pool: list[Scored], said: Mapping[int, Sequence[tuple[str, int, int]]],
                     boost: float) -> None:
    """Rank up the passages where a speaker the question names does the talking ("what did the
    Project Manager say about…", "what did Cllr Hughes think…"), by the share of each passage that
    speaker says: in a transcript the answer is in their turns, wherever their name is written."""
    named = named_speakers(q.raw, {who for statements in said.values() for who, _, _ in statements})
    if not named:
        return
    for s in pool:
        p = s.passage
        spoken = [(max(a, p.start_char), min(b, p.end_char)) for who, a, b in said.get(p.chunk_id, ()) if who in named]
        s.fused += boost * _covered(spoken) / max(1, p.end_char - p.start_char)


def _covered(spans: list[tuple[int, int]]) -> int:
    """How many characters the spans cover together (overlaps counted once)."""
    total, reach = 0, -1
    for a, b in sorted(spans):
        a = max(a, reach)
        if b > a:
            total, reach = total + b - a, b
    return total


def confidence(q: ParsedQuery, top: list[Scored], idf_of: Mapping[str, float], r: Ranking, dense: bool) -> float:
    """How sure we are that the best passages are about the query, 0..1.

    Half meaning (the cosine, scaled between ``cos_floor`` and ``cos_full``), half keywords: the
    share of the query's words found in the passage or its paper's title/council/committee, each
    word weighted by how rare it is in the index, so that "council" or "children" matching says
    little and "precept" matching says a lot. Without a cosine, keywords alone.
    """
    if not top:
        return 0.0
    weights = {t: idf_of[t] for t in q.terms if t in idf_of}
    total = sum(weights.values())
    best = 0.0
    for s in top:
        p = s.passage
        context = " ".join(v or "" for v in (p.text, p.title, p.council, p.committee))
        words = {stem(w) for w in _WORD.findall(context)}
        coverage = sum(wt for t, wt in weights.items() if stem(t) in words) / total if total else 0.0
        meaning = min(1.0, max(0.0, (s.cos - r.cos_floor) / (r.cos_full - r.cos_floor))) if dense else coverage
        best = max(best, 0.5 * meaning + 0.5 * coverage if dense else coverage)
    return best


def hit_of(p: Passage, score: float) -> Hit:
    """A passage as a search result, its score clamped to 0..1."""
    return Hit(
        chunk_id=p.chunk_id, doc_id=p.doc_id, score=round(max(0.0, min(1.0, score)), 4), path=p.path,
        title=p.title, council=p.council, committee=p.committee, date=p.date, doc_type=p.doc_type, page=p.page,
        section=p.section, minute=p.minute, start_char=p.start_char, end_char=p.end_char, text=p.text,
        boilerplate=p.boilerplate, ocr=p.ocr,
    )


def assemble(ranked: list[Scored], top_k: int, conf: float, r: Ranking, papers: PaperText) -> list[Hit]:
    """The ``top_k`` best passages as hits, in rank order.

    Three rules keep overlapping passages (the windows of a transcript) and adjacent ones honest:
    a passage mostly inside results already listed (``shown_share``) is not listed again; one that
    touches a listed result and is nearly as relevant (``merge_ratio``) is joined to it, up to
    ``merge_parts`` passages a result, so a result never grows without bound; any other passage,
    a weaker neighbour included, is listed on its own: what it says that no listed result shows
    is never dropped. A joined result keeps the id, page and score of its best passage.
    """
    top = ranked[0].fused if ranked else 1.0
    chosen: list[_Shown] = []
    for s in ranked:
        p = s.passage
        # Results this passage neighbours in its paper (overlapping windows are neighbours too).
        same = [c for c in chosen if c.hit.doc_id == p.doc_id and c.first - 1 <= p.ordinal <= c.last + 1]
        inside = _covered([(max(c.hit.start_char, p.start_char), min(c.hit.end_char, p.end_char)) for c in same])
        if same and inside >= r.shown_share * max(1, p.end_char - p.start_char):
            continue
        near = same[0] if same else None
        if (near is not None and r.merge_adjacent and near.parts < r.merge_parts
                and s.fused >= r.merge_ratio * near.fused):
            near.hit = merge(near.hit, p, papers)
            near.first, near.last, near.parts = min(near.first, p.ordinal), max(near.last, p.ordinal), near.parts + 1
            continue
        if len(chosen) < top_k:
            score = (s.fused / top if top > 0 else 0.0) * conf
            chosen.append(_Shown(hit_of(p, score), s.fused, p.ordinal, p.ordinal))
    return [c.hit for c in chosen]


@dataclass(slots=True)
class _Shown:
    """A result being assembled: its hit, its best passage's fused score, the ordinals it spans."""

    hit: Hit
    fused: float
    first: int
    last: int
    parts: int = 1


def merge(hit: Hit, p: Passage, papers: PaperText) -> Hit:
    """``hit`` widened to take in the adjacent passage ``p`` (the paper's text between them included)."""
    start = min(hit.start_char, p.start_char)
    end = max(hit.end_char, p.end_char)
    page = hit.page if hit.start_char <= p.start_char else p.page
    return replace(hit, start_char=start, end_char=end, text=papers.paper_text(hit.doc_id, start, end), page=page,
                   ocr=hit.ocr or p.ocr)


def rank(q: ParsedQuery, ev: Evidence, r: Ranking, top_k: int, papers: PaperText) -> SearchResult:
    """The search result for ``q`` from what the view returned: fused, boosted, merged, with its confidence."""
    ranked = fuse(q, ev, r)
    conf = confidence(q, ranked[:3], ev.idf, r, ev.cosines is not None)
    hits = assemble(ranked, top_k, conf, r, papers)
    scope = Scope(tuple(sorted(ev.named)), tuple(sorted(ev.years)))
    return SearchResult(q.raw, conf < r.weak_below or not hits, tuple(hits), scope)
