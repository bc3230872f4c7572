"""Sync into PostgreSQL: the same files, chunks and embeddings as an index folder, committed in batches.

The rules are the embedded engine's (``minutebook.pipeline.syncer``): unchanged files are skipped by size
and time or hash, changed files re-chunked, only new text embedded, deleted files dropped, a moved
file reuses its embeddings. Each batch of papers is one transaction, so a sync stopped at any point
leaves the last commit whole; readers, in their own snapshots, never see half a batch. One writer at
a time: a session advisory lock, released by the server if the writer dies.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minutebook.chunking.chunker import chunk_document
from minutebook.council.councils import council_key
from minutebook.council.speakers import attribute
from minutebook.errors import IndexLocked
from minutebook.index.postgres import connect, shown, write_refused
from minutebook.index.postgres.schema import LOCK_KEY, SCHEMA, check_manifest, meta, migrate, set_meta, vector_literal
from minutebook.index.sqlite.store import IndexManifest, pages_json, refresh_councils, unread_pages
from minutebook.ingest.attributes import value_key
from minutebook.ingest.discover import SOURCES_KEY, in_scope, scan, superseded, with_sources
from minutebook.ingest.extract import ReadLimits, extract_files, page_notice
from minutebook.ingest.ocr import OcrSettings, ocr_ready
from minutebook.pipeline.syncer import (
    COMMIT_EVERY_CHUNKS,
    COMMIT_EVERY_FILES,
    embedding_hash,
    embedding_text,
    manifest_for,
)
from minutebook.protocols import Embedder
from minutebook.types import Chunk, Document, FileFailure, Progress, SyncReport

ProgressFn = Callable[[Progress], None]
S = SCHEMA


@contextmanager
def writer_lock(conn: Any, url: str) -> Any:
    """Hold the database's writer lock, or raise IndexLocked naming the holder."""
    if not conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
        row = conn.execute(
            "SELECT a.pid, a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a"
            " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.objid = %s AND l.granted LIMIT 1",
            (LOCK_KEY & 0xFFFFFFFF,)).fetchone()
        who = f"server process {row[0]} ({row[1] or 'unnamed'}) since {row[2]:%Y-%m-%d %H:%M:%S}" if row else "?"
        raise IndexLocked(f"the index at {shown(url)} is being updated by {who}",
                          "Wait for that sync to finish, then try again. Searches keep working meanwhile.")
    try:
        yield
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))


@dataclass
class _Tally:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    embedded: int = 0
    reused: int = 0
    ocr_pages: int = 0
    notices: list[FileFailure] = field(default_factory=list)

    def read(self, doc: Document) -> None:
        """Count a paper's pages read by OCR, and note the scanned pages it is indexed without."""
        self.ocr_pages += sum(page.source == "ocr" for page in doc.pages)
        notice = page_notice(doc)
        if notice is not None:
            self.notices.append(notice)


@dataclass(frozen=True, slots=True)
class _Staged:
    doc: Document
    size: int
    mtime_ns: int
    replaces: int | None
    chunks: Sequence[Chunk]
    hashes: list[str]
    texts: list[str]


