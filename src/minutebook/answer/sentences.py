"""Sentence splitting that copes with council papers.

Council text breaks naive splitters: "Cllr. Smith", "e.g. the", "No. 3", numbered minutes
("7.4 The Committee noted…"), bullet lists, and headings with no full stop that run straight
into the next line. Offsets are kept so a sentence can be traced back to its passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that end with a full stop without ending a sentence (compared lower-case, stop removed).
ABBREVIATIONS = frozenset("""
    cllr cllrs councillor mr mrs ms mx dr prof rev st no nos para paras approx incl inc est
    cf vs ref refs fig figs vol dept cttee min mins item appx app p pp ch sec sect art
    jan feb mar apr jun jul aug sep sept oct nov dec co ltd plc govt hon rt
""".split())

# A list label at the start of a line: bullets, "(a)", "a)", "iv.", "1.", "7.4", "266".
_LABEL = re.compile(
    r"""^[ \t]*(?:
        [•·▪◦‣\-–—*]                      # bullet glyphs
      | \(?[a-zA-Z]\)                      # (a)  a)
      | \(?(?:i|ii|iii|iv|v|vi|vii|viii|ix|x)[.)]   # roman numerals
      | \d{1,3}(?:\.\d{1,3})*\.?(?=\s)     # 1.  7.4  266
    )[ \t]+""",
    re.VERBOSE,
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n|\f")
# A candidate end: terminal punctuation, optional closing quotes/brackets, then whitespace.
_END = re.compile(r"""[.!?…]["'”’)\]]*(?=\s)""")
_CITE_TAIL = re.compile(r"(?:\s*\[\d+(?:\s*[,–-]\s*\d+)*\])+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Sentence:
    """``source[start:end]`` holds the sentence; ``text`` is it tidied for display."""

    text: str
    start: int
    end: int


def _is_heading(line: str) -> bool:
    """A short line in title case or capitals with no closing punctuation."""
    stripped = line.strip()
    if not stripped or len(stripped) > 70 or stripped[-1] in ".,;:!?)\"'”’-–":
        return False
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’&-]*", stripped) if len(w) > 3]
    if not words:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised / len(words) >= 0.75


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans that no sentence crosses: paragraphs, list items, headings."""
    cuts = {0, len(text)}
    for m in _BLANK_LINE.finditer(text):
        cuts.add(m.start())
        cuts.add(m.end())
    offset = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _LABEL.match(line):
            cuts.add(offset)
        if _is_heading(line) and i + 1 < len(lines) and lines[i + 1][:1].strip():
            cuts.add(offset)
            cuts.add(offset + len(line))
        offset += len(line) + 1
    ordered = sorted(c for c in cuts if 0 <= c <= len(text))
    return [(a, b) for a, b in zip(ordered, ordered[1:], strict=False) if text[a:b].strip()]


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """Whether the stop at ``match`` really ends a sentence."""
    stop = match.group()[0]
    after = text[match.end():].lstrip()
    if not after:
        return True
    if stop in "!?…":
        return True
    word = re.search(r"([A-Za-z][A-Za-z.]*)$", text[:match.start()])
    token = word.group(1) if word else ""
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token):  # e.g  i.e  a.m
        return token.lower() in ("a.m", "p.m") and after[0].isupper()
    if token.lower() in ABBREVIATIONS:
        return False
    if len(token) == 1 and token.isupper():  # an initial: "J. Smith"
        return False
    return after[0].isupper() or after[0].isdigit() or after[0] in "\"'“‘([•-–"


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in order, list labels removed, whitespace collapsed."""
    out: list[Sentence] = []
    for start, end in _blocks(text):
        block = text[start:end]
        label = _LABEL.match(block)
        pos = label.end() if label else 0
        for m in _END.finditer(block):
            if m.end() <= pos or not _ends_sentence(block, m):
                continue
            # A citation right after the stop ("… rose. [2]") belongs to this sentence.
            tail = _CITE_TAIL.match(block, m.end())
            stop = tail.end() if tail else m.end()
            _add(out, text, start + pos, start + stop)
            pos = stop
        _add(out, text, start + pos, end)
    return out


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    raw = text[start:end]
    lead = len(raw) - len(raw.lstrip())
    tidy = _SPACE.sub(" ", raw).strip()
    if not tidy:
        return
    if _CITE_TAIL.fullmatch(" " + tidy) and out:
        # Citations alone on a line after a sentence belong to that sentence.
        prev = out.pop()
        out.append(Sentence(f"{prev.text} {tidy}", prev.start, start + len(raw.rstrip())))
        return
    out.append(Sentence(tidy, start + lead, start + len(raw.rstrip())))
