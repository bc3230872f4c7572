"""Cutting a paper into passages shaped by the kind of record it is.

A council paper's passage (``Chunk``) is one or more consecutive blocks under the same heading
or minute, packed to about ``TARGET_TOKENS`` word pieces and never more than ``max_tokens``. A
new heading or numbered minute starts a new passage, unless what came before is only a heading
or a scrap of a few words. Every non-space character of such a paper lands in exactly one
passage.

A verbatim record ("Speaker: words" turns: transcripts, Hansard-style records) is cut into
overlapping windows of whole turns of about ``WINDOW_TOKENS`` (``chunking.turns``): keyword
search over such windows measured better on transcripts than passages of one short paragraph,
and each window names the speaker of the turn it starts in. Every non-space character of a
record lands in at least one passage, at most two.

Each passage's text is an exact slice of the paper's text.

Bump ``CHUNKER_VERSION`` whenever the output for some input changes: an index built by another
version is refused, because its passages no longer match what this code would produce.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace

from minutebook.chunking.blocks import Placed, find_blocks, place_blocks
from minutebook.chunking.lines import ends_with_colon
from minutebook.chunking.split import split_span
from minutebook.chunking.turns import Turn, find_turns, turn_windows
from minutebook.types import Chunk, Document

CHUNKER_VERSION = "2"

# MiniLM reads 256 pieces including [CLS]/[SEP]; the embedder may prepend a short heading.
MAX_TOKENS = 200
# What passages are packed to: long enough to carry a point, short enough to be about one.
TARGET_TOKENS = 150
# A passage this small is joined to what follows even across a heading or minute.
TINY_TOKENS = 25
# Windows of a verbatim record: about 180 words of speech, within what MiniLM reads (256
# pieces) with the speaker's name before it; the next window starts about 50 words back.
WINDOW_TOKENS = 240
WINDOW_OVERLAP = 60


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int
    tokens: int
    place: Placed
    heading: bool
    boundary: bool
    lead_in: bool = False  # ends with a colon: belongs with what follows


def chunk_document(doc: Document, count_tokens: Callable[[str], int], max_tokens: int = MAX_TOKENS) -> list[Chunk]:
    """Cut ``doc`` into passages of at most ``max_tokens`` as counted by ``count_tokens``.

    Pure and deterministic: the same document and counter always give the same passages.
    """
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, not {max_tokens}")
    text = doc.text
    placed = place_blocks(text, find_blocks(doc))
    turns = find_turns(text)
    if turns is not None:
        return _mark_ocr(doc, _record_chunks(doc, turns, placed, count_tokens, max_tokens))
    # Leave room for a heading to travel with the first piece of a long block.
    split_at = max_tokens - min(30, max_tokens // 5)
    target = min(TARGET_TOKENS, split_at)
    units: list[_Unit] = []
    for p in placed:
        n = count_tokens(text[p.start:p.end])
        if n <= split_at:
            units.append(_Unit(p.start, p.end, n, p, p.heading, p.boundary, ends_with_colon(text[p.start:p.end])))
            continue
        for k, (a, b, m) in enumerate(split_span(text, p.start, p.end, count_tokens, split_at, target)):
            units.append(_Unit(a, b, m, p, False, p.boundary and k == 0))

    groups = _pack(units, max_tokens, target)
    chunks: list[Chunk] = []
    for group in _verified(groups, text, count_tokens, max_tokens):
        start, end = group[0].start, group[-1].end
        # Section and minute come from the first block that is not a heading: a passage
        # opening with "4. Summary" then "4.1 Visit" is about 4.1.
        lead = next((u.place for u in group if not u.heading), group[-1].place)
        chunks.append(
            Chunk(
                ordinal=len(chunks),
                text=text[start:end],
                start_char=start,
                end_char=end,
                page=doc.page_at(start),
                section=lead.section,
                minute=lead.minute,
                boilerplate=all(u.place.boilerplate for u in group),
            )
        )
    return _mark_ocr(doc, chunks)


def _mark_ocr(doc: Document, chunks: list[Chunk]) -> list[Chunk]:
    """Mark the passages that hold text recognised from a scanned page (``Page.source == "ocr"``)."""
    scanned = [(p.start_char, p.end_char) for p in doc.pages if p.source == "ocr"]
    if not scanned:
        return chunks
    return [
        replace(c, ocr=True) if any(c.start_char < end and start < c.end_char for start, end in scanned) else c
        for c in chunks
    ]


def _pack(units: list[_Unit], max_tokens: int, target: int) -> list[list[_Unit]]:
    groups: list[list[_Unit]] = []
    cur: list[_Unit] = []
    size = 0
    for unit in units:
        if cur and not _joins(cur, size, unit, max_tokens, target):
            carried: list[_Unit] = []
            # "Members raised the following points:" belongs with the points, not before them.
            last = cur[-1]
            if (
                len(cur) > 1
                and last.lead_in
                and not unit.boundary
                and last.place.boilerplate == unit.place.boilerplate
                and last.tokens + unit.tokens <= max_tokens
            ):
                carried = [cur.pop()]
            groups.append(cur)
            cur, size = carried, sum(u.tokens for u in carried)
        cur.append(unit)
        size += unit.tokens
    if cur:
        groups.append(cur)
    return groups


def _joins(cur: list[_Unit], size: int, unit: _Unit, max_tokens: int, target: int) -> bool:
    """Whether ``unit`` belongs in the passage being built."""
    if unit.place.boilerplate != cur[0].place.boilerplate or size + unit.tokens > max_tokens:
        return False
    only_headings = all(u.heading for u in cur)
    if only_headings:
        return True  # a heading travels with the text it introduces
    if unit.place.numbered and unit.boundary:
        # A new minute starts a new passage unless nothing before it has a number yet.
        return size < TINY_TOKENS and cur[-1].place.minute is None
    if unit.boundary:
        return size < TINY_TOKENS
    if unit.heading:
        return False
    # Pack to the target; a small passage may grow past it rather than leave a fragment,
    # and a scrap of a unit joins the passage before it rather than stand alone.
    if size + unit.tokens <= target or size < target // 2:
        return True
    return unit.tokens < TINY_TOKENS and not unit.lead_in


def _verified(groups: list[list[_Unit]], text: str, count: Callable[[str], int], max_tokens: int) -> list[list[_Unit]]:
    """Check each packed passage against the counter; unpack any that came out over the limit.

    Sizes are summed from parts, which word-piece counters add up exactly across whitespace;
    a counter that does not is caught here.
    """
    result: list[list[_Unit]] = []
    for group in groups:
        if len(group) > 1 and count(text[group[0].start:group[-1].end]) > max_tokens:
            result.extend([u] for u in group)
        else:
            result.append(group)
    return result


def _record_chunks(
    doc: Document, turns: list[Turn], placed: list[Placed], count: Callable[[str], int], max_tokens: int,
) -> list[Chunk]:
    """Passages of a verbatim record: what comes before the first turn, then windows of turns."""
    text = doc.text
    window = max(max_tokens, WINDOW_TOKENS) if max_tokens >= MAX_TOKENS else max_tokens
    spans: list[tuple[int, int, str | None]] = []
    head = text[:turns[0].start]
    if head.strip():
        lead = len(head) - len(head.lstrip())
        end = len(head.rstrip())
        spans.extend((a, b, None) for a, b, _ in split_span(text, lead, end, count, window, TARGET_TOKENS))
    overlap = min(WINDOW_OVERLAP, window // 4)
    spans.extend((w.start, w.end, w.speaker) for w in turn_windows(text, turns, count, window, overlap))
    starts = [p.start for p in placed]
    chunks: list[Chunk] = []
    for start, end, speaker in spans:
        at = placed[max(0, bisect_right(starts, start) - 1)] if placed else None
        chunks.append(Chunk(
            ordinal=len(chunks), text=text[start:end], start_char=start, end_char=end, page=doc.page_at(start),
            section=at.section if at else None, minute=at.minute if at else None, speaker=speaker,
        ))
    return chunks
