"""What a person reads when the index's files fail: damaged database pages, a folder that cannot
be written (read-only disk, no permission), a full disk.

SQLite and the operating system report these as exceptions with codes; front ends hand whatever
no other handler explained to ``index_failure``, so none of them reaches anyone as a traceback.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from minutebook.errors import IndexCorrupt, IndexUnwritable, IndexWriteFailed, MinutebookError

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_DENIED_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
_DAMAGED_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
DENIED_CODES = frozenset({sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM})


def damaged(folder: Path, reason: str = "database disk image is malformed") -> IndexCorrupt:
    """The one-line error for a damaged index database: which index, and the remedy."""
    return IndexCorrupt(
        f"the index at {folder} is damaged ({reason}): rebuild it from the papers with "
        f"`minutebook index --rebuild --index {folder}` (the damaged file is kept beside it, renamed)"
    )


def unwritable(folder: Path) -> IndexUnwritable:
    """The error for an index folder this process cannot write: read-only disk, or permission denied."""
    from minutebook.index.sqlite.store import DB_NAME

    read_only = read_only_disk(folder if folder.exists() else folder.parent)
    return IndexUnwritable(
        f"cannot write to the index folder {folder} ({'read-only' if read_only else 'permission denied'})",
        ("Searches still work on it. " if (folder / DB_NAME).exists() else "")
        + "Make the folder writable, or keep the index in another folder with --index DIR.",
    )


def sqlite_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None) if isinstance(exc, sqlite3.Error) else None
    return None if code is None else int(code) & 0xFF  # the primary code, without its extended bits


def write_failure(folder: Path, exc: BaseException) -> IndexWriteFailed | None:
    """The plain-language error for a failed index write, or None if ``exc`` is not one."""
    hint = ("Nothing already indexed was lost: searches use the last completed sync. "
            "Free some space (or move the index with --index), then run `minutebook index` again.")
    if isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS:
        return IndexWriteFailed(f"the disk holding the index at {folder} is full", hint)
    if isinstance(exc, sqlite3.OperationalError) and "disk is full" in str(exc):
        return IndexWriteFailed(f"the disk holding the index at {folder} is full", hint)
    if isinstance(exc, OSError) and exc.errno in _DENIED_ERRNOS and _inside(exc.filename, folder):
        return unwritable(folder)
    if sqlite_code(exc) in DENIED_CODES:
        return unwritable(folder)
    return None


def index_failure(folder: Path, exc: BaseException) -> MinutebookError | None:
    """What a person reads for an error met using the index in ``folder``, or None if it is not one.

    A damaged database file, a folder that cannot be written, or a full disk, as SQLite reports
    them. Front ends call it for errors no other handler explained, so that none of these reaches
    anyone as a traceback.
    """
    if not isinstance(exc, sqlite3.Error):
        return None
    if sqlite_code(exc) in _DAMAGED_CODES:
        return damaged(folder, str(exc))
    return write_failure(folder, exc)


def _inside(filename: object, folder: Path) -> bool:
    """Whether an OSError's file is the index folder or in it (not a paper being read)."""
    if not isinstance(filename, str | bytes | os.PathLike):
        return False
    path = os.path.abspath(os.fsdecode(filename))
    top = os.path.abspath(folder)
    return path == top or path.startswith(top + os.sep) or top.startswith(path + os.sep)


def read_only_disk(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False
