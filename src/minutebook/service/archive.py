"""One open index as a front end uses it: its searcher, answerer, reader and store, made on first use.

The CLI opens one per command; ``minutebook serve`` and ``minutebook mcp`` keep a few open and
lend each to one request at a time. Nothing is loaded before it is needed, so `status` never
loads the embedding model and `search` never loads the language model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Self

from minutebook.config import Settings
from minutebook.protocols import Embedder, Generator

if TYPE_CHECKING:
    from minutebook.answer import CitedAnswerer
    from minutebook.index.sqlite.store import Store
    from minutebook.search.hybrid import HybridSearcher, Ranking
    from minutebook.service.reader import IndexReader


class Archive:
    """The index ``settings.index`` names, opened read-only part by part. Not for two threads at once."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        generator: Callable[[], Generator] | None = None,
        ranking: Ranking | None = None,
        answer_top_k: int = 8,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._generator = generator
        self._ranking = ranking
        self._answer_top_k = answer_top_k
        self._searcher: HybridSearcher | None = None
        self._store: Store | None = None
        self._reader: IndexReader | None = None
        self._answerer: CitedAnswerer | None = None

    @property
    def searcher(self) -> HybridSearcher:
        if self._searcher is None:
            from minutebook.search.hybrid import open_searcher

            self._searcher = open_searcher(self.settings, self._embedder, self._ranking)
        return self._searcher

    @property
    def store(self) -> Store:
        """The index's database, read-only (the searcher's, once it is open)."""
        from minutebook.index.postgres import is_location

        if self._searcher is not None and not is_location(self.settings.index):
            return self._searcher._store
        if self._store is None:
            from minutebook.index.sqlite.store import Store

            if is_location(self.settings.index):
                from minutebook.index.postgres.read import PgStore

                self._store = PgStore(str(self.settings.index))  # type: ignore[assignment]
            else:
                self._store = Store.open(Path(self.settings.index), readonly=True)
        return self._store  # type: ignore[return-value]  # set just above

    @property
    def reader(self) -> IndexReader:
        if self._reader is None:
            self._reader = open_reader(self.settings.index)
        return self._reader

    @property
    def answerer(self) -> CitedAnswerer:
        if self._answerer is None:
            from minutebook.answer import CitedAnswerer

            self._answerer = CitedAnswerer(self.searcher, self._generator or self._open_generator,
                                           top_k=self._answer_top_k)
        return self._answerer

    def answerer_for(self, top_k: int | None) -> CitedAnswerer:
        """The answerer, drawing on ``top_k`` passages instead of the archive's default when given."""
        if top_k is None or top_k == self._answer_top_k:
            return self.answerer
        from minutebook.answer import CitedAnswerer

        return CitedAnswerer(self.searcher, self._generator or self._open_generator, top_k=top_k)

    def _open_generator(self) -> Generator:
        from minutebook.models.llm import open_generator

        return open_generator(self.settings)

    def close(self) -> None:
        for part in (self._searcher, self._store, self._reader):
            if part is not None:
                part.close()
        self._searcher = self._store = self._reader = None
        self._answerer = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def shared_generator(settings: Settings) -> Callable[[], Generator]:
    """A factory making the configured language model once, for every archive that asks."""
    lock = threading.Lock()
    made: list[Generator] = []

    def make() -> Generator:
        with lock:
            if not made:
                from minutebook.models.llm import open_generator

                made.append(open_generator(settings))
            return made[0]

    return make



def open_reader(index: Path | str) -> IndexReader:
    """The passage reader for an index folder or a PostgreSQL database."""
    from minutebook.index.postgres import is_location

    if is_location(index):
        from minutebook.index.postgres.read import PgReader

        return PgReader(str(index))  # type: ignore[return-value]
    from minutebook.service.reader import IndexReader

    return IndexReader(Path(index))
