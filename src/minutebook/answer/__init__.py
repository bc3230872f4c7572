"""Cited answers to questions about the indexed papers.

``CitedAnswerer(searcher)`` answers extractively (quoted sentences, no model) or, with
``llm=True``, by a local language model whose every sentence is then checked against the
passages it cites.
"""

from minutebook.answer.answerer import (
    NOT_COVERED,
    CitedAnswerer,
    extractive_answer,
    generated_answer,
    not_covered_answer,
)
from minutebook.answer.check import check_sentence, check_text, citation_markers, source_text
from minutebook.answer.render import answer_to_dict, sources_lines, unsupported_lines

__all__ = [
    "NOT_COVERED",
    "CitedAnswerer",
    "answer_to_dict",
    "check_sentence",
    "check_text",
    "citation_markers",
    "extractive_answer",
    "generated_answer",
    "not_covered_answer",
    "source_text",
    "sources_lines",
    "unsupported_lines",
]
