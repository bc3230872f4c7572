"""Grouping lines into blocks and giving each block its place in the paper's structure.

A block is the smallest thing the packer moves: a heading, a paragraph, a bullet, a numbered
minute, or a run of page furniture. Blocks never span a page break. The structure pass then
walks the blocks with a stack of open headings to say which section and minute each sits
under, whether it opens a new one, and whether it is boilerplate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from minutebook.chunking.lines import (
    Line,
    Numbering,
    clean,
    ends_sentence,
    ends_with_colon,
    heading_title,
    is_bullet,
    is_caps_heading,
    is_judgement_heading,
    is_markdown_heading,
    is_plain_heading,
    numbering_of,
    split_lines,
)
from minutebook.ingest.boilerplate import furniture_lines, is_boilerplate, is_boilerplate_heading
from minutebook.types import Document

# A run of this many empty lines in plain text marks where a page or a separate paper began.
GAP_LINES = 3
# Fraction of wrapped lines ending in a space above which text is taken to be PDF text.
SOFT_WRAP_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class Block:
    start: int
    end: int
    page: int
    kind: str  # "heading", "numbered", "item", "para", "furniture"
    gap_before: bool = False


@dataclass(frozen=True, slots=True)
class Placed:
    """A block with its place in the paper's structure."""

    start: int
    end: int
    section: str | None
    minute: str | None
    heading: bool  # joins the text after it
    boundary: bool  # opens a new heading or minute: the packer starts a new passage here
    boilerplate: bool
    numbered: bool = False  # opens a new numbered minute or paragraph


def find_blocks(doc: Document) -> list[Block]:
    """Split the document into blocks at blank lines, page breaks, headings, bullets and numbers."""
    text = doc.text
    lines = split_lines(text, doc.pages)
    furniture = _furniture(text, lines, len(doc.pages))
    content = [ln for ln in lines if not ln.blank]
    soft_text = bool(content) and sum(ln.soft for ln in content) >= SOFT_WRAP_SHARE * len(content)

    blocks: list[Block] = []
    cur: list[Line] = []
    cur_kind = "para"
    empties = 0
    gap = False

    def flush() -> None:
        nonlocal cur, gap
        if cur:
            blocks.append(Block(cur[0].lo, cur[-1].hi, cur[0].page, cur_kind, gap))
            gap = False
        cur = []

    for i, line in enumerate(lines):
        if line.blank:
            flush()
            empties = empties + 1 if line.empty else 0
            gap = gap or empties >= GAP_LINES
            continue
        empties = 0
        s = text[line.lo:line.hi]
        if i in furniture:
            if cur and (cur_kind != "furniture" or cur[-1].page != line.page):
                flush()
            cur_kind = "furniture"
            cur.append(line)
            continue
        prev = cur[-1] if cur else None
        kind = _line_kind(s)
        new = (
            prev is None
            or cur_kind in ("furniture", "heading")
            or prev.page != line.page
            or kind in ("heading", "numbered", "item")
            or (cur_kind == "caps" and kind != "caps")
            or (soft_text and _paragraph_ends(text, prev, line))
        )
        if new:
            flush()
            cur_kind = kind if kind != "text" else "para"
        cur.append(line)
        if kind == "heading":  # markdown headings stand alone
            flush()
    flush()
    return [_settle(text, b) for b in blocks]


def _line_kind(s: str) -> str:
    if is_markdown_heading(s):
        return "heading"
    if is_bullet(s):
        return "item"
    if numbering_of(clean(s)) is not None:
        return "numbered"
    if is_caps_heading(s):
        return "caps"
    return "text"


def _paragraph_ends(text: str, prev: Line, line: Line) -> bool:
    """In PDF text, whether ``line`` starts a new paragraph or is a heading of its own.

    PDF text marks wrapped lines with a trailing space; a line without one ended a paragraph.
    """
    before = text[prev.lo:prev.hi]
    if ends_sentence(before):
        # Wrapped lines often keep a space after a full stop too; a capital after it is
        # taken as a new paragraph. At worst this splits a paragraph the packer rejoins.
        first = text[line.lo:line.lo + 1]
        return not prev.soft or first.isupper() or first.isdigit()
    if prev.soft:
        return False
    # A short unwrapped line followed by a wrapped paragraph reads as a heading.
    return is_plain_heading(before) and (line.soft or len(text[line.lo:line.hi].split()) >= 8)


def _settle(text: str, block: Block) -> Block:
    """Decide what a finished block is, now that all its lines are known."""
    if block.kind in ("furniture", "heading"):
        return block
    s = text[block.start:block.end]
    one_line = "\n" not in s and "\r" not in s
    if block.kind == "caps":
        return Block(block.start, block.end, block.page, "heading" if one_line else "para", block.gap_before)
    if one_line and block.kind in ("para", "numbered") and is_plain_heading(s):
        return Block(block.start, block.end, block.page, "heading", block.gap_before)
    if block.kind == "para" and s.count("\n") < 3 and is_judgement_heading(s):
        return Block(block.start, block.end, block.page, "heading", block.gap_before)
    return block


