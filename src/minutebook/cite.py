"""How a passage is cited: the form people quote in debate.

    Children's Scrutiny Committee, 29 Jul 2021, item 4.1, p. 2

Used by `ask`, `search` and the TUI, so a citation reads the same everywhere.
"""

from __future__ import annotations

import os
import re
from datetime import date

from minutebook.types import Hit

_SPACE = re.compile(r"\s+")


def format_date(iso: str | None) -> str | None:
    """``"2021-07-29"`` -> ``"29 Jul 2021"``; anything unparseable is returned as given."""
    if not iso:
        return None
    try:
        return date.fromisoformat(iso[:10]).strftime("%-d %b %Y")
    except ValueError:
        return iso


def meeting_label(hit: Hit) -> str:
    """The meeting a passage comes from: ``"Children's Scrutiny Committee, 29 Jul 2021"``.

    Falls back to the paper's title when the committee is unknown.
    """
    parts = [hit.committee or hit.title or "Untitled paper"]
    when = format_date(hit.date)
    if when:
        parts.append(when)
    return ", ".join(parts)


def format_citation(hit: Hit) -> str:
    """The full citation: meeting, date, item (minute number) and page, where known."""
    parts = [meeting_label(hit)]
    if hit.minute:
        parts.append(f"item {hit.minute}")
    if hit.page is not None:
        parts.append(f"p. {hit.page}")
    return ", ".join(parts)


def trim_quote(text: str, start: int = 0, end: int | None = None, max_chars: int = 320) -> str:
    """``text`` with whitespace collapsed, cut to about ``max_chars`` around ``text[start:end]``.

    Cuts fall on word boundaries and are marked with an ellipsis.
    """
    end = len(text) if end is None else end
    if len(text) <= max_chars:
        return _SPACE.sub(" ", text).strip()
    focus = end - start
    spare = max(max_chars - focus, 0)
    lo = max(start - spare // 3, 0)
    hi = min(lo + max(max_chars, focus), len(text))
    lo = max(min(lo, hi - max_chars), 0)
    if lo > 0:
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < start else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space > end else hi
    body = _SPACE.sub(" ", text[lo:hi]).strip()
    return ("… " if lo > 0 else "") + body + (" …" if hi < len(text) else "")


def display_path(path: str) -> str:
    """A path relative to the working folder when it lies inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
