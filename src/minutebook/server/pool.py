"""A few open archives, each lent to one request at a time.

An archive's searcher reads through one database connection under a lock, so requests that
shared one would queue behind each other. The pool keeps ``size`` of them over one embedding
model and one language model (loaded once, each thread-safe), and lends them out.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager

from minutebook.config import Settings
from minutebook.errors import MinutebookError
from minutebook.protocols import Embedder
from minutebook.service.archive import Archive, shared_generator


class ServerBusy(MinutebookError):
    """Every reader is answering another request."""

    exit_code = 75  # EX_TEMPFAIL: try again later


class ArchivePool:
    """``size`` archives of the index ``settings`` names, sharing their models."""

    def __init__(self, settings: Settings, size: int = 4, *, embedder: Embedder | None = None) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one archive")
        from minutebook.models.registry import index_embedder

        self.settings = settings
        self.size = size
        self.embedder = embedder or index_embedder(settings)
        generator = shared_generator(settings)
        self._idle: queue.LifoQueue[Archive] = queue.LifoQueue()
        self._all = [Archive(settings, embedder=self.embedder, generator=generator) for _ in range(size)]
        for archive in self._all:
            self._idle.put(archive)

    def warm(self) -> None:
        """Load the embedding model now, so the first request does not wait for it."""
        load = getattr(self.embedder, "load", None)
        if load is not None:
            load()

    @contextmanager
    def archive(self, wait: float) -> Iterator[Archive]:
        """Borrow an archive for one request, waiting up to ``wait`` seconds for one to come back."""
        try:
            archive = self._idle.get(timeout=wait)
        except queue.Empty:
            raise ServerBusy(
                f"all {self.size} readers are busy",
                "Try again in a moment, or start the server with more --readers.",
            ) from None
        try:
            yield archive
        except MinutebookError as exc:
            if exc.exit_code == 3:
                archive.close()  # the index was missing or replaced: open it afresh next time
            raise
        finally:
            self._idle.put(archive)

    def close(self) -> None:
        for archive in self._all:
            archive.close()
