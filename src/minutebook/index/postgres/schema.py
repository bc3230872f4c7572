"""The tables of an index in PostgreSQL, their numbered migrations, and its manifest.

Everything lives in one schema (``minutebook`` by default) so the database can hold other things.
Passages carry their own embedding (so one HNSW index serves filtered searches) and a stored
``tsvector`` of their text (weight A) and context — section, title, council, committee — (weight B).
``embeddings`` keeps vectors by the hash of the text embedded, so re-indexed or moved papers reuse them.
"""

from __future__ import annotations

from typing import Any

from minutebook.errors import IndexMismatch, IndexMissing
from minutebook.index.postgres import shown
from minutebook.index.sqlite.store import IndexManifest

SCHEMA = "minutebook"
SCHEMA_VERSION = 3
TEXT_CONFIG = "english"  # stemming and stop words of PostgreSQL's own full-text search
# The writer's advisory lock: one sync at a time per database (any value, fixed: "minutebk").
LOCK_KEY = 0x6D696E7574656B


def _migrations(dimension: int) -> tuple[str, ...]:
    """Migration i takes the schema from version i to i + 1 (``dimension`` fixes the vector type)."""
    return (
        f"""
        CREATE EXTENSION IF NOT EXISTS vector;
        CREATE SCHEMA IF NOT EXISTS {SCHEMA};
        CREATE TABLE {SCHEMA}.meta (key text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE {SCHEMA}.documents (
            id bigserial PRIMARY KEY,
            path text NOT NULL UNIQUE,
            sha256 text NOT NULL,
            format text NOT NULL,
            size bigint NOT NULL,
            mtime_ns bigint NOT NULL,
            title text NOT NULL,
            council text,
            committee text,
            meeting_date text,
            doc_type text NOT NULL,
            page_count integer NOT NULL,
            pages jsonb NOT NULL,
            text text NOT NULL,
            indexed_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX documents_sha ON {SCHEMA}.documents (sha256);
        CREATE INDEX documents_council ON {SCHEMA}.documents (council);
        CREATE INDEX documents_date ON {SCHEMA}.documents (meeting_date);
        CREATE TABLE {SCHEMA}.embeddings (hash text PRIMARY KEY, embedding vector({dimension}) NOT NULL);
        CREATE TABLE {SCHEMA}.chunks (
            id bigserial PRIMARY KEY,
            doc_id bigint NOT NULL REFERENCES {SCHEMA}.documents (id) ON DELETE CASCADE,
            ordinal integer NOT NULL,
            start_char integer NOT NULL,
            end_char integer NOT NULL,
            page integer,
            section text,
            minute text,
            boilerplate boolean NOT NULL DEFAULT false,
            text text NOT NULL,
            context text NOT NULL,
            embed_hash text NOT NULL,
            embedding vector({dimension}) NOT NULL,
            tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('{TEXT_CONFIG}', text), 'A') ||
                setweight(to_tsvector('{TEXT_CONFIG}', context), 'B')) STORED,
            UNIQUE (doc_id, ordinal)
        );
        CREATE INDEX chunks_hash ON {SCHEMA}.chunks (embed_hash);
        CREATE INDEX chunks_tsv ON {SCHEMA}.chunks USING gin (tsv);
        CREATE INDEX chunks_embedding ON {SCHEMA}.chunks USING hnsw (embedding vector_ip_ops);
        CREATE TABLE {SCHEMA}.attributions (
            id bigserial PRIMARY KEY,
            chunk_id bigint NOT NULL REFERENCES {SCHEMA}.chunks (id) ON DELETE CASCADE,
            speaker text NOT NULL,
            role text,
            position text,
            start_char integer NOT NULL,
            end_char integer NOT NULL
        );
        CREATE INDEX attributions_chunk ON {SCHEMA}.attributions (chunk_id);
        CREATE TABLE {SCHEMA}.failures (path text PRIMARY KEY, reason text NOT NULL, at timestamptz NOT NULL);
        """,
        # 2: scanned pages (minutebook.ingest.ocr): passages read by OCR are marked; a paper indexed
        # without some scanned pages counts them, so a sync with OCR at hand reads it again.
        f"""
        ALTER TABLE {SCHEMA}.chunks ADD COLUMN ocr boolean NOT NULL DEFAULT false;
        ALTER TABLE {SCHEMA}.documents ADD COLUMN unread_pages integer NOT NULL DEFAULT 0;
        """,
        # 3: one identity per council and the manifests' attributes (as the embedded engine's schema 4):
        # ``council`` is the canonical name, ``council_given`` the paper's, ``council_key`` the identity.
        # Papers are read again for their manifest attributes (embeddings are reused).
        f"""
        ALTER TABLE {SCHEMA}.documents ADD COLUMN IF NOT EXISTS council_given text,
            ADD COLUMN IF NOT EXISTS council_key text;
        UPDATE {SCHEMA}.documents SET council_given = council WHERE council_given IS NULL;
        CREATE INDEX IF NOT EXISTS documents_council_key ON {SCHEMA}.documents (council_key);
        CREATE TABLE IF NOT EXISTS {SCHEMA}.councils (key text PRIMARY KEY, name text NOT NULL, aliases text NOT NULL);
        CREATE TABLE IF NOT EXISTS {SCHEMA}.attributes (
            doc_id bigint NOT NULL REFERENCES {SCHEMA}.documents (id) ON DELETE CASCADE,
            name text NOT NULL,
            value text NOT NULL,
            value_key text NOT NULL,
            PRIMARY KEY (doc_id, name)
        );
        CREATE INDEX IF NOT EXISTS attributes_value ON {SCHEMA}.attributes (name, value_key);
        UPDATE {SCHEMA}.documents SET size = -1, mtime_ns = -1, sha256 = '';
        """,
    )


