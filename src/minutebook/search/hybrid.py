"""Hybrid search: FTS5/BM25 keywords and FAISS dense vectors, fused by score.

Both rankers propose candidates; every candidate is then scored by BOTH (its exact cosine
from the stored vector, its BM25 from FTS5 — zero when it shares no keyword), and the two
scores are combined after scaling. Scoring the whole candidate pool on both signals is what
lets fusion beat either part: reciprocal-rank fusion throws the scores away and lost to
BM25 alone on committee transcripts.

Filters restrict both rankers before ranking. Adjacent passages of one paper are merged.
Each result's ``score`` is the fused score times the query's confidence (how close the best
passage is in meaning and how many query words it shares), so a caller can compare scores
across queries; ``weak`` says nothing relevant was found.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

import numpy as np

from minutebook.config import Settings
from minutebook.council.councils import council_key, name_words, named_in
from minutebook.errors import IndexCorrupt, QueryError
from minutebook.index.sqlite.store import Store, attributes_of
from minutebook.index.sqlite.vectors import VectorFile, VectorIndex
from minutebook.ingest.attributes import condition_sql
from minutebook.protocols import Embedder
from minutebook.search.highlight import term_spans
from minutebook.search.query import (
    ParsedQuery,
    dense_text,
    expansion_expression,
    fts_expression,
    loosen_phrases,
    parse_query,
    phrase_notice,
)
from minutebook.search.ranking import Evidence, Ranking, hit_of, idf, named_years, passes, rank
from minutebook.types import Filters, Hit, Passage, SearchResult

_HIT_SQL = """
SELECT c.id, c.doc_id, c.ordinal, c.start_char, c.end_char, c.page, c.section, c.minute, c.boilerplate, c.text,
       d.path, d.title, d.council, d.committee, d.meeting_date, d.doc_type, c.ocr
FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({marks})
"""


ALLOWED_CACHE_SIZE = 32  # filters whose passage ids are kept per commit

# The OR-group of keywords that fts_expression and expansion_expression start with, and its words.
_ANY_OF = re.compile(r'^\(((?:"(?:[^"]|"")*"(?: OR )?)+)\)')
_QUOTED = re.compile(r'"((?:[^"]|"")*)"')


def filter_sql(filters: Filters | None) -> tuple[str, list[object]]:
    """A WHERE clause over ``documents d`` and ``chunks c`` for the filters (case-insensitive substring match)."""
    if filters is None:
        return "1", []
    clauses: list[str] = []
    args: list[object] = []
    if filters.paper:
        # An id as search results give it, or a path or its end (the searcher resolves it to an id first,
        # so that a name matching no paper, or several, is an error rather than an empty result).
        if filters.paper.isdigit():
            clauses.append("d.id = ?")
            args.append(int(filters.paper))
        else:
            clauses.append("(d.path = ? OR d.path LIKE ? ESCAPE '\\')")
            args += [os.path.abspath(filters.paper), "%" + _escape_like(_path_tail(filters.paper))]
    if filters.committee:
        clauses.append("d.committee LIKE ? ESCAPE '\\'")
        args.append(_like(filters.committee))
    if filters.council:
        # One identity per council: "york" is York, never North Yorkshire (minutebook.council.councils).
        clauses.append("d.council_key = ?")
        args.append(council_key(filters.council))
    if filters.doc_type:
        clauses.append("d.doc_type = ?")
        args.append(filters.doc_type)
    if filters.since:
        clauses.append("d.meeting_date >= ?")
        args.append(filters.since)
    if filters.until:
        clauses.append("d.meeting_date <= ?")
        args.append(filters.until)
    for condition in filters.where:
        clause, values = condition_sql(condition)
        clauses.append(clause)
        args += values
    if filters.speaker or filters.role:
        # Passages holding a statement the minutes attribute to that speaker or role.
        said = ["a.chunk_id = c.id"]
        if filters.speaker:
            said.append("(a.speaker LIKE ? ESCAPE '\\' OR a.position LIKE ? ESCAPE '\\')")
            args += [_like(filters.speaker), _like(filters.speaker)]
        if filters.role:
            said.append("a.role = ?")
            args.append(filters.role)
        clauses.append(f"EXISTS (SELECT 1 FROM attributions a WHERE {' AND '.join(said)})")
    return (" AND ".join(clauses) or "1"), args


def resolve_paper(conn: sqlite3.Connection, value: str) -> int:
    """The id of the one indexed paper ``value`` names: its id, its path, or the end of its path.

    "12", "/data/papers/cabinet-2017-01-27-minutes.txt", "papers/cabinet-2017-01-27-minutes.txt",
    "cabinet-2017-01-27-minutes.txt" and "2017-01-27-minutes.txt" all name the same paper, as long
    as no other indexed file's path ends so (then the error lists them).
    """
    raw = value.strip()
    if raw.isdigit():
        if conn.execute("SELECT 1 FROM documents WHERE id = ?", (int(raw),)).fetchone():
            return int(raw)
        raise QueryError(f"no indexed paper has the id {raw}", "Paper ids are the doc_id of search results (--json).")
    exact = conn.execute("SELECT id FROM documents WHERE path = ?", (os.path.abspath(raw),)).fetchone()
    if exact:
        return int(exact[0])
    tail = _escape_like(_path_tail(raw))
    find = "SELECT id, path FROM documents WHERE path LIKE ? ESCAPE '\\' ORDER BY path"
    # The end of the path at a folder boundary ("minutes.txt"), else any end of it ("2017-01-27-minutes.txt").
    rows = conn.execute(find, ("%/" + tail,)).fetchall() or conn.execute(find, ("%" + tail,)).fetchall()
    if len(rows) == 1:
        return int(rows[0][0])
    if not rows:
        raise QueryError(f"no indexed paper is {raw!r}",
                         "Give the paper's path or file name as indexed, or its doc_id from search results.")
    names = ", ".join(str(path) for _, path in rows[:3]) + (", ..." if len(rows) > 3 else "")
    raise QueryError(f"{raw!r} matches {len(rows)} indexed papers ({names})", "Give more of the path, or the doc_id.")


def _path_tail(value: str) -> str:
    tail = value.strip().replace("\\", "/")
    while tail.startswith(("./", "/")):
        tail = tail[1:] if tail.startswith("/") else tail[2:]
    return tail


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(value: str) -> str:
    escaped = _escape_like(value)
    return f"%{escaped.replace('’', '_').replace(chr(39), '_')}%"


class HybridSearcher:
    """Searches one index. Safe to share between threads; sees each commit whole."""

    def __init__(self, folder: Path, embedder: Embedder, ranking: Ranking | None = None) -> None:
        self.folder = folder
        self.embedder = embedder
        self.ranking = ranking or Ranking()
        self._store = Store.open(folder, readonly=True)
        self._lock = threading.Lock()
        self._vectors: VectorIndex | None = None
        self._vectors_name: str | None = None
        self._commit: str | None = None  # the commit the current search reads (its vector file's name)
        self._councils: tuple[str | None, list[str]] | None = None
        self._df: dict[str, int] = {}
        self._df_generation: str | None = "unset"
        self._n_chunks = 0
        # Per commit: each paper's chunk ids as (first, last, count), and recent filters' id sets.
        self._spans: tuple[str | None, dict[int, tuple[int, int, int]]] | None = None
        self._allowed_cache: OrderedDict[tuple[object, ...], np.ndarray] = OrderedDict()

    def close(self) -> None:
        self._store.close()

    # --- the committed state -------------------------------------------------------

    def _current_vectors(self, conn: sqlite3.Connection) -> VectorIndex:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        record = VectorFile.from_meta(meta)
        name = record.name if record else None
        if self._vectors is not None and name == self._vectors_name:
            return self._vectors
        if record is None:
            vectors = VectorIndex.empty(self.embedder.dimension)
        else:
            try:
                vectors = VectorIndex.load(self.folder, record, self.embedder.dimension)
            except IndexCorrupt:
                # The database is the source of truth: serve from it rather than from a bad file.
                vectors = VectorIndex.from_store(self._store, self.embedder.dimension)
        self._vectors, self._vectors_name = vectors, name
        return vectors

    # --- searching ---------------------------------------------------------------------

    def search(self, query: str, filters: Filters | None = None, top_k: int = 10) -> SearchResult:
        parsed = parse_query(query)
        r = self.ranking
        qvec = None
        if r.mode != "keyword":
            qvec = self.embedder.embed([dense_text(parsed) if r.expand else parsed.text])[0]
        with self._lock:
            conn = self._store.conn
            conn.execute("BEGIN")
            try:
                return self._search(conn, parsed, qvec, filters, top_k)
            finally:
                conn.execute("COMMIT")

    def _search(
        self, conn: sqlite3.Connection, q: ParsedQuery, qvec: np.ndarray | None, filters: Filters | None, top_k: int
    ) -> SearchResult:
        r = self.ranking
        # Every per-commit cache below is keyed on this.
        row = conn.execute("SELECT value FROM meta WHERE key = 'vectors_file'").fetchone()
        self._commit = row[0] if row else None
        if filters is not None and filters.paper:
            filters = replace(filters, paper=str(resolve_paper(conn, filters.paper)))
        where, args = filter_sql(filters)
        filtered = where != "1"
        allowed: np.ndarray | None = None
        if filtered:
            allowed = self._allowed(conn, filters, where, args)
            if len(allowed) == 0:
                return SearchResult(q.raw, True, ())
        pool_size = max(r.candidates, top_k * 4)
        pool: dict[int, None] = {}  # the candidates, in the order proposed

        # A council or year named in the question: bring that council's and year's passages
        # into the pool, and rank them up (a soft preference, unlike --council / --since).
        named = self._named_councils(conn, q.text) if r.metadata_boost else set()
        years = named_years(q.text) if r.year_boost else frozenset()
        expr = fts_expression(_topic(q, named) if r.scope_keywords else q)
        exp_expr = expansion_expression(q) if r.expand else None
        bm25: dict[int, float] = {}
        bm25_exp: dict[int, float] = {}
        # Each keyword expression is matched once: its best passages join the pool, and its scores
        # of every passage it matches score the rest of the pool (0 for those it does not match).
        kw_scores: dict[int, float] = {}
        exp_scores: dict[int, float] = {}
        if expr and r.mode != "dense":
            bm25, kw_scores = self._keyword(conn, expr, allowed, pool_size, r.keyword_rows)
        if exp_expr and r.mode != "dense":
            bm25_exp, exp_scores = self._keyword(conn, exp_expr, allowed, pool_size // 2, r.expansion_rows)
        if qvec is not None:
            vectors = self._current_vectors(conn)
            for cid in self._dense(vectors, conn, qvec, allowed, pool_size):
                pool.setdefault(cid, None)
        for cid in [*bm25, *bm25_exp]:
            pool.setdefault(cid, None)
        if named and qvec is not None:
            marks = ",".join("?" * len(named))
            scoped = self._allowed(conn, filters, f"{where} AND d.council IN ({marks})", [*args, *sorted(named)])
            if len(scoped):
                vectors = self._current_vectors(conn)
                for cid in self._dense(vectors, conn, qvec, scoped, pool_size // 2):
                    pool.setdefault(cid, None)
        if not pool:
            return self._unquoted(conn, q, qvec, filters, top_k) if q.phrases else SearchResult(q.raw, True, ())

        ids = list(pool)
        rows = self._rows(conn, ids)
        if q.phrases or q.excluded:
            ids = [cid for cid in ids if passes(str(rows[cid]["text"]), q)]
            if not ids and q.phrases and not any(passes(str(rows[cid]["text"]), replace(q, excluded=()))
                                                 for cid in pool):
                return self._unquoted(conn, q, qvec, filters, top_k)
        cosines: dict[int, float] | None = None
        if qvec is not None:
            vecs = self._store.vectors_for(ids, self.embedder.dimension)
            cosines = {cid: float(v) for cid, v in zip(ids, vecs @ qvec.astype(np.float32), strict=True)}
        keyword = kw_scores if expr and r.mode != "dense" else {}
        expansion = exp_scores if exp_expr and r.mode != "dense" else {}
        said = self._said(conn, ids) if r.speaker_boost else {}
        evidence = Evidence({cid: _passage(rows[cid]) for cid in ids}, cosines, keyword, expansion,
                            self._idf(tuple(q.terms)), frozenset(named), frozenset(years), said)
        result = rank(q, evidence, r, top_k, _Papers(self, conn))
        found = self._attributes(conn, [h.doc_id for h in result.hits])
        return replace(result, hits=tuple(replace(h, attributes=found[h.doc_id]) if h.doc_id in found else h
                                          for h in result.hits))

    def _unquoted(
        self, conn: sqlite3.Connection, q: ParsedQuery, qvec: np.ndarray | None, filters: Filters | None,
        top_k: int,
    ) -> SearchResult:
        """For "quoted phrases" that no passage holds: the passages nearest to their words and
        meaning, with a notice saying so, rather than nothing."""
        return replace(self._search(conn, loosen_phrases(q), qvec, filters, top_k), notice=phrase_notice(q))

    def _allowed(
        self, conn: sqlite3.Connection, filters: Filters | None, where: str, args: list[object]
    ) -> np.ndarray:
        """The ids of the passages that ``where`` admits, sorted, in this commit (recent answers cached).

        Filters on a paper's fields pick papers, and a paper's passages are a run of ids: at a
        million passages that takes milliseconds where joining every passage took 300 ms.
        """
        key = (self._commit, where, *args)
        found = self._allowed_cache.get(key)
        if found is not None:
            self._allowed_cache.move_to_end(key)
            return found
        if filters is not None and (filters.speaker or filters.role):  # a passage-level filter
            found = np.fromiter((row[0] for row in conn.execute(
                f"SELECT c.id FROM documents d CROSS JOIN chunks c ON c.doc_id = d.id WHERE {where}", args)),
                dtype=np.int64)
        else:
            spans = self._doc_spans(conn)
            parts = []
            for (doc_id,) in conn.execute(f"SELECT d.id FROM documents d WHERE {where} ORDER BY d.id", args):
                span = spans.get(doc_id)
                if span is None:
                    continue
                first, last, count = span
                if last - first + 1 == count:
                    parts.append(np.arange(first, last + 1, dtype=np.int64))
                else:  # ids not in one run (a paper whose passages were written apart)
                    parts.append(np.fromiter((row[0] for row in conn.execute(
                        "SELECT id FROM chunks WHERE doc_id = ? ORDER BY id", (doc_id,))), dtype=np.int64))
            found = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        found = np.sort(found)
        self._allowed_cache[key] = found
        while len(self._allowed_cache) > ALLOWED_CACHE_SIZE:
            self._allowed_cache.popitem(last=False)
        return found

    def _doc_spans(self, conn: sqlite3.Connection) -> dict[int, tuple[int, int, int]]:
        if self._spans is None or self._spans[0] != self._commit:
            spans = {int(d): (int(lo), int(hi), int(n)) for d, lo, hi, n in conn.execute(
                "SELECT doc_id, min(id), max(id), count(*) FROM chunks GROUP BY doc_id")}
            self._spans = (self._commit, spans)
            self._allowed_cache.clear()
        return self._spans[1]

    def _known_councils(self, conn: sqlite3.Connection) -> list[str]:
        """The councils the index holds, as it names them (cached per commit)."""
        if self._councils is None or self._councils[0] != self._commit:
            values = [row[0] for row in conn.execute(
                "SELECT DISTINCT council FROM documents WHERE council IS NOT NULL")]
            self._councils = (self._commit, values)
        return self._councils[1]

    # --- papers by their attributes (list questions, minutebook.answer.lists) ----------------------

    def attribute_values(self) -> dict[str, tuple[str, ...]]:
        """Every attribute the papers carry, with its distinct values."""
        with self._lock:
            conn = self._store.conn
            with self._store.snapshot():
                return _values_of(conn.execute("SELECT DISTINCT name, value FROM attributes ORDER BY name, value"))

    def papers(self, filters: Filters, near: tuple[str, ...] = (), limit: int = 1000) -> list[Hit]:
        """Every paper passing ``filters`` (at most ``limit``), each as the passage that holds most of ``near``.

        Unranked, by date: a list question's answer is complete, not the best few.
        """
        where, args = filter_sql(filters)
        score = " + ".join(["(instr(lower(c.text), ?) > 0)"] * len(near)) or "0"
        with self._lock:
            conn = self._store.conn
            with self._store.snapshot():
                docs = [int(r[0]) for r in conn.execute(
                    f"SELECT d.id FROM documents d WHERE {where} ORDER BY d.meeting_date, d.id LIMIT ?",
                    [*args, limit])]
                rows = []
                for doc_id in docs:
                    row = conn.execute(
                        _HIT_SQL.replace("WHERE c.id IN ({marks})", f"WHERE c.doc_id = ? ORDER BY c.boilerplate,"
                                         f" {score} DESC, c.ordinal LIMIT 1"),
                        [doc_id, *(w.lower() for w in near)])
                    names = [d[0] for d in row.description]
                    found = row.fetchone()
                    if found:
                        rows.append(dict(zip(names, found, strict=True)))
                attributes = self._attributes(conn, docs)
        return [replace(hit_of(_passage(r), 0.0), attributes=attributes.get(int(r["doc_id"]), ())) for r in rows]

    def _attributes(self, conn: sqlite3.Connection, doc_ids: list[int]) -> dict[int, tuple[tuple[str, str], ...]]:
        """The manifest attributes of these papers (shown beside their citations)."""
        return attributes_of(conn, doc_ids, "?")

    def _named_councils(self, conn: sqlite3.Connection, text: str) -> set[str]:
        """Councils in the index that the query names ("Norfolk", "Devon", "West Sussex")."""
        return set(named_in(text, self._known_councils(conn)))

    def _keyword(
        self, conn: sqlite3.Connection, expr: str, allowed: np.ndarray | None, limit: int, budget: int
    ) -> tuple[dict[int, float], dict[int, float]]:
        """(the ``limit`` best passages ``expr`` matches among ``allowed``, its BM25 of every passage).

        One pass of FTS5 over the matches of the reduced expression (at most ~``budget``):
        ranking and scoring the pool from it costs half of matching it twice.
        """
        proposing = self._without_common_terms(expr, budget)
        if proposing is None:
            return {}, {}  # every word is common: meaning proposes, and keywords do not score
        rows = conn.execute(
            "SELECT rowid, -bm25(chunks_fts, 1.0, 0.4) FROM chunks_fts WHERE chunks_fts MATCH ?", (proposing,)
        ).fetchall()
        if not rows:
            return {}, {}
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        scores = np.fromiter((row[1] for row in rows), dtype=np.float64, count=len(rows))
        if allowed is not None:
            at = np.minimum(np.searchsorted(allowed, ids), len(allowed) - 1)
            keep = allowed[at] == ids
            ids, scores = ids[keep], scores[keep]
        all_scores = dict(zip(ids.tolist(), scores.tolist(), strict=True))
        if len(ids) > limit:
            best = np.argpartition(-scores, limit - 1)[:limit]
            ids, scores = ids[best], scores[best]
        found = dict(zip(ids.tolist(), scores.tolist(), strict=True))
        # The keyword index and the passages are written in one transaction; checking the few
        # proposals against the passages keeps a damaged keyword index from inventing results.
        present = {int(r[0]) for r in conn.execute(
            f"SELECT id FROM chunks WHERE id IN ({','.join('?' * len(found))})", list(found))}
        return {cid: v for cid, v in found.items() if cid in present}, all_scores

    def _without_common_terms(self, expr: str, budget: int) -> str | None:
        """``expr`` with its commonest OR-ed words left out until they match ~``budget`` passages.

        BM25 over a million passages costs a second when a query says "children" or "social":
        those words are in a third or more of them and say little about which. They still count
        in the pool's scores. None when no word is rare enough and nothing else is required
        (never in keyword-only mode).
        """
        m = _ANY_OF.match(expr)
        if m is None:
            return expr
        terms = [t.replace('""', '"') for t in _QUOTED.findall(m.group(1))]
        self._idf(tuple(terms))  # fills self._df
        if self._n_chunks <= budget:
            return expr
        kept = sorted(terms, key=lambda t: self._df[t])
        # Keyword-only search has no other ranker to propose passages: it keeps the rarest word.
        least = 1 if self.ranking.mode == "keyword" else 0
        while len(kept) > least and sum(self._df[t] for t in kept) > budget:
            kept.pop()
        if len(kept) == len(terms):
            return expr
        rest = expr[m.end():]
        if kept:
            return "(" + " OR ".join('"' + t.replace('"', '""') + '"' for t in terms if t in kept) + ")" + rest
        rest = rest.removeprefix(" AND ")
        return rest if rest and not rest.startswith(" NOT ") else None

    def _dense(
        self, vectors: VectorIndex, conn: sqlite3.Connection, qvec: np.ndarray, allowed: np.ndarray | None, k: int
    ) -> list[int]:
        if allowed is None or len(allowed) > self.ranking.exact_filter_limit:
            # FAISS restricted to the allowed ids by a selector: reading half a million vectors
            # from the database to score them would take seconds.
            ids, _ = vectors.search(qvec, k, allowed)
            return [int(i) for i in ids]
        # A small filtered set: score exactly the allowed passages (vectors from the database).
        vecs = self._store.vectors_for([int(i) for i in allowed], self.embedder.dimension)
        scores = vecs @ qvec.astype(np.float32)
        order = np.argsort(-scores)[:k]
        return [int(allowed[i]) for i in order]

    def _said(self, conn: sqlite3.Connection, ids: list[int]) -> dict[int, list[tuple[str, int, int]]]:
        """Who said what where in each of the passages (their attributed statements)."""
        out: dict[int, list[tuple[str, int, int]]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            for cid, who, a, b in conn.execute(
                    "SELECT chunk_id, speaker, start_char, end_char FROM attributions WHERE chunk_id IN "
                    f"({','.join('?' * len(part))})", part):
                out.setdefault(int(cid), []).append((str(who), int(a), int(b)))
        return out

    def _rows(self, conn: sqlite3.Connection, ids: list[int]) -> dict[int, dict[str, object]]:
        out: dict[int, dict[str, object]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            cur = conn.execute(_HIT_SQL.format(marks=",".join("?" * len(part))), part)
            names = [d[0] for d in cur.description]
            for row in cur:
                out[int(row[0])] = dict(zip(names, row, strict=True))
        return out

    def _idf(self, terms: tuple[str, ...]) -> dict[str, float]:
        """Inverse document frequency of each term over the passages (from the keyword index)."""
        conn = self._store.conn
        if self._df_generation != self._commit:
            self._df.clear()
            self._df_generation = self._commit
            self._n_chunks = int(conn.execute("SELECT count(*) FROM chunks").fetchone()[0])
        out: dict[str, float] = {}
        n = max(self._n_chunks, 1)
        sample = self.ranking.df_sample_rows
        window: int | None = None
        for t in terms:
            if t not in self._df:
                expr = '"' + t.replace('"', '""') + '"'
                count = "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?"
                if n > 2 * sample:
                    # Counting a word in 900,000 passages takes ~50 ms: count it among the first
                    # `sample` passages, and count exactly only when that says it is rare.
                    if window is None:
                        row = conn.execute(
                            "SELECT id FROM chunks ORDER BY id LIMIT 1 OFFSET ?", (sample - 1,)).fetchone()
                        window = int(row[0]) if row else 0
                    seen = int(conn.execute(count + " AND rowid <= ?", (expr, window)).fetchone()[0])
                    if seen >= sample // 50:
                        self._df[t] = round(seen * n / sample)
                if t not in self._df:
                    self._df[t] = int(conn.execute(count, (expr,)).fetchone()[0])
            df = self._df[t]
            out[t] = idf(df, n)
        return out

    def _paper_text(self, conn: sqlite3.Connection, doc_id: int, start: int, end: int) -> str:
        return str(conn.execute(
            "SELECT substr(text, ?, ?) FROM documents WHERE id = ?", (start + 1, end - start, doc_id)).fetchone()[0])


class _Papers:
    """Paper text for merging adjacent passages, read in the search's transaction."""

    def __init__(self, searcher: HybridSearcher, conn: sqlite3.Connection) -> None:
        self.searcher, self.conn = searcher, conn

    def paper_text(self, doc_id: int, start: int, end: int) -> str:
        return self.searcher._paper_text(self.conn, doc_id, start, end)


