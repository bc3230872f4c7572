"""Running the model: streaming its tokens, and stopping it when it starts to loop.

Small models repeat themselves. Besides llama.cpp's repeat penalty, the stream is watched:
when a finished sentence or line repeats an earlier one, or the same run of words keeps
coming back, generation stops and the repetition is cut from the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from minutebook.protocols import Generator

MAX_TOKENS = 200  # three sentences of at most 45 words, and their markers
LOOP_WORDS = 6  # a run of this many words seen twice before means the model is looping
_UNIT_END = re.compile(r"[.!?](?:\s*\[\d+(?:\s*,\s*\d+)*\])*(?=\s)|\n")
_MARKER = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")


@dataclass(frozen=True, slots=True)
class Generation:
    """What the model wrote, and whether the loop guard cut it short."""

    text: str
    stopped_repeating: bool


def _key(unit: str) -> str:
    """A sentence reduced to its words, so "Caseloads rose [1]." repeats "caseloads rose. [2]"."""
    return " ".join(re.findall(r"\w+", _MARKER.sub(" ", unit).lower()))


def _looping(text: str) -> bool:
    words = re.findall(r"\w+", _MARKER.sub(" ", text).lower())
    if len(words) < LOOP_WORDS * 3:
        return False
    tail = words[-LOOP_WORDS:]
    seen = sum(1 for i in range(len(words) - LOOP_WORDS) if words[i:i + LOOP_WORDS] == tail)
    return seen >= 2


def run_guarded(generator: Generator, prompt: str, stop: Sequence[str], max_tokens: int = MAX_TOKENS,
                on_token: Callable[[str], None] | None = None, *, grammar: str | None = None) -> Generation:
    """Stream ``prompt`` through ``generator``, passing each piece to ``on_token`` as it comes.

    ``grammar`` (GBNF) constrains what the model may write. Stops early (and drops the repeat)
    when a sentence or line repeats an earlier one.
    """
    pieces = generator.stream(prompt, max_tokens, stop, grammar=grammar) if grammar else \
        generator.stream(prompt, max_tokens, stop)
    text = ""
    checked = 0  # text[:checked] is made of complete units already seen
    seen: set[str] = set()
    for piece in pieces:
        text += piece
        if on_token is not None:
            on_token(piece)
        for m in _UNIT_END.finditer(text, checked):
            unit_end = m.end()
            key = _key(text[checked:unit_end])
            if len(key.split()) >= 3 and key in seen:
                return Generation(text[:checked].rstrip(), True)
            if key:
                seen.add(key)
            checked = unit_end
        if _looping(text):
            return Generation(text[:checked].rstrip(), True)
    tail = _key(text[checked:])
    if len(tail.split()) >= 3 and tail in seen:
        return Generation(text[:checked].rstrip(), True)
    return Generation(text.strip(), False)
