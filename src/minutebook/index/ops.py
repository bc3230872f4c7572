"""Whole-index operations: status, rebuild."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from minutebook.errors import MinutebookError
from minutebook.index.postgres import is_location
from minutebook.index.sqlite.lock import writer_lock
from minutebook.index.sqlite.store import DB_NAME, Store
from minutebook.index.sqlite.vectors import FILE_PREFIX
from minutebook.ingest.discover import recorded_sources
from minutebook.types import FileFailure


@dataclass(frozen=True, slots=True)
class IndexStatus:
    folder: str
    documents: int
    chunks: int
    pages: int
    embed_model: str | None
    chunker_version: str | None
    last_sync: str | None
    failures: tuple[FileFailure, ...]
    by_type: dict[str, int]
    committees: dict[str, int]
    bytes_on_disk: int
    sources: tuple[str, ...] = ()  # the folders the index was built from (`index` with no PATH syncs them)


def index_status(folder: Path | str) -> IndexStatus:
    """Counts, model, last sync and failed files of the index in ``folder`` (or PostgreSQL database)."""
    if is_location(folder):
        from minutebook.index.postgres.read import status

        return status(str(folder))
    folder = Path(folder)
    store = Store.open(folder, readonly=True)
    try:
        with store.snapshot() as conn:
            docs, pages = conn.execute("SELECT count(*), coalesce(sum(page_count), 0) FROM documents").fetchone()
            chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
            by_type = dict(conn.execute("SELECT doc_type, count(*) FROM documents GROUP BY doc_type ORDER BY 2 DESC"))
            committees = dict(conn.execute(
                "SELECT coalesce(committee, '(unknown)'), count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC"
            ))
            meta = store.meta()
            failures = tuple(store.failures())
    finally:
        store.close()
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    return IndexStatus(
        folder=str(folder), documents=docs, chunks=chunks, pages=pages,
        embed_model=meta.get("embed_model_id"), chunker_version=meta.get("chunker_version"),
        last_sync=meta.get("last_sync"), failures=failures, by_type=by_type, committees=committees,
        bytes_on_disk=size, sources=tuple(str(p) for p in recorded_sources(meta)),
    )


def source_folders(folder: Path | str) -> tuple[Path, ...]:
    """The folders the index in ``folder`` was built from; empty when there is no index yet."""
    if is_location(folder):
        return ()
    try:
        store = Store.open(Path(folder), readonly=True)
    except MinutebookError:
        return ()
    try:
        return recorded_sources(store.meta())
    finally:
        store.close()


def rebuild_index(folder: Path | str, embed_model_id: str) -> None:
    """Empty the index in ``folder`` so the next sync re-reads and re-chunks every paper.

    Stored embeddings are kept when they came from the same model: passages whose text is
    unchanged under a new chunker are not embedded again. Anything else starts afresh.
    """
    if is_location(folder):
        from minutebook.index.postgres.sync import rebuild

        return rebuild(str(folder), embed_model_id)
    folder = Path(folder)
    if not (folder / DB_NAME).exists():
        return
    with writer_lock(folder):
        try:
            store = Store.open(folder)
        except MinutebookError:
            store = None
        if store is not None and store.meta().get("embed_model_id") == embed_model_id:
            try:
                with store.transaction() as conn:
                    conn.execute("DELETE FROM chunks_fts")
                    conn.execute("DELETE FROM chunks")
                    conn.execute("DELETE FROM documents")
                    conn.execute("DELETE FROM failures")
                    conn.execute("DELETE FROM meta WHERE key NOT IN ('embed_model_id', 'embed_model_sha256',"
                                 " 'dimension', 'normalised', 'generation', 'source_folders')")
            finally:
                store.close()
            return
        if store is not None:
            store.close()
        for path in folder.iterdir():
            if path.name.startswith(DB_NAME) or path.name.startswith(FILE_PREFIX):
                path.unlink()
