"""The SQLite index: the source of truth for documents, chunks, keywords and vectors.

Layout of an index folder::

    minutebook.sqlite      documents, chunks, FTS5 keyword table, embeddings, manifest
    vectors-<gen>.faiss    FAISS copy of the vectors, written once per commit (see vectors.py)
    .lock                  held by the one process allowed to write

Embeddings are stored by the hash of the exact text embedded, so a renamed file, a moved
file or an unchanged passage inside a changed file never pays for embedding twice.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from minutebook.council.councils import canonical_names, council_key
from minutebook.errors import IndexMismatch, IndexMissing
from minutebook.index.sqlite.failures import (
    DENIED_CODES,
    damaged,
    index_failure,
    read_only_disk,
    sqlite_code,
    write_failure,
)
from minutebook.ingest.attributes import value_key
from minutebook.types import Chunk, Document, FileFailure, Metadata, Page

if TYPE_CHECKING:
    from minutebook.council.speakers import Attribution

DB_NAME = "minutebook.sqlite"
SCHEMA_VERSION = 4

# Numbered migrations: index i takes a database from version i to i + 1.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        sha256 TEXT NOT NULL,
        format TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        title TEXT NOT NULL,
        council TEXT,
        committee TEXT,
        meeting_date TEXT,
        doc_type TEXT NOT NULL,
        page_count INTEGER NOT NULL,
        pages TEXT NOT NULL,
        text TEXT NOT NULL,
        indexed_at TEXT NOT NULL
    );
    CREATE INDEX documents_sha ON documents (sha256);
    CREATE TABLE chunks (
        id INTEGER PRIMARY KEY,
        doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        page INTEGER,
        section TEXT,
        minute TEXT,
        boilerplate INTEGER NOT NULL DEFAULT 0,
        text TEXT NOT NULL,
        embed_hash TEXT NOT NULL,
        UNIQUE (doc_id, ordinal)
    );
    CREATE INDEX chunks_hash ON chunks (embed_hash);
    CREATE TABLE embeddings (hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
    CREATE VIRTUAL TABLE chunks_fts USING fts5 (
        text, context, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE TABLE failures (path TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL);
    """,
    # 2: who said what (minutebook.council.speakers). Papers indexed before it have none: forgetting
    # their size, time and hash makes the next sync read them again (embeddings are reused).
    """
    CREATE TABLE attributions (
        id INTEGER PRIMARY KEY,
        chunk_id INTEGER NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
        speaker TEXT NOT NULL,
        role TEXT,
        position TEXT,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL
    );
    CREATE INDEX attributions_chunk ON attributions (chunk_id);
    UPDATE documents SET size = -1, mtime_ns = -1, sha256 = '';
    UPDATE meta SET value = '2' WHERE key = 'schema_version';
    """,
    # 3: scanned pages (minutebook.ingest.ocr). Passages read by OCR are marked; a paper indexed
    # without some scanned pages (no OCR engine, or OCR off) counts them, so a sync with OCR at
    # hand reads it again. Nothing indexed before had either.
    """
    ALTER TABLE chunks ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE documents ADD COLUMN unread_pages INTEGER NOT NULL DEFAULT 0;
    UPDATE meta SET value = '3' WHERE key = 'schema_version';
    """,
    # 4: one identity per council and the manifests' attributes (minutebook.council.councils,
    # minutebook.ingest.attributes). ``council`` holds the canonical name, ``council_given`` the name
    # the paper or its manifest gives, ``council_key`` the identity (filled in by ``refresh_councils``).
    # Papers are read again for their manifest attributes (embeddings are reused).
    """
    ALTER TABLE documents ADD COLUMN council_given TEXT;
    ALTER TABLE documents ADD COLUMN council_key TEXT;
    UPDATE documents SET council_given = council WHERE council_given IS NULL;
    CREATE INDEX IF NOT EXISTS documents_council_key ON documents (council_key);
    CREATE TABLE IF NOT EXISTS councils (key TEXT PRIMARY KEY, name TEXT NOT NULL, aliases TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS attributes (
        doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        value_key TEXT NOT NULL,
        PRIMARY KEY (doc_id, name)
    );
    CREATE INDEX IF NOT EXISTS attributes_value ON attributes (name, value_key);
    UPDATE documents SET size = -1, mtime_ns = -1, sha256 = '';
    UPDATE meta SET value = '4' WHERE key = 'schema_version';
    """,
)


