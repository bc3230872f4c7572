"""Which files under the folders given are papers: one path per paper, symbolic links followed once.

Folders are walked by real path: a root given through a symbolic link is the folder it points
to (so ``index corpus-link`` and ``index corpus`` are one corpus), a linked sub-folder is walked
like any other, a link back to a folder the walk is already inside is reported as a loop and not
followed, and a paper reachable by two paths is indexed once (by its own path when the walk
meets it there, otherwise by the first path in sorted order).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from minutebook.errors import UsageError
from minutebook.types import FileFailure


def resolve_roots(roots: Iterable[Path]) -> list[Path]:
    """The real, absolute path of each root (a link is the folder or file it points to)."""
    return [Path(os.path.realpath(root)) for root in roots]


def scan(roots: Sequence[Path]) -> tuple[list[Path], list[FileFailure]]:
    """Every candidate paper under ``roots`` (absolute paths, sorted, one per real file), and the
    folders that could not be walked (unreadable, or a symbolic link loop)."""
    from minutebook.ingest import is_candidate

    candidates: dict[str, set[Path]] = {}  # real path -> the paths the walk met it by
    failures: list[FileFailure] = []
    for root in resolve_roots(roots):
        if root.is_file():
            candidates.setdefault(str(root), set()).add(root)
            continue
        if not root.is_dir():
            raise UsageError(f"{root}: no such file or folder", "Check the path, or create the folder first.")
        for path in _walk(root, failures):
            if is_candidate(path):
                candidates.setdefault(os.path.realpath(path), set()).add(path)
    chosen = [Path(real) if Path(real) in paths else min(paths) for real, paths in candidates.items()]
    return sorted(chosen), failures


def _walk(root: Path, failures: list[FileFailure]) -> Iterable[Path]:
    """Files under ``root``, following linked folders, never into a folder the walk is inside."""

    def on_error(exc: OSError) -> None:
        failures.append(FileFailure(str(exc.filename), f"cannot read folder: {exc.strerror}"))

    inside: dict[str, frozenset[str]] = {str(root): frozenset({str(root)})}  # walk path -> real folders above
    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=True):
        above = inside.pop(dirpath, frozenset({os.path.realpath(dirpath)}))
        keep = []
        for name in sorted(d for d in dirnames if not d.startswith(".")):
            sub = os.path.join(dirpath, name)
            real = os.path.realpath(sub)
            if real in above:
                failures.append(FileFailure(sub, f"symbolic link loop: points back to {real}, which contains it "
                                                 "(not followed; remove the link)"))
                continue
            keep.append(name)
            inside[sub] = above | {real}
        dirnames[:] = keep
        for name in filenames:
            yield Path(dirpath, name)


def in_scope(path: str, roots: Sequence[Path]) -> bool:
    """Whether ``path`` lies under one of ``roots`` (by real path), so a sync of them owns it."""
    for root in resolve_roots(roots):
        r = str(root)
        if path == r or path.startswith(r.rstrip(os.sep) + os.sep):
            return True
    return False


def superseded(path: str, seen: set[str], seen_real: set[str]) -> bool:
    """Whether a stored paper at ``path`` is gone: not on disk any more, or now found by another path."""
    if path in seen:
        return False
    return not os.path.exists(path) or os.path.realpath(path) in seen_real


# --- the folders an index is built from ---------------------------------------------------------

SOURCES_KEY = "source_folders"  # in the index's meta: a JSON list of real paths


def recorded_sources(meta: dict[str, str]) -> tuple[Path, ...]:
    """The folders (and files) the index was built from, as its meta records them."""
    try:
        items = json.loads(meta.get(SOURCES_KEY, "[]"))
    except ValueError:
        return ()
    return tuple(Path(p) for p in items if isinstance(p, str))


def with_sources(meta: dict[str, str], roots: Sequence[Path]) -> str | None:
    """The meta value recording ``roots`` beside the folders already recorded, or None if unchanged.

    A root inside a recorded folder adds nothing: syncing the folder syncs it.
    """
    recorded = list(recorded_sources(meta))
    for root in resolve_roots(roots):
        if not any(in_scope(str(root), [r]) for r in recorded):
            recorded = [r for r in recorded if not in_scope(str(r), [root])] + [root]
    value = json.dumps(sorted(str(r) for r in recorded))
    return None if value == meta.get(SOURCES_KEY) else value
