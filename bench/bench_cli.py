"""Cold start of the command line, each from a fresh process, as JSON.

    .venv/bin/python bench/bench_cli.py [--index bench/work/ofsted-index] [--runs 5]

- `minutebook --help` and an argument error (no model or torch is imported for either);
- `minutebook search QUERY --json` to its printed result, over the index given;
- `minutebook status --json`.

Each is the median wall time of ``--runs`` runs, after one untimed run that fills the OS file cache.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MB = Path(sys.executable).parent / "minutebook"


def wall(cmd: list[str], runs: int, ok: tuple[int, ...] = (0,)) -> dict[str, float]:
    subprocess.run(cmd, capture_output=True)  # fills the file cache
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()}")
    return {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "max_s": round(max(times), 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=REPO / "bench" / "work" / "ofsted-index")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    idx = ["--index", str(args.index)]
    out = {
        "index": str(args.index),
        "help": wall([str(MB), "--help"], args.runs),
        "argument_error": wall([str(MB), "search"], args.runs, ok=(2,)),
        "status": wall([str(MB), "status", "--json", *idx], args.runs),
        "search": wall([str(MB), "search", "what was said about caseloads?", "--json", *idx], args.runs),
    }
    proc = subprocess.run([str(MB), "search", "what was said about caseloads?", "--json", *idx],
                          capture_output=True, text=True, check=True)
    out["search_results"] = len(json.loads(proc.stdout)["results"])
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
