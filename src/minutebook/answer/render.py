"""An answer as JSON data and as the plain text the CLI prints; shared with the TUI."""

from __future__ import annotations

from typing import Any

from minutebook.answer.cite import format_citation
from minutebook.council.councils import display_name
from minutebook.ingest.attributes import describe
from minutebook.types import Answer, AnswerSentence

UNSUPPORTED = "⚠ unsupported:"


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """The ``--json`` form of an answer (see the README for the schema)."""
    return {
        "question": answer.question,
        "mode": answer.mode,
        "answer": answer.text,
        "sentences": [
            {"text": s.text, "citations": list(s.citations), "supported": s.supported, "reason": s.reason}
            for s in answer.sentences
        ],
        "citations": [
            {
                "n": c.n, "doc_id": c.hit.doc_id, "path": c.hit.path, "title": c.hit.title,
                "council": display_name(c.hit.council), "doc_type": c.hit.doc_type, "citation": format_citation(c.hit),
                "committee": c.hit.committee, "date": c.hit.date, "page": c.hit.page, "minute": c.hit.minute,
                "start_char": c.hit.start_char, "end_char": c.hit.end_char, "quote": c.quote, "ocr": c.hit.ocr,
                "attributes": dict(c.hit.attributes),
            }
            for c in answer.citations
        ],
        "weak": answer.weak,
        "model": answer.model,
        "fallback": answer.fallback,
        "notice": answer.notice,
    }


def unsupported(answer: Answer) -> list[AnswerSentence]:
    """The sentences the checker could not support."""
    return [s for s in answer.sentences if not s.supported]


def unsupported_lines(answer: Answer) -> list[str]:
    """One line per unsupported sentence: the warning, the sentence, and why."""
    return [f"{UNSUPPORTED} {s.text} ({s.reason})" for s in unsupported(answer)]


def cited_numbers(answer: Answer) -> list[int]:
    """Citation numbers the answer's sentences use, or all of them when none is used."""
    used = sorted({n for s in answer.sentences for n in s.citations})
    known = {c.n for c in answer.citations}
    shown = [n for n in used if n in known]
    return shown or sorted(known)


def sources_lines(answer: Answer, *, all_sources: bool = False) -> list[str]:
    """The "Sources" block: each cited passage's citation, paper and quote."""
    wanted = {c.n for c in answer.citations} if all_sources else set(cited_numbers(answer))
    lines: list[str] = []
    for c in answer.citations:
        if c.n not in wanted:
            continue
        lines.append(f"[{c.n}] {format_citation(c.hit)}")
        if c.hit.attributes:
            lines.append(f"    {describe(c.hit.attributes, brief=True)}")
        lines.append(f"    {c.hit.title} — {c.hit.path}")
        lines.append(f'    "{c.quote}"')
    return lines