@dataclass(frozen=True, slots=True)
class IndexManifest:
    """How an index was built. An index is only used with the same embedding and chunking."""

    schema_version: int
    embed_model_id: str
    embed_model_sha256: str
    dimension: int
    normalised: bool
    chunker_version: str

    def as_dict(self) -> dict[str, str]:
        return {
            "schema_version": str(self.schema_version),
            "embed_model_id": self.embed_model_id,
            "embed_model_sha256": self.embed_model_sha256,
            "dimension": str(self.dimension),
            "normalised": "1" if self.normalised else "0",
            "chunker_version": self.chunker_version,
        }

    def differences(self, expected: IndexManifest, *, chunker: bool) -> list[str]:
        """How this index was built unlike ``expected``, in words; ``chunker`` counts the chunker too."""
        problems = []
        if self.embed_model_id != expected.embed_model_id:
            problems.append(f"embedding model {self.embed_model_id!r}, not {expected.embed_model_id!r}")
        elif expected.embed_model_sha256 and self.embed_model_sha256 != expected.embed_model_sha256:
            problems.append("embedding model files with other checksums")
        if self.dimension != expected.dimension:
            problems.append(f"{self.dimension}-dimensional vectors, not {expected.dimension}")
        if chunker and self.chunker_version and self.chunker_version != expected.chunker_version:
            problems.append(f"chunker version {self.chunker_version}, not {expected.chunker_version}")
        return problems

    @classmethod
    def from_meta(cls, meta: dict[str, str]) -> IndexManifest | None:
        if "embed_model_id" not in meta:
            return None
        return cls(
            schema_version=int(meta.get("schema_version", "0")),
            embed_model_id=meta["embed_model_id"],
            embed_model_sha256=meta.get("embed_model_sha256", ""),
            dimension=int(meta.get("dimension", "0")),
            normalised=meta.get("normalised") == "1",
            chunker_version=meta.get("chunker_version", ""),
        )


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: int
    path: str
    sha256: str
    size: int
    mtime_ns: int
    format: str
    metadata: Metadata
    page_count: int
    unread_pages: int = 0  # scanned pages indexed without their text (no OCR engine, or OCR off)


@dataclass(frozen=True, slots=True)
class StoredChunk:
    id: int
    doc_id: int
    chunk: Chunk
    embed_hash: str


