"""Dates as councils write them, and which of a paper's dates is its meeting's.

"Wednesday, 6th April, 2022", "Friday, 27 January 2017", "29 July 2021", "July 29, 2021",
"2021-07-29" and "29/07/2021" (day first) are all read. The meeting date is the one beside the
committee's heading or a "meeting of/held on" phrase, preferably with its weekday, and not a
"Date of Issue", a "Date:" dispatch line or the date of a previous meeting.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun"
DATE_RE = re.compile(
    rf"(?:\b(?P<wd>{_WEEKDAY})\.?,?\s+)?(?:the\s+)?\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+"
    rf"(?P<m>{_MONTH})\.?,?\s+(?P<y>(?:19|20)\d\d)\b"
    rf"|(?:\b(?P<wd2>{_WEEKDAY})\.?,?\s+)?\b(?P<m2>{_MONTH})\.?\s+"
    rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d\d)\b"
    r"|\b(?P<iy>(?:19|20)\d\d)-(?P<im>\d\d)-(?P<id>\d\d)\b"
    r"|\b(?P<nd>\d{1,2})/(?P<nm>\d{1,2})/(?P<ny>(?:19|20)\d\d)\b",
    re.I,
)
DATE_PATTERN = DATE_RE.pattern


@dataclass(frozen=True, slots=True)
class _Found:
    value: str
    score: float
    line: int


def _to_iso(match: re.Match[str]) -> str | None:
    g = match.groupdict()
    try:
        if g["d"]:
            day, month, year = int(g["d"]), _MONTHS[g["m"].lower()], int(g["y"])
        elif g["d2"]:
            day, month, year = int(g["d2"]), _MONTHS[g["m2"].lower()], int(g["y2"])
        elif g["iy"]:
            day, month, year = int(g["id"]), int(g["im"]), int(g["iy"])
        else:
            day, month, year = int(g["nd"]), int(g["nm"]), int(g["ny"])
        return dt.date(year, month, day).isoformat()
    except (ValueError, KeyError):
        return None


def dates_in(text: str) -> list[tuple[str, re.Match[str]]]:
    """Every valid date written in ``text``, as ``(iso, match)`` in reading order."""
    found = []
    for match in DATE_RE.finditer(text):
        iso = _to_iso(match)
        if iso:
            found.append((iso, match))
    return found


_ISSUE_CONTEXT = re.compile(
    r"date of (?:issue|publication|despatch|dispatch)|\bissued\b|\bpublished\b|\bprinted\b|"
    r"^\s*date\s*:|\bdespatch|\bdispatch|\bupdated\b",
    re.I,
)
_PREVIOUS_CONTEXT = re.compile(
    r"previous|previously|last meeting|minutes of the (?:last |previous )?meeting held|next meeting|"
    r"future meeting|\bdeadline\b",
    re.I,
)
_MEETING_CONTEXT = re.compile(r"meeting of|meeting to be held|to be held on|held on|\bmeeting\b", re.I)


def meeting_date(head: str, committee: str | None, file_date: str | None) -> str | None:
    lines = head.splitlines()
    starts = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    committee_lines = set()
    if committee:
        needle = committee.lower()
        for i, line in enumerate(lines):
            if needle in " ".join(line.split()).lower():
                committee_lines.add(i)

    best: _Found | None = None
    for iso, match in dates_in(head):
        index = max(0, _line_index(starts, match.start()))
        line = lines[index] if index < len(lines) else ""
        score = 0.0
        if match.group("wd") or match.group("wd2"):
            score += 5
        near = {index, index - 1, index - 2, index - 3}
        nonblank_before = [j for j in range(index - 1, -1, -1) if lines[j].strip()][:3]
        if committee_lines & (near | set(nonblank_before)):
            score += 6
        if _MEETING_CONTEXT.search(line):
            score += 3
        if _ISSUE_CONTEXT.search(line):
            score -= 8
        if _PREVIOUS_CONTEXT.search(line):
            score -= 6
        score += max(0.0, 3 - match.start() / 1000)
        if best is None or score > best.score:
            best = _Found(iso, score, index)
    if best is not None and best.score >= 4:
        return best.value
    if file_date:
        return file_date
    return best.value if best is not None and best.score > 0 else None


def _line_index(starts: list[int], position: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= position:
            lo = mid
        else:
            hi = mid - 1
    return lo


def file_date(path: Path) -> str | None:
    found = dates_in(path.stem.replace("_", " "))
    return found[-1][0] if found else None


def human_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day.strftime('%B')} {day.year}"
