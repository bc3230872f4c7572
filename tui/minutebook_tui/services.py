"""What the app works with, all from the library: a searcher, an answerer, a reader, a syncer.

The app never searches, answers or indexes itself; tests pass fakes for any of these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from minutebook.config import Settings
from minutebook.errors import MinutebookError
from minutebook.protocols import Answerer, Searcher
from minutebook.service.reader import Facets, PassageContext
from minutebook.types import Hit, Progress, SyncReport

ProgressFn = Callable[[Progress], None]
Syncer = Callable[[ProgressFn], SyncReport]


class Reader(Protocol):
    """What ``minutebook.service.reader.IndexReader`` offers the app."""

    def facets(self) -> Facets: ...
    def passage(self, chunk_id: int) -> Hit | None: ...
    def context(self, hit: Hit) -> PassageContext: ...
    def neighbour(self, hit: Hit, step: int = 1) -> Hit | None: ...


@dataclass(slots=True)
class Services:
    """The library objects behind the app. ``problem`` says why some are missing (no index yet)."""

    settings: Settings
    searcher: Searcher | None
    answerer: Answerer | None
    reader: Reader | None
    syncer: Syncer | None
    problem: MinutebookError | None = None
    owned: bool = False  # made here from settings, so re-opened after a sync and closed on exit

    def close(self) -> None:
        if self.owned:
            for part in (self.answerer, self.searcher, self.reader):
                close = getattr(part, "close", None)
                if close is not None:
                    close()


def open_services(settings: Settings, embedder: Any = None) -> Services:
    """Open the configured index. With no usable index the searcher is None and ``problem`` says why."""
    from minutebook.answer import CitedAnswerer
    from minutebook.models.llm import open_generator
    from minutebook.models.registry import index_embedder
    from minutebook.search.hybrid import open_searcher
    from minutebook.service.archive import open_reader

    embedder = embedder or index_embedder(settings)
    syncer = corpus_syncer(settings, embedder)
    try:
        searcher = open_searcher(settings, embedder)
        reader = open_reader(settings.index)
    except MinutebookError as exc:
        return Services(settings, None, None, None, syncer, exc, owned=True)
    answerer = CitedAnswerer(searcher, lambda: open_generator(settings), top_k=8)
    return Services(settings, searcher, answerer, reader, syncer, owned=True)


def corpus_syncer(settings: Settings, embedder: Any) -> Syncer:
    """Re-sync the folders the index was built from (the configured corpus for a new index)."""

    def run(progress: ProgressFn) -> SyncReport:
        from minutebook.index.ops import source_folders
        from minutebook.ingest.ocr import ocr_settings
        from minutebook.pipeline.syncer import sync

        roots = list(source_folders(settings.index)) or list(settings.corpus)
        return sync(settings.index, roots, embedder, progress=progress, ocr=ocr_settings(settings))

    return run
