"""Reading many files: turns paths into Documents or per-file failures, never an exception."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from minutebook.errors import IngestError
from minutebook.types import Document, FileFailure


@dataclass(frozen=True, slots=True)
class Extracted:
    path: Path
    document: Document | None
    failure: FileFailure | None


def extract_files(paths: Sequence[Path]) -> Iterator[Extracted]:
    """Read each file in order; a file that cannot be read fails alone, with its reason."""
    from minutebook.ingest import read_document

    for path in paths:
        try:
            yield Extracted(path, read_document(path), None)
        except IngestError as exc:
            yield Extracted(path, None, FileFailure(str(path), exc.reason))
        except OSError as exc:
            yield Extracted(path, None, FileFailure(str(path), f"cannot read: {exc.strerror or exc}"))
