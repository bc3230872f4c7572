"""`minutebook search QUERY`: ranked passages for people, or stable JSON for scripts."""

from __future__ import annotations

import argparse
import json
from typing import Any

from minutebook.cli.common import display_path, emit_json, emit_json_line, field, marked, settings_from
from minutebook.service.results import SNIPPET_WIDTH


def add_filter_arguments(p: argparse.ArgumentParser) -> None:
    """The filters shared by search, ask and the other query commands."""
    g = p.add_argument_group("filters (applied before ranking)")
    g.add_argument("--committee", help="committee or body, e.g. 'Children's Scrutiny' (substring, any case)")
    g.add_argument("--council", help="council, e.g. Devon or 'Devon County Council' (the same council; "
                                     "york is York, not North Yorkshire)")
    g.add_argument("--type", dest="doc_type", choices=("minutes", "agenda", "report", "letter", "other"))
    g.add_argument("--since", help="meetings on or after: 2021-07-29, 2021-07, 2021 or 'July 2021'")
    g.add_argument("--until", help="meetings on or before (same forms; a month or year means its end)")
    g.add_argument("--speaker", metavar="NAME",
                   help="what the minutes attribute to NAME or a title, e.g. Leadbetter, 'Cabinet Member'")
    g.add_argument("--role", choices=("member", "officer", "cabinet"),
                   help="what the minutes attribute to councillors, officers or the cabinet member")
    g.add_argument("--paper", metavar="ID|PATH",
                   help="only this paper: its doc_id from search results, its path, or its file name")
    g.add_argument("--where", action="append", metavar="NAME=VALUE",
                   help="papers whose manifest attribute passes, e.g. overall_effectiveness_grade=inadequate, "
                        "inspection_end_date>=2023-01 (also !=, <, <=, >); repeat to require each")
    g.add_argument("--top-k", "-k", type=top_k_argument, default=None, metavar="N",
                   help="how many passages, 1 or more (default 10)")


def top_k_argument(raw: str) -> int:
    """``--top-k``: the rule every ``top_k`` follows (minutebook.config.top_k_value)."""
    from minutebook.config import top_k_value
    from minutebook.errors import UsageError

    try:
        return top_k_value(raw, "--top-k")
    except UsageError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "search", parents=[common], help="find the passages that said it",
        description='Hybrid keyword and meaning search. Use "exact phrases" and -excluded words.',
    )
    p.add_argument("query", nargs="?", help='what to look for, e.g. caseloads "agency staff" -covid')
    p.add_argument("--queries", metavar="FILE.jsonl",
                   help="batch: one {\"id\", \"query\", filters...} per line; one JSON line out per query; "
                        "filters given here are defaults for every line")
    p.add_argument("--mode", choices=("hybrid", "keyword", "dense"), default="hybrid", help=argparse.SUPPRESS)
    add_filter_arguments(p)
    p.set_defaults(run=run)


def filters_from(args: argparse.Namespace) -> Any:
    from minutebook.search.query import make_filters

    return make_filters(args.committee, args.council, args.doc_type, args.since, args.until,
                        getattr(args, "speaker", None), getattr(args, "role", None), getattr(args, "paper", None),
                        getattr(args, "where", None))


def run(args: argparse.Namespace) -> int:
    from minutebook.errors import UsageError
    from minutebook.search.hybrid import Ranking, open_searcher
    from minutebook.service.results import search_json

    if bool(args.query) == bool(args.queries):
        raise UsageError("give a QUERY or --queries FILE.jsonl (one of them)",
                         'e.g. minutebook search "what was said about caseloads?"')
    settings = settings_from(args)
    filters = filters_from(args)
    top_k = args.top_k or settings.top_k
    if args.queries:
        return _batch(args, settings, top_k)
    searcher = open_searcher(settings, ranking=Ranking(mode=args.mode))
    try:
        if args.json:
            emit_json(search_json(searcher, args.query, filters, top_k))
        else:
            _render(searcher.search(args.query, filters, top_k), args.query)
    finally:
        searcher.close()
    return 0


def _batch(args: argparse.Namespace, settings: Any, top_k: int) -> int:
    """Answer every line of a JSONL file with one model load; bad lines get an error line.

    The rules for a line are in ``minutebook.cli.batch``: command-line filters are its defaults,
    unknown keys are errors.
    """
    from minutebook.cli.batch import parse_line, read_lines
    from minutebook.errors import MinutebookError
    from minutebook.search.hybrid import Ranking, open_searcher
    from minutebook.service.results import hit_json

    lines = read_lines(args.queries)
    if args.queries != "-":
        lines = iter(list(lines))  # a missing or undecodable file is refused before the model loads
    defaults = {"committee": args.committee, "council": args.council, "type": args.doc_type,
                "since": args.since, "until": args.until, "speaker": args.speaker, "role": args.role,
                "paper": args.paper, "where": args.where, "top_k": top_k}
    searcher = open_searcher(settings, ranking=Ranking(mode=args.mode))
    try:
        bad = 0
        for number, line in lines:
            try:
                item = parse_line(line, number, defaults)
                result = searcher.search(item.query, item.filters, item.top_k)
            except MinutebookError as exc:
                bad += 1
                emit_json_line({"id": _line_id(line, number), "error": f"{args.queries}:{number}: {exc}"})
                continue
            emit_json_line({"id": item.id, "weak": result.weak, "notice": result.notice,
                            "results": [hit_json(i, h, item.query) for i, h in enumerate(result.hits, 1)]})
    finally:
        searcher.close()
    return 2 if bad else 0


def _line_id(line: str, number: int) -> Any:
    """The ``id`` of a line that could not run, when it has one."""
    try:
        item = json.loads(line)
    except ValueError:
        return number
    return item.get("id", number) if isinstance(item, dict) else number


def _render(result: Any, query: str) -> None:
    from rich.console import Console
    from rich.text import Text

    from minutebook.answer.cite import format_citation
    from minutebook.ingest.attributes import describe
    from minutebook.search.highlight import snippet
    from minutebook.search.hybrid import highlights

    console = Console(highlight=False, soft_wrap=False)
    if not result.hits:
        console.print("No passages found. Try other words, or fewer filters.")
        return
    if result.notice:
        console.print(Text(result.notice, style="yellow"))
    if result.weak:
        console.print(Text("Nothing in the indexed papers answers this well. The closest passages:", style="yellow"))
    for rank, hit in enumerate(result.hits, start=1):
        head = Text(f"{rank:>2}. ", style="bold")
        head.append(field(hit.title), style="bold")
        head.append(f"  [{hit.score:.2f}]", style="dim")
        console.print(head)
        cite = Text("    " + field(format_citation(hit)), style="cyan")
        if hit.ocr:
            cite.append("  [OCR]", style="yellow")  # read from a scanned page: may hold recognition errors
        console.print(cite)
        if hit.attributes:
            console.print(Text("    " + field(describe(hit.attributes, brief=True)), style="dim cyan"))
        snip, spans = snippet(hit.text, highlights(hit, query), SNIPPET_WIDTH)
        console.print(marked(snip, spans, "bold reverse", prefix="    "))
        console.print(Text(f"    {display_path(hit.path)}:{hit.start_char}-{hit.end_char}", style="dim"))