def _connect_readonly(db: Path) -> sqlite3.Connection:
    """A read-only connection, also on a read-only disk or a folder this process cannot write.

    SQLite reads a WAL database through a ``-shm`` file beside it; where that cannot be
    created, nothing can write the database either, so it is opened as immutable.
    """
    def connect(query: str) -> sqlite3.Connection:
        return sqlite3.connect(f"{db.absolute().as_uri()}?{query}", uri=True, check_same_thread=False,
                               timeout=30, isolation_level=None)

    conn = connect("mode=ro")
    try:
        conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.OperationalError as exc:
        conn.close()
        if sqlite_code(exc) not in DENIED_CODES or (os.access(db.parent, os.W_OK) and not read_only_disk(db)):
            raise
        conn = connect("mode=ro&immutable=1")
    return conn


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class Store:
    """A connection to one index's SQLite database."""

    def __init__(self, conn: sqlite3.Connection, folder: Path) -> None:
        self.conn = conn
        self.folder = folder

    # --- opening ---------------------------------------------------------------------

    @classmethod
    def open(cls, folder: Path, *, create: bool = False, readonly: bool = False) -> Store:
        """Open the index in ``folder``; with ``create`` make it (and migrate) if needed."""
        db = folder / DB_NAME
        if not db.exists() and not create:
            raise IndexMissing(
                f"no index at {folder}",
                "Build one with `minutebook index PATH` (or point --index / MINUTEBOOK_INDEX at one).",
            )
        if create:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise write_failure(folder, exc) or exc from exc
        try:
            if readonly:
                conn = _connect_readonly(db)
            else:
                conn = sqlite3.connect(db, check_same_thread=False, timeout=30, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 30000")
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
            store = cls(conn, folder)
            if not readonly:
                store._migrate()
            elif store.schema_version() == 0:
                # The file exists but a first sync was stopped before its first commit.
                conn.close()
                raise IndexMissing(
                    f"no index at {folder} yet (the first sync was stopped before it committed anything)",
                    "Run `minutebook index PATH` again.",
                )
            elif store.schema_version() != SCHEMA_VERSION:
                raise IndexMismatch(
                    f"index at {folder} has schema {store.schema_version()}, this minutebook reads {SCHEMA_VERSION}",
                    "Run `minutebook index` once to upgrade it (passages already embedded are reused)."
                    if store.schema_version() < SCHEMA_VERSION
                    else "Upgrade minutebook, or rebuild the index with `minutebook index --rebuild`.",
                )
        except sqlite3.DatabaseError as exc:
            raise index_failure(folder, exc) or damaged(folder, str(exc)) from exc
        return store

    def close(self) -> None:
        self.conn.close()

    def damage(self) -> str | None:
        """What SQLite's quick check finds wrong with the database (it reads every page), or None."""
        try:
            rows = [r[0] for r in self.conn.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return None if rows == ["ok"] else "database disk image is malformed"

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise IndexMismatch(
                f"index at {self.folder} was written by a newer minutebook (schema {version})",
                "Upgrade minutebook, or rebuild the index with `minutebook index --rebuild`.",
            )
        for step in range(version, SCHEMA_VERSION):
            # executescript commits whatever is pending, so the migration brings its own
            # transaction: a crash mid-migration leaves the previous version intact.
            script = _without_present_columns(self.conn, MIGRATIONS[step])
            self.conn.executescript(f"BEGIN IMMEDIATE; {script} PRAGMA user_version = {step + 1}; COMMIT;")
        if 0 < version < 4 <= SCHEMA_VERSION:
            with self.transaction():
                self.refresh_councils()  # each paper's council identity, each council's canonical name

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: all of it lands, or none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent view while a writer commits beside it."""
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            self.conn.execute("COMMIT")

    # --- manifest --------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, values: dict[str, str]) -> None:
        self.conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )

    def manifest(self) -> IndexManifest | None:
        return IndexManifest.from_meta(self.meta())

    def check_manifest(self, expected: IndexManifest) -> None:
        """Refuse an index built with another model or dimension."""
        found = self.manifest()
        if found is None:
            return
        # Another chunker's passages are not refused: the next sync cuts every paper again (pipeline.sync).
        problems = found.differences(expected, chunker=False)
        if problems:
            raise IndexMismatch(
                f"the index at {self.folder} was built with " + "; ".join(problems),
                f"Rebuild it with `minutebook index --rebuild --index {self.folder}`.",
            )

    # --- documents -------------------------------------------------------------------

    def documents(self) -> list[StoredDocument]:
        rows = self.conn.execute(
            "SELECT id, path, sha256, size, mtime_ns, format, title, council, committee, meeting_date,"
            " doc_type, page_count, unread_pages FROM documents ORDER BY path"
        ).fetchall()
        return [_stored_document(r) for r in rows]

    def document_by_path(self, path: str) -> StoredDocument | None:
        row = self.conn.execute(
            "SELECT id, path, sha256, size, mtime_ns, format, title, council, committee, meeting_date,"
            " doc_type, page_count, unread_pages FROM documents WHERE path = ?",
            (path,),
        ).fetchone()
        return _stored_document(row) if row else None

    def councils(self) -> list[tuple[str, str, tuple[str, ...], int]]:
        """Each council the index holds, once: (key, canonical name, other names, papers), by name."""
        return council_rows(self.conn)

    def attribute_counts(self) -> list[tuple[str, int]]:
        """The attributes papers carry, with how many papers carry each, by name."""
        return [(str(n), int(c)) for n, c in self.conn.execute(
            "SELECT name, count(*) FROM attributes GROUP BY name ORDER BY name")]

    def refresh_councils(self) -> None:
        """Recompute each council's canonical name from its papers, and put it on them (in the caller's transaction)."""
        refresh_councils(self.conn, "?")

    def document_text(self, doc_id: int) -> str:
        row = self.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else ""

    def document_pages(self, doc_id: int) -> tuple[Page, ...]:
        row = self.conn.execute("SELECT pages FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return tuple(Page(*p) for p in json.loads(row[0])) if row else ()  # [number, start, end(, source)]

    def touch(self, doc_id: int, size: int, mtime_ns: int) -> None:
        self.conn.execute("UPDATE documents SET size = ?, mtime_ns = ? WHERE id = ?", (size, mtime_ns, doc_id))

    def delete_document(self, doc_id: int) -> list[int]:
        """Remove a document and its chunks; returns the removed chunk ids."""
        ids = [r[0] for r in self.conn.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]
        self.conn.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(i,) for i in ids])
        self.conn.execute(
            "DELETE FROM attributions WHERE chunk_id IN (SELECT id FROM chunks WHERE doc_id = ?)", (doc_id,))
        self.conn.execute("DELETE FROM attributes WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        return ids

    def add_document(
        self, doc: Document, size: int, mtime_ns: int, chunks: Sequence[Chunk], hashes: Sequence[str]
    ) -> list[int]:
        """Insert a document and its chunks (replacing any at the same path); returns chunk ids."""
        m = doc.metadata
        cur = self.conn.execute(
            "INSERT INTO documents (path, sha256, format, size, mtime_ns, title, council, committee,"
            " meeting_date, doc_type, page_count, pages, text, indexed_at, unread_pages, council_given, council_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc.path, doc.sha256, doc.format, size, mtime_ns, m.title, m.council, m.committee,
             m.meeting_date, m.doc_type, doc.page_count, json.dumps(pages_json(doc.pages)), doc.text, now_iso(),
             unread_pages(doc.pages), m.council, council_key(m.council) if m.council else None),
        )
        doc_id = int(cur.lastrowid or 0)
        self.conn.executemany("INSERT INTO attributes (doc_id, name, value, value_key) VALUES (?, ?, ?, ?)",
                              [(doc_id, n, v, value_key(v)) for n, v in m.attributes])
        context_base = " ".join(x for x in (m.title, m.council, m.committee) if x)
        ids: list[int] = []
        for chunk, h in zip(chunks, hashes, strict=True):
            cur = self.conn.execute(
                "INSERT INTO chunks (doc_id, ordinal, start_char, end_char, page, section, minute,"
                " boilerplate, text, embed_hash, ocr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, chunk.ordinal, chunk.start_char, chunk.end_char, chunk.page, chunk.section,
                 chunk.minute, int(chunk.boilerplate), chunk.text, h, int(chunk.ocr)),
            )
            chunk_id = int(cur.lastrowid or 0)
            ids.append(chunk_id)
            self.conn.execute(
                "INSERT INTO chunks_fts (rowid, text, context) VALUES (?, ?, ?)",
                (chunk_id, chunk.text, f"{chunk.speaker or ''} {chunk.section or ''} {context_base}"),
            )
        return ids

    def add_attributions(self, chunk_ids: Sequence[int], found: Sequence[Sequence[Attribution]]) -> None:
        """Store who said what in each chunk (``found[i]`` belongs to ``chunk_ids[i]``)."""
        self.conn.executemany(
            "INSERT INTO attributions (chunk_id, speaker, role, position, start_char, end_char)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(cid, a.speaker, a.role, a.position, a.start, a.end)
             for cid, group in zip(chunk_ids, found, strict=True) for a in group],
        )

    # --- chunks and vectors ------------------------------------------------------------

    def chunk_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def chunks_of(self, doc_id: int) -> list[StoredChunk]:
        rows = self.conn.execute(
            "SELECT id, doc_id, ordinal, text, start_char, end_char, page, section, minute, boilerplate,"
            " embed_hash, ocr FROM chunks WHERE doc_id = ? ORDER BY ordinal",
            (doc_id,),
        ).fetchall()
        return [_stored_chunk(r) for r in rows]

    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        wanted = list(set(hashes))
        found: set[str] = set()
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            q = f"SELECT hash FROM embeddings WHERE hash IN ({','.join('?' * len(part))})"
            found.update(r[0] for r in self.conn.execute(q, part))
        return found

    def put_embeddings(self, hashes: Sequence[str], vectors: np.ndarray) -> None:
        rows = [(h, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for h, v in zip(hashes, vectors, strict=True)]
        self.conn.executemany("INSERT OR IGNORE INTO embeddings (hash, vector) VALUES (?, ?)", rows)

    def vectors_for(self, chunk_ids: Sequence[int], dimension: int) -> np.ndarray:
        out = np.zeros((len(chunk_ids), dimension), dtype=np.float32)
        pos = {cid: i for i, cid in enumerate(chunk_ids)}
        for i in range(0, len(chunk_ids), 500):
            part = list(chunk_ids[i : i + 500])
            q = (f"SELECT c.id, e.vector FROM chunks c JOIN embeddings e ON e.hash = c.embed_hash"
                 f" WHERE c.id IN ({','.join('?' * len(part))})")
            for cid, blob in self.conn.execute(q, part):
                out[pos[cid]] = np.frombuffer(blob, dtype=np.float32)
        return out

    def all_vectors(self, dimension: int, batch: int = 50_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Every chunk's (ids, vectors), in batches, for rebuilding the FAISS file."""
        cur = self.conn.execute(
            "SELECT c.id, e.vector FROM chunks c JOIN embeddings e ON e.hash = c.embed_hash ORDER BY c.id"
        )
        while rows := cur.fetchmany(batch):
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dimension)
            yield ids, vecs

    def readable_embeddings(self, window: int = 256) -> Iterator[tuple[str, bytes]]:
        """Every stored (hash, vector) that can still be read from a damaged database.

        Rows are read by rowid windows; a window touching a damaged page is read row by row,
        and the rows that cannot be read are skipped.
        """
        def rows(low: int, high: int) -> list[tuple[str, bytes]] | None:
            try:
                found = self.conn.execute(
                    "SELECT hash, vector FROM embeddings WHERE rowid BETWEEN ? AND ?", (low, high)).fetchall()
            except sqlite3.DatabaseError:
                return None
            return [(h, v) for h, v in found if isinstance(h, str) and isinstance(v, bytes)]

        try:
            top = int(self.conn.execute("SELECT max(rowid) FROM embeddings").fetchone()[0] or 0)
        except sqlite3.DatabaseError:  # the table's right edge is damaged: bound rowids by the file's size
            pages, size = (self.conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size"))
            top = int(pages) * int(size) // 64
        for low in range(1, top + 1, window):
            found = rows(low, low + window - 1)
            if found is None:
                found = [row for rowid in range(low, low + window) for row in rows(rowid, rowid) or ()]
            yield from found

    def drop_unused_embeddings(self) -> int:
        cur = self.conn.execute(
            "DELETE FROM embeddings WHERE hash NOT IN (SELECT embed_hash FROM chunks)"
        )
        return cur.rowcount

    # --- failures ----------------------------------------------------------------------

    def record_failure(self, failure: FileFailure) -> None:
        self.conn.execute(
            "INSERT INTO failures (path, reason, at) VALUES (?, ?, ?)"
            " ON CONFLICT (path) DO UPDATE SET reason = excluded.reason, at = excluded.at",
            (failure.path, failure.reason, now_iso()),
        )

    def clear_failure(self, path: str) -> None:
        self.conn.execute("DELETE FROM failures WHERE path = ?", (path,))

    def failures(self) -> list[FileFailure]:
        return [FileFailure(p, r) for p, r in self.conn.execute("SELECT path, reason FROM failures ORDER BY path")]


def _without_present_columns(conn: sqlite3.Connection, script: str) -> str:
    """``script`` without the ``ADD COLUMN`` lines for columns already there (an index moved back a version)."""
    have = {str(r[1]) for r in conn.execute("PRAGMA table_info(documents)")}
    return "\n".join(line for line in script.splitlines()
                     if not any(f"ADD COLUMN {column} " in line for column in have))


def council_rows(conn: Any) -> list[tuple[str, str, tuple[str, ...], int]]:
    """``Store.councils`` over either engine's connection (``mark``: its placeholder)."""
    papers = dict(conn.execute(
        "SELECT council_key, count(*) FROM documents WHERE council_key IS NOT NULL GROUP BY council_key").fetchall())
    rows = conn.execute("SELECT key, name, aliases FROM councils").fetchall()
    found = [(str(k), str(n), tuple(json.loads(a)), int(papers.get(k, 0))) for k, n, a in rows]
    return sorted(found, key=lambda r: (r[1].lower(), r[1]))


def refresh_councils(conn: Any, mark: str) -> None:
    """Rewrite the councils table from the papers, and each paper's ``council`` as its canonical name.

    Papers written without an identity (by an older minutebook, or straight into the tables) get one first.
    """
    unkeyed = [str(r[0]) for r in conn.execute(
        "SELECT DISTINCT council FROM documents WHERE council IS NOT NULL AND council_key IS NULL").fetchall()]
    for name in unkeyed:
        conn.execute(f"UPDATE documents SET council_given = coalesce(council_given, council), council_key = {mark}"
                     f" WHERE council = {mark} AND council_key IS NULL", (council_key(name) or None, name))
    given = conn.execute(
        "SELECT council_key, council_given, count(*) FROM documents WHERE council_key IS NOT NULL"
        " GROUP BY council_key, council_given").fetchall()
    names = canonical_names((str(k), str(g), int(n)) for k, g, n in given)
    old = {str(k): (str(n), str(a)) for k, n, a in conn.execute("SELECT key, name, aliases FROM councils").fetchall()}
    new = {k: (name, json.dumps(list(aliases), ensure_ascii=False)) for k, (name, aliases) in names.items()}
    gone = [k for k in old if k not in new]
    if gone:
        conn.execute(f"DELETE FROM councils WHERE key IN ({','.join([mark] * len(gone))})", gone)
    for key, (name, aliases) in new.items():
        if old.get(key) != (name, aliases):
            conn.execute(f"DELETE FROM councils WHERE key = {mark}", (key,))
            conn.execute(f"INSERT INTO councils (key, name, aliases) VALUES ({mark}, {mark}, {mark})",
                         (key, name, aliases))
        # Papers added since the last refresh carry the name they gave.
        conn.execute(f"UPDATE documents SET council = {mark} WHERE council_key = {mark} AND council <> {mark}",
                     (name, key, name))


def attributes_of(conn: Any, doc_ids: Iterable[int], mark: str) -> dict[int, tuple[tuple[str, str], ...]]:
    """The attributes of each of ``doc_ids`` that has any, sorted by name (either engine)."""
    wanted = sorted(set(doc_ids))
    out: dict[int, list[tuple[str, str]]] = {}
    for i in range(0, len(wanted), 500):
        part = wanted[i : i + 500]
        for doc_id, name, value in conn.execute(
                f"SELECT doc_id, name, value FROM attributes WHERE doc_id IN ({','.join([mark] * len(part))})"
                " ORDER BY doc_id, name", part).fetchall():
            out.setdefault(int(doc_id), []).append((str(name), str(value)))
    return {d: tuple(v) for d, v in out.items()}


CHOICES_MAX = 12  # an attribute with more distinct values (dates, links, names) is not offered as a choice


def attribute_choices(conn: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Attributes with few values (grades, frameworks), each with its values, for a filter to offer."""
    found: dict[str, list[str]] = {}
    for name, value in conn.execute("SELECT DISTINCT name, value FROM attributes ORDER BY name, value").fetchall():
        found.setdefault(str(name), []).append(str(value))
    return tuple((n, tuple(v)) for n, v in found.items() if len(v) <= CHOICES_MAX)


def _stored_document(row: Sequence[object]) -> StoredDocument:
    (doc_id, path, sha, size, mtime_ns, fmt, title, council, committee, date, doc_type, pages, *unread) = row
    return StoredDocument(
        id=int(doc_id),  # type: ignore[call-overload]
        path=str(path),
        sha256=str(sha),
        size=int(size),  # type: ignore[call-overload]
        mtime_ns=int(mtime_ns),  # type: ignore[call-overload]
        format=str(fmt),
        metadata=Metadata(str(title), council, committee, date, str(doc_type)),  # type: ignore[arg-type]
        page_count=int(pages),  # type: ignore[call-overload]
        unread_pages=int(unread[0]) if unread else 0,  # type: ignore[call-overload]
    )


def pages_json(pages: Sequence[Page]) -> list[list[object]]:
    """How the pages are stored: ``[number, start, end]``, and how it was read when not its text layer."""
    return [[p.number, p.start_char, p.end_char, *([p.source] if p.source != "text" else [])] for p in pages]


def unread_pages(pages: Sequence[Page]) -> int:
    return sum(p.source == "unread" for p in pages)


def _stored_chunk(row: Sequence[object]) -> StoredChunk:
    (cid, doc_id, ordinal, text, start, end, page, section, minute, boiler, h, *ocr) = row
    return StoredChunk(
        id=int(cid),  # type: ignore[call-overload]
        doc_id=int(doc_id),  # type: ignore[call-overload]
        chunk=Chunk(int(ordinal), str(text), int(start), int(end), page, section, minute, bool(boiler),  # type: ignore[call-overload, arg-type]
                    ocr=bool(ocr and ocr[0])),
        embed_hash=str(h),
    )