class _Writer:
    """Stages papers, embeds their new passages in one call, and writes a batch per transaction."""

    def __init__(self, conn: Any, embedder: Embedder, tally: _Tally) -> None:
        self.conn, self.embedder, self.tally = conn, embedder, tally
        self.staged: list[_Staged] = []
        self.marks: list[tuple[str, tuple[Any, ...]]] = []  # touches and failures for the next commit

    def put(self, staged: _Staged) -> None:
        self.staged.append(staged)
        chunks = sum(len(s.chunks) for s in self.staged)
        if len(self.staged) + len(self.marks) >= COMMIT_EVERY_FILES or chunks >= COMMIT_EVERY_CHUNKS:
            self.commit()

    def mark(self, sql: str, args: tuple[Any, ...]) -> None:
        self.marks.append((sql, args))

    def commit(self, removals: Sequence[int] = (), final: dict[str, str] | None = None) -> None:
        staged, self.staged = self.staged, []
        marks, self.marks = self.marks, []
        if not (staged or marks or removals or final):
            return
        wanted = list(dict.fromkeys(h for s in staged for h in s.hashes))
        known = {r[0] for r in self.conn.execute(f"SELECT hash FROM {S}.embeddings WHERE hash = ANY(%s)", (wanted,))}
        todo: dict[str, str] = {}
        for s in staged:
            for h, t in zip(s.hashes, s.texts, strict=True):
                if h not in known:
                    todo.setdefault(h, t)
        vectors = self.embedder.embed(list(todo.values())) if todo else None
        self.tally.embedded += len(todo)
        self.tally.reused += sum(len(s.hashes) for s in staged) - len(todo)
        with self.conn.transaction(), self.conn.cursor() as cur:
            if vectors is not None:
                cur.executemany(f"INSERT INTO {S}.embeddings (hash, embedding) VALUES (%s, %s::vector)"
                                " ON CONFLICT (hash) DO NOTHING",
                                [(h, vector_literal(v)) for h, v in zip(todo, vectors, strict=True)])
            for doc_id in removals:
                cur.execute(f"DELETE FROM {S}.documents WHERE id = %s", (doc_id,))
            for s in staged:
                self._write(cur, s)
            for sql, args in marks:
                cur.execute(sql, args)
            cur.execute(f"SET LOCAL search_path = {S}, public")
            refresh_councils(cur, "%s")
            generation = int(meta(self.conn).get("generation", "0")) + 1
            set_meta(self.conn, {"generation": str(generation), "vectors_file": f"postgres-{generation}",
                                 "last_commit": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **(final or {})})

    def _write(self, cur: Any, s: _Staged) -> None:
        import json

        if s.replaces is not None:
            cur.execute(f"DELETE FROM {S}.documents WHERE id = %s", (s.replaces,))
        m = s.doc.metadata
        doc_id = cur.execute(
            f"INSERT INTO {S}.documents (path, sha256, format, size, mtime_ns, title, council, committee,"
            " meeting_date, doc_type, page_count, pages, text, unread_pages, council_given, council_key)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s) RETURNING id",
            (s.doc.path, s.doc.sha256, s.doc.format, s.size, s.mtime_ns, m.title, m.council, m.committee,
             m.meeting_date, m.doc_type, s.doc.page_count, json.dumps(pages_json(s.doc.pages)), s.doc.text,
             unread_pages(s.doc.pages), m.council, council_key(m.council) if m.council else None),
        ).fetchone()[0]
        if m.attributes:
            cur.executemany(f"INSERT INTO {S}.attributes (doc_id, name, value, value_key) VALUES (%s, %s, %s, %s)",
                            [(doc_id, n, v, value_key(v)) for n, v in m.attributes])
        context_base = " ".join(x for x in (m.title, m.council, m.committee) if x)
        ids = []
        for chunk, h in zip(s.chunks, s.hashes, strict=True):
            ids.append(cur.execute(
                f"INSERT INTO {S}.chunks (doc_id, ordinal, start_char, end_char, page, section, minute, boilerplate,"
                " text, context, embed_hash, ocr, embedding) SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                f" e.embedding FROM {S}.embeddings e WHERE e.hash = %s RETURNING id",
                (doc_id, chunk.ordinal, chunk.start_char, chunk.end_char, chunk.page, chunk.section, chunk.minute,
                 chunk.boilerplate, chunk.text, f"{chunk.section or ''} {context_base}", h, chunk.ocr, h),
            ).fetchone()[0])
        rows = [(cid, a.speaker, a.role, a.position, a.start, a.end)
                for cid, group in zip(ids, attribute(s.doc, s.chunks), strict=True) for a in group]
        if rows:
            cur.executemany(f"INSERT INTO {S}.attributions (chunk_id, speaker, role, position, start_char, end_char)"
                            " VALUES (%s, %s, %s, %s, %s, %s)", rows)
        cur.execute(f"DELETE FROM {S}.failures WHERE path = %s", (s.doc.path,))


def sync(url: str, roots: Sequence[Path], embedder: Embedder, *, progress: ProgressFn | None = None,
         limits: ReadLimits | None = None, ocr: OcrSettings | None = None) -> SyncReport:
    """Bring the index in the database at ``url`` in step with the papers under ``roots``."""
    started = time.monotonic()
    conn = connect(url)
    try:
        with writer_lock(conn, url), write_refused(conn, url):
            return _sync_locked(conn, url, roots, embedder, progress or (lambda p: None), started, limits, ocr)
    finally:
        conn.close()


