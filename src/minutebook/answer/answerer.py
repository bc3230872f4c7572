"""Cited answers: search, then quote (extractive) or write with the local model (generated).

Either way the answer is checked sentence by sentence against the passages it cites, and when
search finds nothing relevant the answer says so instead of answering.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace

from minutebook.answer.check import check_sentence, check_text, source_text
from minutebook.answer.cite import meeting_label, own_markers, trim_quote
from minutebook.answer.extractive import Pick, pick_sentences
from minutebook.answer.generate import MAX_TOKENS, run_guarded
from minutebook.answer.prompt import STOP, build_prompt, prompt_passages
from minutebook.answer.scope import not_in_papers, scoped_search
from minutebook.errors import ModelStopped
from minutebook.protocols import Generator, Searcher
from minutebook.types import Answer, AnswerSentence, Citation, Filters, Hit

NOT_COVERED = "The indexed papers do not cover this question."
CLOSEST_SHOWN = 3
QUOTE_CHARS = 320

GeneratorFactory = Callable[[], Generator]


def not_covered_answer(question: str, hits: Sequence[Hit]) -> Answer:
    """The plain "not covered" answer, with the closest passages as its sources."""
    closest = tuple(Citation(n, h, trim_quote(h.text, max_chars=QUOTE_CHARS))
                    for n, h in enumerate(hits[:CLOSEST_SHOWN], start=1))
    text = NOT_COVERED + (" The closest passages are listed below." if closest else " Nothing close was found.")
    return Answer(question, "not_covered", text, (), closest, True)


def extractive_answer(question: str, hits: Sequence[Hit], named: Sequence[str] = ()) -> Answer:
    """Quote the sentences that best answer ``question``, grouped by meeting, each cited [n].

    The meeting holding the best sentence comes first, and within a meeting the best sentence
    leads, so the sentence that answers is the first one read. ``named`` holds the councils the
    question names (their names are not topic words).
    """
    picks = pick_sentences(question, hits, named=named)
    if not picks:
        return not_covered_answer(question, hits)
    groups: dict[str, list[Pick]] = {}
    for pick in sorted(picks, key=lambda p: (-p.relevance, hits[p.hit_index].doc_id, p.sentence.start)):
        groups.setdefault(meeting_label(hits[pick.hit_index]), []).append(pick)

    numbers: dict[int, int] = {}  # hit index -> citation number, in reading order
    for group in groups.values():
        for pick in group:
            numbers.setdefault(pick.hit_index, len(numbers) + 1)
    citations = tuple(_extract_citation(numbers[i], hits[i], [p for p in picks if p.hit_index == i])
                      for i in numbers)
    sources = {c.n: source_text(c) for c in citations}

    lines: list[str] = []
    sentences: list[AnswerSentence] = []
    for label, group in groups.items():
        lines.append(("\n" if lines else "") + label)
        for pick in group:
            n = numbers[pick.hit_index]
            text = own_markers(pick.sentence.text)
            lines.append(f"  - {text} [{n}]")
            sentences.append(check_sentence(text, (n,), sources))
    return Answer(question, "extractive", "\n".join(lines), tuple(sentences), citations, False)


def not_in_scope_answer(question: str, councils: Sequence[str], closest: Sequence[Hit]) -> Answer:
    """The named council's papers do not answer ``question``: say so, and list the closest passages elsewhere."""
    shown = tuple(Citation(n, h, trim_quote(h.text, max_chars=QUOTE_CHARS))
                  for n, h in enumerate(closest[:CLOSEST_SHOWN], start=1))
    return Answer(question, "not_covered", not_in_papers(councils, [c.hit for c in shown]), (), shown, True)


def _extract_citation(n: int, hit: Hit, picks: Sequence[Pick]) -> Citation:
    start = min(p.sentence.start for p in picks)
    end = max(p.sentence.end for p in picks)
    if end - start > 2 * QUOTE_CHARS:
        quote = " … ".join(trim_quote(hit.text, p.sentence.start, p.sentence.end, QUOTE_CHARS)
                           for p in sorted(picks, key=lambda p: p.sentence.start))
    else:
        quote = trim_quote(hit.text, start, end, max(QUOTE_CHARS, end - start + 40))
    return Citation(n, hit, quote)


def generated_answer(question: str, hits: Sequence[Hit], generator: Generator,
                     on_token: Callable[[str], None] | None = None, max_tokens: int = MAX_TOKENS,
                     named: Sequence[str] = ()) -> Answer:
    """Have ``generator`` answer from the top passages, streaming tokens to ``on_token``, then check it."""
    passages = prompt_passages(question, hits)
    citations = tuple(Citation(p.n, p.hit, p.quote) for p in passages)
    try:
        result = run_guarded(generator, build_prompt(question, passages), STOP, max_tokens, on_token)
    except ModelStopped as exc:
        return quoted_fallback(question, hits, named, "model_stopped", f"{exc.message}; showing the quoted answer")
    sources = {c.n: source_text(c) for c in citations}
    text = result.text or "(the model gave no answer)"
    # The model is only asked when search found the question covered; a refusal then is a failure
    # whenever the quoted answer can answer it.
    answerable = bool(pick_sentences(question, hits))
    checked = check_text(result.text, sources, answerable=answerable)
    return Answer(question, "generated", text, checked, citations, False, generator.model_id)


def quoted_fallback(question: str, hits: Sequence[Hit], named: Sequence[str], fallback: str, notice: str) -> Answer:
    """The quoted answer, shown because the model's could not be: ``notice`` says why, in one line."""
    return replace(extractive_answer(question, hits, named), fallback=fallback, notice=notice)


class CitedAnswerer:
    """Answers questions from a ``Searcher``; satisfies ``protocols.Answerer``.

    ``generator_factory`` makes the language model on first use of ``llm=True`` (it is then
    kept); by default it is the model the settings name (bundled Gemma unless configured).
    """

    def __init__(self, searcher: Searcher, generator_factory: GeneratorFactory | None = None,
                 top_k: int = 8) -> None:
        self.searcher = searcher
        self.top_k = top_k
        self._factory = generator_factory or _default_generator
        self._generator: Generator | None = None
        self._lock = threading.Lock()

    def generator(self) -> Generator:
        """The language model, made on first call."""
        with self._lock:
            if self._generator is None:
                self._generator = self._factory()
            return self._generator

    def close(self) -> None:
        """Stop the language model's process, if one was started."""
        with self._lock:
            generator, self._generator = self._generator, None
        close = getattr(generator, "close", None)
        if close is not None:
            close()

    def answer(self, question: str, filters: Filters | None = None, *, llm: bool = False,
               on_token: Callable[[str], None] | None = None) -> Answer:
        """A cited answer to ``question``; "not_covered" when search finds nothing relevant.

        A council the question names scopes the answer (``answer.scope``).
        """
        result = scoped_search(self.searcher, question, filters, self.top_k)
        if not result.covered:
            return not_in_scope_answer(question, result.councils, result.hits)
        if result.weak or not result.hits:
            return not_covered_answer(question, result.hits)
        if llm:
            return generated_answer(question, result.hits, self.generator(), on_token, named=result.councils)
        return extractive_answer(question, result.hits, result.councils)


def _default_generator() -> Generator:
    from minutebook.config import load_settings
    from minutebook.models.llm import open_generator

    return open_generator(load_settings())
