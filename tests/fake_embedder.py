"""A deterministic stand-in for the embedding model, for tests that exercise everything but the model.

``bench/reliability.py`` uses it too (its kill loops need syncs that take milliseconds).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """A bag-of-words embedder: fast, no model. Texts sharing words get similar vectors.

    Satisfies ``minutebook.Embedder``, so ranking, syncing and the engines can be tested without
    loading MiniLM.
    """

    model_id = "minutebook/hashing-test-embedder"

    def __init__(self, dimension: int = 64) -> None:
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
                out[row, h % self.dimension] += 1.0 if (h >> 32) & 1 else -1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out