def _sync_locked(conn: Any, url: str, roots: Sequence[Path], embedder: Embedder, notify: ProgressFn,
                 started: float, limits: ReadLimits | None, ocr: OcrSettings | None) -> SyncReport:
    migrate(conn, url, embedder.dimension)
    expected = manifest_for(embedder)
    check_manifest(IndexManifest.from_meta(meta(conn)), expected, url)
    if "embed_model_id" not in meta(conn):
        with conn.transaction():
            set_meta(conn, {k: v for k, v in expected.as_dict().items() if k != "schema_version"})
    sources = with_sources(meta(conn), roots)
    if sources is not None:  # the folders `index` with no PATH and the app's re-sync use
        with conn.transaction():
            set_meta(conn, {SOURCES_KEY: sources})
    tally = _Tally()
    paths, scan_failures = scan(roots)
    tally.failed.extend(scan_failures)
    notify(Progress("scan", len(paths), len(paths)))
    stored = {r[1]: r for r in
              conn.execute(f"SELECT id, path, sha256, size, mtime_ns, unread_pages FROM {S}.documents")}
    # Papers indexed without some scanned pages are read again once OCR can read them.
    reread = ocr_ready(ocr)
    seen = {str(p) for p in paths}
    to_read: list[tuple[Path, int, int]] = []
    for path in paths:
        try:
            st = path.stat()
        except OSError as exc:
            tally.failed.append(FileFailure(str(path), f"cannot read: {exc.strerror}"))
            continue
        old = stored.get(str(path))
        if old is not None and old[3] == st.st_size and old[4] == st.st_mtime_ns and not (reread and old[5]):
            tally.unchanged.append(str(path))
        else:
            to_read.append((path, st.st_size, st.st_mtime_ns))
    seen_real = {os.path.realpath(p) for p in seen}
    # Gone: deleted, or now reached by another path (a folder link indexed by its real path).
    gone = {p: r for p, r in stored.items() if in_scope(p, roots) and superseded(p, seen, seen_real)}
    gone_by_sha = {r[2]: p for p, r in gone.items()}

    from minutebook.chunking.tokens import word_piece_counter

    writer = _Writer(conn, embedder, tally)
    reading = extract_files([p for p, _, _ in to_read], limits=limits, ocr=ocr, progress=notify)
    for done, item in enumerate(reading, start=1):
        path, size, mtime_ns = to_read[done - 1]
        notify(Progress("extract", done, len(to_read), str(path)))
        key = str(path)
        old = stored.get(key)
        if item.failure is not None:
            tally.failed.append(item.failure)
            writer.mark(f"INSERT INTO {S}.failures (path, reason, at) VALUES (%s, %s, now()) ON CONFLICT (path)"
                        " DO UPDATE SET reason = excluded.reason, at = excluded.at",
                        (item.failure.path, item.failure.reason))
            continue
        doc = item.document
        assert doc is not None
        if old is not None and old[2] == doc.sha256 and not (reread and old[5]):
            writer.mark(f"UPDATE {S}.documents SET size = %s, mtime_ns = %s WHERE id = %s", (size, mtime_ns, old[0]))
            tally.unchanged.append(key)
            continue
        chunks = item.chunks if item.chunks is not None else chunk_document(doc, word_piece_counter())
        texts = [embedding_text(c) for c in chunks]
        writer.put(_Staged(doc, size, mtime_ns, old[0] if old else None, chunks,
                           [embedding_hash(embedder.model_id, t) for t in texts], texts))
        tally.read(doc)
        if old is not None:
            tally.updated.append(key)
        elif doc.sha256 in gone_by_sha:
            tally.moved.append((gone_by_sha.pop(doc.sha256), key))
        else:
            tally.added.append(key)
    writer.commit()  # moved papers land before the old copies (and their embeddings) go
    for (failed_path,) in conn.execute(f"SELECT path FROM {S}.failures").fetchall():
        if in_scope(failed_path, roots) and failed_path not in seen:
            writer.mark(f"DELETE FROM {S}.failures WHERE path = %s", (failed_path,))
    moved_from = {old for old, _ in tally.moved}
    tally.removed.extend(p for p in gone if p not in moved_from)
    writer.mark(f"DELETE FROM {S}.embeddings e WHERE NOT EXISTS"
                f" (SELECT 1 FROM {S}.chunks c WHERE c.embed_hash = e.hash)", ())
    writer.commit(removals=[r[0] for r in gone.values()],
                  final={"last_sync": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    notify(Progress("done", len(paths), len(paths)))
    return SyncReport(
        added=tuple(tally.added), updated=tuple(tally.updated), removed=tuple(tally.removed),
        moved=tuple(tally.moved), unchanged=tuple(tally.unchanged), failed=tuple(tally.failed),
        chunks_embedded=tally.embedded, chunks_reused=tally.reused, seconds=time.monotonic() - started,
        ocr_pages=tally.ocr_pages, notices=tuple(tally.notices),
    )


def rebuild(url: str, embed_model_id: str) -> None:
    """Empty the index so the next sync re-reads every paper (embeddings of the same model are kept)."""
    conn = connect(url)
    try:
        with writer_lock(conn, url), write_refused(conn, url):
            from minutebook.index.postgres.schema import schema_version

            if schema_version(conn) == 0:
                return
            with conn.transaction():
                if meta(conn).get("embed_model_id") == embed_model_id:
                    conn.execute(f"TRUNCATE {S}.attributions, {S}.attributes, {S}.chunks, {S}.documents,"
                                 f" {S}.councils, {S}.failures")
                    conn.execute(f"DELETE FROM {S}.meta WHERE key NOT IN ('schema_version', 'embed_model_id',"
                                 " 'embed_model_sha256', 'dimension', 'normalised', 'generation')")
                else:
                    conn.execute(f"DROP SCHEMA {S} CASCADE")
    finally:
        conn.close()
