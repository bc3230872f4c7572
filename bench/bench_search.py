"""Search latency and memory from the Ofsted size to a million passages.

    python bench/bench_search.py [--sizes 10000 60000 100000 1000000] [--source bench/work/ofsted-index]

For each size, a synthetic index is made once under bench/work/scale-<n>/ from a real one:
its passages and vectors are replicated with perturbation (each vector plus gaussian noise,
renormalised; about one word in eight of each passage swapped for another word of the corpus;
councils and dates varied per copy), through the real schema. Nothing is embedded except the
queries. Then, per size:

- the FAISS file is rebuilt by ``VectorIndex.from_store`` (the type chosen by size; build time);
- a fresh process opens ``HybridSearcher`` with the embedder the index was built with (the
  bundled MiniLM, ONNX by default) and runs the questions of
  bench/eval/questions.jsonl unfiltered, with a council filter and with a date filter,
  timing each whole ``search`` call (embedding included), then reports its resident memory;
- the dense index's recall@10 against exact search is measured on the same questions.

Prints one JSON object (with a "markdown" table) on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work"
sys.path.insert(0, str(REPO / "src"))

COUNCILS = (
    "Norfolk", "Suffolk", "Devon", "Cornwall", "Kent", "Essex", "Surrey", "Lancashire", "Cumbria", "Dorset",
    "Somerset", "Wiltshire", "Hampshire", "Hertfordshire", "Leicestershire", "Lincolnshire", "Nottinghamshire",
    "Derbyshire", "Staffordshire", "Shropshire", "Warwickshire", "Worcestershire", "Gloucestershire",
    "Oxfordshire", "Cambridgeshire", "Northumberland", "Durham", "Cheshire East", "West Sussex", "East Sussex",
    "North Yorkshire", "Herefordshire", "Rutland", "Bristol", "Leeds", "Sheffield", "Manchester", "Liverpool",
    "Birmingham", "Coventry", "Bradford", "Wakefield", "Kirklees", "Barnsley", "Rotherham", "Doncaster",
    "Sunderland", "Gateshead", "Newcastle upon Tyne", "Plymouth", "Portsmouth", "Southampton", "Reading",
    "Slough", "Luton", "Bedford", "Peterborough", "Milton Keynes", "Swindon", "Torbay",
)
NOISE = 0.032  # per-dimension sigma: a copy keeps cosine ~0.85 with its original


def log(msg: str) -> None:
    print(f"bench_search: {msg}", file=sys.stderr, flush=True)


def load_avg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- synthetic indexes ----------------------------------------------------------------------


def build_rows(source: Path, folder: Path, n: int, seed: int = 0) -> float:
    """Fill ``folder`` with ``n`` passages replicated from the index at ``source``; returns seconds."""
    from minutebook.index.sqlite.store import DB_NAME, Store, refresh_councils

    t0 = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        stale.unlink()
    Store.open(folder, create=True).close()
    src = sqlite3.connect(f"file:{source / DB_NAME}?mode=ro", uri=True)
    meta = dict(src.execute("SELECT key, value FROM meta"))
    dim = int(meta["dimension"])
    docs = src.execute(
        "SELECT id, path, sha256, format, size, mtime_ns, title, council, committee, meeting_date, doc_type,"
        " page_count, pages, text FROM documents ORDER BY id").fetchall()
    chunks = src.execute(
        "SELECT c.doc_id, c.ordinal, c.start_char, c.end_char, c.page, c.section, c.minute, c.boilerplate,"
        " c.text, e.vector FROM chunks c JOIN embeddings e ON e.hash = c.embed_hash ORDER BY c.id").fetchall()
    src.close()
    by_doc: dict[int, list[tuple]] = {}
    for row in chunks:
        by_doc.setdefault(row[0], []).append(row)
    vocab = [w for row in chunks for w in re.findall(r"[A-Za-z]{3,}", row[8])]
    rng = np.random.default_rng(seed)

    conn = sqlite3.connect(folder / DB_NAME, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    made, doc_id, chunk_id, replica = 0, 0, 0, 0
    while made < n:
        conn.execute("BEGIN")
        for d in docs:
            if made >= n:
                break
            doc_id += 1
            (_, path, sha, fmt, size, mtime, title, council, committee, date, doc_type, pages, page_json, text) = d
            if replica:
                council = COUNCILS[(doc_id * 7 + replica) % len(COUNCILS)]
                year = 2013 + int(rng.integers(0, 14))
                date = f"{year}{date[4:]}" if date else f"{year}-06-01"
                title = f"{title} ({council} {year})"
            conn.execute(
                "INSERT INTO documents (id, path, sha256, format, size, mtime_ns, title, council, committee,"
                " meeting_date, doc_type, page_count, pages, text, indexed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc_id, f"{path}#copy{replica}", f"{sha}-{replica}", fmt, size, mtime, title, council, committee,
                 date, doc_type, pages, page_json, text, "2026-01-01T00:00:00+0000"))
            rows = by_doc.get(d[0], [])[: n - made]
            if not rows:
                continue
            vecs = np.frombuffer(b"".join(r[9] for r in rows), dtype=np.float32).reshape(len(rows), dim)
            if replica:
                vecs = vecs + rng.normal(0, NOISE, vecs.shape).astype(np.float32)
                vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            context = " ".join(x for x in (title, council, committee) if x)
            chunk_rows, emb_rows, fts_rows = [], [], []
            for r, v in zip(rows, vecs, strict=True):
                chunk_id += 1
                body = _perturb(r[8], vocab, rng) if replica else r[8]
                h = f"synthetic-{chunk_id}"
                chunk_rows.append((chunk_id, doc_id, *r[1:8], body, h))
                emb_rows.append((h, v.astype(np.float32).tobytes()))
                fts_rows.append((chunk_id, body, f"{r[5] or ''} {context}"))
            conn.executemany("INSERT INTO chunks (id, doc_id, ordinal, start_char, end_char, page, section, minute,"
                             " boilerplate, text, embed_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)", chunk_rows)
            conn.executemany("INSERT INTO embeddings (hash, vector) VALUES (?, ?)", emb_rows)
            conn.executemany("INSERT INTO chunks_fts (rowid, text, context) VALUES (?, ?, ?)", fts_rows)
            made += len(rows)
        conn.execute("COMMIT")
        replica += 1
        log(f"{folder.name}: {made} passages")
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                     [(k, v) for k, v in meta.items() if not k.startswith(("vectors_", "previous_", "generation"))])
    conn.execute("INSERT INTO chunks_fts (chunks_fts) VALUES ('optimize')")
    refresh_councils(conn, "?")  # each paper's council identity, as a sync gives it
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    return time.perf_counter() - t0


def _perturb(text: str, vocab: list[str], rng: np.random.Generator) -> str:
    words = text.split(" ")
    swaps = rng.integers(0, len(words), max(1, len(words) // 8))
    picks = rng.integers(0, len(vocab), len(swaps))
    for i, j in zip(swaps, picks, strict=True):
        words[i] = vocab[j]
    return " ".join(words)


def build_vectors(folder: Path, threshold: int | None) -> dict:
    """Rebuild the FAISS file from SQLite as ``VectorIndex.from_store`` does; time it."""
    from minutebook.index.sqlite import ann
    from minutebook.index.sqlite.store import Store
    from minutebook.index.sqlite.vectors import VectorIndex

    store = Store.open(folder)
    dim = int(store.meta()["dimension"])
    t0 = time.perf_counter()
    vi = VectorIndex.from_store(store, dim, threshold=threshold)
    took = time.perf_counter() - t0
    with store.transaction():
        gen = int(store.meta().get("generation", "0")) + 1
        record = vi.write(folder, gen)
        store.set_meta({**record.as_meta(), "generation": str(gen)})
    for old in folder.glob("vectors-*.faiss"):
        if old.name != record.name:
            old.unlink()
    store.close()
    kind = type(vi.index).__name__
    extra = {"nlist": int(vi.index.nlist), "nprobe": ann.probes_for(vi.index.nlist)} if ann.is_ann(vi.index) else {}
    return {"index_type": kind, "build_seconds": round(took, 1),
            "file_mb": round((folder / record.name).stat().st_size / 2**20, 1), **extra}


def ensure_index(source: Path, n: int) -> tuple[Path, float | None]:
    folder = WORK / f"scale-{n}"
    from minutebook.index.sqlite.store import DB_NAME

    db = folder / DB_NAME
    if db.exists():
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            have = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
            done = conn.execute("SELECT value FROM meta WHERE key = 'dimension'").fetchone()
        except sqlite3.DatabaseError:
            have, done = -1, None
        conn.close()
        if have == n and done:
            from minutebook.index.sqlite.store import Store

            Store.open(folder).close()  # brings an index made by an older minutebook to the current schema
            return folder, None
    log(f"building {folder} ({n} passages) from {source}")
    return folder, build_rows(source, folder, n)


# --- measuring ----------------------------------------------------------------------------


def questions() -> list[str]:
    path = BENCH / "eval" / "questions.jsonl"
    return [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def rss_mb() -> dict[str, float]:
    status = Path("/proc/self/status").read_text()
    out = {}
    for key in ("VmRSS", "VmHWM"):
        m = re.search(rf"^{key}:\s+(\d+) kB", status, re.M)
        out[key] = round(int(m.group(1)) / 1024, 1) if m else -1.0
    return out


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values) * 1000, q)), 1) if values else -1.0


class TimedEmbedder:
    """The real embedder, timing its calls so the embedding share of a search can be shown."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self.seconds: list[float] = []

    def embed(self, texts):
        t0 = time.perf_counter()
        out = self.inner.embed(texts)
        self.seconds.append(time.perf_counter() - t0)
        return out


