"""Lines of a paper and what each one looks like: heading, numbered minute, bullet or prose."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from minutebook.types import Page


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the text. ``lo:hi`` is the line without surrounding whitespace."""

    lo: int
    hi: int
    page: int  # index into the document's pages; 0 for unpaged text
    empty: bool  # nothing at all between the line breaks (not even spaces)
    soft: bool  # ends in a space before the break: a wrapped line in PDF text

    @property
    def blank(self) -> bool:
        return self.lo == self.hi


@dataclass(frozen=True, slots=True)
class Numbering:
    """A number at the start of a line: "7.4", "266", "3)", "(a)"."""

    number: str
    dotted: bool  # "7.4" rather than "7"
    simple: bool  # "1." / "1)" / "(a)": could be an item of a numbered list
    rest: str  # what follows the number


def split_lines(text: str, pages: tuple[Page, ...]) -> list[Line]:
    """Every line of ``text``, split at \\n, \\r\\n, \\r and form feeds."""
    starts = [p.start_char for p in pages]
    lines: list[Line] = []
    pos, n = 0, len(text)
    for match in re.finditer(r"\r\n|[\r\n\f]", text + "\n"):
        end = match.start()
        if pos > n:
            break
        raw = text[pos:min(end, n)]
        lo = pos + (len(raw) - len(raw.lstrip()))
        hi = pos + len(raw.rstrip())
        page = max(0, bisect_right(starts, lo) - 1) if starts else 0
        lines.append(Line(lo, max(lo, hi), page, raw == "", raw.endswith((" ", "\t"))))
        pos = match.end()
    return lines


_MARKDOWN = re.compile(r"^#{1,6}\s")
_MARKUP_EDGES = re.compile(r"^[#*_\s]+|[*_\s]+$")
_NUMBER = re.compile(
    r"^(?:(?:minute|item|paragraph|para\.?)\s+)?(\d{1,4}(?:\.\d{1,3}){0,3})"
    # "7.4 With", "3) Main", "262 Apologies", and "10.Social" where PDF text lost the space.
    r"(?:(\.(?!\d)|\))(?=\s|$|[A-Z‘“\"'(])|(?=\s|$))\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_LETTERED = re.compile(r"^\(?([a-z]|[ivx]{1,5})\)\s+(.*)$", re.IGNORECASE | re.DOTALL)
_BULLET = re.compile(r"^(?:[-–—•·▪◼■●○◦*>‣⁃]|[\ue000-\uf8ff])(?:\s|$)")
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
)
_STARTS_WITH_MONTH = re.compile(rf"^{_MONTH}\b", re.IGNORECASE)
_DATE_LIKE = re.compile(rf"\b{_MONTH}\b.*\b(?:19|20)\d\d\b|\b(?:19|20)\d\d\b.*\b{_MONTH}\b", re.IGNORECASE)
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$")
_PAGES_NOTE = re.compile(r"\s*\(pages?\s+[\d\s\-–]+\)\s*$", re.IGNORECASE)
_NOT_HEADINGS = {"nil", "none", "n/a", "tbc", "noted", "agreed", "resolved", "yours sincerely", "yours faithfully"}
_OPENERS = ("dear ", "yours ", "kind regards", "signed", "mr ", "mrs ", "ms ", "miss ", "dr ", "cllr ")
# A verb like these makes a line a sentence, not a title ("The postcode for County Hall is EX2 4QD").
_PART_LABEL = re.compile(r"^(?:section|part|appendix|annex|chapter|schedule)\s+[\w.]{1,6}\s*:", re.IGNORECASE)
_FINITE = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|began|ended)\b", re.IGNORECASE)
_TIME = re.compile(r"\b\d{1,2}[.:]\d{2}\s*(?:am|pm)\b|\b\d{1,2}\s*(?:am|pm)\b", re.IGNORECASE)
_ASCII_LOWER = re.compile(r"[a-z]")
_DANGLING = {"and", "or", "of", "the", "to", "for", "a", "an", "in", "with", "by", "on", "at", "that"}


def clean(line: str) -> str:
    """A heading as a reader would quote it: no markdown hashes or emphasis, single spaces."""
    return re.sub(r"\s+", " ", _MARKUP_EDGES.sub("", line.replace("**", ""))).strip()


