"""Ablation: what each search mechanism adds, on meetings-dev (both settings, both scorings) and bench/eval.

    python bench/eval/ablation.py [--index bench/work/meetings-index] [--eval-index bench/work/ofsted-index]
                                  [--reuse] [--json-stdout]

Each row is one configuration of minutebook's own search: the two rankers alone, their fusion,
the full hybrid, and the full hybrid with one mechanism turned off (or changed). On the meetings
development set every row is scored in both settings (a question searching its own meeting, and
all meetings) and both scorings (lenient: the passage overlaps the evidence; strict: at least half
the passage lies inside it), beside the set's BM25 anchor; on bench/eval the tuned, held-out and
kept-aside questions are reported apart. Run files go to bench/work/meetings-runs as
``abl-<row>-<mode>-<scope>.jsonl``; ``--reuse`` scores the ones already there instead of searching
again (the figures are the same: a run is deterministic for a given index and code), and shows a
setting not run yet as "—".
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "src"))

import meetings  # noqa: E402  (the meetings-dev runner beside this file)

# (row name, mode, Ranking knobs changed from the defaults, what the row shows)
ROWS: list[tuple[str, str, dict[str, object], str]] = [
    ("keyword", "keyword", {}, "BM25 over minutebook's passages alone"),
    ("dense", "dense", {}, "MiniLM cosine alone"),
    ("fusion", "fusion", {}, "both scores fused, no boosts"),
    ("hybrid", "hybrid", {}, "everything on (the default)"),
    ("no-speaker", "hybrid", {"speaker_boost": 0.0}, "without the preference for a named speaker's turns"),
    ("no-join", "hybrid", {"merge_adjacent": False}, "without joining neighbouring passages"),
    ("join-3", "hybrid", {"merge_parts": 3}, "results of up to three passages instead of two"),
]
SPLITS = ("tune", "heldout", "aside")


def meetings_rows(index: Path, folder: Path, rows: list[str], reuse: bool) -> dict:
    from minutebook.search.ranking import Ranking

    queries = meetings.load_queries(folder, False)
    score = meetings.scorer(folder)
    out: dict = {"queries": len(queries), "anchor": {}, "rows": {}}
    for scope in ("meeting", "all"):
        out["anchor"][scope] = meetings.score_run(score, meetings.anchor_run(folder, scope), queries)
    for name, mode, knobs, _ in ROWS:
        if name not in rows:
            continue
        tag = f"abl-{name}"
        files = {s: meetings.WORK / "meetings-runs" / f"{tag}-{mode}-{s}.jsonl" for s in ("meeting", "all")}
        if reuse:  # score what is there; a setting not run yet shows as "—"
            found = {s: meetings.score_run(score, meetings.read_run(f), queries) for s, f in files.items() if f.exists()}
            if found:
                out["rows"][name] = found
            continue
        table = meetings.evaluate(index, folder, [mode], ["meeting", "all"], replace(Ranking(), **knobs), queries,
                                  tag, sync_first=False)
        out["rows"][name] = {s: {k: table["scopes"][s][mode][k] for k in meetings.SCORINGS} for s in table["scopes"]}
    return out


def eval_rows(index: Path, rows: list[str]) -> dict:
    import run_eval

    from minutebook.config import load_settings
    from minutebook.index.sqlite.store import Store
    from minutebook.models.registry import index_embedder
    from minutebook.search.hybrid import HybridSearcher
    from minutebook.search.ranking import Ranking

    embedder = meetings.CachedEmbedder(index_embedder(load_settings(index=index)))
    questions = [q for q in run_eval.load_questions(HERE / "questions.jsonl") if q["answers"]]
    store = Store.open(index, readonly=True)
    targets = run_eval.resolve_targets(store, questions)
    store.close()
    out: dict = {}
    for name, mode, knobs, _ in ROWS:
        if name not in rows:
            continue
        ranking = replace(Ranking(), **run_eval.MODES[mode], **knobs)
        searcher = HybridSearcher(index, embedder, ranking)
        ranks: dict[str, list[int | None]] = {s: [] for s in SPLITS}
        for q in questions:
            ranks[q["split"]].append(run_eval.first_relevant(searcher.search(q["query"], None, 10).hits,
                                                             targets[q["id"]]))
        searcher.close()
        out[name] = {s: {"n": len(r), "R@5": round(sum(1 for x in r if x and x <= 5) / max(1, len(r)), 3),
                         "MRR@10": round(sum(1 / x for x in r if x and x <= 10) / max(1, len(r)), 3)}
                     for s, r in ranks.items()}
    return out


def markdown(result: dict) -> str:
    what = {name: (mode, text) for name, mode, _, text in ROWS}
    lines = []
    m = result.get("meetings")
    if m:
        lines += [f"meetings-dev, {m['queries']} specific questions, MRR@10 (and strict R@5):", "",
                  "| row | mode | what | per meeting lenient | per meeting strict | strict R@5 | all meetings lenient "
                  "| all meetings strict |", "|---|---|---|---|---|---|---|---|"]
        a = m["anchor"]
        lines.append(f"| BM25 anchor | — | the set's 200-word windows | {a['meeting']['lenient']['MRR@10']:.3f} "
                     f"| {a['meeting']['strict']['MRR@10']:.3f} | {a['meeting']['strict']['R@5']:.3f} "
                     f"| {a['all']['lenient']['MRR@10']:.3f} | {a['all']['strict']['MRR@10']:.3f} |")
        for name, row in m["rows"].items():
            mode, text = what[name]
            cells = [_cell(row, "meeting", "lenient", "MRR@10"), _cell(row, "meeting", "strict", "MRR@10"),
                     _cell(row, "meeting", "strict", "R@5"), _cell(row, "all", "lenient", "MRR@10"),
                     _cell(row, "all", "strict", "MRR@10")]
            lines.append(f"| {name} | {mode} | {text} | " + " | ".join(cells) + " |")
    e = result.get("eval")
    if e:
        lines += ["", "bench/eval (answerable questions; tuned, held-out and kept-aside apart), R@5 / MRR@10:", "",
                  "| row | " + " | ".join(f"{s} (n={next(iter(e.values()))[s]['n']})" for s in SPLITS) + " |",
                  "|---|" + "---|" * len(SPLITS)]
        for name, row in e.items():
            lines.append(f"| {name} | " + " | ".join(f"{row[s]['R@5']:.3f} / {row[s]['MRR@10']:.3f}"
                                                    for s in SPLITS) + " |")
    return "\n".join(lines)


def _cell(row: dict, scope: str, scoring: str, metric: str) -> str:
    return f"{row[scope][scoring][metric]:.3f}" if scope in row else "—"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=meetings.WORK / "meetings-index", help="the meetings index")
    ap.add_argument("--set-folder", type=Path, default=meetings.SET, help="the meetings development set")
    ap.add_argument("--eval-index", type=Path, help="an index of corpus/ and the Ofsted reports (bench/eval)")
    ap.add_argument("--rows", default=",".join(r[0] for r in ROWS))
    ap.add_argument("--reuse", action="store_true", help="score run files already in bench/work/meetings-runs")
    ap.add_argument("--json-stdout", action="store_true", help="print results as JSON (for bench/run.py)")
    args = ap.parse_args()
    rows = args.rows.split(",")
    result: dict = {}
    if args.index.exists() or args.reuse:
        result["meetings"] = meetings_rows(args.index, args.set_folder, rows, args.reuse)
    if args.eval_index is not None:
        result["eval"] = eval_rows(args.eval_index, rows)
    if args.json_stdout:
        print(json.dumps({"markdown": markdown(result), **result}, indent=2))
    else:
        print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
