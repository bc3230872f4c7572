"""`minutebook decisions [QUERY]`: resolutions, recommendations and actions, with citations."""

from __future__ import annotations

import argparse
from typing import Any

from minutebook.cli.common import body, display_path, emit_json, field, settings_from


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    from minutebook.cli.cmd_search import add_filter_arguments

    p = sub.add_parser(
        "decisions", parents=[common], help="what was resolved, recommended and promised",
        description="List the resolutions, recommendations and actions in the indexed papers, each with "
                    "who it falls to and a citation. A QUERY narrows them to a topic, ranked by relevance; "
                    "--speaker and --role keep those raised by or falling to that person.",
    )
    p.add_argument("query", nargs="?", help="a topic, e.g. caseloads (default: every decision, oldest first)")
    p.add_argument("--kind", action="append", choices=("resolution", "recommendation", "action"),
                   help="only this kind (repeat for several)")
    add_filter_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from minutebook.cli.cmd_search import filters_from
    from minutebook.service.archive import Archive
    from minutebook.service.results import decisions_json, find_decisions

    settings = settings_from(args)
    filters = filters_from(args)
    kinds = tuple(args.kind or ())
    with Archive(settings) as archive:
        if args.json:
            emit_json(decisions_json(archive, args.query, filters, kinds, args.top_k))
            return 0
        found = find_decisions(archive, args.query, filters, kinds, args.top_k)
    _render(found)
    return 0


def _render(found: list[Any]) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=False)
    if not found:
        console.print("No decisions found. Try another topic, or fewer filters.")
        return
    for i, d in enumerate(found, start=1):
        head = Text(f"{i:>2}. ", style="bold")
        head.append(field(d.kind.upper()), style="bold magenta")
        if d.owners:
            head.append("  falls to: " + field("; ".join(_who(p) for p in d.owners)), style="green")
        if d.raised_by:
            head.append("  raised by: " + field("; ".join(_who(p) for p in d.raised_by)), style="dim")
        console.print(head)
        console.print(Text("    " + field(d.citation), style="cyan"))
        console.print(Text("    " + body(d.text)))
        console.print(Text(f"    {display_path(d.hit.path)}:{d.start_char}-{d.end_char}", style="dim"))


def _who(p: Any) -> str:
    if p.name and p.position:
        return f"{p.name} ({p.position})"
    return p.name or p.position or "?"