def measure(folder: Path) -> dict:
    """In a fresh process: whole-search latency with and without filters, memory, dense recall."""
    from minutebook import HybridSearcher, index_embedder
    from minutebook.config import load_settings
    from minutebook.index.sqlite import ann
    from minutebook.search.query import dense_text, parse_query
    from minutebook.types import Filters

    base = rss_mb()
    # The embedder a user of this index gets: the backend that built it (ONNX by default).
    emb = TimedEmbedder(index_embedder(load_settings(index=folder)))
    qs = questions()
    t0 = time.perf_counter()
    searcher = HybridSearcher(folder, emb)
    for warm in ("budget monitoring report", "recruitment of foster carers", "school place planning"):
        searcher.search(warm)
    first = time.perf_counter() - t0
    runs: dict[str, list[float]] = {}
    bare: dict[str, list[float]] = {}  # the same searches less their embedding time
    embeds: list[float] = []
    plans = {
        "unfiltered": lambda i: None,
        "council filter": lambda i: Filters(council=COUNCILS[i % len(COUNCILS)]),
        "since 2020": lambda i: Filters(since="2020-01-01"),
    }
    for name, make in plans.items():
        times, less = [], []
        for i, q in enumerate(qs):
            emb.seconds.clear()
            t = time.perf_counter()
            searcher.search(q, make(i))
            times.append(time.perf_counter() - t)
            less.append(times[-1] - sum(emb.seconds))
            if name == "unfiltered":
                embeds.extend(emb.seconds)
        runs[name], bare[name] = times, less
    mem = rss_mb()
    vectors = searcher._vectors
    assert vectors is not None
    index_type = type(vectors.index).__name__
    # Recall of the dense index against exact search over the SQLite vectors, unfiltered and
    # within a council (the selector path), on the same questions.
    qvecs = emb.inner.embed([dense_text(parse_query(q)) for q in qs]).astype(np.float32)
    store = searcher._store
    dim = vectors.dimension
    council_ids = {}
    for c in COUNCILS[:8]:
        council_ids[c] = np.fromiter((r[0] for r in store.conn.execute(
            "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE d.council LIKE ?", (f"%{c}%",))),
            dtype=np.int64)
    exact = _exact_top(store, dim, qvecs, 100, None)
    rec10, rec_pool = [], []
    for qi, qv in enumerate(qvecs):
        got10, _ = vectors.search(qv, 10)
        got100, _ = vectors.search(qv, 100)
        truth = set(exact[qi][:10].tolist())
        rec10.append(len(truth & set(got10.tolist())) / len(truth))
        rec_pool.append(len(truth & set(got100.tolist())) / len(truth))
    frec = []
    for ci, (_c, allowed) in enumerate(council_ids.items()):
        if len(allowed) < 20:
            continue
        sel = qvecs[ci::len(council_ids)]
        ex = _exact_top(store, dim, sel, 10, allowed)
        for qi, qv in enumerate(sel):
            got, _ = vectors.search(qv, 10, allowed)
            truth = set(ex[qi].tolist())
            frec.append(len(truth & set(got.tolist())) / len(truth))
    return {
        "passages": vectors.count,
        "index_type": index_type,
        "nprobe": ann.probes_for(vectors.index.nlist) if ann.is_ann(vectors.index) else None,
        "open_and_first_queries_s": round(first, 1),
        "latency_ms": {name: {"p50": pct(t, 50), "p95": pct(t, 95), "max": pct(t, 100), "n": len(t)}
                       for name, t in runs.items()},
        "latency_less_embedding_ms": {name: {"p50": pct(t, 50), "p95": pct(t, 95)} for name, t in bare.items()},
        "embed_ms_p50": pct(embeds, 50),
        "rss_mb": mem["VmRSS"],
        "peak_rss_mb": mem["VmHWM"],
        "rss_before_model_mb": base["VmRSS"],
        "recall_at_10": round(float(np.mean(rec10)), 4),
        "recall_10_in_pool_100": round(float(np.mean(rec_pool)), 4),
        "filtered_recall_at_10": round(float(np.mean(frec)), 4) if frec else None,
        "load_during": load_avg(),
    }


