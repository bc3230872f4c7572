"""The index in PostgreSQL with pgvector: ``--index postgresql://user@host/db``.

PostgreSQL is the source of truth, as SQLite is for an index folder: papers, passages with their
embeddings (``vector``, searched through an HNSW index), keywords (``tsvector`` with a GIN index),
who said what, failed files and the manifest. Every sync commits in batches inside transactions,
one writer at a time (an advisory lock); each search reads one snapshot. Ranking is the embedded
engine's own code (``minutebook.search.hybrid``): only the reads differ.

Needs ``pip install 'minutebook[postgres]'`` (psycopg 3) and a server with the ``vector`` extension.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from minutebook.errors import IndexMissing, IndexWriteFailed, MinutebookError

SCHEMES = ("postgresql://", "postgres://")


def is_location(index: object) -> bool:
    """Whether an index setting names a PostgreSQL database rather than a folder."""
    return isinstance(index, str) and index.startswith(SCHEMES)


def shown(url: str) -> str:
    """The connection string without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def connect(url: str, *, autocommit: bool = True) -> Any:
    """A psycopg connection to ``url``, or an error that says what to check."""
    try:
        import psycopg
    except ImportError as exc:
        raise MinutebookError("an index in PostgreSQL needs psycopg, which is not installed",
                              "Install it with: pip install 'minutebook[postgres]'") from exc
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=10,
                               application_name="minutebook")
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise IndexMissing(f"cannot connect to the index at {shown(url)}: {first}",
                           "Check the server is running and the connection string (user, host, database, "
                           "password in ~/.pgpass or PGPASSWORD).") from exc


@contextmanager
def write_refused(conn: Any, url: str) -> Iterator[None]:
    """A role without the right to write (the readers' role) gets a plain message, not a traceback."""
    import psycopg

    try:
        yield
    except psycopg.errors.InsufficientPrivilege as exc:
        detail = (exc.diag.message_primary or str(exc)).strip()
        raise IndexWriteFailed(
            f"the role {conn.info.user} may read the index at {shown(url)} but not change it ({detail})",
            "Index as the role that owns the index (its connection string); readers need only SELECT. "
            "Nothing already indexed was changed.") from exc


def folder_or_url(index: Path | str) -> str:
    return shown(index) if isinstance(index, str) else str(index)
