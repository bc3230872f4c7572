"""`minutebook serve`: the search, ask, decisions, timeline and status JSON over HTTP."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from typing import Any

from minutebook.cli.common import settings_from

DEFAULT_PORT = 8741


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve", help="an HTTP/JSON API on the index (127.0.0.1 by default)",
        description="Serve the index read-only over HTTP: /search, /ask, /decisions, /timeline, /status and "
                    "/passages/ID return exactly what the commands write with --json. Parameters are the "
                    "commands' options by name, in the query string or as a JSON body. There is no login: "
                    "to serve an intranet, put it behind the council's authenticating proxy.",
    )
    p.add_argument("--index", metavar="DIR", help="index folder (default: $MINUTEBOOK_INDEX, config, or ./index)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--readers", type=int, default=4, help="requests answered at once (default 4)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds a request may take (default 30)")
    p.add_argument("--llm-timeout", type=float, default=300.0,
                   help="seconds an answer written by the local model may take (default 300)")
    p.add_argument("--max-top-k", type=int, default=100, help="largest top_k a request may ask for (default 100)")
    p.add_argument("--llm", action=argparse.BooleanOptionalAction, default=None,
                   help="answer /ask with the local language model unless a request says llm=false")
    p.add_argument("--access-log", action="store_true",
                   help="log every request line to stderr (off: queries stay private)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from minutebook.errors import UsageError
    from minutebook.server import require

    require("starlette", "uvicorn")
    from minutebook.server.http import serve
    from minutebook.server.pool import ArchivePool
    from minutebook.server.requests import Limits

    if args.readers < 1 or args.timeout <= 0 or args.llm_timeout <= 0 or args.max_top_k < 1:
        raise UsageError("--readers, --timeout, --llm-timeout and --max-top-k must be positive")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0 to 65535)")
    settings = settings_from(args, llm=args.llm)
    limits = Limits(max_top_k=args.max_top_k, timeout=args.timeout, llm_timeout=args.llm_timeout)
    pool = ArchivePool(settings, args.readers)
    pool.warm()

    def announce(host: str, port: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        print(f"minutebook: serving {settings.index} on http://{shown}:{port}/ (Ctrl-C stops)", file=sys.stderr)
        if not _loopback(args.host):
            print("minutebook: there is no login: anyone who can reach this address can read the index. "
                  "Serve it behind the council's authenticating proxy.", file=sys.stderr)
        sys.stderr.flush()

    try:
        serve(pool, host=args.host, port=args.port, limits=limits, access_log=args.access_log, announce=announce)
    finally:
        pool.close()
    return 0


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
