"""Recognising text that is on the paper but not about anything: page furniture and visitor notes.

Passages marked as boilerplate stay in the index (every character of a paper belongs to some
passage) but search can rank them down or hide them. Two kinds are recognised:

* **Visitor notes** in agenda packs (fire alarms, WiFi, webcasting, alternative formats...),
  known by the heading they sit under or by stock sentences.
* **Page furniture**: running headers and footers repeated across pages, and bare page numbers.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence

# Headings of the standard notes printed at the back or front of agenda packs. Matched against
# the whole cleaned heading, so "Fire" matches but "Fire and Rescue Service budget" does not.
_VISITOR_HEADING = re.compile(
    r"""^(?:
        fire | fire\ alarms? | fire\ (?:evacuation|safety|procedures?) | in\ the\ event\ of\ (?:a\ )?fire
      | emergenc(?:y|ies) | emergency\ (?:evacuation|procedures?) | evacuation(?:\ procedures?)?
      | wi-?fi | wireless(?:\ internet)?(?:\ access)? | free\ wi-?fi
      | mobile\ (?:phones?|devices) | mobile\ phones?\ and\ other\ devices
      | public\ access | access\ to\ (?:the\ building|county\ hall|the\ meeting) | accessibility
      | access\ to\ information
      | recording | webcasting | filming | filming\ and\ recording | recording\ of\ meetings
      | (?:webcasting|filming|recording)\b.*(?:meetings?|proceedings)
      | .*induction\ loop.* | hearing\ loop.*
      | alternative\ formats? | first\ aid | toilets | refreshments | smoking | no\ smoking | parking
      | getting\ to\ .* | directions(?:\ to\ .*)?
      | .*notes\ for\ visitors.* | information\ for\ (?:visitors|the\ public) | meetings?\ information.*
      | membership\ of\ a\ committee | committee\ terms\ of\ reference
      | declarations\ of\ interest\ for\ members\ of\ the\ council
      | public\ participation\ scheme
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# Stock sentences that are boilerplate wherever they appear.
_STOCK_TEXT = re.compile(
    r"""
      ^you\ can\ view\ the\ agenda\ on\ the\b
    | ^date\ of\ issue\s*:
    | members\ are\ reminded\ that\ part\ (?:ii|2)\ reports?\ contains?\ exempt\ information
    | in\ the\ event\ of\ (?:a|the)\ fire\ alarm
    | please\ (?:switch\ off|ensure\ that)\ (?:all\ )?mobile\ (?:phones|devices)
    | ^an\ open,?\ publicly\ available\ wi-?fi
    | the\ proceedings\ of\ (?:any|this)\ meeting\ may\ be\ (?:recorded|filmed|broadcast)
    | this\ meeting\ (?:may|will)\ be\ (?:filmed|recorded|webcast|broadcast|live\ streamed)
    | ^induction\ loop\ (?:available|system)
    """,
    re.IGNORECASE | re.VERBOSE,
)

_PAGE_NUMBER = re.compile(
    r"""^(?:
        (?:page|p\.|pg\.?)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?
      | \d{1,4}\s*(?:of|/)\s*\d{1,4}
      | [-–—]\s*\d{1,4}\s*[-–—]
      | \d{1,4}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

_MARKUP = re.compile(r"^[#*_\s]+|[*_\s]+$")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")

# How many lines at the top and at the bottom of a page may be running headers or footers.
EDGE_LINES = 3
MAX_RUNNING_WORDS = 16


def _clean(text: str) -> str:
    return _SPACE.sub(" ", _MARKUP.sub("", text)).strip()


def is_page_number(line: str) -> bool:
    """True for a line that is only a page number: "Page 3", "3 of 12", "- 3 -", "3"."""
    return bool(_PAGE_NUMBER.match(_clean(line)))


@functools.lru_cache(maxsize=4096)
def is_boilerplate_heading(heading: str | None) -> bool:
    """True when a heading introduces visitor notes ("Fire", "WiFi", "Notes for Visitors"...)."""
    if not heading:
        return False
    return _visitor_heading(_clean(heading))


def _visitor_heading(cleaned: str) -> bool:
    return bool(_VISITOR_HEADING.match(cleaned.rstrip(":").strip()))


def is_boilerplate(text: str, section: str | None) -> bool:
    """True for a passage that carries no substance: visitor notes, page numbers, issue dates.

    ``section`` is the heading the text sits under; notes under "Fire", "Mobile Phones" and the
    like are boilerplate whatever they say.
    """
    cleaned = _clean(text)
    if not cleaned:
        return False
    # ``cleaned`` is already clean (cleaning twice changes nothing), so it is not cleaned again.
    if is_boilerplate_heading(section) or _visitor_heading(cleaned):
        return True
    if _PAGE_NUMBER.match(cleaned):
        return True
    return bool(_STOCK_TEXT.search(cleaned))


def line_key(line: str) -> str:
    """A line reduced so that a running header matches itself on every page ("Page 3" ~ "Page 4")."""
    return _DIGITS.sub("#", _clean(line).lower())


def furniture_lines(pages: Sequence[Sequence[str]]) -> list[set[int]]:
    """Which lines of each page are running headers, footers or page numbers.

    ``pages`` holds each page's non-blank lines, top to bottom. Returns, for each page, the
    indices of its furniture lines. A line counts as a running header or footer when it sits
    among the first or last ``EDGE_LINES`` lines of its page and the same line (numbers
    ignored) is there on at least three pages and at least half of them. A bare page number
    at the very top or bottom of a page counts too.
    """
    edges = [_edge_indices(len(lines)) for lines in pages]
    seen: Counter[str] = Counter()
    for lines, idx in zip(pages, edges, strict=True):
        seen.update({line_key(lines[i]) for i in idx})
    needed = max(3, (len(pages) + 1) // 2)
    running = set()
    if len(pages) >= 3:
        # Headers and footers are short; a long line that recurs is more likely repeated prose.
        running = {k for k, n in seen.items() if n >= needed and k.strip("# ") and len(k.split()) <= MAX_RUNNING_WORDS}
    result: list[set[int]] = []
    for lines, idx in zip(pages, edges, strict=True):
        marked = {i for i in idx if line_key(lines[i]) in running}
        if len(pages) >= 2 and lines:
            # Only the outermost lines: a lone number deeper in is more likely a table cell.
            for i in {0, len(lines) - 1}:
                if is_page_number(lines[i]):
                    marked.add(i)
        result.append(marked)
    return result


def _edge_indices(n: int) -> list[int]:
    return sorted(set(range(min(EDGE_LINES, n))) | set(range(max(0, n - EDGE_LINES), n)))
