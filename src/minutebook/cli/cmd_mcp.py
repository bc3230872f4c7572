"""`minutebook mcp`: a Model Context Protocol server on stdio, for a council's AI assistant."""

from __future__ import annotations

import argparse
from typing import Any

from minutebook.cli.common import settings_from


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "mcp", help="a Model Context Protocol server (stdio) with read-only tools",
        description="Serve the index to an AI assistant over MCP on stdin/stdout. Tools: search, ask, "
                    "decisions, timeline, fetch_passage and status, each returning the JSON the matching "
                    "command writes, with citations. Configure the assistant to run `minutebook mcp --index DIR`.",
    )
    p.add_argument("--index", metavar="DIR", help="index folder (default: $MINUTEBOOK_INDEX, config, or ./index)")
    p.add_argument("--readers", type=int, default=2, help="tool calls answered at once (default 2)")
    p.add_argument("--llm", action=argparse.BooleanOptionalAction, default=None,
                   help="answer `ask` with the local language model unless a call says llm=false")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from minutebook.errors import UsageError
    from minutebook.server import require

    require("mcp")
    from minutebook.server.mcp_server import serve_stdio
    from minutebook.server.pool import ArchivePool

    if args.readers < 1:
        raise UsageError("--readers must be at least 1")
    pool = ArchivePool(settings_from(args, llm=args.llm), args.readers)
    try:
        serve_stdio(pool)
    finally:
        pool.close()
    return 0