def _exact_top(store, dim: int, qvecs: np.ndarray, k: int, allowed: np.ndarray | None) -> np.ndarray:
    """Exact top ``k`` chunk ids per query, streaming every vector from SQLite."""
    best_s = np.full((len(qvecs), 0), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(qvecs), 0), dtype=np.int64)
    for ids, vecs in store.all_vectors(dim):
        if allowed is not None:
            keep = np.isin(ids, allowed)
            ids, vecs = ids[keep], vecs[keep]
            if not len(ids):
                continue
        s = qvecs @ vecs.T
        all_s = np.concatenate([best_s, s], axis=1)
        all_i = np.concatenate([best_i, np.broadcast_to(ids, s.shape)], axis=1)
        top = np.argsort(-all_s, axis=1)[:, :k]
        best_s = np.take_along_axis(all_s, top, axis=1)
        best_i = np.take_along_axis(all_i, top, axis=1)
    return best_i


def faiss_only(folder: Path, sizes: list[int]) -> list[dict]:
    """FAISS alone, one query at a time: exact vs IVF+SQ8 by size and nprobe (sets the threshold)."""
    import faiss

    from minutebook import MiniLMEmbedder
    from minutebook.index.sqlite import ann
    from minutebook.index.sqlite.store import Store

    store = Store.open(folder, readonly=True)
    dim = int(store.meta()["dimension"])
    parts, got = [], 0
    for ids, vecs in store.all_vectors(dim):
        parts.append((ids, vecs.copy()))
        got += len(ids)
        if got >= max(sizes):
            break
    store.close()
    all_ids = np.concatenate([p[0] for p in parts])
    all_vecs = np.concatenate([p[1] for p in parts])
    del parts
    qvecs = MiniLMEmbedder().embed(questions()).astype(np.float32)
    out = []
    for n in sizes:
        ids, vecs = all_ids[:n], all_vecs[:n]
        flat = ann.exact_index(dim)
        flat.add_with_ids(vecs, ids)
        t_flat, truth = [], []
        for q in qvecs:
            t = time.perf_counter()
            _, i = flat.search(q.reshape(1, -1), 100)
            t_flat.append(time.perf_counter() - t)
            truth.append(set(i[0][:10].tolist()))
        del flat
        t0 = time.perf_counter()
        ivf = ann.build_ann(ids, vecs, dim)
        build = time.perf_counter() - t0
        row = {"n": n, "exact_ms_p50": pct(t_flat, 50), "exact_ms_p95": pct(t_flat, 95),
               "exact_mb": round(n * dim * 4 / 2**20), "ivf_build_s": round(build, 1), "nlist": int(ivf.nlist),
               "ivf_mb": round(len(faiss.serialize_index(ivf)) / 2**20), "probes": {}}
        for nprobe in (8, 16, 32, 64, 128):
            if nprobe > ivf.nlist:
                continue
            params = faiss.SearchParametersIVF(nprobe=nprobe)
            times, rec = [], []
            for q, tr in zip(qvecs, truth, strict=True):
                t = time.perf_counter()
                _, i = ivf.search(q.reshape(1, -1), 100, params=params)
                times.append(time.perf_counter() - t)
                rec.append(len(tr & set(i[0][:10].tolist())) / 10)
            row["probes"][nprobe] = {"ms_p50": pct(times, 50), "ms_p95": pct(times, 95),
                                     "recall_at_10": round(float(np.mean(rec)), 3)}
        log(f"faiss only: {row}")
        out.append(row)
    return out


