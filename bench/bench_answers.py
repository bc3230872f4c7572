"""Answer benchmark: cited summaries by the local model over corpus/ and eight Ofsted reports, as JSON.

    .venv/bin/python bench/bench_answers.py [--model PATH.gguf ...] [--no-bundled] [--threads N]
                                            [--index DIR] [--papers DIR]

The 31 built-in questions of ``minutebook.answer.model_check`` (general, with numbers, naming a
council, unanswerable) go through minutebook's own search, evidence, grammar-constrained
summary and checker, for the bundled model and every ``--model``; see that module for what is
counted. The index holds corpus/ and the latest inspection report of eight councils, copied
from ../shared/corpus/ofsted-ilacs into bench/work/answer-papers (never committed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OFSTED = REPO.parent / "shared" / "corpus" / "ofsted-ilacs"
REPORTS = (
    ("80418_norfolk", "children's services inspection - 18 may 2026.pdf"),
    ("80583_wolverhampton", "children's services inspection - 18 june 2026.pdf"),
    ("80480_lancashire", "children's services inspection - 20 august 2026.pdf"),
    ("80573_trafford", "children's services inspection - 03 august 2026.pdf"),
    ("80584_worcestershire", "children's services inspection - 14 july 2023.pdf"),
    ("2532283_dorset", "children's services inspection - 09 may 2025.pdf"),
    ("80581_wirral", "children's services inspection - 02 february 2024.pdf"),
    ("2637539_north northamptonshire", "children's services inspection - 07 july 2026.pdf"),
)


def build_index(index: Path, papers: Path) -> None:
    from minutebook.config import load_settings
    from minutebook.models.registry import default_embedder
    from minutebook.pipeline.syncer import sync

    for folder, name in REPORTS:
        target = papers / folder / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(OFSTED / folder / name, target)
    sync(index, [REPO / "corpus", papers], default_embedder(load_settings()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", type=Path, action="append", default=[], help="a GGUF to benchmark (repeatable)")
    ap.add_argument("--no-bundled", action="store_true", help="skip the bundled model")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--index", type=Path, default=REPO / "bench" / "work" / "answer-index")
    ap.add_argument("--papers", type=Path, default=REPO / "bench" / "work" / "answer-papers")
    args = ap.parse_args()

    from minutebook.answer.model_check import run_check
    from minutebook.config import load_settings
    from minutebook.models.llm import open_generator
    from minutebook.models.registry import index_embedder
    from minutebook.search.hybrid import HybridSearcher

    build_index(args.index, args.papers)
    settings = load_settings(index=args.index)
    searcher = HybridSearcher(args.index, index_embedder(replace(settings, index=args.index)))
    models: list[Path | None] = ([] if args.no_bundled else [None]) + list(args.model)
    report: dict[str, object] = {"cpu_count": os.cpu_count(), "threads": args.threads or os.cpu_count(), "models": []}
    for model in models:
        generator = open_generator(settings, model, n_threads=args.threads)
        t0 = time.perf_counter()
        generator.load()
        load_s = time.perf_counter() - t0
        size = os.path.getsize(generator.kwargs["path"])
        result = run_check(searcher, generator,
                           on_result=lambda r: print(f"{r.id} {r.outcome} {r.supported}/{r.written}", file=sys.stderr))
        result["load_seconds"] = round(load_s, 2)
        result["file_bytes"] = size
        result["format"] = _format_name(generator)
        generator.close()
        report["models"].append(result)  # type: ignore[attr-defined]
        # Each model's figures are kept as soon as they are measured.
        args.index.parent.joinpath("answers-partial.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    searcher.close()
    report["markdown"] = markdown(report)
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def markdown(report: dict) -> str:
    """One row per model: the benchmark's figures."""
    rows = ["| model | format | size | sentences / supported | supported rate | answers with ≥ 1 supported | "
            "quoted fallbacks | refused (answerable) | summary / evidence chars | first token median (max) | "
            "first token, ~1,000-token prompt | tokens/s |",
            "|" + "---|" * 12]
    for m in report["models"]:
        s, long = m["summary"], m["long_prompt"]
        rate = f"{s['supported_rate']:.0%}" if s["supported_rate"] is not None else "—"
        rows.append(
            f"| {m['model'].split(' sha256')[0]} | {m['format']} | {m['file_bytes'] / 1e6:.0f} MB "
            f"| {s['sentences_written']} / {s['sentences_supported']} | {rate} "
            f"| {s['answers_with_supported_sentence']} of {s['model_asked']} asked "
            f"| {s['fallbacks_nothing_supported'] + s['fallbacks_model_stopped']} "
            f"| {s['refused_answerable']} of {s['answerable']} | {s['summary_to_evidence_chars']:.0%} "
            f"| {s['first_token_s_median']} s ({s['first_token_s_max']} s) "
            f"| {long.get('first_token_s')} s ({long.get('prompt_tokens')} tokens) | {s['tokens_per_s_median']} |")
    return "\n".join(rows)


def _format_name(generator) -> str:  # type: ignore[no-untyped-def]
    from minutebook.answer.chat import choose_format

    return choose_format(generator.metadata).name


if __name__ == "__main__":
    sys.exit(main())
