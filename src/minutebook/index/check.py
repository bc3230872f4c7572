"""Verify an index, and rebuild what is derived from its database.

SQLite is the source of truth (documents, chunks, embeddings). The keyword index
(``chunks_fts``) and the FAISS vector file are derived from it, so both can be rebuilt
without reading a paper or embedding a passage again. ``check_index`` only reads;
``repair_index`` takes the writer lock, rebuilds what is damaged and checks again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minutebook.errors import IndexCorrupt, MinutebookError
from minutebook.index.postgres import is_location
from minutebook.index.sqlite.lock import writer_lock
from minutebook.index.sqlite.store import DB_NAME, SCHEMA_VERSION, Store, now_iso
from minutebook.index.sqlite.vectors import VectorFile, VectorIndex, remove_stale_files

if TYPE_CHECKING:
    import numpy as np

# What a problem is about; the derived parts can be rebuilt by ``repair_index``.
DATABASE, KEYWORDS, VECTORS, MANIFEST = "database", "keywords", "vectors", "manifest"
REPAIRABLE = frozenset({KEYWORDS, VECTORS})


@dataclass(frozen=True, slots=True)
class Problem:
    part: str  # database | keywords | vectors | manifest
    message: str

    @property
    def repairable(self) -> bool:
        return self.part in REPAIRABLE


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What ``check`` found: each part checked, the problems, and what ``--repair`` rebuilt."""

    folder: str
    checked: tuple[str, ...]
    problems: tuple[Problem, ...]
    repaired: tuple[str, ...] = ()
    documents: int = 0
    chunks: int = 0

    @property
    def healthy(self) -> bool:
        return not self.problems


def check_index(folder: Path | str) -> CheckReport:
    """Verify the index in ``folder`` without changing it. Safe while a sync runs."""
    if is_location(folder):
        from minutebook.index.postgres.check import check

        return check(str(folder))
    folder = Path(folder)
    if not (folder / DB_NAME).exists():
        return CheckReport(str(folder), (DATABASE,), (Problem(DATABASE, f"no index database in {folder}"),))
    try:
        store = Store.open(folder, readonly=True)
    except MinutebookError as exc:
        return CheckReport(str(folder), (DATABASE,), (Problem(DATABASE, exc.message),))
    try:
        with store.snapshot() as conn:
            return _check(store, conn)
    except sqlite3.DatabaseError as exc:
        return CheckReport(str(folder), (DATABASE,), (Problem(DATABASE, f"the database cannot be read: {exc}"),))
    finally:
        store.close()


def _check(store: Store, conn: sqlite3.Connection) -> CheckReport:
    problems: list[Problem] = []
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if rows != ["ok"]:
        problems.append(Problem(DATABASE, "SQLite integrity check failed: " + "; ".join(rows[:5])))
        # Nothing else can be trusted on a damaged database.
        return CheckReport(str(store.folder), (DATABASE,), tuple(problems))
    orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        problems.append(Problem(DATABASE, f"{len(orphans)} rows point at missing documents"))
    meta = store.meta()
    problems.extend(_check_manifest(meta))
    dimension = int(meta.get("dimension", "0") or 0)
    documents = int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    chunks = int(conn.execute("SELECT count(*) FROM chunks").fetchone()[0])
    missing = conn.execute(
        "SELECT count(*) FROM chunks WHERE embed_hash NOT IN (SELECT hash FROM embeddings)"
    ).fetchone()[0]
    if missing:
        problems.append(Problem(DATABASE, f"{missing} passages have no stored vector"))
    if dimension:
        wrong = conn.execute(
            "SELECT count(*) FROM embeddings WHERE length(vector) != ?", (4 * dimension,)).fetchone()[0]
        if wrong:
            problems.append(Problem(DATABASE, f"{wrong} stored vectors are not {dimension}-dimensional"))
    problems.extend(_check_keywords(conn, chunks))
    if dimension and not missing:
        problems.extend(_check_vectors(store, conn, meta, dimension, chunks))
    return CheckReport(
        str(store.folder), (DATABASE, MANIFEST, KEYWORDS, VECTORS), tuple(problems), documents=documents, chunks=chunks
    )


def _check_manifest(meta: dict[str, str]) -> list[Problem]:
    problems = []
    for key in ("embed_model_id", "dimension", "schema_version", "chunker_version"):
        if not meta.get(key):
            problems.append(Problem(MANIFEST, f"the manifest does not record {key}"))
    if meta.get("schema_version") and meta["schema_version"] != str(SCHEMA_VERSION):
        problems.append(Problem(MANIFEST, f"schema {meta['schema_version']}, this minutebook reads {SCHEMA_VERSION}"))
    # Passages cut by another chunker version are no problem: the next sync cuts them again.
    return problems


