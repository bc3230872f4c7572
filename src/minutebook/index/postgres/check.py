"""`minutebook check` for an index in PostgreSQL: the manifest, every passage's vector, the indexes.

PostgreSQL keeps its own data consistent (transactions, foreign keys, checksummed WAL); what can
still go wrong is an index left invalid by an interrupted ``CREATE INDEX`` or a bad restore, or rows
written by something other than minutebook. ``--repair`` rebuilds the keyword and vector indexes
(``REINDEX``) from the tables, without re-reading or re-embedding a paper.
"""

from __future__ import annotations

from typing import Any

from minutebook.errors import MinutebookError
from minutebook.index.check import DATABASE, KEYWORDS, MANIFEST, VECTORS, CheckReport, Problem, _check_manifest
from minutebook.index.postgres import connect, shown, write_refused
from minutebook.index.postgres.schema import SCHEMA, SCHEMA_VERSION, check_readable, meta
from minutebook.index.postgres.sync import writer_lock

_INDEXES = {"chunks_tsv": KEYWORDS, "chunks_embedding": VECTORS}


def check(url: str) -> CheckReport:
    """Verify the index at ``url`` without changing it (safe while a sync runs: one snapshot)."""
    try:
        conn = connect(url)
    except MinutebookError as exc:
        return CheckReport(shown(url), (DATABASE,), (Problem(DATABASE, exc.message),))
    try:
        conn.execute(f"SET search_path = {SCHEMA}, public")
        try:
            check_readable(conn, url)
        except MinutebookError as exc:
            return CheckReport(shown(url), (DATABASE,), (Problem(DATABASE, exc.message),))
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return _check(conn, url)
    finally:
        conn.close()


def _check(conn: Any, url: str) -> CheckReport:
    m = meta(conn)
    problems = [p for p in _check_manifest({**m, "schema_version": "x"}) if "schema" not in p.message]
    if m.get("schema_version") != str(SCHEMA_VERSION):
        problems.append(Problem(MANIFEST, f"schema {m.get('schema_version')}, this minutebook reads {SCHEMA_VERSION}"))
    documents = int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    chunks = int(conn.execute("SELECT count(*) FROM chunks").fetchone()[0])
    missing = conn.execute("SELECT count(*) FROM chunks c WHERE NOT EXISTS"
                           " (SELECT 1 FROM embeddings e WHERE e.hash = c.embed_hash)").fetchone()[0]
    if missing:
        problems.append(Problem(DATABASE, f"{missing} passages have no stored embedding"))
    dimension = int(m.get("dimension", "0") or 0)
    if dimension:
        wrong = conn.execute("SELECT count(*) FROM chunks WHERE vector_dims(embedding) != %s",
                             (dimension,)).fetchone()[0]
        if wrong:
            problems.append(Problem(DATABASE, f"{wrong} passages have vectors that are not {dimension}-dimensional"))
    for name, part in _INDEXES.items():
        row = conn.execute("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                           " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
                           (SCHEMA, name)).fetchone()
        if row is None:
            problems.append(Problem(part, f"the index {name} is missing"))
        elif not row[0]:
            problems.append(Problem(part, f"the index {name} is not valid (an interrupted build or restore)"))
    return CheckReport(shown(url), (DATABASE, MANIFEST, KEYWORDS, VECTORS), tuple(problems),
                       documents=documents, chunks=chunks)


def repair(url: str) -> CheckReport:
    """Check, rebuild the keyword and vector indexes where damaged or missing, and check again."""
    before = check(url)
    parts = {p.part for p in before.problems if p.repairable}
    if not parts:
        return before
    conn = connect(url)
    try:
        with writer_lock(conn, url), write_refused(conn, url):
            for name, part in _INDEXES.items():
                if part in parts:
                    conn.execute(f"DROP INDEX IF EXISTS {SCHEMA}.{name}")
            if KEYWORDS in parts:
                conn.execute(f"CREATE INDEX chunks_tsv ON {SCHEMA}.chunks USING gin (tsv)")
            if VECTORS in parts:
                conn.execute(f"CREATE INDEX chunks_embedding ON {SCHEMA}.chunks USING hnsw (embedding vector_ip_ops)")
    finally:
        conn.close()
    after = check(url)
    return CheckReport(after.folder, after.checked, after.problems, tuple(sorted(parts)), after.documents, after.chunks)
