"""`minutebook timeline QUERY`: a topic meeting by meeting, oldest first, with the figures stated."""

from __future__ import annotations

import argparse
from typing import Any

from minutebook.cli.common import body, emit_json, field, settings_from


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    from minutebook.cli.cmd_search import add_filter_arguments

    p = sub.add_parser(
        "timeline", parents=[common], help="how a topic moved from meeting to meeting",
        description="The passages about a topic, one entry per meeting in date order, with the figures "
                    "stated near it (numbers, units and their sentence) and a citation for each.",
    )
    p.add_argument("query", help="a topic, e.g. caseloads")
    add_filter_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from minutebook.cli.cmd_search import filters_from
    from minutebook.council import timeline
    from minutebook.search.hybrid import open_searcher
    from minutebook.service.results import TOPIC_TOP_K, timeline_json

    settings = settings_from(args)
    filters = filters_from(args)
    searcher = open_searcher(settings)
    try:
        if args.json:
            emit_json(timeline_json(searcher, args.query, filters, args.top_k))
            return 0
        result = timeline.build(searcher, args.query, filters, top_k=max(args.top_k or TOPIC_TOP_K, 10))
    finally:
        searcher.close()
    _render(result)
    return 0


def _render(t: Any) -> None:
    from dataclasses import replace

    from rich.console import Console
    from rich.text import Text

    from minutebook.answer.cite import format_date, meeting_label, trim_quote

    console = Console(highlight=False, soft_wrap=False)
    if not t.entries:
        console.print("Nothing in the indexed papers is about this. Try other words, or fewer filters.")
        return
    for e in t.entries:
        head = Text(format_date(e.date) or "undated", style="bold")
        head.append("  " + field(meeting_label(replace(e.hit, date=None))), style="bold")
        console.print(head)
        console.print(Text("    " + field(e.citation), style="cyan"))
        for tf in e.figures:
            f = tf.figure
            line = Text("    • ", style="green")
            line.append(field(f.phrase), style="bold green")
            line.append(f"  — {field(trim_quote(f.text, max_chars=200))}")
            console.print(line)
        if not e.figures:
            console.print(Text("    " + body(trim_quote(e.hit.text, max_chars=240))))
        console.print()
