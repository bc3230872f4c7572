"""`minutebook tui`: the terminal app — search, read, ask and brief from one screen."""

from __future__ import annotations

import argparse
from typing import Any

from minutebook.cli.common import settings_from


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("tui", parents=[common], help="the terminal app: search, read, ask and export briefings",
                       description="Open the keyboard-driven terminal app on the index. F1 lists every key.")
    p.add_argument("--llm", action=argparse.BooleanOptionalAction, default=None,
                   help="start with answers written by the local language model (F3 switches)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from minutebook.errors import UsageError, require_extra

    require_extra("tui", "textual")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "the app needs a terminal: standard input or output is not one (a pipe, a file or a script). "
            "Run `minutebook tui` in a terminal, or use `minutebook search` / `minutebook ask` from scripts"
        )
    from minutebook_tui.app import make_app

    app = make_app(settings_from(args, llm=args.llm))
    app.run()
    return 0