def heading_title(line: str) -> str:
    """The section name a heading line gives: cleaned, number and "(Pages 1 - 6)" removed."""
    title = clean(line)
    numbering = numbering_of(title)
    if numbering is not None and numbering.rest:
        title = numbering.rest
    return _PAGES_NOTE.sub("", title).strip() or title


def is_markdown_heading(line: str) -> bool:
    return bool(_MARKDOWN.match(line))


def is_bullet(line: str) -> bool:
    return bool(_BULLET.match(line))


def numbering_of(line: str) -> Numbering | None:
    """The minute, item or paragraph number a line starts with, if it starts with one.

    Dates ("9 March 2022"), years, phone numbers and quantities ("1191 children") are not numbers
    of this kind.
    """
    match = _NUMBER.match(line)
    if match is not None:
        number, punct, rest = match.group(1), match.group(2), match.group(3).strip()
        head = number.split(".")[0]
        if head.startswith("0") or _STARTS_WITH_MONTH.match(rest):
            return None
        if not punct and "." not in number:
            if len(number) == 4 and number[:2] in ("19", "20"):
                return None  # a year
            if rest and not (rest[0].isupper() or rest[0] in "\"'‘“("):
                return None
        elif rest and rest[0].islower() and not punct:
            return None
        if rest[:1].isdigit():
            return None
        return Numbering(number, "." in number, bool(punct) and "." not in number, rest)
    lettered = _LETTERED.match(line)
    if lettered is not None:
        return Numbering(lettered.group(1).lower(), False, True, lettered.group(2).strip())
    return None


def is_caps_heading(line: str) -> bool:
    """An ALL CAPS line such as "MATTERS FOR CONSIDERATION" or "A G E N D A"."""
    if _ASCII_LOWER.search(line):
        return False  # most lines: a lower-case letter rules it out before any cleaning
    text = clean(line)
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4 or len(text) > 120 or _POSTCODE.match(text):
        return False
    if sum(c.isdigit() for c in text) > len(text) * 0.25:
        return False
    return all(c.isupper() for c in letters)


def is_plain_heading(line: str) -> bool:
    """A short line that reads like a title: "Areas covered by the visit", "Fire", "What needs to improve?"."""
    text = clean(line)
    words = text.split()
    if not words or len(words) > 14 or len(text) > 100:
        return False
    first = text[0]
    if not (first.isupper() or first.isdigit() or first in "\"'‘“("):
        return False
    lower = text.lower()
    if text[-1] in ".,;:" or lower in _NOT_HEADINGS or lower.startswith(_OPENERS):
        return False
    if words[-1].lower() in _DANGLING and len(words) > 1:
        return False  # a wrapped line, not a title
    if (": " in text and not _PART_LABEL.match(text)) or "@" in text or "http" in lower or "www." in lower:
        return False  # "Contact: Jane Smith", addresses
    if sum(c.isdigit() for c in text) > len(text) * 0.25 or _POSTCODE.match(text):
        return False
    if (len(words) <= 6 and _DATE_LIKE.search(text)) or _TIME.search(text):
        return False
    if not text.endswith("?") and len(words) > 3 and _FINITE.search(text):
        return False
    if len(words) > 8 and sum(w[0].isupper() for w in words) < 0.3 * len(words):
        return False  # a sentence that lost its full stop
    return any(c.isalpha() for c in text)


_JUDGEMENT = re.compile(
    r":\s*(?:outstanding|good|requires improvement(?: to be good)?|inadequate)$", re.IGNORECASE
)


def is_judgement_heading(text: str) -> bool:
    """An inspection judgement heading, often wrapped over two lines:
    "The experiences and progress of children in care: good"."""
    cleaned = clean(text)
    return len(cleaned.split()) <= 30 and bool(_JUDGEMENT.search(cleaned)) and cleaned[:1].isupper()


def ends_sentence(line: str) -> bool:
    return line.rstrip().rstrip("*_\"'’”)").endswith((".", "!", "?", ":", ";"))


def ends_with_colon(text: str) -> bool:
    return text.rstrip().rstrip("*_ ").endswith((":", "–", "—"))
