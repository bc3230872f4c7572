"""Reading an index in PostgreSQL as the other front-end parts do: papers, passages, status.

``PgStore`` offers the read methods of ``minutebook.index.sqlite.store.Store`` that decisions and listings use;
``PgReader`` those of ``minutebook.service.reader.IndexReader`` that the app and ``fetch_passage`` use.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import replace
from typing import Any

from minutebook.index.ops import IndexStatus, council_list
from minutebook.index.postgres import connect, shown
from minutebook.index.postgres.schema import SCHEMA, check_readable, meta
from minutebook.index.sqlite.store import (
    IndexManifest,
    StoredChunk,
    StoredDocument,
    _stored_chunk,
    _stored_document,
    attribute_choices,
    attributes_of,
    council_rows,
)
from minutebook.ingest.discover import recorded_sources
from minutebook.service.reader import CONTEXT_CHARS, Facets, PassageContext, _hit, _trim_to_lines
from minutebook.types import FileFailure, Hit, Page

_DOC_COLUMNS = ("id, path, sha256, size, mtime_ns, format, title, council, committee, meeting_date, doc_type,"
                " page_count, unread_pages")
_PASSAGE_SQL = """
SELECT c.id, c.doc_id, c.ordinal, c.start_char, c.end_char, c.page, c.section, c.minute, c.boilerplate, c.text,
       d.path, d.title, d.council, d.committee, d.meeting_date, d.doc_type, c.ocr
