"""The language model: found, checked by sha256, and run for real on the sample corpus."""

import json
import os
from pathlib import Path

import pytest

from minutebook.answer import CitedAnswerer, check_text, source_text
from minutebook.cli import main
from minutebook.config import Settings
from minutebook.errors import ModelChecksumMismatch, ModelMissing
from minutebook.models.llm import (
    assemble_bundled,
    bundled_model,
    model_sha256,
    open_generator,
    open_local_generator,
    short_id,
)


def test_a_configured_model_that_does_not_exist_is_reported_with_a_hint(tmp_path: Path) -> None:
    settings = Settings(cache=tmp_path, llm_model=tmp_path / "council.gguf")
    with pytest.raises(ModelMissing) as err:
        open_generator(settings)
    assert "council.gguf" in err.value.message and "llm_model" in (err.value.hint or "")


def test_a_tampered_bundled_model_is_refused(tmp_path: Path) -> None:
    settings = Settings(cache=tmp_path)
    target = bundled_model(settings).path
    target.parent.mkdir(parents=True)
    target.write_bytes(b"GGUF" + b"\0" * 1000)  # truncated or altered
    with pytest.raises(ModelChecksumMismatch) as err:
        open_generator(settings)
    assert str(target) in err.value.message and "Delete" in (err.value.hint or "")


def test_hashes_are_remembered_by_size_and_modification_time(tmp_path: Path) -> None:
    settings = Settings(cache=tmp_path / "cache")
    model = tmp_path / "m.gguf"
    model.write_bytes(b"a" * 100)
    first = model_sha256(model, settings)
    st = model.stat()
    model.write_bytes(b"b" * 100)  # same size; put the old mtime back
    os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert model_sha256(model, settings) == first  # not re-read
    os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert model_sha256(model, settings) != first  # touched: re-read
    assert short_id("m.gguf", "ab" * 32) == "m.gguf sha256:abababababab…"


def test_models_command_lists_both_models_with_licences(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MINUTEBOOK_CACHE", str(tmp_path))
    monkeypatch.setenv("MINUTEBOOK_EMBED_BACKEND", "torch")  # the weights themselves, not an ONNX copy
    assert main(["models", "--json"]) == 0
    models = {m["role"]: m for m in json.loads(capsys.readouterr().out)["models"]}
    assert models["embedding"]["licence"] == "Apache-2.0" and models["embedding"]["status"] == "verified"
    gen = models["generator"]
    assert gen["name"] == "gemma-3-270m-q4_k_m.gguf" and "Gemma Terms of Use" in gen["licence"]
    assert gen["present"] is False and gen["expected_sha256"].startswith("a5fd3b62")


# --- the real model ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def gemma_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache with the bundled Gemma assembled from its packages (once per run)."""
    cache = tmp_path_factory.mktemp("model-cache")
    assemble_bundled(Settings(cache=cache))
    return cache


@pytest.mark.slow
def test_real_model_answer_cites_only_retrieved_passages(gemma_cache: Path, searcher) -> None:
    generator = open_generator(Settings(cache=gemma_cache))
    answerer = CitedAnswerer(searcher, lambda: generator, top_k=8)
    streamed: list[str] = []
    answer = answerer.answer("what was said about caseloads?", llm=True, on_token=streamed.append)
    assert answer.mode == "generated" and streamed
    assert answer.model and answer.model.startswith("gemma-3-270m-q4_k_m.gguf sha256:a5fd3b62230a")
    retrieved = {h.chunk_id for h in searcher.search("what was said about caseloads?", None, 8).hits}
    assert answer.citations and all(c.hit.chunk_id in retrieved for c in answer.citations)
    numbers = {c.n for c in answer.citations}
    for s in answer.sentences:
        # A sentence is supported only if all it cites was retrieved; anything else is flagged.
        if s.supported:
            assert set(s.citations) <= numbers
        else:
            assert s.reason
    # A false claim planted in the model's own answer is caught.
    sources = {c.n: source_text(c) for c in answer.citations}
    planted = answer.text + "\nThe council spent £4,700,000 on pothole repairs in Birmingham [1]."
    last = check_text(planted, sources)[-1]
    assert not last.supported and "4700000 is not in [1]" in (last.reason or "")


@pytest.mark.slow
def test_model_flag_names_the_file_and_hash_in_json(gemma_cache: Path, corpus_index: Path, capsys) -> None:
    gguf = bundled_model(Settings(cache=gemma_cache)).path
    code = main(["ask", "what was said about caseloads?", "--llm", "--model", str(gguf), "--json",
                 "--index", str(corpus_index), "--top-k", "3"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["mode"] == "generated"
    assert data["model"] == f"gemma-3-270m-q4_k_m.gguf sha256:{'a5fd3b62230a'}…"


@pytest.mark.slow
def test_models_load_without_cpu_specific_weight_repacking(gemma_cache: Path) -> None:
    # llama.cpp's extra buffer types (the AMX kernel among them) crash on some Intel CPUs; models are
    # loaded with them off on every CPU, and the library's defaults are left as they were.
    import llama_cpp.llama_cpp as low

    # The model process loads through this same LlamaGenerator; here it is loaded in-process to look inside.
    generator = open_local_generator(Settings(cache=gemma_cache))
    assert generator.load().model_params.use_extra_bufts is False
    assert low.llama_model_default_params().use_extra_bufts is True
    assert "".join(generator.stream("The committee met on", 4, ["\n"]))
