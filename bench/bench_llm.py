"""Time to first token and tokens per second of the default language model, as JSON.

    .venv/bin/python bench/bench_llm.py [--model PATH] [--prompt-tokens 700] [--max-tokens 128] [--threads N]
                                        [--index DIR] [--runs 3]

First the model alone (in its own process, as minutebook runs it), on minutebook's summary
prompt over synthetic evidence sentences padded to about ``--prompt-tokens`` tokens, under the
answer grammar. Then `ask --llm` as a user meets it (search, evidence, prompt, grammar-constrained
generation, checking; the model already loaded) against raw llama-cpp-python given the very
prompt `ask` built, with the same greedy decoding: once without a grammar (the plain cost of a
token) and once with llama-cpp-python's own ``grammar=`` and the same grammar. The key-value
cache is cleared before every run, so no run reuses another's prompt. Also the extractive
answer's latency.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from minutebook.answer.answerer import answer_evidence
from minutebook.answer.chat import choose_format
from minutebook.answer.generate import MAX_TOKENS
from minutebook.answer.prompt import Evidence, build_prompt, evidence_grammar
from minutebook.config import load_settings
from minutebook.models.llm import N_CTX, REPEAT_PENALTY, open_generator, portable_model_params
from minutebook.types import Hit

REPO = Path(__file__).resolve().parent.parent

SENTENCES = [
    "Members raised concerns about the average caseloads held by social workers, some holding more than 30 cases.",
    "Officers stated that recruitment of agency staff would continue while permanent posts were advertised.",
    "The Committee noted the Ofsted monitoring visit and the improvement plan agreed with the Department for Education.",
    "The Head of Service reported that 154 formal escalations had been raised in the year, up from 94.",
]


def _evidence(n: int) -> Evidence:
    text = SENTENCES[n % len(SENTENCES)]
    hit = Hit(chunk_id=n, doc_id=n, score=0.8, path=f"/bench/{n}.txt", title=f"Paper {n}", council="Devon",
              committee="Children's Scrutiny Committee", date=f"202{n % 4}-07-29", doc_type="minutes", page=n,
              section=None, minute=f"{n}.1", start_char=0, end_char=len(text), text=text)
    return Evidence(n, hit, text, 0, len(text))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--prompt-tokens", type=int, default=700)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: one per CPU)")
    ap.add_argument("--index", type=Path, default=REPO / "bench" / "work" / "corpus-index",
                    help="index for the ask comparison (built from corpus/ when missing)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    settings = load_settings(llm_model=args.model)
    t0 = time.perf_counter()
    generator = open_generator(settings, n_threads=args.threads)  # in its own process, as `ask` runs it
    generator.load()
    load_s = time.perf_counter() - t0

    fmt = choose_format(generator.metadata)
    evidence = [_evidence(n) for n in range(1, 3)]
    prompt = build_prompt("what was said about caseloads?", evidence, fmt)
    while generator.count_tokens(prompt) < args.prompt_tokens:
        evidence.append(_evidence(len(evidence) + 1))
        prompt = build_prompt("what was said about caseloads?", evidence, fmt)
    prompt_tokens = generator.count_tokens(prompt)
    grammar = evidence_grammar(evidence, quote_only=not fmt.instruct)

    start = time.perf_counter()
    first: float | None = None
    pieces = 0
    for _piece in generator.stream(prompt, args.max_tokens, fmt.stop, grammar=grammar):
        if first is None:
            first = time.perf_counter()
        pieces += 1
    end = time.perf_counter()
    first = first or end
    # llama-cpp-python yields one piece per token (multi-byte characters aside).
    decode_s = end - first
    report = {
        "model": generator.model_id,
        "format": fmt.name,
        "threads": args.threads or os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "load_seconds": round(load_s, 3),
        "prompt_tokens": prompt_tokens,
        "time_to_first_token_seconds": round(first - start, 3),
        "prompt_tokens_per_second": round(prompt_tokens / (first - start), 1),
        "generated_tokens": pieces,
        "generation_tokens_per_second": round((pieces - 1) / decode_s, 1) if pieces > 1 and decode_s > 0 else None,
        "total_seconds": round(end - start, 3),
    }
    report["ask_vs_raw"] = ask_vs_raw(settings, generator, args.index, args.runs)
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


QUESTION = "what was said about caseloads?"


def _timed(tokens) -> dict[str, float]:
    """Time to first piece (from this call) and pieces per second after it, for an iterator of pieces."""
    start = time.perf_counter()
    first = last = None
    n = 0
    for _ in tokens:
        last = time.perf_counter()
        first = first or last
        n += 1
    if first is None:
        return {"ttft_s": float("nan"), "tokens": 0, "tokens_per_s": float("nan")}
    return {"ttft_s": first - start, "tokens": n,
            "tokens_per_s": (n - 1) / (last - first) if n > 1 and last > first else float("nan")}


def ask_vs_raw(settings, generator, index: Path, runs: int) -> dict[str, object]:
    """`ask --llm` (warm: model loaded, index open) against raw llama-cpp-python on its prompt."""
    import queue
    import threading

    from llama_cpp import Llama, LlamaGrammar

    from minutebook import CitedAnswerer, HybridSearcher, default_embedder, index_embedder, sync

    if not (index / "minutebook.sqlite").exists():
        sync(index, [REPO / "corpus"], default_embedder(settings))
    searcher = HybridSearcher(index, index_embedder(replace(settings, index=index)))
    answerer = CitedAnswerer(searcher, generator_factory=lambda: generator, top_k=8)
    hits = searcher.search(QUESTION, None, answerer.top_k).hits
    fmt = choose_format(generator.metadata)
    evidence = answer_evidence(QUESTION, hits)
    prompt = build_prompt(QUESTION, evidence, fmt)
    grammar = evidence_grammar(evidence, quote_only=not fmt.instruct)
    # llama-cpp-python's own defaults, in this process (with the same portable CPU kernels as minutebook).
    with portable_model_params():
        raw = Llama(model_path=str(generator.kwargs["path"]), n_ctx=N_CTX, verbose=False)

    def ask_pieces():
        # The answer is produced on another thread; its tokens are timed as `ask` streams them.
        pieces: queue.Queue = queue.Queue()
        done = object()

        def work() -> None:
            try:
                answerer.answer(QUESTION, llm=True, on_token=pieces.put)
            finally:
                pieces.put(done)

        threading.Thread(target=work, daemon=True).start()
        while (p := pieces.get()) is not done:
            yield p

    def raw_pieces(constrained: bool = False):
        extra = {"grammar": LlamaGrammar.from_string(grammar, verbose=False)} if constrained else {}
        for chunk in raw.create_completion(prompt, max_tokens=MAX_TOKENS, stop=list(fmt.stop), stream=True,
                                           temperature=0.0, top_k=1, repeat_penalty=REPEAT_PENALTY, **extra):
            if chunk["choices"][0]["text"]:
                yield chunk

    answerer.answer(QUESTION, llm=True)  # warm: search caches, model pages
    ask_runs, raw_runs, grammar_runs = [], [], []
    for _ in range(runs):
        generator.reset()
        ask_runs.append(_timed(ask_pieces()))
        raw.reset()
        raw_runs.append(_timed(raw_pieces()))
    raw.reset()
    grammar_runs.append(_timed(raw_pieces(constrained=True)))  # once: it is slow
    extractive = []
    for _ in range(max(5, runs)):
        t0 = time.perf_counter()
        answerer.answer(QUESTION)
        extractive.append(time.perf_counter() - t0)
    searcher.close()
    generator.close()

    def med(rs: list[dict], key: str) -> float:
        return round(statistics.median(r[key] for r in rs), 3)

    out = {
        "question": QUESTION,
        "prompt_tokens": generator.count_tokens(prompt),
        "runs": runs,
        "ask_ttft_s": med(ask_runs, "ttft_s"), "raw_ttft_s": med(raw_runs, "ttft_s"),
        "ask_tokens_per_s": med(ask_runs, "tokens_per_s"), "raw_tokens_per_s": med(raw_runs, "tokens_per_s"),
        "ask_tokens": [r["tokens"] for r in ask_runs], "raw_tokens": [r["tokens"] for r in raw_runs],
        "raw_grammar_ttft_s": med(grammar_runs, "ttft_s"), "raw_grammar_tokens_per_s": med(grammar_runs, "tokens_per_s"),
        "extractive_answer_ms_p50": round(statistics.median(extractive) * 1000, 1),
    }
    out["ttft_overhead"] = round(out["ask_ttft_s"] / out["raw_ttft_s"] - 1, 3)
    out["tokens_per_s_overhead"] = round(1 - out["ask_tokens_per_s"] / out["raw_tokens_per_s"], 3)
    return out


if __name__ == "__main__":
    sys.exit(main())