def _furniture(text: str, lines: list[Line], page_count: int) -> set[int]:
    """Indices into ``lines`` of running headers, footers and page numbers."""
    if page_count < 2:
        return set()
    by_page: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        if not line.blank:
            by_page.setdefault(line.page, []).append(i)
    pages = [by_page.get(p, []) for p in range(page_count)]
    marked = furniture_lines([[text[lines[i].lo:lines[i].hi] for i in idx] for idx in pages])
    return {idx[j] for idx, js in zip(pages, marked, strict=True) for j in js}


@dataclass(slots=True)
class _Open:
    level: float
    title: str | None  # None for a numbered paragraph that opens a minute without a title
    number: str | None
    plain: bool = False


def place_blocks(text: str, blocks: Sequence[Block]) -> list[Placed]:
    """Give each block its section, minute, and boundary and boilerplate flags."""
    stack: list[_Open] = []
    placed: list[Placed] = []
    in_list = False
    page = blocks[0].page if blocks else 0

    for block in blocks:
        s = text[block.start:block.end]
        if block.gap_before:
            stack.clear()
            in_list = False
        if block.page != page:
            # Visitor notes end where their page does; substance headings carry on.
            stack = [o for o in stack if not is_boilerplate_heading(o.title)]
            page = block.page
        if block.kind == "furniture":
            placed.append(Placed(block.start, block.end, _section(stack), _minute(stack), False, False, True))
            continue

        heading = block.kind == "heading"
        boundary = False
        item = block.kind == "item"
        numbering = numbering_of(clean(s)) if block.kind in ("heading", "numbered") else None
        if numbering is not None and _is_list_item(numbering, in_list, _minute(stack)):
            numbering, heading, item = None, False, True
        if numbering is not None:
            level: float = 2 + numbering.number.count(".")
            title = heading_title(s) if heading and numbering.rest else None
            # A plain title just before an untitled numbered paragraph ("Leadership" then
            # "9. Publish...") heads that paragraph and the ones after it.
            carried = [o for o in _plain_on_top(stack) if o.level >= level] if title is None else []
            _pop(stack, level)
            stack.extend(_Open(level - 0.5, o.title, None, plain=True) for o in carried)
            stack.append(_Open(level, title, numbering.number))
            boundary = True
        elif heading:
            level = _heading_level(s, stack)
            _pop(stack, level)
            stack.append(_Open(level, heading_title(s), None, plain=level % 1 != 0))
            boundary = True

        section = _section(stack)
        bp = is_boilerplate(s, section) or any(is_boilerplate_heading(o.title) for o in stack)
        numbered = numbering is not None
        placed.append(Placed(block.start, block.end, section, _minute(stack), heading, boundary, bp, numbered))
        if not heading:
            # Only a numbered list continues a numbered list: "5. Next Meeting" after a run of
            # bullets introduced by "Member discussion points:" is a new section.
            in_list = (in_list and item and block.kind != "item") or ends_with_colon(s)
    return placed


def _is_list_item(numbering: Numbering, in_list: bool, minute: str | None) -> bool:
    """Whether "1." after "7.15 Resolved – That the Committee:" is a list item, not minute 1."""
    if numbering.number.isalpha():
        return True  # "(a)", "(iv)": always a sub-item
    if in_list and numbering.simple:
        return True
    if minute is not None and "." in minute and not numbering.dotted:
        head = minute.split(".")[0]
        return head.isdigit() and int(numbering.number) <= int(head)
    return False


def _heading_level(s: str, stack: list[_Open]) -> float:
    if is_markdown_heading(s):
        return float(len(s) - len(s.lstrip("#")))
    if is_caps_heading(s):
        return 1.0
    # A plain title sits just under the innermost numbered or capitalised heading ("3) Main
    # Body"), and above numbered paragraphs, which have no title of their own.
    base = next((o.level for o in reversed(stack) if not o.plain and o.title), 1.0)
    return base + 0.5


def _plain_on_top(stack: list[_Open]) -> list[_Open]:
    """The plain titles opened since the last numbered entry, if they would be popped."""
    top: list[_Open] = []
    for o in reversed(stack):
        if not o.plain:
            break
        top.append(o)
    return list(reversed(top[:1]))


def _pop(stack: list[_Open], level: float) -> None:
    while stack and stack[-1].level >= level:
        stack.pop()


def _section(stack: list[_Open]) -> str | None:
    return next((o.title for o in reversed(stack) if o.title), None)


def _minute(stack: list[_Open]) -> str | None:
    return next((o.number for o in reversed(stack) if o.number), None)
