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
    "embed": ([PY, "bench/bench_embed.py"], "Embedding backends: throughput, latency, agreement"),
    "search": ([PY, "bench/bench_search.py"], "Search latency at the Ofsted index size and at 10k/100k/1M passages"),
    "llm": ([PY, "bench/bench_llm.py"], "Time to first token and tokens/s of `ask --llm` vs raw llama-cpp-python"),
    "tui": ([PY, "bench/bench_tui.py", "--index", "bench/work/ofsted-index"], "Terminal app: launch to interactive, keystroke to results"),
    "decisions": ([PY, "bench/bench_decisions.py"],
                  "Decision extraction and speaker attribution: precision and recall on bench/eval/decisions.jsonl "
                  "and speakers.jsonl"),
    "reliability": ([PY, "bench/reliability.py"], "Bad files, kills, queries during syncs, offline (bench/RELIABILITY.md)"),
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


def render(results: list[dict], info: dict[str, str]) -> str:
    lines = ["# Benchmark results", "", "Written by `make bench` (`python bench/run.py`). Every figure below comes from",
             "the command shown with it, run on this machine:", ""]
    lines += [f"- {k}: {v}" for k, v in info.items()]
    for r in results:
        lines += ["", f"## {r['name']}: {r['what']}", "", f"Command: `{r['command']}`"
                  + (f" ({r['seconds']} s)" if "seconds" in r else ""), ""]
        if "machine" in r:
            lines += [f"Run {r['machine']['date']}.", ""]
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
