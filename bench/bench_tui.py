"""How quickly the terminal app is usable: launch to interactive, keystroke to results (warm model).

    .venv/bin/python bench/bench_tui.py [--index DIR]

Prints one JSON document. Launch is timed from creating the app to its first screen with the
search box focused; "model ready" adds loading MiniLM in the background; a search is timed from
the last keystroke (debounce included) to the results on screen.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

QUERIES = ("caseloads", "ofsted focused visit", "recruitment and retention of social workers", "fostering")


async def measure(index: Path) -> dict[str, object]:
    from minutebook.config import Settings
    from minutebook_tui.app import make_app

    started = time.perf_counter()
    app = make_app(Settings(index=index))
    if app.services.problem is not None:
        raise SystemExit(f"bench_tui: {app.services.problem}")
    async with app.run_test(size=(120, 40)) as pilot:
        interactive = time.perf_counter() - started
        await app.workers.wait_for_complete()
        model_ready = time.perf_counter() - started
        results = app.query_one("#results")
        timings = []
        for query in QUERIES:
            app.query_one("#query").value = ""
            await pilot.pause(0.4)
            await app.workers.wait_for_complete()
            await pilot.press(*query[:-1])
            t0 = time.perf_counter()
            await pilot.press(query[-1])
            deadline = t0 + 30
            while results.query_text != query and time.perf_counter() < deadline:
                await asyncio.sleep(0.005)
            timings.append(time.perf_counter() - t0)
    return {
        "index": str(index),
        "launch_to_interactive_s": round(interactive, 3),
        "launch_to_model_ready_s": round(model_ready, 3),
        "keystroke_to_results_s": [round(t, 3) for t in timings],
        "keystroke_to_results_median_s": round(statistics.median(timings), 3),
        "debounce_s": app.debounce,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("index"))
    args = parser.parse_args()
    sys.stdout.write(json.dumps(asyncio.run(measure(args.index)), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
