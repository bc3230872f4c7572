"""`minutebook search --queries FILE.jsonl`: the rules for a batch of queries.

Each line is a JSON object: ``query`` (required), ``id``, and the filters ``committee``,
``council``, ``type``, ``since``, ``until``, ``speaker``, ``role``, ``paper`` (a doc_id or a path),
``where`` (``"NAME=VALUE"`` or a list of them, tests on paper attributes) and ``top_k``. Filters given on
the command line are defaults for every line; a key in a line overrides them for that line
(``null`` clears one). A key not in this list is an error for that line, not ignored.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minutebook.config import top_k_value
from minutebook.errors import QueryError, UsageError
from minutebook.types import Filters

FILTER_KEYS = ("committee", "council", "type", "since", "until", "speaker", "role", "paper", "where", "top_k")
KEYS = ("id", "query", *FILTER_KEYS)


@dataclass(frozen=True, slots=True)
class BatchQuery:
    """One line of a batch, checked: what to search for, with which filters and how many passages."""

    id: Any
    query: str
    filters: Filters
    top_k: int


def read_lines(path: str) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of each non-blank line of ``path`` (``-``: standard input).

    A file that is missing, a folder, unreadable or not UTF-8 is a UsageError naming it,
    raised before any line is given when it is a file.
    """
    if path == "-":
        yield from _decoded(enumerate(sys.stdin.buffer, start=1), "standard input")
        return
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"--queries {path}: no such file (give a JSONL file of queries, or - for stdin)") from None
    except IsADirectoryError:
        raise UsageError(f"--queries {path}: is a folder, not a file (give a JSONL file of queries)") from None
    except OSError as exc:
        raise UsageError(f"--queries {path}: cannot read the file ({exc.strerror})") from None
    lines = list(_decoded(enumerate(data.splitlines(keepends=True), start=1), path))
    yield from lines


def _decoded(numbered: Any, name: str) -> Iterator[tuple[int, str]]:
    for number, raw in numbered:
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"--queries {name}, line {number}: not UTF-8 text (byte {exc.start + 1} of the line; "
                             "save the file as UTF-8)") from None
        if text.strip():
            yield number, text


def parse_line(text: str, number: int, defaults: dict[str, Any]) -> BatchQuery:
    """A batch line as a query; raises QueryError (naming the problem) for a line that cannot run."""
    from minutebook.search.query import make_filters

    try:
        item = json.loads(text)
    except json.JSONDecodeError as exc:
        raise QueryError(f"not a JSON object ({exc.msg})") from None
    if not isinstance(item, dict):
        raise QueryError('each line must be a JSON object with a "query" string')
    unknown = [k for k in item if k not in KEYS]
    if unknown:
        key = unknown[0]
        close = difflib.get_close_matches(key, KEYS, n=1)
        raise QueryError(f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""),
                         f"Known keys: {', '.join(KEYS)}.")
    query = item.get("query")
    if not isinstance(query, str) or not query.strip():
        raise QueryError('each line needs a "query" string')
    values = {**defaults, **{k: item[k] for k in FILTER_KEYS if k in item}}
    where = values.get("where")
    if where is not None and not (isinstance(where, str) or (
            isinstance(where, list) and all(isinstance(w, str) for w in where))):
        raise QueryError(f"'where' must be a string or a list of strings, not {where!r}")
    for key in FILTER_KEYS[:-1]:
        if key == "where":
            continue
        if values.get(key) is not None and not isinstance(values[key], str) \
                and not (key == "paper" and isinstance(values[key], int) and not isinstance(values[key], bool)):
            raise QueryError(f"{key!r} must be a string, not {values[key]!r}")
    top_k = values.get("top_k")
    filters = make_filters(values.get("committee"), values.get("council"), values.get("type"),
                           values.get("since"), values.get("until"), values.get("speaker"), values.get("role"),
                           values.get("paper"), where)
    return BatchQuery(item.get("id", number), query,
                      filters, top_k_value(top_k, "top_k") if top_k is not None else defaults["top_k"])