def _check_keywords(conn: sqlite3.Connection, chunks: int) -> list[Problem]:
    """Every passage has exactly one keyword row with its text, and nothing else has one."""
    problems = []
    fts_rows = int(conn.execute("SELECT count(*) FROM chunks_fts").fetchone()[0])
    unindexed = conn.execute(
        "SELECT count(*) FROM chunks WHERE id NOT IN (SELECT rowid FROM chunks_fts)"
    ).fetchone()[0]
    stray = conn.execute("SELECT count(*) FROM chunks_fts WHERE rowid NOT IN (SELECT id FROM chunks)").fetchone()[0]
    differ = conn.execute(
        "SELECT count(*) FROM chunks c JOIN chunks_fts f ON f.rowid = c.id WHERE f.text != c.text"
    ).fetchone()[0]
    if unindexed:
        problems.append(Problem(KEYWORDS, f"{unindexed} of {chunks} passages are missing from the keyword index"))
    if stray:
        problems.append(Problem(KEYWORDS, f"the keyword index holds {stray} passages that no longer exist"))
    if differ:
        problems.append(Problem(KEYWORDS, f"the keyword index holds different text for {differ} passages"))
    if not (unindexed or stray) and fts_rows != chunks:
        problems.append(Problem(KEYWORDS, f"the keyword index has {fts_rows} rows for {chunks} passages"))
    return problems


def _check_vectors(
    store: Store, conn: sqlite3.Connection, meta: dict[str, str], dimension: int, chunks: int
) -> list[Problem]:
    """The committed vector file matches its checksum and count, and holds exactly the passages."""
    import numpy as np

    record = VectorFile.from_meta(meta)
    if record is None:
        return [Problem(VECTORS, "no vector file is recorded")] if chunks else []
    try:
        vectors = VectorIndex.load(store.folder, record, dimension)
    except IndexCorrupt as exc:
        return [Problem(VECTORS, exc.message)]
    except Exception as exc:  # noqa: BLE001 - faiss refusing a file whose checksum matched: still a bad file
        return [Problem(VECTORS, f"vector file {record.name} cannot be loaded ({exc})")]
    if vectors.count != chunks:
        return [Problem(VECTORS, f"vector file {record.name} holds {vectors.count} vectors for {chunks} passages")]
    ids = vector_ids(vectors.index)
    expected = np.fromiter((r[0] for r in conn.execute("SELECT id FROM chunks ORDER BY id")), dtype=np.int64)
    if ids is not None and not np.array_equal(ids, expected):
        return [Problem(VECTORS, f"vector file {record.name} holds other passages than the database")]
    return []


def vector_ids(index: Any) -> np.ndarray | None:
    """The sorted passage ids a FAISS index holds (exact id map or inverted lists)."""
    import faiss
    import numpy as np

    if hasattr(index, "id_map"):
        return np.sort(faiss.vector_to_array(index.id_map).astype(np.int64))
    if isinstance(index, faiss.IndexIVF):
        lists = index.invlists
        parts = [faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
                 for i in range(index.nlist) if lists.list_size(i)]
        return np.sort(np.concatenate(parts).astype(np.int64)) if parts else np.empty(0, np.int64)
    return None


def repair_index(folder: Path | str) -> CheckReport:
    """Check, rebuild the keyword index and vector file where damaged, and check again.

    Works from the database alone: nothing is re-read or re-embedded. Damage to the
    database itself is reported, not repaired (the remedy is `minutebook index --rebuild`).
    """
    if is_location(folder):
        from minutebook.index.postgres.check import repair

        return repair(str(folder))
    folder = Path(folder)
    before = check_index(folder)
    parts = {p.part for p in before.problems if p.repairable}
    if not parts or any(p.part == DATABASE and "integrity" in p.message for p in before.problems):
        return before
    with writer_lock(folder):
        store = Store.open(folder)
        try:
            if KEYWORDS in parts:
                rebuild_keywords(store)
            if VECTORS in parts:
                rebuild_vectors(store)
        finally:
            store.close()
    after = check_index(folder)
    return CheckReport(after.folder, after.checked, after.problems, tuple(sorted(parts)), after.documents, after.chunks)


def rebuild_keywords(store: Store) -> None:
    """Rebuild ``chunks_fts`` from the chunks, with the same context ``Store.add_document`` gives."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM chunks_fts")
        rows = conn.execute(
            "SELECT c.id, c.text, c.section, d.title, d.council, d.committee"
            " FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.id"
        ).fetchall()
        conn.executemany(
            "INSERT INTO chunks_fts (rowid, text, context) VALUES (?, ?, ?)",
            [(cid, text, f"{section or ''} {' '.join(x for x in (title, council, committee) if x)}")
             for cid, text, section, title, council, committee in rows],
        )


def rebuild_vectors(store: Store) -> VectorFile:
    """Write a new vector file from the stored embeddings and point the manifest at it."""
    meta = store.meta()
    dimension = int(meta["dimension"])
    with store.transaction():
        vectors = VectorIndex.from_store(store, dimension)
        generation = int(meta.get("generation", "0")) + 1
        record = vectors.write(store.folder, generation)
        store.set_meta({
            **record.as_meta(), "generation": str(generation),
            "previous_vectors_file": "", "last_repair": now_iso(),
        })
    # The damaged file is not kept as "previous": a reader falling back to it would be refused.
    remove_stale_files(store.folder, {record.name})
    return record

