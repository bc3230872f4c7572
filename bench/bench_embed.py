"""Embedding backends compared: torch (sentence-transformers), ONNX float32, ONNX int8.

    python bench/bench_embed.py [--passages N] [--backends torch,onnx,onnx-int8] [--eval]
                                [--batch-tokens 512,1024,2048]

On the same real passages (spread over an existing index, read-only) it measures, per backend:
throughput (passages/s), the latency of one short query (p50 and p90 over 100), cold start
(a fresh process: import, load, first embedding), and agreement with torch: cosine of the
passage vectors (mean, min) and the overlap of the top-10 dense results for the evaluation's
queries. With --eval it also indexes the papers held by --index again with each of
--eval-backends (into bench/work/eval-<backend>) and reports R@1/R@5/R@10/MRR@10 of dense and
hybrid search on bench/eval/questions.jsonl; --eval-only skips the speed measurements.
It also times the default ONNX model (fp32) with each budget of word pieces per model run, over
the same passages in calls of 512 (as a sync makes them), median of 3 interleaved rounds.

Prints one JSON object on stdout (with a "markdown" table); the table also goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
OFSTED = REPO.parent / "shared" / "corpus" / "ofsted-ilacs"
sys.path.insert(0, str(REPO / "src"))

QUERY = "social worker caseloads"
COLD = """
import sys, time
t0 = time.perf_counter()
from minutebook.config import Settings
from minutebook import default_embedder
e = default_embedder(Settings(embed_backend={backend!r}{cache}))
e.embed(["social worker caseloads"])
print(time.perf_counter() - t0, "torch" in sys.modules)
"""


def papers(index: Path, questions: Path) -> list[Path]:
    """The papers the evaluation's answers are in, plus those an existing index holds as distractors.

    Every backend indexes exactly this list, so their scores compare like with like.
    """
    db = sqlite3.connect(f"file:{index / 'minutebook.sqlite'}?mode=ro", uri=True)
    try:
        found = {Path(r[0]) for r in db.execute("SELECT path FROM documents")}
    finally:
        db.close()
    named = {a["path"] for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()
             for a in json.loads(line)["answers"]}
    candidates = [*sorted((REPO / "corpus").glob("*.txt")), *sorted(OFSTED.rglob("*.pdf"))]
    found |= {p for p in candidates if any(n in str(p) for n in named)}
    return sorted(found)


def passages(index: Path, n: int) -> list[str]:
    """``n`` passages spread over the whole index (every k-th row), opened read-only."""
    db = sqlite3.connect(f"file:{index / 'minutebook.sqlite'}?mode=ro", uri=True)
    try:
        total = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        step = max(1, total // n)
        rows = db.execute("SELECT text FROM chunks WHERE id % ? = 0 ORDER BY id LIMIT ?", (step, n)).fetchall()
    finally:
        db.close()
    return [r[0] for r in rows]


def cold_start(backend: str, cache: str | None) -> dict[str, object]:
    """A fresh interpreter: wall time to the first vector, and whether torch got imported."""
    code = COLD.format(backend=backend, cache=f", cache=__import__('pathlib').Path({cache!r})" if cache else "")
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    wall = time.perf_counter() - t0
    inside, torch_loaded = done.stdout.split()
    return {"cold_start_s": round(wall, 2), "import_load_first_s": round(float(inside), 2),
            "imports_torch": torch_loaded == "True"}


def top10(queries: np.ndarray, passages_: np.ndarray) -> np.ndarray:
    return np.argsort(-(queries @ passages_.T), axis=1, kind="stable")[:, :10]


def measure(backend: str, texts: list[str], queries: list[str], cache: str | None) -> dict[str, object]:
    from minutebook import default_embedder
    from minutebook.config import Settings

    settings = Settings(embed_backend=backend, **({"cache": Path(cache)} if cache else {}))
    embedder = default_embedder(settings)
    embedder.embed(texts[:32])  # load (and build, for ONNX, the first time) outside the timing
    t0 = time.perf_counter()
    vectors = embedder.embed(texts)
    seconds = time.perf_counter() - t0
    latencies = []
    for _ in range(100):
        t = time.perf_counter()
        embedder.embed([QUERY])
        latencies.append(time.perf_counter() - t)
    latencies.sort()
    return {"model_id": embedder.model_id, "passages_per_s": round(len(texts) / seconds, 1),
            "query_p50_ms": round(1000 * statistics.median(latencies), 2),
            "query_p90_ms": round(1000 * latencies[89], 2),
            "_vectors": vectors, "_queries": embedder.embed(queries)}


def sweep_batch_tokens(texts: list[str], budgets: list[int], cache: str | None) -> dict[int, float]:
    """Passages/s of the default ONNX embedder at each ``batch_tokens`` budget."""
    from minutebook import default_embedder
    from minutebook.config import Settings

    embedder = default_embedder(Settings(**({"cache": Path(cache)} if cache else {})))
    embedder.embed(texts[:32])
    runs: dict[int, list[float]] = {b: [] for b in budgets}
    for _ in range(3):  # interleaved, so a slow minute on this machine hits every budget alike
        for budget in budgets:
            embedder.batch_tokens = budget
            t0 = time.perf_counter()
            for start in range(0, len(texts), 512):
                embedder.embed(texts[start:start + 512])
            runs[budget].append(len(texts) / (time.perf_counter() - t0))
    return {b: round(statistics.median(r), 1) for b, r in runs.items()}


def evaluate(backend: str, paths: list[Path], questions_path: Path, cache: str | None) -> dict[str, object]:
    """Index ``paths`` with this backend, then R@1..R@10 / MRR@10 of dense and hybrid search."""
    sys.path.insert(0, str(REPO / "bench" / "eval"))
    from dataclasses import replace

    from run_eval import evaluate as run_evaluation
    from run_eval import load_questions, resolve_targets

    from minutebook import default_embedder, sync
    from minutebook.config import Settings
    from minutebook.index.sqlite.store import Store
    from minutebook.search.hybrid import HybridSearcher, Ranking

    embedder = default_embedder(Settings(embed_backend=backend, **({"cache": Path(cache)} if cache else {})))
    index = REPO / "bench" / "work" / f"eval-{backend}"
    t0 = time.perf_counter()
    sync(index, paths, embedder)
    sync_s = time.perf_counter() - t0
    questions = load_questions(questions_path)
    store = Store.open(index, readonly=True)
    targets = resolve_targets(store, questions)
    chunks = store.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    store.close()
    searchers: dict[str, HybridSearcher] = {}

    def searcher_for(mode: str) -> HybridSearcher:
        from run_eval import MODES

        if mode not in searchers:
            searchers[mode] = HybridSearcher(index, embedder, replace(Ranking(), **MODES[mode]))
        return searchers[mode]

    results = run_evaluation(searcher_for, questions, targets)
    out: dict[str, object] = {"index": str(index), "passages": chunks, "sync_s": round(sync_s, 1)}
    for mode in ("dense", "hybrid"):
        m = results[mode]["metrics"]["all"]
        out[mode] = {k: round(m[k], 3) for k in ("R@1", "R@5", "R@10", "MRR@10")}
    return out


def eval_markdown(results: dict[str, dict[str, object]]) -> str:
    lines = ["| backend | passages | dense R@1 | dense R@5 | dense MRR@10 | hybrid R@1 | hybrid R@5 | hybrid MRR@10 |",
             "|---|---|---|---|---|---|---|---|"]
    for name, ev in results.items():
        d, h = ev["dense"], ev["hybrid"]
        lines.append(f"| {name} | {ev['passages']} | {d['R@1']} | {d['R@5']} | {d['MRR@10']} "
                     f"| {h['R@1']} | {h['R@5']} | {h['MRR@10']} |")
    return "\n".join(lines)


def markdown(results: dict[str, dict[str, object]]) -> str:
    lines = ["| backend | passages/s | × torch | query p50 ms | cold start s | torch imported | cos mean / min"
             " | top-10 overlap |",
             "|---|---|---|---|---|---|---|---|"]
    base = results.get("torch", {}).get("passages_per_s")
    for name, r in results.items():
        ratio = f"{r['passages_per_s'] / base:.1f}" if base else "–"
        lines.append(f"| {name} | {r['passages_per_s']} | {ratio} | {r['query_p50_ms']} | {r['cold_start_s']} "
                     f"| {'yes' if r['imports_torch'] else 'no'} | {r['cos_mean']} / {r['cos_min']} "
                     f"| {r['top10_overlap']} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=REPO / "bench" / "work" / "ofsted-index",
                    help="an existing index to take passages from (opened read-only)")
    ap.add_argument("--passages", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--questions", type=Path, default=REPO / "bench" / "eval" / "questions.jsonl")
    ap.add_argument("--backends", default="torch,onnx,onnx-int8")
    ap.add_argument("--cache", help="model cache folder (default: the configured one)")
    ap.add_argument("--eval", action="store_true", help="also re-index --index's papers per backend: slow")
    ap.add_argument("--eval-only", action="store_true", help="only the retrieval evaluation")
    ap.add_argument("--eval-backends", default="torch,onnx-int8",
                    help="backends to evaluate (onnx matches torch to 1e-6, so it is left out by default)")
    ap.add_argument("--batch-tokens", default="512,1024,2048",
                    help="budgets of word pieces per ONNX run to compare (comma-separated; empty: none)")
    args = ap.parse_args()

    out: dict[str, object] = {"cpu_count": os.cpu_count(), "load_average_before": round(os.getloadavg()[0], 2)}
    tables = []
    if not args.eval_only:
        backends = args.backends.split(",")
        if "torch" not in backends:
            backends.insert(0, "torch")  # the reference every other backend is compared with
        texts = passages(args.index, args.passages)
        questions = [json.loads(line)["query"] for line in args.questions.read_text(encoding="utf-8").splitlines()
                     if line.strip()][: args.queries]
        results: dict[str, dict[str, object]] = {}
        for backend in backends:
            print(f"{backend}: measuring…", file=sys.stderr, flush=True)
            results[backend] = measure(backend, texts, questions, args.cache)
            results[backend].update(cold_start(backend, args.cache))
        ref = results["torch"]["_vectors"]
        ref_top = top10(results["torch"]["_queries"], ref)
        for r in results.values():
            vectors, queries = r.pop("_vectors"), r.pop("_queries")
            cos = (vectors * ref).sum(axis=1)
            mine = top10(queries, vectors)
            overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ref_top, mine, strict=True)])
            r.update(cos_mean=round(float(cos.mean()), 4), cos_min=round(float(cos.min()), 4),
                     top10_overlap=round(float(overlap), 3))
        out.update(passages=len(texts), queries=len(questions), backends=results)
        tables.append(markdown(results))
    if args.batch_tokens and not args.eval_only:
        budgets = [int(b) for b in args.batch_tokens.split(",")]
        print(f"batch budgets {budgets}: measuring…", file=sys.stderr, flush=True)
        sweep = sweep_batch_tokens(texts, budgets, args.cache)
        out["batch_tokens"] = sweep
        tables.append("| word pieces per run | passages/s |\n|---|---|\n"
                      + "\n".join(f"| {b} | {v} |" for b, v in sweep.items()))
    if args.eval or args.eval_only:
        paths = papers(args.index, args.questions)
        evals = {}
        for backend in args.eval_backends.split(","):
            print(f"{backend}: indexing {len(paths)} papers for the evaluation…", file=sys.stderr, flush=True)
            evals[backend] = evaluate(backend, paths, args.questions, args.cache)
        out["eval"] = evals
        tables.append(eval_markdown(evals))
    out["load_average_after"] = round(os.getloadavg()[0], 2)
    out["markdown"] = "\n\n".join(tables)
    print(out["markdown"], file=sys.stderr)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
