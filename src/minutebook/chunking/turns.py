"""Verbatim records: papers made of "Speaker: words" turns, and passages cut from them.

Committee transcripts, Hansard-style records and webcast transcripts give each contribution as
a line starting with who spoke ("Cllr Hughes: …", "The Chair: …", "Project Manager: …"). A paper
is taken as such a record only when such turns carry most of it and the same speakers come back
again and again: a council paper's "Contact: Jane Smith" or "Date: 9 March" lines do neither.

Passages of a record are windows of whole turns, overlapping by about a quarter so that what
is said across a window's edge is whole in one of them; a turn too long for one window is cut
at sentence ends, and every piece keeps its speaker (``Window.speaker``), which the keyword
index and the embedding read with the words, and which ``--speaker`` filters on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from minutebook.chunking.split import split_span

# "Grad C:", "Project Manager:", "Cllr Hughes:", "The Minister for Children (Mr Smith):", "Q:".
_TURN = re.compile(
    r"^[ \t]*(?P<label>[A-Z][A-Za-z'’.\-]*(?:[ \t]+[A-Za-z'’.\-()&]+){0,6}?)[ \t]*:[ \t]+(?=\S)", re.M
)
MAX_LABEL_CHARS = 60
MIN_TURNS = 12  # fewer turns than this is a paper with a few labelled lines, not a record
MIN_SHARE = 0.5  # of the paper's non-blank lines that open a turn
MIN_REPEATS = 3  # at least two speakers come back this often


@dataclass(frozen=True, slots=True)
class Turn:
    """``text[start:end]`` is one contribution, label included; ``text[body:end]`` its words."""

    start: int
    body: int
    end: int
    speaker: str


@dataclass(frozen=True, slots=True)
class Window:
    """A passage of a verbatim record: ``text[start:end]``, and who speaks where it begins."""

    start: int
    end: int
    tokens: int
    speaker: str


def find_turns(text: str) -> list[Turn] | None:
    """The turns of ``text`` when it is a verbatim record, else None."""
    found = [m for m in _TURN.finditer(text) if _is_label(m.group("label"))]
    if len(found) < MIN_TURNS:
        return None
    lines = sum(1 for line in text.splitlines() if line.strip())
    if len(found) < MIN_SHARE * lines:
        return None
    counts = Counter(m.group("label") for m in found)
    if sum(1 for n in counts.values() if n >= MIN_REPEATS) < 2 or len(counts) > len(found) / 3:
        return None  # labels that each appear once are fields of a form, not speakers
    turns: list[Turn] = []
    for k, m in enumerate(found):
        nxt = found[k + 1].start() if k + 1 < len(found) else len(text)
        end = m.start() + len(text[m.start():nxt].rstrip())
        turns.append(Turn(m.start("label"), m.end(), end, " ".join(m.group("label").split())))
    return turns


def _is_label(label: str) -> bool:
    return len(label) <= MAX_LABEL_CHARS and not any(c.isdigit() for c in label)


def turn_windows(
    text: str, turns: list[Turn], count: Callable[[str], int], window: int, overlap: int,
) -> list[Window]:
    """Windows of whole turns of about ``window`` word pieces, the next starting ``overlap`` pieces back.

    A turn longer than a window is cut into pieces at sentence ends (then between words); a
    window starting inside a turn names that turn's speaker, and no window is over ``window``.
    """
    units: list[Window] = []
    for turn in turns:
        n = count(text[turn.start:turn.end])
        if n <= window:
            units.append(Window(turn.start, turn.end, n, turn.speaker))
            continue
        # Pieces of a few sentences, so that windows fill up and overlap; room is left for the
        # speaker's name that the embedding puts before a piece that lacks it.
        room = window - count(turn.speaker) - 2
        for a, b, m in split_span(text, turn.start, turn.end, count, room, max(1, min(room, overlap // 2))):
            units.append(Window(a, b, m, turn.speaker))
    out: list[Window] = []
    i = 0
    while i < len(units):
        j, size = i, 0
        while j < len(units) and (j == i or size + units[j].tokens <= window):
            size += units[j].tokens
            j += 1
        out.append(Window(units[i].start, units[j - 1].end, size, units[i].speaker))
        if j >= len(units):
            break
        # Step back over the last turns, up to ``overlap`` pieces, but always move on: the next
        # window starts after this one and reaches past its end.
        k, back = j, 0
        while k - 1 > i and back + units[k - 1].tokens <= min(overlap, window - units[j].tokens):
            k -= 1
            back += units[k].tokens
        i = k
    return out
