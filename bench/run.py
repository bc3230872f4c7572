"""`make bench`: run every benchmark and write bench/RESULTS.md.

Each benchmark is a script printing JSON on stdout; this runner records the command, the
machine, and the figures. A benchmark that fails is reported as failed, not hidden.

    python bench/run.py [--only NAME ...] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PY = sys.executable

# name -> (command, what it measures). Commands run from the repository root.
BENCHMARKS: dict[str, tuple[list[str], str]] = {
    "index": ([PY, "bench/bench_index.py", "--fresh"],
              "Full index of the 497 Ofsted reports, then a sync with nothing changed"),
    "eval": ([PY, "bench/eval/run_eval.py", "--index", "bench/work/ofsted-index", "--add-corpus", "--json-stdout"],
             "Retrieval quality: keyword vs dense vs hybrid on bench/eval/questions.jsonl"),
    "ablation": ([PY, "bench/eval/ablation.py", "--eval-index", "bench/work/ofsted-index", "--json-stdout"],
                 "Search mechanisms on and off: meetings-dev (per meeting and all meetings, lenient and strict) "
                 "and bench/eval (tuned, held-out, kept aside)"),
    "council": ([PY, "bench/eval/run_council_eval.py", "--index", "bench/work/ofsted-index", "--json-stdout"],
                "Answers that name the right council: right-council rate, on-topic rate and answering-sentence "
                "recall on bench/eval/council_questions.jsonl (tuned and held-aside questions apart)"),
    "embed": ([PY, "bench/bench_embed.py"], "Embedding backends: throughput, latency, agreement"),
    "search": ([PY, "bench/bench_search.py"], "Search latency at the Ofsted index size and at 10k/100k/1M passages"),
    "cli": ([PY, "bench/bench_cli.py", "--index", "bench/work/ofsted-index"],
            "Command-line cold start: `--help`, an argument error, `status`, `search` to its result"),
    "llm": ([PY, "bench/bench_llm.py"], "Time to first token and tokens/s of `ask --llm` vs raw llama-cpp-python"),
    "answers": ([PY, "bench/bench_answers.py"],
                "Answer benchmark: cited summaries by the local model (31 questions over corpus/ and eight Ofsted "
                "reports): supported sentences, fallbacks, refusals, summary length, first token, tokens/s"),
    "tui": ([PY, "bench/bench_tui.py", "--index", "bench/work/ofsted-index"], "Terminal app: launch to interactive, keystroke to results"),
    "decisions": ([PY, "bench/bench_decisions.py"],
                  "Decision extraction and speaker attribution: precision and recall on bench/eval/decisions.jsonl "
                  "and speakers.jsonl"),
    "postgres": ([PY, "bench/bench_postgres.py"],
                 "The index in PostgreSQL + pgvector against the embedded engine: indexing, concurrent readers, "
                 "agreement on bench/eval, HNSW at scale"),
    "reliability": ([PY, "bench/reliability.py"], "Bad files, kills, queries during syncs, offline (bench/RELIABILITY.md)"),
    "reliability_index": ([PY, "bench/reliability_index.py"],
                          "Damaged index databases and unwritable index folders (bench/RELIABILITY.md)"),
    "ocr": ([PY, "bench/bench_ocr.py"],
            "Scanned papers: OCR character error and words missed, sync speed against raw tesseract, R@5 on scanned pages"),
}


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu, "cores": str(os.cpu_count()), "memory": mem,
        "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        # Two cores shared with other work: the load says how busy the machine was.
        "load average (1 min)": f"{os.getloadavg()[0]:.1f}",
    }


def run_one(name: str) -> dict:
    cmd, what = BENCHMARKS[name]
    script = REPO / cmd[1]
    if not script.exists():
        return {"name": name, "what": what, "command": " ".join(cmd[1:]), "status": "missing"}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    took = time.perf_counter() - t0
    result: dict = {"name": name, "what": what, "command": "python " + " ".join(cmd[1:]), "seconds": round(took, 1)}
    if proc.returncode != 0:
        result.update(status="failed", stderr=proc.stderr[-2000:])
        return result
    try:
        result.update(status="ok", data=json.loads(proc.stdout))
    except json.JSONDecodeError:
        result.update(status="ok", text=proc.stdout[-4000:])
    return result


def _get(results: dict[str, dict], name: str, *path: object) -> object:
    node: object = results.get(name, {}).get("data")
    for key in path:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
            node = node[key]
        else:
            return None
    return node


def _at_million(results: dict[str, dict]) -> dict | None:
    for row in _get(results, "search", "results") or []:
        if row.get("passages", 0) >= 1_000_000:
            return row
    return None


# (what, target text, benchmark, value getter, test) — one row per target in the issue.
TARGETS: list[tuple[str, str, str, object, object]] = [
    ("Indexing: end-to-end passages/s over raw encode", "≥ 0.9", "index",
     lambda r: _get(r, "index", "end_to_end_over_raw"), lambda v: v >= 0.9),
    ("Sync with nothing changed (497 reports)", "< 3 s", "index",
     lambda r: _get(r, "index", "noop_sync_seconds"), lambda v: v < 3),
    ("int8 ONNX throughput over torch", "≥ 2×", "embed",
     lambda r: _ratio(_get(r, "embed", "backends", "onnx-int8", "passages_per_s"),
                      _get(r, "embed", "backends", "torch", "passages_per_s")), lambda v: v >= 2),
    ("Hybrid R@5 on bench/eval (all answerable questions)", "≥ 0.9", "eval",
     lambda r: _get(r, "eval", "hybrid", "metrics", "all", "R@5"), lambda v: v >= 0.9),
    ("Hybrid R@5 over the better of keyword and dense", "> 0", "eval",
     lambda r: _minus(_get(r, "eval", "hybrid", "metrics", "all", "R@5"),
                      _best(_get(r, "eval", "keyword", "metrics", "all", "R@5"),
                            _get(r, "eval", "dense", "metrics", "all", "R@5"))), lambda v: v > 0),
    ("1M passages: p95 hybrid search (unfiltered)", "< 100 ms", "search",
     lambda r: (_at_million(r) or {}).get("latency_ms", {}).get("unfiltered", {}).get("p95"), lambda v: v < 100),
    ("1M passages: approximate recall@10 against exact", "≥ 0.95", "search",
     lambda r: (_at_million(r) or {}).get("recall_at_10"), lambda v: v >= 0.95),
    ("1M passages: resident memory of the searcher (MB)", "< 2048 MB", "search",
     lambda r: (_at_million(r) or {}).get("rss_mb"), lambda v: v < 2048),
    ("`ask --llm` time to first token over raw llama-cpp-python", "< +10%", "llm",
     lambda r: _get(r, "llm", "ask_vs_raw", "ttft_overhead"), lambda v: v < 0.10),
    ("`ask --llm` tokens/s below raw llama-cpp-python", "< 10%", "llm",
     lambda r: _get(r, "llm", "ask_vs_raw", "tokens_per_s_overhead"), lambda v: v < 0.10),
    ("Bundled model: generated sentences the checker supports", "≥ 80%", "answers",
     lambda r: _get(r, "answers", "models", 0, "summary", "supported_rate"), lambda v: v >= 0.8),
    ("Bundled model: answerable questions refused", "≤ 1 in 10", "answers",
     lambda r: _ratio(_get(r, "answers", "models", 0, "summary", "refused_answerable"),
                      _get(r, "answers", "models", 0, "summary", "answerable")), lambda v: v <= 0.1),
    ("Bundled model: summary length over the evidence it was given", "< 1", "answers",
     lambda r: _get(r, "answers", "models", 0, "summary", "summary_to_evidence_chars"), lambda v: v < 1),
    ("Bundled model: first token on a ~1,000-token prompt (s)", "< 2 s", "answers",
     lambda r: _get(r, "answers", "models", 0, "long_prompt", "first_token_s"), lambda v: v < 2),
    ("Sync of fully scanned reports over raw tesseract on the same pages", "≤ 1.10×", "ocr",
     lambda r: _get(r, "ocr", "speed", "sync_over_raw"), lambda v: v <= 1.10),
]


def _ratio(a: object, b: object) -> float | None:
    return round(a / b, 2) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None


def _minus(a: object, b: object) -> float | None:
    return round(a - b, 3) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else None


def _best(*values: object) -> float | None:
    nums = [v for v in values if isinstance(v, (int, float))]
    return max(nums) if nums else None


def summary(results: list[dict]) -> list[str]:
    by_name = {r["name"]: r for r in results}
    lines = ["", "## Targets", "", "| target | wanted | measured | met | from |", "|---|---|---|---|---|"]
    for what, wanted, name, value, test in TARGETS:
        v = value(by_name)  # type: ignore[operator]
        v = round(v, 3) if isinstance(v, float) else v
        met = "–" if v is None else ("yes" if test(v) else "**no**")  # type: ignore[operator]
        lines.append(f"| {what} | {wanted} | {'not measured' if v is None else v} | {met} | `{name}` below |")
    return lines


def render(results: list[dict], info: dict[str, str]) -> str:
    lines = ["# Benchmark results", "", "Written by `make bench` (`python bench/run.py`). Every figure below comes from",
             "the command shown with it, run on this machine:", ""]
    lines += [f"- {k}: {v}" for k, v in info.items()]
    lines += summary(results)
    for r in results:
        lines += ["", f"## {r['name']}: {r['what']}", "", f"Command: `{r['command']}`"
                  + (f" ({r['seconds']} s)" if "seconds" in r else ""), ""]
        if "machine" in r:
            load = r["machine"].get("load average (1 min)")
            lines += [f"Run {r['machine']['date']}" + (f", load average {load} on {r['machine']['cores']} cores."
                                                        if load else "."), ""]
        if r["status"] == "missing":
            lines.append("Not run: the script is missing.")
        elif r["status"] == "failed":
            lines += ["Failed:", "", "```", r.get("stderr", ""), "```"]
        elif "data" in r:
            data = r["data"]
            if isinstance(data, dict) and "markdown" in data:
                lines.append(data["markdown"])
                data = {k: v for k, v in data.items() if k != "markdown"}
            lines += ["```json", json.dumps(data, indent=2), "```"]
        else:
            lines += ["```", r.get("text", ""), "```"]
    return "\n".join(lines) + "\n"


SAVED = BENCH / "results"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", choices=sorted(BENCHMARKS), help="run just these (others keep their last results)")
    args = ap.parse_args()
    names = args.only or list(BENCHMARKS)
    SAVED.mkdir(exist_ok=True)
    results = []
    for name in names:
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        result = run_one(name)
        result["machine"] = machine()
        (SAVED / f"{name}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
        results.append(result)
        print(f"bench: {name} {result['status']}", file=sys.stderr, flush=True)
    # RESULTS.md shows the latest result of every benchmark, each with the machine state it ran in.
    every = [json.loads((SAVED / f"{n}.json").read_text()) for n in BENCHMARKS if (SAVED / f"{n}.json").exists()]
    (BENCH / "RESULTS.md").write_text(render(every, machine()), encoding="utf-8")
    print(f"wrote {BENCH / 'RESULTS.md'}", file=sys.stderr)
    return 0 if all(r["status"] == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
