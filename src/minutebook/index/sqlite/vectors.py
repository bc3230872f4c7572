"""The FAISS copy of the chunk vectors.

SQLite holds every vector; the FAISS file is derived from it so that dense search does not
read the database. Each commit writes a new file ``vectors-<generation>.faiss`` and records
its name, sha256 and count in the manifest inside the same SQLite transaction, so a reader
always finds the file that matches the rows it sees. A file is never rewritten in place;
files no committed manifest points to are deleted after the commit.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from minutebook.errors import IndexCorrupt
from minutebook.index.sqlite import ann

if TYPE_CHECKING:
    from minutebook.index.sqlite.store import Store

FILE_PREFIX = "vectors-"
FILE_SUFFIX = ".faiss"


@dataclass(frozen=True, slots=True)
class VectorFile:
    name: str
    sha256: str
    count: int

    def as_meta(self) -> dict[str, str]:
        return {"vectors_file": self.name, "vectors_sha256": self.sha256, "vectors_count": str(self.count)}

    @classmethod
    def from_meta(cls, meta: dict[str, str]) -> VectorFile | None:
        if not meta.get("vectors_file"):
            return None
        return cls(meta["vectors_file"], meta.get("vectors_sha256", ""), int(meta.get("vectors_count", "0")))


class VectorIndex:
    """Chunk vectors keyed by chunk id, searched by inner product (cosine on unit vectors)."""

    def __init__(self, index: Any, dimension: int, *, threshold: int | None = None) -> None:
        self.index = index
        self.dimension = dimension
        # Vectors past which the exact index gives way to the approximate one (see ann.py).
        self.threshold = ann.EXACT_LIMIT if threshold is None else threshold

    @classmethod
    def empty(cls, dimension: int, *, threshold: int | None = None) -> VectorIndex:
        return cls(ann.exact_index(dimension), dimension, threshold=threshold)

    @classmethod
    def from_store(cls, store: Store, dimension: int, *, threshold: int | None = None) -> VectorIndex:
        """Rebuild from the SQLite source of truth (no re-embedding), exact or approximate by size."""
        vi = cls.empty(dimension, threshold=threshold)
        count = store.chunk_count()
        if not ann.wants_ann(count, vi.threshold):
            for ids, vecs in store.all_vectors(dimension):
                vi.add(ids, vecs)
            return vi
        # Two passes, so that a million vectors never sit in memory as float32 at once:
        # a random sample to train the lists, then every vector added in batches.
        nlist = ann.lists_for(count)
        share = ann.sample_size(count, nlist) / count
        rng = np.random.default_rng(0)
        sample = np.concatenate([vecs[rng.random(len(vecs)) < share] for _, vecs in store.all_vectors(dimension)])
        vi.index = ann.untrained_ann(dimension, nlist)
        vi.index.train(sample)
        for ids, vecs in store.all_vectors(dimension):
            ann.add_in_batches(vi.index, ids, vecs)
        ann.configure(vi.index)
        return vi

    @classmethod
    def load(cls, folder: Path, record: VectorFile, dimension: int) -> VectorIndex:
        """Load and verify the committed file; a torn or altered file is refused."""
        import faiss

        path = folder / record.name
        hint = f"Run `minutebook check --repair --index {folder}` to rebuild it from the database."
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise IndexCorrupt(f"vector file {path} cannot be read: {exc.strerror}", hint) from exc
        if hashlib.sha256(data).hexdigest() != record.sha256:
            raise IndexCorrupt(f"vector file {path} does not match its recorded checksum", hint)
        index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
        if index.ntotal != record.count or index.d != dimension:
            raise IndexCorrupt(f"vector file {path} holds {index.ntotal} vectors, expected {record.count}", hint)
        ann.configure(index)
        return cls(index, dimension)

    @property
    def count(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if not len(ids):
            return
        if not ann.is_ann(self.index) and ann.wants_ann(self.count + len(ids), self.threshold):
            # Outgrown exact search: train the approximate index on everything held so far.
            old_ids, old_vecs = ann.exact_contents(self.index)
            self.index = ann.build_ann(
                np.concatenate([old_ids, np.asarray(ids, dtype=np.int64)]),
                np.concatenate([old_vecs, np.asarray(vectors, dtype=np.float32)]), self.dimension,
            )
            return
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: list[int]) -> None:
        import faiss

        if ids:
            self.index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64)))

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` (chunk ids, cosine scores) for one unit query vector, among ``allowed`` ids if given.

        Scores from the approximate index are estimates (8-bit codes); callers rank on exact ones.
        """
        if self.count == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        selector = None if allowed is None else ann.bitmap_selector(allowed)
        share = 1.0 if allowed is None else min(1.0, len(allowed) / self.count)
        params = ann.search_params(self.index, selector, share)
        scores, ids = self.index.search(
            np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), min(k, self.count), params=params
        )
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def write(self, folder: Path, generation: int) -> VectorFile:
        """Write a new file for this commit (fsync'd) and describe it for the manifest."""
        import faiss

        data = faiss.serialize_index(self.index).tobytes()
        name = f"{FILE_PREFIX}{generation:012d}{FILE_SUFFIX}"
        tmp = folder / (name + ".tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, folder / name)
        except OSError:
            tmp.unlink(missing_ok=True)  # a full disk should not stay fuller for a torn file
            raise
        _fsync_dir(folder)
        return VectorFile(name, hashlib.sha256(data).hexdigest(), self.count)


def remove_stale_files(folder: Path, keep: set[str]) -> None:
    """Delete vector files (and torn temporaries) other than ``keep``.

    The caller keeps the previous generation as well as the current one, so a reader that
    read the manifest just before a commit can still open the file it was pointed to.
    """
    for path in folder.glob(f"{FILE_PREFIX}*{FILE_SUFFIX}*"):
        if path.name not in keep:
            try:
                path.unlink()
            except OSError:
                pass  # a reader on another platform may hold it; the next sync retries


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
