"""How well a local model writes cited summaries: the answer benchmark behind ``minutebook models check``.

Each question goes through minutebook's own path — search (scoped to a council the question
names), the quoted answer's evidence sentences, the model's summary under its grammar, the
checker — and the results are counted: sentences the model wrote and how many the checker
supports, answers with at least one supported sentence, quoted fallbacks, refusals on questions
the papers answer, summary length against the evidence, time to the first token and tokens per
second. The same run also times the first token on a prompt of about 1,000 tokens.

The built-in questions are about the sample papers in ``corpus/`` and eight Ofsted inspection
reports (see bench/RESULTS.md); ``--questions FILE`` runs a council's own (JSON lines with
``question`` and ``answerable``).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from minutebook.answer.answerer import Written, not_covered_answer, not_in_scope_answer, write_from_evidence
from minutebook.answer.chat import choose_format
from minutebook.answer.check import REFUSAL
from minutebook.answer.generate import run_guarded
from minutebook.answer.prompt import Evidence, build_prompt, evidence_grammar
from minutebook.answer.scope import scoped_search
from minutebook.errors import ModelStopped, UsageError
from minutebook.protocols import Generator, Searcher

LONG_PROMPT_TOKENS = 1000
TOP_K = 8


@dataclass(frozen=True, slots=True)
class CheckQuestion:
    id: str
    question: str
    kinds: tuple[str, ...]
    answerable: bool


def _q(qid: str, question: str, kinds: str, answerable: bool) -> CheckQuestion:
    return CheckQuestion(qid, question, tuple(kinds.split()), answerable)


QUESTIONS: tuple[CheckQuestion, ...] = (
    _q("a01", "what was said about caseloads?", "general", True),
    _q("a02", "what did members say about agency staff?", "general", True),
    _q("a03", "problems with the case recording system social workers use", "general", True),
    _q("a04", "what was said about recruitment and retention of social workers?", "general", True),
    _q("a05", "how did the COVID-19 pandemic affect referrals?", "general", True),
    _q("a06", "what did the monitoring visit find about the initial response teams?", "general", True),
    _q("a07", "what was said about the improvement plan?", "general", True),
    _q("a08", "what did members ask about independent reviewing officers?", "general", True),
    _q("n01", "how many formal escalations were there?", "number", True),
    _q("n02", "how many vacant social work posts were there in Devon?", "number council", True),
    _q("n03", "what was the average caseload per social worker in Worcestershire?", "number council", True),
    _q("n04", "how many agency staff was West Sussex using?", "number council", True),
    _q("n05", "how many children are on an independent reviewing officer’s caseload?", "number", True),
    _q("n06", "what share of permanent social care jobs were unfilled?", "number", True),
    _q("n07", "how many informal escalations were raised?", "number", True),
    _q("c01", "How well are care leavers supported in Lancashire?", "council", True),
    _q("c02", "What did inspectors find about private fostering in North Northamptonshire?", "council", True),
    _q("c03", "How does Wolverhampton respond when children go missing from home or care?", "council", True),
    _q("c04", "What did Ofsted say about social workers’ caseloads in Wirral?", "council", True),
    _q("c05", "How effective are leaders in Trafford children’s services?", "council", True),
    _q("c06", "What did inspectors find about the front door in Norfolk?", "council", True),
    _q("c07", "How are children in care helped with their health in Dorset?", "council", True),
    _q("c08", "What did inspectors say about disabled children in Worcestershire?", "council", True),
    _q("c09", "How are 16- and 17-year-olds who are homeless helped in Lancashire?", "council", True),
    _q("c10", "What did Ofsted find about children at risk of exploitation in Norfolk?", "council", True),
    _q("u01", "how much was spent on pothole repairs?", "unanswerable", False),
    _q("u02", "what was decided about the new bus station?", "unanswerable", False),
    _q("u03", "when will the central library reopen?", "unanswerable", False),
    _q("u04", "What did Ofsted find about care leavers in Cornwall?", "unanswerable council", False),
    _q("u05", "what is the policy on residents’ parking permits?", "unanswerable", False),
    _q("u06", "what did the committee say about onshore wind farms?", "unanswerable", False),
)


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One question's answer, as counted."""

    id: str
    question: str
    answerable: bool
    outcome: str  # "generated", "nothing_supported", "model_stopped", "not_covered"
    written: int
    supported: int
    refused: bool
    summary_chars: int
    evidence_chars: int
    cited_evidence_chars: int
    first_token_s: float | None
    tokens: int
    tokens_per_s: float | None
    answer: str
    unsupported: tuple[str, ...]


def load_questions(path: Path) -> tuple[CheckQuestion, ...]:
    """Questions from a JSON-lines file: ``{"question": …, "answerable": true|false}`` a line."""
    out: list[CheckQuestion] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the questions ({exc.strerror})", "Give a JSON-lines file.") from exc
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(CheckQuestion(str(row.get("id", f"q{i}")), str(row["question"]),
                                     tuple(row.get("kinds", ())), bool(row.get("answerable", True))))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UsageError(f"{path}, line {i}: not a question ({exc})",
                             'Write one JSON object a line, like {"question": "…", "answerable": true}.') from exc
    return tuple(out)


