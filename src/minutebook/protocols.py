"""The seams between parts: small protocols that tests satisfy with fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

import numpy as np

from minutebook.types import Answer, Filters, SearchResult


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    model_id: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class Generator(Protocol):
    """A local language model that continues a prompt, token by token.

    ``grammar`` (llama.cpp GBNF), when given, constrains what it may write.
    """

    model_id: str

    def stream(self, prompt: str, max_tokens: int, stop: Sequence[str],
               grammar: str | None = None) -> Iterator[str]: ...


class Searcher(Protocol):
    def search(self, query: str, filters: Filters | None = None, top_k: int = 10) -> SearchResult: ...


class Answerer(Protocol):
    def answer(
        self,
        question: str,
        filters: Filters | None = None,
        *,
        llm: bool = False,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer: ...