def _passage(row: dict[str, object]) -> Passage:
    return Passage(
        chunk_id=int(row["id"]),  # type: ignore[call-overload]
        doc_id=int(row["doc_id"]),  # type: ignore[call-overload]
        ordinal=int(row["ordinal"]),  # type: ignore[call-overload]
        start_char=int(row["start_char"]),  # type: ignore[call-overload]
        end_char=int(row["end_char"]),  # type: ignore[call-overload]
        page=row["page"],  # type: ignore[arg-type]
        section=row["section"],  # type: ignore[arg-type]
        minute=row["minute"],  # type: ignore[arg-type]
        boilerplate=bool(row["boilerplate"]),
        text=str(row["text"]),
        path=str(row["path"]),
        title=str(row["title"]),
        council=row["council"],  # type: ignore[arg-type]
        committee=row["committee"],  # type: ignore[arg-type]
        date=row["meeting_date"],  # type: ignore[arg-type]
        doc_type=str(row["doc_type"]),
        ocr=bool(row["ocr"]),
    )


def _values_of(rows: object) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for name, value in rows:  # type: ignore[attr-defined]
        found.setdefault(str(name), []).append(str(value))
    return {n: tuple(v) for n, v in found.items()}


def _topic(q: ParsedQuery, named: set[str]) -> ParsedQuery:
    """``q`` without the words of the councils it names, when it has other keywords.

    "caseloads in Norfolk": Norfolk says where to look, which the council preference does;
    as a keyword it would rank Norfolk's reports by how often they repeat the name.
    """
    if not named:
        return q
    scope = {w for council in named for w in name_words(council)}
    topic = tuple(t for t in q.terms if t not in scope)
    return replace(q, terms=topic) if topic else q


def query_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Spans of ``text`` to highlight for ``query`` (its keywords, by stem, and its phrases)."""
    if not query.strip():
        return []
    q = parse_query(query)
    return term_spans(text, q.terms, q.phrases)


def highlights(hit: Hit, query: str) -> list[tuple[int, int]]:
    """Spans of ``hit.text`` to highlight for ``query``."""
    return query_spans(hit.text, query)


def open_searcher(
    settings: Settings, embedder: Embedder | None = None, ranking: Ranking | None = None
) -> HybridSearcher:
    """The searcher for the configured index, with the bundled embedding model."""
    from minutebook.index.postgres import is_location
    from minutebook.models.registry import index_embedder

    if is_location(settings.index):
        from minutebook.index.postgres.search import open_pg_searcher

        return open_pg_searcher(str(settings.index), embedder or index_embedder(settings), ranking)
    searcher = HybridSearcher(Path(settings.index), embedder or index_embedder(settings), ranking)
    manifest = searcher._store.manifest()
    if manifest is not None and manifest.embed_model_id != searcher.embedder.model_id:
        from minutebook.pipeline.syncer import manifest_for

        searcher._store.check_manifest(manifest_for(searcher.embedder))
    return searcher


