"""Retrieval on meeting transcripts nobody here wrote: ../shared/eval/meetings-dev against its BM25 anchor.

    python bench/eval/meetings.py [--index bench/work/meetings-index] [--modes keyword,dense,hybrid]
                                  [--scope meeting,all] [--set KNOB=VALUE] [--json-stdout]

Indexes the 196 transcripts into ``--index`` once (a sync: later runs reuse it, and a changed
chunker re-cuts and re-embeds only what changed), then asks every specific question through
minutebook's own search in both settings of the set: ``meeting`` (the question searches its own
meeting only: the paper filter) and ``all`` (every meeting). The runs are scored by the set's own
``score.py`` in both its scorings (lenient: a passage overlapping the evidence; strict: at least
half the passage inside it) beside the set's BM25 anchor over 200-word windows. The transcripts
stay where they are: nothing from them is written into the repository.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SET = REPO.parent / "shared" / "eval" / "meetings-dev"
WORK = REPO / "bench" / "work"
MODES = {  # as in run_eval.py: each part alone, their fusion, and the full hybrid
    "keyword": {"mode": "keyword", "expand": False, "metadata_boost": 0.0, "year_boost": 0.0, "speaker_boost": 0.0},
    "dense": {"mode": "dense", "expand": False, "metadata_boost": 0.0, "year_boost": 0.0, "speaker_boost": 0.0},
    "fusion": {"mode": "hybrid", "expand": False, "metadata_boost": 0.0, "year_boost": 0.0, "speaker_boost": 0.0},
    "hybrid": {},
}
SCORINGS = {"lenient": False, "strict": True}
METRICS = ("R@1", "R@5", "R@10", "MRR@10", "nDCG@10")


def scorer(folder: Path) -> ModuleType:
    """The set's own score.py, imported from where it lies."""
    spec = importlib.util.spec_from_file_location("meetings_score", folder / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_queries(folder: Path, general: bool) -> list[dict]:
    lines = (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    queries = [json.loads(line) for line in lines if line.strip()]
    return [q for q in queries if general or not q.get("general")]


def score_run(score: ModuleType, run: dict[str, list[dict]], queries: list[dict]) -> dict[str, dict[str, float]]:
    """Mean metrics per scoring over ``queries`` (a query missing from the run scores 0)."""
    out: dict[str, dict[str, float]] = {}
    for name, strict in SCORINGS.items():
        sums = dict.fromkeys(METRICS, 0.0)
        for q in queries:
            m = score.score_query(run.get(q["id"], []), q["gold"], strict)
            for k in METRICS:
                sums[k] += m[k]
        out[name] = {k: round(v / max(1, len(queries)), 4) for k, v in sums.items()}
    return out


def anchor_run(folder: Path, scope: str) -> dict[str, list[dict]]:
    """The set's BM25 baseline for ``scope``, run once and kept in bench/work."""
    path = WORK / "meetings-runs" / f"bm25-{scope}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(folder / "baseline_bm25.py"), "--docs", str(folder / "docs"),
                        "--queries", str(folder / "queries.jsonl"), "--scope", scope, "--out", str(path)],
                       check=True, stdout=subprocess.DEVNULL)
    return read_run(path)


def read_run(path: Path) -> dict[str, list[dict]]:
    run = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            run[item["id"]] = item["results"]
    return run


