"""`minutebook ask QUESTION`: a cited answer, quoted from the papers or written by the local model."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from minutebook.cli.common import body, emit_json, settings_from


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    from minutebook.cli.cmd_search import add_filter_arguments

    p = sub.add_parser(
        "ask", parents=[common], help="a cited answer from the papers",
        description="Answer a question from the indexed papers. By default the answer quotes the "
                    "sentences that say it; --llm has the local model write one. Every sentence cites "
                    "its source [n] and is checked against it.",
    )
    p.add_argument("question", help="e.g. 'what was said about caseloads?'")
    p.add_argument("--llm", action=argparse.BooleanOptionalAction, default=None,
                   help="write the answer with the local language model (default: quote the papers)")
    p.add_argument("--model", metavar="PATH", help="a GGUF model file to use instead of the bundled Gemma")
    add_filter_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from minutebook.cli.cmd_search import filters_from
    from minutebook.errors import UsageError, require_extra
    from minutebook.service.archive import Archive
    from minutebook.service.results import ASK_TOP_K, ask_json

    settings = settings_from(args, llm_model=args.model, llm=args.llm)
    if settings.llm:
        require_extra("llm", "llama_cpp")  # before searching: say at once what is missing
    filters = filters_from(args)
    top_k = args.top_k or ASK_TOP_K
    if top_k < 1:
        raise UsageError("--top-k must be at least 1")
    streamed: list[str] = []

    def on_token(piece: str) -> None:
        streamed.append(piece)
        sys.stdout.write(body(piece))
        sys.stdout.flush()

    with Archive(settings, answer_top_k=top_k) as archive:
        if args.json:
            emit_json(ask_json(archive, args.question, filters, llm=settings.llm))
            return 0
        answer = archive.answerer.answer(args.question, filters, llm=settings.llm, on_token=on_token)
    _render(answer, "".join(streamed))
    return 0


def _render(answer: Any, streamed: str) -> None:
    from minutebook.answer import sources_lines, unsupported_lines

    out: list[str] = []
    if answer.notice:
        # Whatever the model streamed before it stopped is not the answer: say so, then quote.
        out.extend(["", ""] if streamed else [])
        out.extend([f"minutebook: {answer.notice}.", "", answer.text])
    elif streamed:
        # The answer is already on screen, token by token.
        out.append("")
        if answer.text.strip() != streamed.strip():
            print("minutebook: stopped the model because it began repeating itself", file=sys.stderr)
    else:
        out.append(answer.text)
    if answer.mode == "generated":
        total = len(answer.sentences)
        good = sum(1 for s in answer.sentences if s.supported)
        out.append("")
        out.append(f"Checked against the sources: {good} of {total} sentences supported.")
    flagged = unsupported_lines(answer)
    if flagged:
        out.extend(flagged)
    sources = sources_lines(answer, all_sources=answer.mode == "not_covered")
    if sources:
        out.append("")
        out.append("Closest passages" if answer.mode == "not_covered" else "Sources")
        out.extend(sources)
    if answer.model:
        out.append("")
        out.append(f"Written by {answer.model}; check it against the sources.")
    print(body("\n".join(out)))
