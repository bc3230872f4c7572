"""`minutebook models`: every model minutebook uses, where it lives, its size, sha256 and licence.

`minutebook models check [PATH.gguf]`: the answer benchmark on a model (the configured one by
default): supported-sentence rate, fallbacks, refusals, first-token time and tokens/s.
"""

from __future__ import annotations

import argparse
from typing import Any

from minutebook.cli.common import echo, emit_json, settings_from


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("models", parents=[common], help="the embedding and language models: paths, sizes, checksums")
    p.add_argument("--model", metavar="PATH", help="report on this GGUF instead of the configured one")
    p.set_defaults(run=run)
    checks = p.add_subparsers(dest="models_action", metavar="check")
    c = checks.add_parser(
        "check", parents=[common], help="run the answer benchmark on a language model",
        description="Answer the benchmark questions with a language model (PATH.gguf, or the configured one) "
                    "through search, evidence, the model's summary and the checker, and report the share of "
                    "its sentences the papers support, fallbacks, refusals, first-token time and tokens/s. "
                    "Run it on an index holding the papers the questions are about (see models.md).")
    c.add_argument("path", nargs="?", metavar="PATH.gguf", help="the model to check (default: the configured one)")
    c.add_argument("--questions", metavar="FILE", help='JSON lines of {"question": …, "answerable": true|false}')
    c.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: one per CPU)")
    c.set_defaults(run=run_check)


def run(args: argparse.Namespace) -> int:
    from minutebook.models.registry import model_reports

    reports = model_reports(settings_from(args, llm_model=args.model))
    if args.json:
        emit_json({"models": reports})
        return 0
    for i, r in enumerate(reports):
        if i:
            echo()
        echo(f"{r['role']:<10} {r['name']}")
        echo(f"  source   {r['source']}")
        echo(f"  path     {r['path']}")
        echo(f"  size     {_size(r['size_bytes'])}")
        echo(f"  sha256   {r['sha256'] or r['expected_sha256'] or 'unknown'}")
        echo(f"  licence  {r['licence']}")
        echo(f"  status   {r['status']}")
    return 0


def _size(n: object) -> str:
    return f"{n / 1e6:.1f} MB ({n} bytes)" if isinstance(n, int) else "—"


def run_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from minutebook.answer.model_check import QUESTIONS, load_questions, run_check
    from minutebook.models.llm import open_generator
    from minutebook.service.archive import Archive

    settings = settings_from(args)
    questions = load_questions(Path(args.questions)) if args.questions else QUESTIONS
    generator = open_generator(settings, Path(args.path) if args.path else None, n_threads=args.threads)
    try:
        with Archive(settings) as archive:
            if not args.json:
                echo(f"Checking {generator.model_id} on {len(questions)} questions …")

            def progress(r: Any) -> None:
                if not args.json:
                    first = f"{r.first_token_s:.2f} s" if r.first_token_s is not None else "—"
                    echo(f"  {r.id:<5} {r.outcome:<18} {r.supported}/{r.written} supported  first token {first}")

            report = run_check(archive.searcher, generator, questions, on_result=progress)
    finally:
        generator.close()
    if args.json:
        emit_json(report)
        return 0
    s, long = report["summary"], report["long_prompt"]
    rate = f"{s['supported_rate']:.0%}" if s["supported_rate"] is not None else "—"
    echo()
    echo(f"model                      {report['model']}")
    echo(f"sentences supported        {s['sentences_supported']} of {s['sentences_written']} ({rate})")
    echo(f"answers with a supported   {s['answers_with_supported_sentence']} of {s['model_asked']} asked")
    echo(f"quoted fallbacks           {s['fallbacks_nothing_supported']} nothing supported, "
         f"{s['fallbacks_model_stopped']} model stopped")
    echo(f"refused, though answerable {s['refused_answerable']} of {s['answerable']}")
    echo(f"summary / evidence length  {s['summary_to_evidence_chars']:.0%}")
    echo(f"first token (answers)      median {_secs(s['first_token_s_median'])}, max {_secs(s['first_token_s_max'])}")
    echo(f"first token (~1,000-token prompt) {_secs(long.get('first_token_s'))} "
         f"for {long.get('prompt_tokens', '—')} tokens")
    echo(f"tokens/s                   {s['tokens_per_s_median'] or '—'}")
    return 0


def _secs(value: object) -> str:
    return f"{value:.2f} s" if isinstance(value, (int, float)) else "—"