def markdown(results: list[dict], micro: list[dict]) -> str:
    lines = [
        "| passages | dense index | p50 ms | p95 ms | p50/p95 less embedding | council filter p50/p95"
        " | since 2020 p50/p95 | embed p50 ms | RSS MB | recall@10 | exact top-10 in pool of 100"
        " | filtered recall@10 | index build s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lat = r["latency_ms"]
        bare = r["latency_less_embedding_ms"]["unfiltered"]
        kind = r["index_type"] + (f" (nlist {r['nlist']}, nprobe {r['nprobe']})" if r.get("nprobe") else "")
        lines.append(
            f"| {r['passages']:,} | {kind} | {lat['unfiltered']['p50']} | {lat['unfiltered']['p95']} |"
            f" {bare['p50']} / {bare['p95']} |"
            f" {lat['council filter']['p50']} / {lat['council filter']['p95']} |"
            f" {lat['since 2020']['p50']} / {lat['since 2020']['p95']} | {r['embed_ms_p50']} | {r['rss_mb']} |"
            f" {r['recall_at_10']} | {r['recall_10_in_pool_100']} | {r['filtered_recall_at_10']} |"
            f" {r['build_seconds']} |")
    if micro:
        lines += ["", "FAISS alone (one query, k=100): exact vs IVF+SQ8 at each nprobe (ms p50 / recall@10)", "",
                  "| passages | exact ms p50/p95 | exact MB | IVF MB | nlist | IVF build s | "
                  + " | ".join(f"nprobe {p}" for p in (8, 16, 32, 64, 128)) + " |",
                  "|---:|---:|---:|---:|---:|---:|" + "---:|" * 5]
        for m in micro:
            cells = [f"{m['probes'][p]['ms_p50']} / {m['probes'][p]['recall_at_10']}" if p in m["probes"] else "-"
                     for p in (8, 16, 32, 64, 128)]
            lines.append(f"| {m['n']:,} | {m['exact_ms_p50']} / {m['exact_ms_p95']} | {m['exact_mb']} | {m['ivf_mb']} |"
                         f" {m['nlist']} | {m['ivf_build_s']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="*", type=int, default=[10_000, 60_000, 100_000, 1_000_000])
    ap.add_argument("--source", type=Path, default=WORK / "ofsted-index",
                    help="a real index to replicate (default bench/work/ofsted-index)")
    ap.add_argument("--threshold", type=int, default=None, help="exact/approximate threshold (default ann.EXACT_LIMIT)")
    ap.add_argument("--faiss-only", nargs="*", type=int, default=None,
                    help="also time FAISS alone at these sizes (exact vs IVF by nprobe)")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the fresh searcher process
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    from minutebook.index.sqlite import ann
    results = []
    for n in args.sizes:
        folder, rows_s = ensure_index(args.source, n)
        built = build_vectors(folder, args.threshold)
        log(f"{n}: vectors {built}; load {load_avg()}")
        proc = subprocess.run([sys.executable, __file__, "--measure", str(folder)], capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"measuring {folder} failed")
        row = {**json.loads(proc.stdout), **built, "rows_build_s": round(rows_s, 1) if rows_s else "cached"}
        log(f"{n}: {row}")
        results.append(row)
    micro = []
    if args.faiss_only:
        folder, _ = ensure_index(args.source, max(args.faiss_only))
        micro = faiss_only(folder, sorted(args.faiss_only))
    out = {
        "threshold": args.threshold or ann.EXACT_LIMIT,
        "source": str(args.source),
        "command": "python bench/bench_search.py " + " ".join(sys.argv[1:]),
        "results": results,
        "faiss_only": micro,
        "load_after": load_avg(),
        "markdown": markdown(results, micro),
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