def schema_version(conn: Any) -> int:
    """The schema's version; 0 when the database holds no index."""
    row = conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.meta",)).fetchone()
    if row is None or row[0] is None:
        return 0
    found = conn.execute(f"SELECT value FROM {SCHEMA}.meta WHERE key = 'schema_version'").fetchone()
    return int(found[0]) if found else 0


def migrate(conn: Any, url: str, dimension: int) -> None:
    """Bring the schema to this minutebook's version, each step in its own transaction."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise IndexMismatch(f"the index at {shown(url)} was written by a newer minutebook (schema {version})",
                            "Upgrade minutebook.")
    steps = _migrations(dimension)
    for step in range(version, SCHEMA_VERSION):
        with conn.transaction():
            conn.execute(steps[step])
            if step == 2:
                fill_council_keys(conn)
            set_meta(conn, {"schema_version": str(step + 1)})


def fill_council_keys(conn: Any) -> None:
    """Each paper's council identity and each council's canonical name (after migration 3)."""
    from minutebook.index.sqlite.store import refresh_councils

    conn.execute(f"SET LOCAL search_path = {SCHEMA}, public")
    refresh_councils(conn, "%s")


def check_readable(conn: Any, url: str) -> None:
    """Refuse a database without an index, or with a schema this minutebook does not read."""
    version = schema_version(conn)
    if version == 0:
        raise IndexMissing(f"no index at {shown(url)} yet",
                           f"Build one with `minutebook index PATH --index {shown(url)}`.")
    if version != SCHEMA_VERSION:
        raise IndexMismatch(f"the index at {shown(url)} has schema {version}, this minutebook reads {SCHEMA_VERSION}",
                            "Run `minutebook index` once to upgrade it." if version < SCHEMA_VERSION
                            else "Upgrade minutebook.")


def meta(conn: Any) -> dict[str, str]:
    return dict(conn.execute(f"SELECT key, value FROM {SCHEMA}.meta").fetchall())


def set_meta(conn: Any, values: dict[str, str]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {SCHEMA}.meta (key, value) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value", list(values.items()))


def check_manifest(found: IndexManifest | None, expected: IndexManifest, url: str) -> None:
    """Refuse an index built with another embedding model, dimension or chunker."""
    if found is None:
        return
    problems = found.differences(expected, chunker=True)
    if problems:
        raise IndexMismatch(f"the index at {shown(url)} was built with " + "; ".join(problems),
                            f"Rebuild it with `minutebook index --rebuild --index {shown(url)}`.")


def vector_literal(v: Any) -> str:
    """A float32 vector as pgvector's text form."""
    return "[" + ",".join(f"{x:.8g}" for x in v.tolist()) + "]"


def stored_meta(url: str) -> dict[str, str]:
    """The manifest and meta of the index at ``url``; empty when there is none yet or it is unreachable."""
    from minutebook.errors import MinutebookError
    from minutebook.index.postgres import connect

    try:
        conn = connect(url)
    except MinutebookError:
        return {}
    try:
        return meta(conn) if schema_version(conn) else {}
    finally:
        conn.close()


def stored_model_id(url: str) -> str | None:
    """The embedding model the index at ``url`` was built with, or None (no index yet, or unreachable)."""
    return stored_meta(url).get("embed_model_id")
