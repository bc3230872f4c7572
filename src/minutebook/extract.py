"""Reading many files: turns paths into Documents or per-file failures, never an exception.

Each file is read in a worker process with a time and memory limit (see ``workers``), so a
file that hangs, explodes in memory or crashes its parser fails alone, with its reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from minutebook.types import Chunk, Document, FileFailure
from minutebook.workers import Reader, ReadLimits, read_files

__all__ = ["Extracted", "ReadLimits", "extract_files"]


@dataclass(frozen=True, slots=True)
class Extracted:
    path: Path
    document: Document | None
    failure: FileFailure | None
    chunks: tuple[Chunk, ...] | None = None  # the document's passages, when cut while reading


def extract_files(
    paths: Sequence[Path], *, limits: ReadLimits | None = None, reader: Reader | None = None
) -> Iterator[Extracted]:
    """Read each file, yielding one ``Extracted`` per path in the order given.

    A file that cannot be read, or that overruns ``limits`` (default: 60 s and 2 GB per
    file), fails alone with its reason. Documents come already cut into passages
    (``chunks``), under the same limits. ``reader`` replaces ``ingest.read_document``; it
    must be a module-level function, since worker processes import it by name.
    """
    for outcome in read_files(paths, limits, reader):
        if outcome.document is not None:
            yield Extracted(outcome.path, outcome.document, None, outcome.chunks)
        else:
            yield Extracted(outcome.path, None, FileFailure(str(outcome.path), outcome.reason or "could not be read"))
