"""Extractive answers: the retrieved sentences that best answer the question, quoted and cited.

No model is involved, so the answer is fast, deterministic and can only say what the papers say.
Sentences are chosen greedily (maximal marginal relevance): each pick is the most relevant
sentence left, discounted by how much it repeats what is already picked — the same passage,
the same paper or the same meeting count as repetition, so the answer reaches across meetings
rather than quoting one set of minutes six times.

What counts as relevant is the question's *topic*: words that say where or when to look — a
council's or committee's name, a year, a month — and the words of a question ("what",
"judged", "say") never count, so "caseloads in Norfolk" is scored on caseloads, not on how
often a sentence says "Norfolk". Page furniture (copyright and contact lines, "Report
published …", contents lists, running headers) is never quoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from minutebook.answer.cite import meeting_label
from minutebook.answer.furniture import is_furniture
from minutebook.answer.sentences import Sentence, split_sentences
from minutebook.answer.terms import coverage, idf_weights, terms
from minutebook.council.councils import name_words
from minutebook.text.words import MONTHS, QUESTION_WORDS, stem
from minutebook.types import Hit

MAX_SENTENCES = 6
DIVERSITY = 0.35  # weight of "repeats an earlier pick" against relevance
HIT_WEIGHT = 0.3  # how much the passage's search score adds to a sentence's own term match
MIN_WORDS = 5
LONG_SENTENCE = 400
NEAR_DUPLICATE = 0.7


@dataclass(frozen=True, slots=True)
class Pick:
    """A sentence chosen for the answer: ``hits[hit_index].text[sentence.start:sentence.end]``."""

    hit_index: int
    sentence: Sentence
    relevance: float


@dataclass(frozen=True, slots=True)
class _Candidate:
    hit_index: int
    sentence: Sentence
    terms: frozenset[str]
    relevance: float
    matched: float


def _usable_hits(hits: Sequence[Hit]) -> list[int]:
    """Indexes of hits worth quoting: page furniture only when there is nothing else."""
    real = [i for i, h in enumerate(hits) if not h.boilerplate]
    return real or list(range(len(hits)))


def scope_terms(question: str, hits: Sequence[Hit], named: Sequence[str] = ()) -> frozenset[str]:
    """Stems of the question that say where or when to look, not what about.

    The names of the councils in ``named`` and of the councils and committees the passages come
    from (when the question uses them), years, months and question words.
    """
    out = set(QUESTION_WORDS | MONTHS)
    places = {*named, *(h.council for h in hits if h.council)}
    for council in places:
        out.update(stem(w) for w in name_words(council))
    asked = set(terms(question))
    for committee in {h.committee for h in hits if h.committee}:
        words = set(terms(committee))
        if words and words <= asked:  # the question names the committee in full
            out.update(words)
    out.update(t for t in asked if t.isdigit())
    return frozenset(out)


def topic_terms(question: str, hits: Sequence[Hit], named: Sequence[str] = ()) -> list[str]:
    """The question's topic: its terms without the words that only scope it (see ``scope_terms``)."""
    scope = scope_terms(question, hits, named)
    return [t for t in terms(question) if t not in scope]


def _candidates(question: str, hits: Sequence[Hit], named: Sequence[str] = ()) -> list[_Candidate]:
    query = topic_terms(question, hits, named)
    raw: list[tuple[int, Sentence, frozenset[str]]] = []
    for i in _usable_hits(hits):
        for sentence in split_sentences(hits[i].text):
            words = sentence.text.split()
            if len(words) < MIN_WORDS or (sentence.text[-1].isalnum() and len(words) < 8):
                continue  # fragments and headings say nothing on their own
            if is_furniture(sentence.text, hits[i]):
                continue
            raw.append((i, sentence, frozenset(terms(sentence.text))))
    if not query:
        return [_Candidate(i, s, t, hits[i].score, 0.0) for i, s, t in raw]
    idf = idf_weights(query, (set(t) for _, _, t in raw))
    out: list[_Candidate] = []
    for i, sentence, found in raw:
        matched = coverage(query, set(found), idf)
        relevance = (1 - HIT_WEIGHT) * matched + HIT_WEIGHT * hits[i].score
        if len(sentence.text) > LONG_SENTENCE:
            relevance *= 0.85  # run-on extraction (tables, lists glued together) reads badly
        out.append(_Candidate(i, sentence, found, relevance, matched))
    return out


def _similarity(a: _Candidate, b: _Candidate, hits: Sequence[Hit]) -> float:
    union = a.terms | b.terms
    overlap = len(a.terms & b.terms) / len(union) if union else 0.0
    ha, hb = hits[a.hit_index], hits[b.hit_index]
    if a.hit_index == b.hit_index:
        place = 0.7
    elif ha.doc_id == hb.doc_id:
        place = 0.6
    elif meeting_label(ha) == meeting_label(hb):
        place = 0.4
    else:
        place = 0.0
    return max(overlap, place)


def pick_sentences(question: str, hits: Sequence[Hit], max_sentences: int = MAX_SENTENCES,
                   named: Sequence[str] = ()) -> list[Pick]:
    """The sentences that best answer ``question``, most useful first.

    ``named`` holds the councils the question names (see ``councils.named_in``); their names,
    like years, months and question words, never count as topic words. A sentence must share
    at least one topic term with the question; if none does (the passages matched on meaning
    alone), the opening sentence of each of the top passages stands in. Ties are broken by
    position, so the same input always gives the same answer.
    """
    candidates = _candidates(question, hits, named)
    if not candidates:
        return []
    matching = [c for c in candidates if c.matched > 0]
    if not matching:
        firsts: dict[int, _Candidate] = {}
        for c in candidates:
            firsts.setdefault(c.hit_index, c)
        chosen = sorted(firsts.values(), key=lambda c: c.hit_index)[:3]
        return [Pick(c.hit_index, c.sentence, c.relevance) for c in chosen]
    best_relevance = max(c.relevance for c in matching)
    best_match = max(c.matched for c in matching)
    pool = [c for c in matching if c.relevance >= 0.5 * best_relevance and c.matched >= 0.5 * best_match]
    picked: list[_Candidate] = []
    while pool and len(picked) < max_sentences:
        def mmr(c: _Candidate) -> tuple[float, int, int]:
            repeat = max((_similarity(c, p, hits) for p in picked), default=0.0)
            return ((1 - DIVERSITY) * c.relevance - DIVERSITY * repeat, -c.hit_index, -c.sentence.start)

        choice = max(pool, key=mmr)
        pool.remove(choice)
        if not any(_jaccard(choice.terms, p.terms) >= NEAR_DUPLICATE for p in picked):
            picked.append(choice)
    return [Pick(c.hit_index, c.sentence, c.relevance) for c in picked]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0
