"""Reading many files: turns paths into Documents or per-file failures, never an exception.

Each file is read in a worker process with a time and memory limit (see ``workers``), so a
file that hangs, explodes in memory or crashes its parser fails alone, with its reason.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from minutebook.ingest.ocr import OcrSettings
from minutebook.ingest.workers import PageFn, Reader, ReadLimits, read_files
from minutebook.types import Chunk, Document, FileFailure, Progress

__all__ = ["Extracted", "PageFn", "ReadLimits", "extract_files", "page_notice"]


@dataclass(frozen=True, slots=True)
class Extracted:
    path: Path
    document: Document | None
    failure: FileFailure | None
    chunks: tuple[Chunk, ...] | None = None  # the document's passages, when cut while reading


def extract_files(
    paths: Sequence[Path], *, limits: ReadLimits | None = None, reader: Reader | None = None,
    on_page: PageFn | None = None, ocr: OcrSettings | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> Iterator[Extracted]:
    """Read each file, yielding one ``Extracted`` per path in the order given.

    A file that cannot be read, or that overruns ``limits`` (default: 60 s and 2 GB per
    file), fails alone with its reason. Documents come already cut into passages
    (``chunks``), under the same limits. ``reader`` replaces ``ingest.read_document``; it
    must be a module-level function (or a ``functools.partial`` of one), since worker
    processes import it by name. ``on_page`` is told, from another thread, as scanned pages
    are read by OCR; ``progress`` is given ``Progress("ocr", pages done, pages found, path)``
    from it. ``ocr`` says how scanned pages are read (default: on, English, no cache); each
    page read by OCR gets the per-file time limit of its own.
    """
    limits = limits or ReadLimits()
    if reader is None:
        from minutebook.ingest import read_document

        settings = ocr or OcrSettings()
        # Tesseract stops a little before the page's limit, so a slow page fails alone.
        settings = replace(settings, page_seconds=min(settings.page_seconds, max(1.0, 0.8 * limits.seconds)))
        reader = functools.partial(read_document, ocr=settings)
    if on_page is None and progress is not None:
        on_page = _PageTally(progress)
    for outcome in read_files(paths, limits, reader, on_page):
        if outcome.document is not None:
            yield Extracted(outcome.path, outcome.document, None, outcome.chunks)
        else:
            yield Extracted(outcome.path, None, FileFailure(str(outcome.path), outcome.reason or "could not be read"))


class _PageTally:
    """Scanned pages found and read so far in one sync, as ``Progress("ocr", ...)``."""

    def __init__(self, progress: Callable[[Progress], None]) -> None:
        self._progress = progress
        self._files: dict[Path, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def __call__(self, path: Path, done: int, total: int) -> None:
        with self._lock:
            self._files[path] = (done, total)
            pages_done = sum(d for d, _ in self._files.values())
            pages_found = sum(t for _, t in self._files.values())
        self._progress(Progress("ocr", pages_done, pages_found, str(path)))


def page_notice(document: Document) -> FileFailure | None:
    """What a reader should know about a paper indexed without some of its pages (scans not read)."""
    unread = [p for p in document.pages if p.source == "unread"]
    if not unread:
        return None
    notes = sorted({p.note or "could not be read" for p in unread})
    numbers = ", ".join(str(p.number) for p in unread)
    label = "page" if len(unread) == 1 else "pages"
    return FileFailure(document.path, f"{label} {numbers} not indexed: {'; '.join(notes)}")
