"""The `minutebook` command: parses arguments, calls the library, renders results.

Exit codes (documented in the README):
  0  success
  1  some files failed to index; the rest are indexed (``index``), or a general error
  2  bad arguments or query
  3  no index, or an index that cannot be used (built with another model, damaged),
     or an index folder that cannot be written (read-only disk, permission denied)
  4  a model is missing or fails its checksum
  75 the index is being updated by another process (try again later)
  70 an internal error (a bug: please report it with the traceback)
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minutebook.errors import MinutebookError

# Command modules, each with `register(subparsers, common)` and `run(args) -> int`.
# They import nothing heavy at module level, so `minutebook --help` stays instant.
COMMANDS = ("index", "status", "inspect", "search", "ask", "decisions", "timeline", "models", "check", "tui",
            "serve", "mcp")

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_INTERNAL = 70


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", metavar="DIR", help="index folder (default: $MINUTEBOOK_INDEX, config, or ./index)")
    common.add_argument("--json", action="store_true", help="write machine-readable JSON to stdout")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minutebook",
        description="Search council committee papers and get cited answers, offline.",
        epilog="Run `minutebook COMMAND --help` for a command's options.",
    )
    from minutebook import __version__

    parser.add_argument("--version", action="version", version=f"minutebook {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _common()
    for name in COMMANDS:
        module = _command_module(name)
        if module is not None:
            module.register(sub, common)
    return parser


def _command_module(name: str):
    try:
        return importlib.import_module(f"minutebook.cli.cmd_{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"minutebook.cli.cmd_{name}":
            return None
        raise


def main(argv: Sequence[str] | None = None) -> int:
    from minutebook.errors import MinutebookError
    from minutebook.text.safe_text import one_line, visible

    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    def report(exc: MinutebookError) -> int:
        print(f"minutebook: {one_line(exc.message)}", file=sys.stderr)
        if exc.hint:
            print(f"  {visible(exc.hint)}", file=sys.stderr)
        return exc.exit_code

    try:
        return int(args.run(args))
    except MinutebookError as exc:
        return report(exc)
    except KeyboardInterrupt:
        print("minutebook: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`minutebook search ... | head`); that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        failure = _index_failure(args, exc)
        if failure is None:
            raise
        return report(failure)


def _index_failure(args: argparse.Namespace, exc: BaseException) -> MinutebookError | None:
    """The plain error for a damaged or unwritable index met anywhere in a command, or None."""
    from minutebook.cli.common import settings_from
    from minutebook.errors import MinutebookError
    from minutebook.index.sqlite.failures import index_failure

    try:
        folder = settings_from(args).index
    except MinutebookError:
        return None
    return None if isinstance(folder, str) else index_failure(folder, exc)


if __name__ == "__main__":
    sys.exit(main())
