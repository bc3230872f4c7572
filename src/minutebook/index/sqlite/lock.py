"""One writer at a time: an advisory lock on ``<index>/.lock`` naming its holder."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from minutebook.errors import IndexLocked

LOCK_NAME = ".lock"


@contextmanager
def writer_lock(folder: Path) -> Iterator[None]:
    """Hold the index's writer lock, or raise IndexLocked saying who holds it.

    The kernel drops the lock when its holder dies, even by SIGKILL, so a stale lock file
    never blocks the next sync.
    """
    path = folder / LOCK_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:  # a read-only disk or a folder this process may not write
        from minutebook.index.sqlite.failures import write_failure

        raise write_failure(folder, exc) or exc from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            pid, _, since = holder.partition(" ")
            raise IndexLocked(
                f"the index at {folder} is being updated by process {pid or '?'} since {since or '?'}",
                "Wait for that sync to finish, then try again. Searches keep working meanwhile.",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
