"""Model processes that misbehave, for the tests of ``minutebook.models.llm_process``.

Each ``*_model`` factory runs inside the model process (it is passed by name), so a crash or a
hang here happens exactly where a real llama.cpp crash would: in the child.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

GOOD = ["Members raised", " concerns about", " caseloads [1].", " Caseloads averaged", " 19 [3]."]


@dataclass
class _Fake:
    pieces: Sequence[str]
    then: str = "finish"  # "finish", "segfault", "hang", "allocate"
    model_id: str = "fake.gguf sha256:0000"
    delay: float = 0.0
    metadata: dict[str, str] | None = None

    def load(self) -> None:
        if self.then == "hang_loading":
            time.sleep(3600)

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream(self, prompt: str, max_tokens: int, stop: Sequence[str], **options: Any) -> Iterator[str]:
        if self.then == "echo_grammar":
            yield str(options.get("grammar"))
            return
        for piece in self.pieces[:max_tokens]:
            time.sleep(self.delay)
            yield piece
        if self.then == "segfault":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif self.then == "hang":
            time.sleep(3600)
        elif self.then == "allocate":
            hoard = []
            while True:  # until the memory limit, or the clock, stops it
                hoard.append(bytearray(64 << 20))
                time.sleep(0.01)


def scripted_model(pieces: Sequence[str] = tuple(GOOD), delay: float = 0.0) -> _Fake:
    return _Fake(pieces, delay=delay)


def chat_model() -> _Fake:
    """An instruct model: ChatML template in its metadata; it answers with the grammar it was given."""
    return _Fake((), "echo_grammar", metadata={"general.architecture": "qwen2",
                                               "tokenizer.chat_template": "{{'<|im_start|>' + role}}"})


def segfault_model(pieces: Sequence[str] = tuple(GOOD[:2])) -> _Fake:
    """Writes a few tokens, then dies of SIGSEGV as llama.cpp's AMX kernel does."""
    return _Fake(pieces, "segfault")


def hanging_model(pieces: Sequence[str] = tuple(GOOD[:2])) -> _Fake:
    """Writes a few tokens, then never another."""
    return _Fake(pieces, "hang")


def hanging_loader() -> _Fake:
    return _Fake((), "hang_loading")


def greedy_model(pieces: Sequence[str] = tuple(GOOD[:2])) -> _Fake:
    """Writes a few tokens, then allocates memory without end."""
    return _Fake(pieces, "allocate")


def failing_loader(path: str = "/models/council.gguf") -> _Fake:
    from minutebook.errors import ModelMissing

    raise ModelMissing(f"{path}: llama.cpp cannot load this file (bad magic)", "Use a GGUF model file; see models.md.")


def sequence_model(record: str, behaviours: Sequence[str] = ("segfault", "hang", "finish")) -> _Fake:
    """The n-th process started behaves as ``behaviours[n]`` (the last one repeats); ``record`` counts starts."""
    with open(record, "a", encoding="utf-8") as fh:
        fh.write("started\n")
    with open(record, encoding="utf-8") as fh:
        n = len(fh.readlines()) - 1
    return _Fake(tuple(GOOD) if behaviours[min(n, len(behaviours) - 1)] == "finish" else tuple(GOOD[:2]),
                 behaviours[min(n, len(behaviours) - 1)])
