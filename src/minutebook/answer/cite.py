"""How a passage is cited: the form people quote in debate, always naming whose paper it is.

    Norfolk — Ofsted inspection, 18 May 2026, para 34, p. 7
    Devon — Children's Scrutiny Committee, 29 Jul 2021, item 4.1, p. 2

Used by `ask`, `search`, `timeline`, briefings and the app, so a citation reads the same
everywhere. A paper's own reference marks ("[1]", a footnote) are shown as ``⁽¹⁾`` wherever
its text is quoted beside minutebook's citations, so only the markers minutebook adds look
like citations.
"""

from __future__ import annotations

import os
import re
from datetime import date

from minutebook.council.councils import display_name
from minutebook.types import Hit

_SPACE = re.compile(r"\s+")
# A paper's own bracketed reference: "[1]", "[2, 3]", "[4-6]".
_OWN_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]")
_SUPERSCRIPT = str.maketrans("0123456789,-–", "⁰¹²³⁴⁵⁶⁷⁸⁹˒⁻⁻")
_OFSTED_KIND = (
    (re.compile(r"(?i)\bmonitoring visit\b"), "Ofsted monitoring visit"),
    (re.compile(r"(?i)\bfocused visit\b"), "Ofsted focused visit"),
    (re.compile(r"(?i)\bjoint targeted area inspection\b"), "Ofsted joint targeted area inspection"),
)


def format_date(iso: str | None) -> str | None:
    """``"2021-07-29"`` -> ``"29 Jul 2021"``; anything unparseable is returned as given."""
    if not iso:
        return None
    try:
        return date.fromisoformat(iso[:10]).strftime("%-d %b %Y")
    except ValueError:
        return iso


def is_ofsted(hit: Hit) -> bool:
    """Whether the passage comes from an Ofsted report or letter."""
    return (hit.committee or "").lower() == "ofsted"


def source_label(hit: Hit) -> str:
    """What kind of paper, or which meeting: "Ofsted inspection", "Children's Scrutiny Committee"."""
    if is_ofsted(hit):
        for pattern, label in _OFSTED_KIND:
            if pattern.search(hit.title or ""):
                return label
        return "Ofsted inspection"
    return hit.committee or hit.title or "Untitled paper"


def meeting_label(hit: Hit) -> str:
    """Whose paper and which meeting: ``"Devon — Children's Scrutiny Committee, 29 Jul 2021"``.

    The council comes first so that a reader never has to open a passage to learn whose it is.
    """
    label = source_label(hit)
    council = display_name(hit.council)
    if council and council.lower() not in label.lower():
        label = f"{council} — {label}"
    when = format_date(hit.date)
    return f"{label}, {when}" if when else label


def format_citation(hit: Hit) -> str:
    """The full citation: council, meeting or report, date, item or paragraph, and page, where known."""
    parts = [meeting_label(hit)]
    if hit.minute:
        parts.append(f"{'para' if is_ofsted(hit) else 'item'} {hit.minute}")
    if hit.page is not None:
        parts.append(f"p. {hit.page}")
    return ", ".join(parts)


def own_markers(text: str) -> str:
    """``text`` with the paper's own "[1]" references shown as "⁽¹⁾", unlike minutebook's "[1]"."""
    return _OWN_MARKER.sub(lambda m: "⁽" + re.sub(r"\s+", "", m.group(1)).translate(_SUPERSCRIPT) + "⁾", text)


def trim_quote(text: str, start: int = 0, end: int | None = None, max_chars: int = 320) -> str:
    """``text`` with whitespace collapsed, cut to about ``max_chars`` around ``text[start:end]``.

    Cuts fall on word boundaries and are marked with an ellipsis. The paper's own reference
    marks are shown as superscripts (see ``own_markers``).
    """
    end = len(text) if end is None else end
    if len(text) <= max_chars:
        return own_markers(_SPACE.sub(" ", text).strip())
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
    body = own_markers(_SPACE.sub(" ", text[lo:hi]).strip())
    return ("… " if lo > 0 else "") + body + (" …" if hi < len(text) else "")


def display_path(path: str) -> str:
    """A path relative to the working folder when it lies inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
