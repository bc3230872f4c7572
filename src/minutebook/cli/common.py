"""Helpers shared by the command modules: settings from flags, safe text and JSON output, paths.

Text from papers and file names reaches the terminal only through ``field``/``body``/``echo``
(or ``marked`` for Rich output), which show control characters instead of obeying them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from minutebook.answer.cite import display_path as _display_path
from minutebook.config import Settings, load_settings
from minutebook.text.safe_text import json_safe, one_line, visible


def settings_from(args: argparse.Namespace, **extra: object) -> Settings:
    return load_settings(index=getattr(args, "index", None), **extra)


def display_path(path: str) -> str:
    """A path relative to the working folder when inside it, safe to print on one line."""
    return one_line(_display_path(path))


def field(text: object) -> str:
    """A value shown inside one line (a title, a committee, a reason): no control characters, no newlines."""
    return one_line(str(text))


def body(text: str) -> str:
    """Several lines of paper text: no control characters; newlines kept."""
    return visible(text)


def echo(line: str = "", *, err: bool = False) -> None:
    """Print a line of text output, control characters shown, not obeyed."""
    print(visible(line), file=sys.stderr if err else sys.stdout)


def marked(text: str, spans: Sequence[tuple[int, int]], style: str, *, prefix: str = "") -> Any:
    """A Rich ``Text`` of ``prefix + text`` with ``spans`` of ``text`` styled, control characters shown."""
    from rich.text import Text

    out = Text(prefix)
    cuts = sorted({0, len(text), *(p for s, e in spans for p in (max(0, s), min(len(text), e)))})
    for a, b in pairwise(cuts):
        inside = any(s <= a and b <= e for s, e in spans)
        out.append(visible(text[a:b]), style=style if inside else None)
    return out


def emit_json(value: Any) -> None:
    """One JSON document on stdout, UTF-8, keys in a stable order."""
    from minutebook.service.results import dumps

    sys.stdout.write(dumps(value))


def emit_json_line(value: Any) -> None:
    sys.stdout.write(json_safe(json.dumps(value, ensure_ascii=False)) + "\n")
    sys.stdout.flush()


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()
