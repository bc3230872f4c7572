"""Hybrid search over PostgreSQL: the embedded engine's ranking with PostgreSQL doing the reads.

``PgSearcher`` is ``HybridSearcher`` with its reads answered by PostgreSQL: keyword proposals and
scores from ``tsvector`` matches ranked by ``ts_rank`` (text weighted 1.0, context 0.4, as the
embedded engine weighs its columns), dense proposals from the HNSW index, and exact cosines from
the stored vectors. Pooling, fusion, boosts, confidence and merging are the inherited code.

Filters are SQL on the same rows (applied before ranking, never after): with a selective filter
the HNSW scan continues until it has found enough allowed rows (``hnsw.iterative_scan``), and a
filtered set small enough is scored exactly. Each search is one REPEATABLE READ snapshot, so a
sync committing beside it is seen whole or not at all.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from minutebook.council.councils import council_key
from minutebook.index.postgres.schema import TEXT_CONFIG, vector_literal
from minutebook.ingest.attributes import condition_sql
from minutebook.protocols import Embedder
from minutebook.search.hybrid import HybridSearcher, _like
from minutebook.search.query import dense_text, parse_query
from minutebook.search.ranking import Ranking, idf
from minutebook.types import Filters, Hit, SearchResult

EF_SEARCH = 100  # HNSW candidates per scan step (pgvector default 40; measured in bench/bench_postgres.py)
_TOKEN = re.compile(r'"((?:[^"]|"")*)"|(\()|(\))|\b(OR|AND|NOT)\b')
_WEIGHTS = "{0, 0, 0.4, 1.0}"  # D, C, B (context), A (text)


def filter_clause(filters: Filters | None, councils: list[str] | None = None) -> tuple[str, list[object]]:
    """A WHERE clause over ``documents d`` and ``chunks c`` (case-insensitive substrings, like SQLite's LIKE)."""
    clauses: list[str] = []
    args: list[object] = []
    if filters is not None:
        if filters.committee:
            clauses.append("d.committee ILIKE %s ESCAPE '\\'")
            args.append(_like(filters.committee))
        if filters.council:
            clauses.append("d.council_key = %s")
            args.append(council_key(filters.council))
        for condition in filters.where:
            clause, values = condition_sql(condition, "%s")
            clauses.append(clause)
            args += values
        if filters.doc_type:
            clauses.append("d.doc_type = %s")
            args.append(filters.doc_type)
        if filters.since:
            clauses.append("d.meeting_date >= %s")
            args.append(filters.since)
        if filters.until:
            clauses.append("d.meeting_date <= %s")
            args.append(filters.until)
        if filters.speaker or filters.role:
            said = ["a.chunk_id = c.id"]
            if filters.speaker:
                said.append("(a.speaker ILIKE %s ESCAPE '\\' OR a.position ILIKE %s ESCAPE '\\')")
                args += [_like(filters.speaker), _like(filters.speaker)]
            if filters.role:
                said.append("a.role = %s")
                args.append(filters.role)
            clauses.append(f"EXISTS (SELECT 1 FROM attributions a WHERE {' AND '.join(said)})")
    if councils:
        clauses.append("d.council = ANY(%s)")
        args.append(list(councils))
    return (" AND ".join(clauses) or "true"), args


class _Scope:
    """The passages a filter admits, kept as SQL (PostgreSQL filters them itself); ``len`` counts them."""

    def __init__(self, where: str, args: list[object], count: int) -> None:
        self.where, self.args, self.count = where, args, count

    def __len__(self) -> int:
        return self.count


def tsquery_sql(expr: str) -> tuple[str, list[object]]:
    """An SQL tsquery expression for an FTS5 expression of ``minutebook.search.query`` (quoted terms, OR, AND, NOT).

    Every quoted term becomes ``phraseto_tsquery`` of its text (stemmed, stop words dropped), bound
    as a parameter: nothing a person typed reaches the SQL as syntax.
    """
    parts: list[str] = []
    args: list[object] = []
    for m in _TOKEN.finditer(expr):
        term, opening, closing, op = m.groups()
        if term is not None:
            parts.append(f"phraseto_tsquery('{TEXT_CONFIG}', %s)")
            args.append(term.replace('""', '"'))
        elif opening:
            parts.append("(")
        elif closing:
            parts.append(")")
        else:
            parts.append({"OR": "||", "AND": "&&", "NOT": "&& !!"}[op])
    return " ".join(parts), args


class PgSearcher(HybridSearcher):
    """Searches an index in PostgreSQL. Safe to share between threads (one search at a time)."""

    def __init__(self, url: str, embedder: Embedder, ranking: Ranking | None = None) -> None:
        # Not HybridSearcher.__init__: that opens an index folder.
        self.folder = url  # type: ignore[assignment]
        self.url = url
        self.embedder = embedder
        self.ranking = ranking or Ranking()
        from minutebook.index.postgres.read import open_reading

        self.conn = open_reading(url)
        self._store: Any = _VectorReads(self.conn)
        self._lock = threading.Lock()
        self._vectors = None
        self._vectors_name = None
        self._commit: str | None = None
        self._councils: tuple[str | None, list[str]] | None = None
        self._df: dict[str, int] = {}
        self._df_generation: str | None = "unset"
        self._n_chunks = 0
        self._spans = None
        self._allowed_cache: OrderedDict[tuple[object, ...], Any] = OrderedDict()
        self._filters: Filters | None = None

    def close(self) -> None:
        self.conn.close()

    def search(self, query: str, filters: Filters | None = None, top_k: int = 10) -> SearchResult:
        parsed = parse_query(query)
        qvec = None
        if self.ranking.mode != "keyword":
            qvec = self.embedder.embed([dense_text(parsed) if self.ranking.expand else parsed.text])[0]
        with self._lock, self.conn.transaction():
            self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            self.conn.execute(f"SET LOCAL hnsw.ef_search = {EF_SEARCH}")
            self.conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            self._filters = filters
            return self._search(self.conn, parsed, qvec, filters, top_k)

    # --- the reads, in PostgreSQL -------------------------------------------------------------

    def _current_vectors(self, conn: Any) -> Any:
        return None  # the vectors are in the database; ``_dense`` searches them there

    def _allowed(self, conn: Any, filters: Filters | None, where: str, args: list[object]) -> Any:
        from minutebook.search.hybrid import filter_sql

        base_where, base_args = filter_sql(filters)
        councils = [str(a) for a in args[len(base_args):]] if where != base_where else None
        key = (self._commit, filters, tuple(councils or ()))
        found = self._allowed_cache.get(key)
        if found is None:
            sql_where, sql_args = filter_clause(filters, councils)
            count = conn.execute(f"SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.doc_id"
                                 f" WHERE {sql_where}", sql_args).fetchone()[0]
            found = _Scope(sql_where, sql_args, int(count))
            self._allowed_cache[key] = found
            while len(self._allowed_cache) > 32:
                self._allowed_cache.popitem(last=False)
        return found

    def _keyword(self, conn: Any, expr: str, allowed: Any, limit: int, budget: int
                 ) -> tuple[dict[int, float], dict[int, float]]:
        proposing = self._without_common_terms(expr, budget)
        if proposing is None:
            return {}, {}
        tsq, tsq_args = tsquery_sql(proposing)
        q = conn.execute(f"SELECT ({tsq})::text", tsq_args).fetchone()[0]
        where, args = ("true", []) if allowed is None else (allowed.where, allowed.args)
        rows = conn.execute(
            f"SELECT c.id, ts_rank('{_WEIGHTS}', c.tsv, %s::tsquery) FROM chunks c JOIN documents d"
            f" ON d.id = c.doc_id WHERE c.tsv @@ %s::tsquery AND {where}", [q, q, *args]).fetchall()
        if not rows:
            return {}, {}
        all_scores = {int(r[0]): float(r[1]) for r in rows}
        best = sorted(all_scores, key=lambda cid: (-all_scores[cid], cid))[:limit]
        return {cid: all_scores[cid] for cid in best}, all_scores

    def _dense(self, vectors: Any, conn: Any, qvec: np.ndarray, allowed: Any, k: int) -> list[int]:
        q = vector_literal(np.asarray(qvec, dtype=np.float32))
        where, args = ("true", []) if allowed is None else (allowed.where, allowed.args)
        if allowed is not None and len(allowed) <= self.ranking.exact_filter_limit:
            # A small filtered set: score every allowed passage exactly (no index).
            sql = (f"WITH s AS MATERIALIZED (SELECT c.id, c.embedding FROM chunks c JOIN documents d"
                   f" ON d.id = c.doc_id WHERE {where})"
                   " SELECT id FROM s ORDER BY embedding <#> %s::vector, id LIMIT %s")
            return [int(r[0]) for r in conn.execute(sql, [*args, q, k])]
        sql = (f"SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE {where}"
               f" ORDER BY c.embedding <#> %s::vector LIMIT %s")
        return [int(r[0]) for r in conn.execute(sql, [*args, q, k])]

    def _said(self, conn: Any, ids: list[int]) -> dict[int, list[tuple[str, int, int]]]:
        out: dict[int, list[tuple[str, int, int]]] = {}
        for cid, who, a, b in conn.execute(
                "SELECT chunk_id, speaker, start_char, end_char FROM attributions WHERE chunk_id = ANY(%s)", (ids,)):
            out.setdefault(int(cid), []).append((str(who), int(a), int(b)))
        return out

    def attribute_values(self) -> dict[str, tuple[str, ...]]:
        from minutebook.search.hybrid import _values_of

        with self._lock, self.conn.transaction():
            return _values_of(self.conn.execute("SELECT DISTINCT name, value FROM attributes ORDER BY name, value"))

    def papers(self, filters: Filters, near: tuple[str, ...] = (), limit: int = 1000) -> list[Hit]:
        from dataclasses import replace

        from minutebook.search.hybrid import _passage
        from minutebook.search.ranking import hit_of

        where, args = filter_clause(filters)
        score = " + ".join(["(strpos(lower(c.text), %s) > 0)::int"] * len(near)) or "0"
        with self._lock, self.conn.transaction():
            self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            docs = [int(r[0]) for r in self.conn.execute(
                f"SELECT d.id FROM documents d WHERE {where} ORDER BY d.meeting_date, d.id LIMIT %s", [*args, limit])]
            rows = []
            for doc_id in docs:
                cur = self.conn.execute(
                    "SELECT c.id, c.doc_id, c.ordinal, c.start_char, c.end_char, c.page, c.section, c.minute,"
                    " c.boilerplate, c.text, d.path, d.title, d.council, d.committee, d.meeting_date, d.doc_type, c.ocr"
                    f" FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.doc_id = %s"
                    f" ORDER BY c.boilerplate, {score} DESC, c.ordinal LIMIT 1", [doc_id, *(w.lower() for w in near)])
                names = [d.name for d in cur.description]
                found = cur.fetchone()
                if found:
                    rows.append(dict(zip(names, found, strict=True)))
            attributes = self._attributes(self.conn, docs)
        return [replace(hit_of(_passage(r), 0.0), attributes=attributes.get(int(r["doc_id"]), ())) for r in rows]

    def _attributes(self, conn: Any, doc_ids: list[int]) -> dict[int, tuple[tuple[str, str], ...]]:
        from minutebook.index.sqlite.store import attributes_of

        return attributes_of(conn, doc_ids, "%s")

    def _rows(self, conn: Any, ids: list[int]) -> dict[int, dict[str, object]]:
        cur = conn.execute(
            "SELECT c.id, c.doc_id, c.ordinal, c.start_char, c.end_char, c.page, c.section, c.minute,"
            " c.boilerplate, c.text, d.path, d.title, d.council, d.committee, d.meeting_date, d.doc_type, c.ocr"
            " FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id = ANY(%s)", (ids,))
        names = [d.name for d in cur.description]
        return {int(row[0]): dict(zip(names, row, strict=True)) for row in cur}

    def _idf(self, terms: tuple[str, ...]) -> dict[str, float]:
        conn = self.conn
        if self._df_generation != self._commit:
            self._df.clear()
            self._df_generation = self._commit
            self._n_chunks = int(conn.execute("SELECT count(*) FROM chunks").fetchone()[0])
        n = max(self._n_chunks, 1)
        out: dict[str, float] = {}
        for t in terms:
            if t not in self._df:
                self._df[t] = int(conn.execute(
                    f"SELECT count(*) FROM chunks WHERE tsv @@ phraseto_tsquery('{TEXT_CONFIG}', %s)",
                    (t,)).fetchone()[0])
            df = self._df[t]
            out[t] = idf(df, n)
        return out

    def _paper_text(self, conn: Any, doc_id: int, start: int, end: int) -> str:
        return str(conn.execute("SELECT substr(text, %s, %s) FROM documents WHERE id = %s",
                                (start + 1, end - start, doc_id)).fetchone()[0])


class _VectorReads:
    """The one store method the inherited ranking calls: exact vectors of the pool."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def vectors_for(self, chunk_ids: list[int], dimension: int) -> np.ndarray:
        out = np.zeros((len(chunk_ids), dimension), dtype=np.float32)
        pos = {cid: i for i, cid in enumerate(chunk_ids)}
        for cid, raw in self.conn.execute("SELECT id, vector_send(embedding) FROM chunks WHERE id = ANY(%s)",
                                          (list(chunk_ids),)):
            out[pos[int(cid)]] = np.frombuffer(bytes(raw), dtype=">f4", offset=4)
        return out

    def close(self) -> None:
        self.conn.close()


def open_pg_searcher(url: str, embedder: Embedder, ranking: Ranking | None = None) -> PgSearcher:
    """The searcher for the index at ``url``; refuses one built with another model."""
    from minutebook.index.postgres.schema import check_manifest, meta
    from minutebook.index.sqlite.store import IndexManifest
    from minutebook.pipeline.syncer import manifest_for

    searcher = PgSearcher(url, embedder, ranking)
    try:
        found = IndexManifest.from_meta(meta(searcher.conn))
        if found is not None and found.embed_model_id != embedder.model_id:
            check_manifest(found, manifest_for(embedder), url)
    except BaseException:
        searcher.close()
        raise
    return searcher