def check_question(searcher: Searcher, generator: Generator, q: CheckQuestion) -> QuestionResult:
    """Answer ``q`` as ``ask --llm`` does, timing the model's tokens, and count what came back."""
    result = scoped_search(searcher, q.question, None, TOP_K)
    start = time.perf_counter()
    stamps: list[float] = []
    if not result.covered:
        written = Written(not_in_scope_answer(q.question, result.councils, result.hits), (), ())
    elif result.weak or not result.hits:
        written = Written(not_covered_answer(q.question, result.hits), (), ())
    else:
        written = write_from_evidence(q.question, result.hits, generator, lambda _t: stamps.append(time.perf_counter()),
                                      named=result.councils)
    answer = written.answer
    outcome = answer.fallback or ("not_covered" if answer.mode == "not_covered" else "generated")
    supported = [s for s in written.written if s.supported]
    cited = {n for s in supported for n in s.citations}
    by_n = {e.n: e for e in written.evidence}
    first = stamps[0] - start if stamps else None
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 and stamps[-1] > stamps[0] else None
    return QuestionResult(
        q.id, q.question, q.answerable, outcome, len(written.written), len(supported),
        refused=any(REFUSAL.match(s.text) for s in written.written),
        summary_chars=sum(len(s.text) for s in supported),
        evidence_chars=sum(len(e.text) for e in written.evidence),
        cited_evidence_chars=sum(len(by_n[n].text) for n in cited if n in by_n),
        first_token_s=first, tokens=len(stamps), tokens_per_s=rate, answer=answer.text,
        unsupported=tuple(f"{s.text} ({s.reason})" for s in written.written if not s.supported),
    )


def long_prompt_timing(generator: Generator, evidence: Sequence[Evidence],
                       target_tokens: int = LONG_PROMPT_TOKENS, max_tokens: int = 64) -> dict[str, Any]:
    """Time to first token and tokens/s on a summary prompt padded with evidence to about ``target_tokens``."""
    if not evidence:
        return {}
    fmt = choose_format(getattr(generator, "metadata", None) or {})
    count: Callable[[str], int] = getattr(generator, "count_tokens", lambda text: len(text) // 4)
    padded: list[Evidence] = []
    prompt = ""
    while not padded or count(prompt) < target_tokens:
        e = evidence[len(padded) % len(evidence)]
        padded.append(Evidence(len(padded) + 1, e.hit, e.text, e.start, e.end))
        prompt = build_prompt("what was said about this?", padded, fmt)
    reset = getattr(generator, "reset", None)
    if reset is not None:
        reset()
    stamps: list[float] = []
    start = time.perf_counter()
    try:
        run_guarded(generator, prompt, fmt.stop, max_tokens, lambda _t: stamps.append(time.perf_counter()),
                    grammar=evidence_grammar(padded, quote_only=not fmt.instruct))
    except ModelStopped as exc:  # counted, like an answer's fallback: the figures so far still stand
        return {"prompt_tokens": count(prompt), "first_token_s": None, "stopped": exc.message}
    return {
        "prompt_tokens": count(prompt),
        "first_token_s": round(stamps[0] - start, 3) if stamps else None,
        "tokens": len(stamps),
        "tokens_per_s": round((len(stamps) - 1) / (stamps[-1] - stamps[0]), 1) if len(stamps) > 1 else None,
    }


def summarise(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """The benchmark's figures over ``results``."""
    answerable = [r for r in results if r.answerable]
    asked = [r for r in results if r.outcome != "not_covered"]
    written = sum(r.written for r in results)
    supported = sum(r.supported for r in results)
    shown_model = [r for r in results if r.outcome == "generated"]
    firsts = [r.first_token_s for r in results if r.first_token_s is not None]
    rates = [r.tokens_per_s for r in results if r.tokens_per_s is not None]
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "model_asked": len(asked),
        "sentences_written": written,
        "sentences_supported": supported,
        "supported_rate": round(supported / written, 3) if written else None,
        "answers_with_supported_sentence": len(shown_model),
        "fallbacks_nothing_supported": sum(r.outcome == "nothing_supported" for r in results),
        "fallbacks_model_stopped": sum(r.outcome == "model_stopped" for r in results),
        "refused_answerable": sum(r.refused for r in answerable),
        "not_covered_answerable": sum(r.outcome == "not_covered" for r in answerable),
        "not_covered_unanswerable": sum(r.outcome == "not_covered" for r in results if not r.answerable),
        "unanswerable": len(results) - len(answerable),
        "summary_shorter_than_evidence": sum(r.summary_chars < r.evidence_chars for r in shown_model),
        "summary_shorter_than_cited_evidence": sum(r.summary_chars < r.cited_evidence_chars for r in shown_model),
        "summary_to_evidence_chars": round(sum(r.summary_chars for r in shown_model)
                                           / max(1, sum(r.evidence_chars for r in shown_model)), 3),
        "first_token_s_median": round(statistics.median(firsts), 3) if firsts else None,
        "first_token_s_max": round(max(firsts), 3) if firsts else None,
        "tokens_per_s_median": round(statistics.median(rates), 1) if rates else None,
    }


def run_check(searcher: Searcher, generator: Generator, questions: Sequence[CheckQuestion] = QUESTIONS,
              on_result: Callable[[QuestionResult], None] | None = None) -> dict[str, Any]:
    """Run every question, then the ~1,000-token prompt; the summary, the timing and each question's result."""
    results: list[QuestionResult] = []
    evidence: list[Evidence] = []
    for q in questions:
        r = check_question(searcher, generator, q)
        results.append(r)
        if on_result is not None:
            on_result(r)
        if not evidence and r.outcome != "not_covered":
            from minutebook.answer.answerer import answer_evidence

            hits = scoped_search(searcher, q.question, None, TOP_K).hits
            evidence = answer_evidence(q.question, hits)
    return {
        "model": generator.model_id,
        "summary": summarise(results),
        "long_prompt": long_prompt_timing(generator, evidence),
        "results": [asdict(r) for r in results],
    }