class CachedEmbedder:
    """The index's embedder, remembering query vectors: every mode and setting asks the same questions."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self._seen: dict[str, object] = {}

    def embed(self, texts):
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if todo:
            for t, v in zip(todo, self.inner.embed(todo), strict=True):
                self._seen[t] = v
        return np.stack([self._seen[t] for t in texts]) if texts else self.inner.embed([])

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def build(index: Path, folder: Path, embedder) -> None:
    from minutebook import sync

    t0 = time.perf_counter()
    report = sync(index, [folder / "docs"], embedder)
    changed = len(report.added) + len(report.updated)
    if changed or report.removed:
        print(f"meetings index: {changed} papers (re)cut, {report.chunks_embedded} passages embedded, "
              f"{report.chunks_reused} reused, in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def evaluate(index: Path, folder: Path, modes: list[str], scopes: list[str], base, queries: list[dict],
             tag: str, sync_first: bool = True, indexed_only: bool = False) -> dict:
    from minutebook import HybridSearcher, index_embedder
    from minutebook.config import load_settings
    from minutebook.index.sqlite.store import Store
    from minutebook.types import Filters

    embedder = CachedEmbedder(index_embedder(load_settings(index=index)))
    if sync_first or not index.exists():
        build(index, folder, embedder.inner)
    store = Store.open(index, readonly=True)
    doc_ids = {Path(d.path).name: d.id for d in store.documents()}
    store.close()
    if indexed_only:  # a partly built index (comparing two backends on the meetings both hold)
        queries = [q for q in queries if q["meeting_id"] + ".txt" in doc_ids]
    score = scorer(folder)
    results: dict = {"queries": len(queries), "index": str(index), "model": embedder.model_id, "scopes": {}}
    for scope in scopes:
        table: dict = {"bm25 anchor": score_run(score, anchor_run(folder, scope), queries)}
        for mode in modes:
            searcher = HybridSearcher(index, embedder, replace(base, **MODES[mode]))
            run: dict[str, list[dict]] = {}
            latencies = []
            for q in queries:
                doc = q["meeting_id"] + ".txt"
                filters = Filters(paper=str(doc_ids[doc])) if scope == "meeting" else None
                t0 = time.perf_counter()
                res = searcher.search(q["query"], filters, 10)
                latencies.append(time.perf_counter() - t0)
                run[q["id"]] = [{"doc": Path(h.path).name, "start_char": h.start_char, "end_char": h.end_char}
                                for h in res.hits]
            searcher.close()
            out = WORK / "meetings-runs" / f"{tag}-{mode}-{scope}.jsonl"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text("".join(json.dumps({"id": k, "results": v}) + "\n" for k, v in run.items()),
                           encoding="utf-8")
            latencies.sort()
            table[mode] = {**score_run(score, run, queries), "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
                           "mean_chars": round(sum(r["end_char"] - r["start_char"] for v in run.values() for r in v)
                                               / max(1, sum(len(v) for v in run.values())))}
        results["scopes"][scope] = table
    return results


def markdown(results: dict) -> str:
    lines = [f"{results['queries']} specific questions, top 10 passages; index {results['model']}.", "",
             "| setting | system | lenient R@5 | lenient R@10 | lenient MRR@10 | strict R@5 | strict R@10 "
             "| strict MRR@10 | MRR@10 vs anchor (lenient / strict) | mean passage chars |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for scope, table in results["scopes"].items():
        anchor = table["bm25 anchor"]
        for system, m in table.items():
            d = " / ".join(f"{m[s]['MRR@10'] - anchor[s]['MRR@10']:+.3f}" for s in SCORINGS)
            lines.append(f"| {scope} | {system} | {m['lenient']['R@5']:.3f} | {m['lenient']['R@10']:.3f} "
                         f"| {m['lenient']['MRR@10']:.3f} | {m['strict']['R@5']:.3f} | {m['strict']['R@10']:.3f} "
                         f"| {m['strict']['MRR@10']:.3f} | {d if system != 'bm25 anchor' else '—'} "
                         f"| {m.get('mean_chars', '')} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=WORK / "meetings-index")
    ap.add_argument("--set-folder", type=Path, default=SET, help="the meetings development set")
    ap.add_argument("--modes", default="keyword,dense,fusion,hybrid")
    ap.add_argument("--scope", default="meeting,all")
    ap.add_argument("--general", action="store_true", help="also the 'summarise the meeting' questions")
    ap.add_argument("--limit", type=int, help="only the first N questions (quick looks; not for figures)")
    ap.add_argument("--tag", default="run", help="names the run files in bench/work/meetings-runs")
    ap.add_argument("--set", action="append", default=[], metavar="KNOB=VALUE",
                    help="override a Ranking knob for every mode, e.g. --set dense_weight=0.6")
    ap.add_argument("--indexed-only", action="store_true",
                    help="only the questions whose meeting the index holds (with --no-sync, a partly built index)")
    ap.add_argument("--no-sync", action="store_true",
                    help="search the index as it is (one built by an earlier version, for a baseline)")
    ap.add_argument("--json-stdout", action="store_true", help="print results as JSON (for bench/run.py)")
    args = ap.parse_args()
    if not (args.set_folder / "queries.jsonl").is_file():
        print(f"no meetings development set at {args.set_folder}", file=sys.stderr)
        return 2

    sys.path.insert(0, str(REPO / "src"))
    from minutebook.search.hybrid import Ranking

    base = Ranking()
    for knob in args.set:
        name, _, value = knob.partition("=")
        kind = type(getattr(base, name))
        base = replace(base, **{name: value.lower() in ("1", "true", "yes") if kind is bool else kind(value)})
    queries = load_queries(args.set_folder, args.general)[: args.limit]
    results = evaluate(args.index, args.set_folder, args.modes.split(","), args.scope.split(","), base, queries,
                       args.tag, sync_first=not args.no_sync, indexed_only=args.indexed_only)
    if args.json_stdout:
        print(json.dumps({"markdown": markdown(results), **results}, indent=2))
    else:
        print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
