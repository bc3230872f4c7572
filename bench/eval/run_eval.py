"""Retrieval evaluation: R@1, R@5, R@10 and MRR@10 for keyword, dense and hybrid search.

    python bench/eval/run_eval.py --index bench/work/ofsted-index [--build] [--json out.json]

With --build, indexes corpus/ and ../shared/corpus/ofsted-ilacs into the index first (slow
the first time: every passage is embedded; later runs reuse it). A retrieved passage is
relevant when its character span overlaps the span of an answer's quote in that paper.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SHARED = REPO.parent / "shared"
# What is compared: the two parts alone (plain BM25, plain dense), their fusion alone, and
# the full hybrid (fusion + council glossary + council/year named in the question).
MODES: dict[str, dict] = {
    "keyword": {"mode": "keyword", "expand": False, "metadata_boost": 0.0, "year_boost": 0.0, "speaker_boost": 0.0},
    "dense": {"mode": "dense", "expand": False, "metadata_boost": 0.0, "year_boost": 0.0, "speaker_boost": 0.0},
    "fusion": {"mode": "hybrid", "expand": False, "metadata_boost": 0.0, "year_boost": 0.0, "speaker_boost": 0.0},
    "hybrid": {},
}


@dataclass(frozen=True)
class Target:
    doc_id: int
    start: int
    end: int


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def resolve_targets(store, questions: list[dict]) -> dict[str, list[Target]]:
    """Find each answer quote's span in the indexed text of its paper."""
    docs = [(d.id, d.path) for d in store.documents()]
    out: dict[str, list[Target]] = {}
    problems = []
    for q in questions:
        targets = []
        for ans in q["answers"]:
            matches = [(i, p) for i, p in docs if ans["path"] in p]
            if len(matches) != 1:
                problems.append(f"{q['id']}: path {ans['path']!r} matches {len(matches)} indexed papers")
                continue
            doc_id = matches[0][0]
            text = store.document_text(doc_id)
            at = text.find(ans["quote"])
            if at < 0:
                problems.append(f"{q['id']}: quote not found in {matches[0][1]}")
                continue
            targets.append(Target(doc_id, at, at + len(ans["quote"])))
        out[q["id"]] = targets
    for p in problems:
        print("warning:", p, file=sys.stderr)
    return out


def first_relevant(hits, targets: list[Target]) -> int | None:
    for rank, h in enumerate(hits, start=1):
        for t in targets:
            if h.doc_id == t.doc_id and h.start_char < t.end and t.start < h.end_char:
                return rank
    return None


def evaluate(searcher_for, questions, targets, k: int = 10) -> dict:
    """Metrics per mode, split and kind."""
    results: dict = {}
    for mode in MODES:
        searcher = searcher_for(mode)
        per: dict[str, list] = defaultdict(list)
        weak_unanswerable, weak_answerable, n_unans, n_ans = 0, 0, 0, 0
        latencies = []
        for q in questions:
            t0 = time.perf_counter()
            res = searcher.search(q["query"], None, k)
            latencies.append(time.perf_counter() - t0)
            if not q["answers"]:
                n_unans += 1
                weak_unanswerable += res.weak
                continue
            n_ans += 1
            weak_answerable += res.weak
            rank = first_relevant(res.hits, targets[q["id"]])
            groups = ["all", f"split:{q['split']}"] + [f"kind:{kd}" for kd in q["kinds"]]
            for g in groups:
                per[g].append(rank)
        table = {}
        for g, ranks in sorted(per.items()):
            n = len(ranks)
            table[g] = {
                "n": n,
                "R@1": sum(1 for r in ranks if r and r <= 1) / n,
                "R@5": sum(1 for r in ranks if r and r <= 5) / n,
                "R@10": sum(1 for r in ranks if r and r <= 10) / n,
                "MRR@10": sum(1 / r for r in ranks if r and r <= 10) / n,
            }
        latencies.sort()
        results[mode] = {
            "metrics": table,
            "weak_on_unanswerable": f"{weak_unanswerable}/{n_unans}",
            "weak_on_answerable": f"{weak_answerable}/{n_ans}",
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
            "misses": [q["id"] for q in questions if q["answers"]
                       and (first_relevant(searcher.search(q["query"], None, 5).hits, targets[q["id"]]) is None)]
            if mode == "hybrid" else [],
        }
    return results


def markdown(results: dict) -> str:
    lines = ["| mode | group | n | R@1 | R@5 | R@10 | MRR@10 |", "|---|---|---|---|---|---|---|"]
    for mode, res in results.items():
        for g, m in res["metrics"].items():
            if g.startswith("kind:") and mode != "hybrid":
                continue
            lines.append(f"| {mode} | {g} | {m['n']} | {m['R@1']:.2f} | {m['R@5']:.2f} | {m['R@10']:.2f} | {m['MRR@10']:.2f} |")
    lines.append("")
    for mode, res in results.items():
        lines.append(f"- {mode}: weak on unanswerable {res['weak_on_unanswerable']}, "
                     f"weak on answerable {res['weak_on_answerable']}, p50 {res['p50_ms']} ms")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=REPO / "bench" / "work" / "ofsted-index")
    ap.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    ap.add_argument("--build", action="store_true", help="index corpus/ and the Ofsted reports first")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--add-corpus", action="store_true", help="sync corpus/ into the index first")
    ap.add_argument("--json-stdout", action="store_true", help="print results as JSON (for bench/run.py)")
    ap.add_argument("--weight", type=float, help="override the dense weight (tuning)")
    ap.add_argument("--set", action="append", default=[], metavar="KNOB=VALUE",
                    help="override a Ranking knob for every mode (tuning), e.g. --set merge_ratio=0.6")
    args = ap.parse_args()

    sys.path.insert(0, str(REPO / "src"))
    from minutebook import MiniLMEmbedder, index_embedder, sync
    from minutebook.config import load_settings
    from minutebook.index.sqlite.store import Store
    from minutebook.search.hybrid import HybridSearcher, Ranking

    # The backend that built the index (or the configured one for a new index).
    embedder = index_embedder(load_settings(index=args.index)) if args.index.exists() else MiniLMEmbedder()
    if args.build:
        roots = [REPO / "corpus", SHARED / "corpus" / "ofsted-ilacs"]
        t0 = time.perf_counter()
        report = sync(args.index, roots, embedder)
        print(f"indexed in {time.perf_counter() - t0:.0f}s: {len(report.added)} added, "
              f"{len(report.failed)} failed", file=sys.stderr)
    if args.add_corpus:
        sync(args.index, [REPO / "corpus"], embedder)
    questions = load_questions(args.questions)
    store = Store.open(args.index, readonly=True)
    targets = resolve_targets(store, questions)
    base = Ranking() if args.weight is None else Ranking(dense_weight=args.weight)
    for knob in args.set:
        name, _, value = knob.partition("=")
        kind = type(getattr(base, name))
        base = replace(base, **{name: value.lower() in ("1", "true", "yes") if kind is bool else kind(value)})
    searchers: dict = {}

    def searcher_for(mode: str):
        if mode not in searchers:
            searchers[mode] = HybridSearcher(args.index, embedder, replace(base, **MODES[mode]))
        return searchers[mode]

    results = evaluate(searcher_for, questions, targets)
    if args.json_stdout:
        print(json.dumps({"markdown": markdown(results), **results}, indent=2))
        return 0
    print(markdown(results))
    print("hybrid misses at 5:", " ".join(results["hybrid"]["misses"]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
