"""Whole-index operations: status, rebuild."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from minutebook.errors import IndexCorrupt, IndexMismatch, IndexMissing, MinutebookError
from minutebook.index.postgres import is_location
from minutebook.index.sqlite.failures import damaged, index_failure
from minutebook.index.sqlite.lock import writer_lock
from minutebook.index.sqlite.store import DB_NAME, Store
from minutebook.index.sqlite.vectors import FILE_PREFIX
from minutebook.ingest.discover import SOURCES_KEY, recorded_sources
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
    councils: tuple[CouncilEntry, ...] = ()  # each council once, by canonical name
    attributes: dict[str, int] = field(default_factory=dict)  # manifest attributes -> papers carrying each


@dataclass(frozen=True, slots=True)
class CouncilEntry:
    """One council in the index: its canonical name, the other names its papers use, how many papers."""

    name: str
    aliases: tuple[str, ...]
    papers: int


def council_list(rows: list[tuple[str, str, tuple[str, ...], int]]) -> tuple[CouncilEntry, ...]:
    return tuple(CouncilEntry(name, aliases, papers) for _key, name, aliases, papers in rows)


def index_status(folder: Path | str) -> IndexStatus:
    """Counts, model, last sync and failed files of the index in ``folder`` (or PostgreSQL database)."""
    if is_location(folder):
        from minutebook.index.postgres.read import status

        return status(str(folder))
    folder = Path(folder)
    store = Store.open(folder, readonly=True)
    try:
        if store.damage():  # the counts below can come from intact pages of a damaged file
            raise damaged(folder)
        with store.snapshot() as conn:
            docs, pages = conn.execute("SELECT count(*), coalesce(sum(page_count), 0) FROM documents").fetchone()
            chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
            by_type = dict(conn.execute("SELECT doc_type, count(*) FROM documents GROUP BY doc_type ORDER BY 2 DESC"))
            committees = dict(conn.execute(
                "SELECT coalesce(committee, '(unknown)'), count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC"
            ))
            meta = store.meta()
            failures = tuple(store.failures())
            councils = council_list(store.councils())
            attributes = dict(store.attribute_counts())
    finally:
        store.close()
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    return IndexStatus(
        folder=str(folder), documents=docs, chunks=chunks, pages=pages,
        embed_model=meta.get("embed_model_id"), chunker_version=meta.get("chunker_version"),
        last_sync=meta.get("last_sync"), failures=failures, by_type=by_type, committees=committees,
        bytes_on_disk=size, sources=tuple(str(p) for p in recorded_sources(meta)),
        councils=councils, attributes=attributes,
    )


def source_folders(folder: Path | str) -> tuple[Path, ...]:
    """The folders the index in ``folder`` was built from; empty when there is no index yet."""
    if is_location(folder):
        from minutebook.index.postgres.schema import stored_meta

        return recorded_sources(stored_meta(str(folder)))
    folder = Path(folder)
    try:
        store = Store.open(folder, readonly=True)
    except MinutebookError:
        return ()
    try:
        return recorded_sources(store.meta())
    except Exception as exc:  # a damaged database records no folders we can trust
        if index_failure(folder, exc) is None:
            raise
        return ()
    finally:
        store.close()


@dataclass(frozen=True, slots=True)
class SetAside:
    """A damaged database moved out of the way by ``rebuild_index``."""

    path: str  # where the damaged database file now is
    embeddings: int  # stored embeddings still readable from it, put in the new database for reuse


def rebuild_index(folder: Path | str, embed_model_id: str) -> SetAside | None:
    """Empty the index in ``folder`` so the next sync re-reads and re-chunks every paper.

    Stored embeddings are kept when they came from the same model: passages whose text is
    unchanged under a new chunker are not embedded again. Anything else starts afresh.
    A damaged database is set aside (renamed, kept) and a new one made, holding every stored
    embedding that can still be read (they are keyed by model and text, so only matching
    passages reuse them); returns where the damaged file went.
    """
    if is_location(folder):
        from minutebook.index.postgres.sync import rebuild

        rebuild(str(folder), embed_model_id)
        return None
    folder = Path(folder)
    if not (folder / DB_NAME).exists():
        return None
    with writer_lock(folder):
        try:
            store: Store | None = Store.open(folder)
        except IndexCorrupt:
            return _set_aside(folder)
        except (IndexMissing, IndexMismatch):
            store = None
        if store is not None and store.damage():
            store.close()
            return _set_aside(folder)
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
            return None
        if store is not None:
            store.close()
        for path in folder.iterdir():
            if path.name.startswith(DB_NAME) or path.name.startswith(FILE_PREFIX):
                path.unlink()
        return None


def _set_aside(folder: Path) -> SetAside:
    """Rename the damaged database (with its WAL) and start a new one with what can be read of it."""
    embeddings: list[tuple[str, bytes]] = []
    sources = ""
    try:
        old = Store.open(folder, readonly=True)
    except MinutebookError:
        old = None  # not even its header can be read: nothing to salvage
    if old is not None:
        try:
            embeddings = list(old.readable_embeddings())
            sources = _readable_meta(old).get(SOURCES_KEY, "")
        finally:
            old.close()
    kept = folder / f"{DB_NAME}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
    for suffix in ("", "-wal"):  # a WAL with frames in it is part of the damaged database
        part = folder / (DB_NAME + suffix)
        if part.exists() and (not suffix or part.stat().st_size):
            part.rename(kept.with_name(kept.name + suffix))
    for suffix in ("-wal", "-shm"):
        (folder / (DB_NAME + suffix)).unlink(missing_ok=True)
    for path in folder.glob(f"{FILE_PREFIX}*"):
        path.unlink()  # derived from the damaged database
    store = Store.open(folder, create=True)
    try:
        with store.transaction() as conn:
            conn.executemany("INSERT OR IGNORE INTO embeddings (hash, vector) VALUES (?, ?)", embeddings)
            if sources:
                store.set_meta({SOURCES_KEY: sources})
    finally:
        store.close()
    return SetAside(str(kept), len(embeddings))


def _readable_meta(store: Store) -> dict[str, str]:
    try:
        return store.meta()
    except Exception as exc:  # the manifest's page may be among the damaged ones
        if index_failure(store.folder, exc) is None:
            raise
        return {}
