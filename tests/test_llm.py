"""The language model: found, checked by sha256, and run for real on the sample corpus."""

import json
import os
from pathlib import Path

import pytest

from minutebook.answer import check_text, source_text
from minutebook.answer.answerer import write_from_evidence
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
def test_real_model_summary_cites_only_the_evidence_and_shows_only_supported_sentences(gemma_cache: Path,
                                                                                        searcher) -> None:
    generator = open_generator(Settings(cache=gemma_cache))
    question = "what was said about caseloads?"
    hits = searcher.search(question, None, 8).hits
    streamed: list[str] = []
    written = write_from_evidence(question, hits, generator, on_token=streamed.append)
    generator.close()
    answer = written.answer
    assert streamed and written.written
    # The bundled model is a base model: its grammar lets it quote clauses of the evidence, each cited.
    evidence = {e.n: e.text for e in written.evidence}
    for s in written.written:
        assert len(s.citations) == 1 and s.citations[0] in evidence
        assert s.text.rstrip(".").lower() in evidence[s.citations[0]].lower(), s.text
    assert answer.mode == "generated" and answer.fallback is None
    assert answer.model and answer.model.startswith("gemma-3-270m-q4_k_m.gguf sha256:a5fd3b62230a")
    assert answer.sentences and all(s.supported for s in answer.sentences)
    # Shorter than the evidence it was given.
    assert len(answer.text) < sum(len(e) for e in evidence.values())
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


def test_a_questions_file_that_is_not_json_lines_is_refused_naming_the_file_and_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "questions.jsonl"
    bad.write_text('{"question": "what was said about caseloads?"}\nnot json\n', encoding="utf-8")
    code = main(["models", "check", "--questions", str(bad), "--index", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert code == 2 and f"{bad}, line 2: not a question" in err and "Traceback" not in err


@pytest.mark.slow
def test_models_check_reports_the_supported_rate_and_timings_of_a_gguf(gemma_cache: Path, corpus_index: Path,
                                                                        tmp_path: Path, capsys) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "how many formal escalations were there?", "answerable": true}\n'
                         '{"question": "how much was spent on pothole repairs?", "answerable": false}\n',
                         encoding="utf-8")
    gguf = bundled_model(Settings(cache=gemma_cache)).path
    code = main(["models", "check", str(gguf), "--questions", str(questions), "--index", str(corpus_index), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["model"].startswith("gemma-3-270m-q4_k_m.gguf sha256:a5fd3b62230a")
    summary = report["summary"]
    assert summary["questions"] == 2 and summary["answerable"] == 1
    assert summary["sentences_written"] >= 1 and summary["sentences_supported"] == summary["sentences_written"]
    assert summary["not_covered_unanswerable"] == 1  # not put to the model
    assert report["results"][0]["first_token_s"] > 0 and report["long_prompt"]["prompt_tokens"] >= 1000
    assert report["long_prompt"]["first_token_s"] > 0
