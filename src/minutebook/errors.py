"""The errors a user can meet. Each says what went wrong and what to do next.

The CLI turns them into a message on stderr and an exit code; the TUI into a notification.
Anything else that escapes is a bug.
"""

from __future__ import annotations


class MinutebookError(Exception):
    """Base of every error minutebook reports to a person."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  {self.hint}" if self.hint else self.message


class UsageError(MinutebookError):
    """A flag or argument the command cannot use."""

    exit_code = 2


class ExtraMissing(MinutebookError):
    """A part of minutebook that needs packages of an optional extra that is not installed."""

    exit_code = 2

    def __init__(self, extra: str, missing: list[str]) -> None:
        super().__init__(f"this needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not installed",
                         f"Install it with: pip install 'minutebook[{extra}]'")
        self.extra = extra
        self.missing = missing


def require_extra(extra: str, *modules: str) -> None:
    """Raise ExtraMissing naming ``minutebook[extra]`` when any of ``modules`` cannot be imported."""
    import importlib.util

    missing = []
    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a parent package missing, or a half-removed install
            found = False
        if not found:
            missing.append(module)
    if missing:
        raise ExtraMissing(extra, missing)


# --- reading papers ------------------------------------------------------------------


class IngestError(MinutebookError):
    """A file could not be read as a paper. Costs only that file."""

    def __init__(self, path: str, reason: str, hint: str | None = None) -> None:
        super().__init__(f"{path}: {reason}", hint)
        self.path = path
        self.reason = reason


class UnsupportedFormat(IngestError):
    pass


class NoTextLayer(IngestError):
    pass


class EncryptedDocument(IngestError):
    pass


class CorruptDocument(IngestError):
    pass


class ExtractionLimit(IngestError):
    """A file took too long or too much memory to read."""


# --- the index ------------------------------------------------------------------------


class IndexMissing(MinutebookError):
    exit_code = 3


class IndexMismatch(MinutebookError):
    """The index was built with another embedding model, chunker or schema."""

    exit_code = 3


class IndexCorrupt(MinutebookError):
    """The index database or one of its files is damaged."""

    exit_code = 3


class IndexWriteFailed(MinutebookError):
    """The index could not be written (disk full); the last commit is intact."""


class IndexUnwritable(IndexWriteFailed):
    """The index folder cannot be written (permission denied, read-only filesystem); reading still works."""

    exit_code = 3


class IndexLocked(MinutebookError):
    """Another process is updating the index."""

    exit_code = 75  # EX_TEMPFAIL: try again later


# --- models ---------------------------------------------------------------------------


class ModelMissing(MinutebookError):
    exit_code = 4


class ModelChecksumMismatch(MinutebookError):
    exit_code = 4


class ModelStopped(MinutebookError):
    """The local model's process crashed, hung or ran out of memory; only that answer is lost.

    ``reason`` is what a person reads in brackets: "signal 11", "no reply for 30 s", ….
    Answers catch it and fall back to the quoted answer, saying so.
    """

    exit_code = 4

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(f"the local model stopped ({reason})", hint)
        self.reason = reason


# --- search and answers ---------------------------------------------------------------


class QueryError(MinutebookError):
    exit_code = 2