FROM chunks c JOIN documents d ON d.id = c.doc_id
"""


class _SqliteSpelling:
    """A connection that takes the embedded engine's read SQL: ``?`` placeholders, case-blind LIKE.

    ``minutebook.council.decisions`` still writes its few queries for SQLite; they are plain SELECTs whose
    only differences are these two.
    """

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, args: Any = ()) -> Any:
        sql = re.sub(r"\bWHERE 1$", "WHERE true", sql.replace("?", "%s").replace(" LIKE ", " ILIKE "))
        return self._conn.execute(sql, list(args))


class PgStore:
    """Read-only access to an index in PostgreSQL, as ``Store`` offers it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.folder = url
        self._conn = open_reading(url)
        self.conn = _SqliteSpelling(self._conn)

    def close(self) -> None:
        self._conn.close()

    def meta(self) -> dict[str, str]:
        return meta(self._conn)

    def manifest(self) -> IndexManifest | None:
        return IndexManifest.from_meta(self.meta())

    def documents(self) -> list[StoredDocument]:
        rows = self._conn.execute(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY path").fetchall()
        return [_stored_document(r) for r in rows]

    def document_by_path(self, path: str) -> StoredDocument | None:
        row = self._conn.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE path = %s", (path,)).fetchone()
        return _stored_document(row) if row else None

    def document_text(self, doc_id: int) -> str:
        row = self._conn.execute("SELECT text FROM documents WHERE id = %s", (doc_id,)).fetchone()
        return row[0] if row else ""

    def document_pages(self, doc_id: int) -> tuple[Page, ...]:
        row = self._conn.execute("SELECT pages FROM documents WHERE id = %s", (doc_id,)).fetchone()
        pages = row[0] if row else []
        return tuple(Page(*p) for p in (json.loads(pages) if isinstance(pages, str) else pages))

    def chunks_of(self, doc_id: int) -> list[StoredChunk]:
        rows = self._conn.execute(
            "SELECT id, doc_id, ordinal, text, start_char, end_char, page, section, minute, boilerplate, embed_hash,"
            " ocr FROM chunks WHERE doc_id = %s ORDER BY ordinal", (doc_id,)).fetchall()
        return [_stored_chunk(r) for r in rows]

    def chunk_count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def failures(self) -> list[FileFailure]:
        return [FileFailure(p, r) for p, r in self._conn.execute("SELECT path, reason FROM failures ORDER BY path")]


class PgReader:
    """Passages with their surroundings, as ``IndexReader`` offers them. Safe to share between threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn = open_reading(url)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def facets(self) -> Facets:
        with self._lock, self._conn.transaction():
            def distinct(column: str) -> tuple[str, ...]:
                rows = self._conn.execute(f"SELECT v FROM (SELECT DISTINCT {column} AS v FROM documents"
                                          f" WHERE {column} IS NOT NULL AND {column} != '') s ORDER BY lower(v), v")
                return tuple(str(r[0]) for r in rows)

            first, last = self._conn.execute(
                "SELECT min(meeting_date), max(meeting_date) FROM documents WHERE meeting_date IS NOT NULL").fetchone()
            return Facets(distinct("committee"), distinct("council"), distinct("doc_type"), first, last,
                          attribute_choices(self._conn))

    def passage(self, chunk_id: int) -> Hit | None:
        with self._lock:
            row = self._conn.execute(_PASSAGE_SQL + " WHERE c.id = %s", (chunk_id,)).fetchone()
            found = attributes_of(self._conn, [int(row[1])], "%s") if row else {}
        return replace(_hit(row), attributes=found.get(int(row[1]), ())) if row else None

    def context(self, hit: Hit, chars: int = CONTEXT_CHARS) -> PassageContext:
        offset = max(0, hit.start_char - chars)
        with self._lock, self._conn.transaction():
            row = self._conn.execute("SELECT length(text), substr(text, %s, %s) FROM documents WHERE id = %s",
                                     (offset + 1, hit.end_char - offset + chars, hit.doc_id)).fetchone()
            ordinals = [r[0] for r in self._conn.execute(
                "SELECT ordinal FROM chunks WHERE doc_id = %s AND start_char < %s AND end_char > %s ORDER BY ordinal",
                (hit.doc_id, hit.end_char, hit.start_char))]
            total = self._conn.execute("SELECT count(*) FROM chunks WHERE doc_id = %s", (hit.doc_id,)).fetchone()[0]
        if row is None:
            return PassageContext(hit, hit.text, (0, len(hit.text)), hit.start_char, True, True, 1, 1)
        length, window = int(row[0]), str(row[1])
        cut = _trim_to_lines(window, hit.start_char - offset, hit.end_char - offset, offset > 0,
                             offset + len(window) < length)
        start = offset + cut.dropped
        return PassageContext(hit=hit, text=cut.text, highlight=(hit.start_char - start, hit.end_char - start),
                              offset=start, starts_document=start == 0, ends_document=start + len(cut.text) >= length,
                              ordinal=(ordinals[0] + 1) if ordinals else 1, passages=int(total))

    def neighbour(self, hit: Hit, step: int = 1) -> Hit | None:
        with self._lock, self._conn.transaction():
            covered = [r[0] for r in self._conn.execute(
                "SELECT ordinal FROM chunks WHERE doc_id = %s AND (id = %s OR (start_char >= %s AND end_char <= %s))",
                (hit.doc_id, hit.chunk_id, hit.start_char, hit.end_char))]
            if not covered:
                return None
            if step > 0:
                sql, bound = " WHERE c.doc_id = %s AND c.ordinal > %s ORDER BY c.ordinal LIMIT 1", max(covered)
            else:
                sql, bound = " WHERE c.doc_id = %s AND c.ordinal < %s ORDER BY c.ordinal DESC LIMIT 1", min(covered)
            row = self._conn.execute(_PASSAGE_SQL + sql, (hit.doc_id, bound)).fetchone()
        return _hit(row) if row else None


def open_reading(url: str) -> Any:
    """A connection to the index at ``url``, checked to hold an index this minutebook reads."""
    conn = connect(url)
    try:
        conn.execute(f"SET search_path = {SCHEMA}, public")
        check_readable(conn, url)
    except BaseException:
        conn.close()
        raise
    return conn


def status(url: str) -> IndexStatus:
    """Counts, model, last sync and failed files of the index at ``url`` (one snapshot)."""
    conn = open_reading(url)
    try:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            docs, pages = conn.execute("SELECT count(*), coalesce(sum(page_count), 0) FROM documents").fetchone()
            chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
            by_type = dict(conn.execute("SELECT doc_type, count(*) FROM documents GROUP BY doc_type ORDER BY 2 DESC"
                                        ", 1").fetchall())
            committees = dict(conn.execute("SELECT coalesce(committee, '(unknown)'), count(*) FROM documents"
                                           " GROUP BY 1 ORDER BY 2 DESC, 1").fetchall())
            m = meta(conn)
            failures = tuple(FileFailure(p, r)
                             for p, r in conn.execute("SELECT path, reason FROM failures ORDER BY path"))
            councils = council_list(council_rows(conn))
            attributes = {str(n): int(c) for n, c in conn.execute(
                "SELECT name, count(*) FROM attributes GROUP BY name ORDER BY name").fetchall()}
            size = conn.execute(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n"
                " ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'm')", (SCHEMA,)).fetchone()[0]
    finally:
        conn.close()
    return IndexStatus(folder=shown(url), documents=int(docs), chunks=int(chunks), pages=int(pages),
                       embed_model=m.get("embed_model_id"), chunker_version=m.get("chunker_version"),
                       last_sync=m.get("last_sync"), failures=failures, by_type=by_type, committees=committees,
                       bytes_on_disk=int(size), sources=tuple(str(p) for p in recorded_sources(m)),
                       councils=councils, attributes=attributes)
