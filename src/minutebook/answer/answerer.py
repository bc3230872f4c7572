"""Cited answers: search, then quote (extractive) or write with the local model (generated).

Either way the answer is checked sentence by sentence against the passages it cites, and when
search finds nothing relevant the answer says so instead of answering.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from minutebook.answer.chat import choose_format
from minutebook.answer.check import check_sentence, check_text, sentence_key, source_text
from minutebook.answer.cite import meeting_label, own_markers, trim_quote
from minutebook.answer.extractive import Pick, pick_sentences
from minutebook.answer.generate import MAX_TOKENS, run_guarded
from minutebook.answer.lists import PaperLister, is_list_question, list_answer, with_partial_notice
from minutebook.answer.prompt import Evidence, build_prompt, evidence_grammar, evidence_text
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
    groups = reading_order(picks, hits)
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


def reading_order(picks: Sequence[Pick], hits: Sequence[Hit]) -> dict[str, list[Pick]]:
    """Picks grouped by meeting: the meeting of the best sentence first, the best sentence first within it."""
    groups: dict[str, list[Pick]] = {}
    for pick in sorted(picks, key=lambda p: (-p.relevance, hits[p.hit_index].doc_id, p.sentence.start)):
        groups.setdefault(meeting_label(hits[pick.hit_index]), []).append(pick)
    return groups


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


@dataclass(frozen=True, slots=True)
class Written:
    """A model's summary before and after checking: what it wrote, and the answer shown."""

    answer: Answer
    written: tuple[AnswerSentence, ...]  # every sentence the model wrote, as checked
    evidence: tuple[Evidence, ...]


def answer_evidence(question: str, hits: Sequence[Hit], named: Sequence[str] = ()) -> list[Evidence]:
    """The sentences the quoted answer chose, numbered in its reading order: what the model summarises."""
    picks = [p for group in reading_order(pick_sentences(question, hits, named=named), hits).values() for p in group]
    return [Evidence(n, hits[p.hit_index], evidence_text(p.sentence.text), p.sentence.start, p.sentence.end)
            for n, p in enumerate(picks, start=1)]


def generated_answer(question: str, hits: Sequence[Hit], generator: Generator,
                     on_token: Callable[[str], None] | None = None, max_tokens: int = MAX_TOKENS,
                     named: Sequence[str] = ()) -> Answer:
    """A short summary by ``generator`` of the quoted answer's sentences, checked; see ``write_from_evidence``."""
    return write_from_evidence(question, hits, generator, on_token, max_tokens, named).answer


def write_from_evidence(question: str, hits: Sequence[Hit], generator: Generator,
                        on_token: Callable[[str], None] | None = None, max_tokens: int = MAX_TOKENS,
                        named: Sequence[str] = ()) -> Written:
    """Have ``generator`` summarise the evidence sentences, streaming tokens to ``on_token``, then check it.

    The model writes in its own chat format under a grammar that ends every sentence with
    citations to the evidence (``answer.prompt``). Each sentence is checked against the
    evidence it cites; one that fails is replaced by the quoted sentence it cites (or dropped
    when that is already shown), and an answer with no supported sentence of the model's is
    the quoted answer, labelled ``fallback="nothing_supported"``.
    """
    evidence = answer_evidence(question, hits, named)
    if not evidence:
        return Written(not_covered_answer(question, hits), (), ())
    citations = tuple(Citation(e.n, e.hit, e.text) for e in evidence)
    sources = {c.n: source_text(c) for c in citations}
    try:
        fmt = choose_format(getattr(generator, "metadata", None) or {})
        grammar = evidence_grammar(evidence, quote_only=not fmt.instruct)
        result = run_guarded(generator, build_prompt(question, evidence, fmt), fmt.stop, max_tokens, on_token,
                             grammar=grammar)
    except ModelStopped as exc:
        stopped = quoted_fallback(question, hits, named, "model_stopped", f"{exc.message}; showing the quoted answer")
        return Written(stopped, (), tuple(evidence))
    # The model is only asked when the quoted answer found sentences: a refusal is a failure.
    written = check_text(result.text, sources, answerable=True)
    shown = _shown(written, {e.n: e for e in evidence})
    if not any(s.supported and s in written for s in shown):
        empty = "the local model wrote nothing the papers support; showing the quoted answer"
        return Written(quoted_fallback(question, hits, named, "nothing_supported", empty), written, tuple(evidence))
    failed = sum(1 for s in written if not s.supported)
    notice: str | None = None
    if failed:
        notice = (f"{failed} of the model's {len(written)} sentences {'was' if failed == 1 else 'were'} not supported "
                  "by the papers: shown as the quoted sentence cited, or left out")
    # Written as the model writes it ("… [1]."), so the text matches what was streamed.
    text = " ".join(f"{s.text.removesuffix('.')} {''.join(f'[{n}]' for n in s.citations)}." for s in shown)
    answer = Answer(question, "generated", text, tuple(shown), citations, False, generator.model_id, notice=notice)
    return Written(answer, written, tuple(evidence))


def _shown(written: Sequence[AnswerSentence], evidence: dict[int, Evidence]) -> list[AnswerSentence]:
    """The sentences to show: supported ones as written, each failing one as the quoted sentence it cites."""
    shown: list[AnswerSentence] = []
    seen: set[str] = set()
    quoted: set[int] = set()
    for s in written:
        if s.supported:
            key = sentence_key(s.text)
            if key not in seen:
                seen.add(key)
                shown.append(s)
            continue
        for n in s.citations:
            if n in evidence and n not in quoted:
                quoted.add(n)
                text = f"“{evidence[n].text}”"
                key = sentence_key(text)
                if key not in seen:
                    seen.add(key)
                    shown.append(AnswerSentence(text, (n,), True))
                break
    return shown


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

        A council the question names scopes the answer (``answer.scope``). A question asking for a
        list is answered from the papers' attributes when they hold the answer (``answer.lists``).
        """
        if isinstance(self.searcher, PaperLister):
            listed = list_answer(question, self.searcher, filters)
            if listed is not None:
                return listed
        answer = self._passage_answer(question, filters, llm=llm, on_token=on_token)
        return with_partial_notice(answer) if is_list_question(question) else answer

    def _passage_answer(self, question: str, filters: Filters | None, *, llm: bool,
                        on_token: Callable[[str], None] | None) -> Answer:
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
