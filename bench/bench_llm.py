"""Time to first token and tokens per second of the default language model, as JSON.

    .venv/bin/python bench/bench_llm.py [--model PATH] [--prompt-tokens 700] [--max-tokens 128] [--threads N]

The prompt is minutebook's own answer prompt over synthetic council passages, padded to
about ``--prompt-tokens`` tokens, so the figure matches what `ask --llm` does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from minutebook.answer.prompt import STOP, PromptPassage, build_prompt
from minutebook.config import load_settings
from minutebook.llm import open_generator
from minutebook.types import Hit

SENTENCES = [
    "Members raised concerns about the average caseloads held by social workers, some holding more than 30 cases.",
    "Officers stated that recruitment of agency staff would continue while permanent posts were advertised.",
    "The Committee noted the Ofsted monitoring visit and the improvement plan agreed with the Department for Education.",
    "The Head of Service reported that 154 formal escalations had been raised in the year, up from 94.",
]


def _passage(n: int, words: int) -> PromptPassage:
    text = " ".join(SENTENCES[(n + i) % len(SENTENCES)] for i in range(words // 16 + 1))
    hit = Hit(chunk_id=n, doc_id=n, score=0.8, path=f"/bench/{n}.txt", title=f"Paper {n}", council="Devon",
              committee="Children's Scrutiny Committee", date=f"202{n % 4}-07-29", doc_type="minutes", page=n,
              section=None, minute=f"{n}.1", start_char=0, end_char=len(text), text=text)
    return PromptPassage(n, hit, text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--prompt-tokens", type=int, default=700)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: one per CPU)")
    args = ap.parse_args()

    settings = load_settings(llm_model=args.model)
    t0 = time.perf_counter()
    generator = open_generator(settings)
    if args.threads:
        generator.n_threads = args.threads
    generator.load()
    load_s = time.perf_counter() - t0

    passages = [_passage(n, 40) for n in range(1, 3)]
    prompt = build_prompt("what was said about caseloads?", passages)
    while generator.count_tokens(prompt) < args.prompt_tokens:
        passages.append(_passage(len(passages) + 1, 40))
        prompt = build_prompt("what was said about caseloads?", passages)
    prompt_tokens = generator.count_tokens(prompt)

    start = time.perf_counter()
    first: float | None = None
    pieces = 0
    for _piece in generator.stream(prompt, args.max_tokens, STOP):
        if first is None:
            first = time.perf_counter()
        pieces += 1
    end = time.perf_counter()
    first = first or end
    # llama-cpp-python yields one piece per token (multi-byte characters aside).
    decode_s = end - first
    json.dump({
        "model": generator.model_id,
        "threads": generator.n_threads,
        "cpu_count": os.cpu_count(),
        "load_seconds": round(load_s, 3),
        "prompt_tokens": prompt_tokens,
        "time_to_first_token_seconds": round(first - start, 3),
        "prompt_tokens_per_second": round(prompt_tokens / (first - start), 1),
        "generated_tokens": pieces,
        "generation_tokens_per_second": round((pieces - 1) / decode_s, 1) if pieces > 1 and decode_s > 0 else None,
        "total_seconds": round(end - start, 3),
    }, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
