"""The model runs in its own process: a crash, hang or memory blow-up there costs one answer, never the caller."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import minutebook.models.llm
from minutebook.answer import CitedAnswerer
from minutebook.cli import main
from minutebook.errors import ModelMissing, ModelStopped
from minutebook.models.llm_process import ModelLimits, ModelProcess
from tests import fake_models
from tests.answer_fakes import CASELOAD_HITS, FakeSearcher

QUICK = ModelLimits(load_seconds=60, first_token_seconds=60, token_seconds=1.5, answer_seconds=60)
STOPPED = "the local model stopped (signal 11); showing the quoted answer"


def process(factory, limits: ModelLimits = QUICK, **kwargs) -> ModelProcess:
    return ModelProcess(factory, kwargs, "fake.gguf sha256:0000", limits)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_tokens_stream_back_and_the_process_is_kept_for_the_next_prompt() -> None:
    model = process(fake_models.scripted_model)
    try:
        assert list(model.stream("p", 100, ())) == fake_models.GOOD
        pid = model.pid
        assert pid is not None and pid != os.getpid()
        assert list(model.stream("p", 2, ())) == fake_models.GOOD[:2]
        assert model.pid == pid  # loaded once, kept warm
    finally:
        model.close()
    assert not alive(pid)


def test_the_model_files_metadata_and_the_grammar_cross_to_and_from_the_process() -> None:
    model = process(fake_models.chat_model)
    try:
        assert model.metadata["tokenizer.chat_template"] == "{{'<|im_start|>' + role}}"
        assert list(model.stream("p", 100, (), grammar='root ::= "x"')) == ['root ::= "x"']
        assert list(model.stream("p", 100, ())) == ["None"]
    finally:
        model.close()


def test_a_model_that_segfaults_mid_stream_raises_model_stopped_after_its_tokens() -> None:
    model = process(fake_models.segfault_model)
    got: list[str] = []
    with pytest.raises(ModelStopped) as err:
        for piece in model.stream("p", 100, ()):
            got.append(piece)
    assert got == fake_models.GOOD[:2]
    assert err.value.message == "the local model stopped (signal 11)"
    assert model.pid is None  # the next prompt starts a fresh process


def test_a_model_that_hangs_is_killed_at_its_time_limit() -> None:
    model = process(fake_models.hanging_model)
    started = time.monotonic()
    with pytest.raises(ModelStopped) as err:
        list(model.stream("p", 100, ()))
    assert time.monotonic() - started < 30
    assert "no reply for 1.5 s" in err.value.message


def test_a_model_that_hangs_while_loading_is_killed_at_its_time_limit() -> None:
    model = process(fake_models.hanging_loader, ModelLimits(load_seconds=2))
    with pytest.raises(ModelStopped) as err:
        model.load()
    assert "no reply for 2 s while loading" in err.value.message


def test_a_model_that_eats_memory_stops_without_harming_the_caller() -> None:
    # RLIMIT_AS may or may not fire before the clock on a given machine; either way the caller
    # gets ModelStopped and a dead child, and the next prompt runs.
    model = process(fake_models.greedy_model, ModelLimits(token_seconds=10, memory_mb=600))
    with pytest.raises(ModelStopped):
        list(model.stream("p", 100, ()))
    assert model.pid is None


def test_a_file_llama_cpp_cannot_load_is_still_reported_as_missing_with_its_hint() -> None:
    model = process(fake_models.failing_loader)
    with pytest.raises(ModelMissing) as err:
        model.load()
    assert "bad magic" in err.value.message and "models.md" in (err.value.hint or "")


def test_a_caller_that_stops_reading_cancels_the_stream_and_keeps_the_process() -> None:
    model = process(fake_models.scripted_model, pieces=["a"] * 200, delay=0.01)
    try:
        stream = model.stream("p", 200, ())
        assert [next(stream) for _ in range(3)] == ["a"] * 3
        pid = model.pid
        stream.close()
        assert list(model.stream("p", 2, ())) == ["a", "a"] and model.pid == pid
    finally:
        model.close()


# --- what the person asking sees ---------------------------------------------------------


def ask_with(factory, **kwargs):
    model = process(factory, **kwargs)
    answerer = CitedAnswerer(FakeSearcher(CASELOAD_HITS), lambda: model)
    streamed: list[str] = []
    answer = answerer.answer("what was said about caseloads?", llm=True, on_token=streamed.append)
    return answer, streamed


def test_a_crash_becomes_one_line_and_the_quoted_answer() -> None:
    answer, streamed = ask_with(fake_models.segfault_model)
    assert streamed == fake_models.GOOD[:2]  # what was on screen before the crash
    assert answer.mode == "extractive" and answer.fallback == "model_stopped"
    assert answer.notice == STOPPED
    assert answer.sentences and all(s.supported for s in answer.sentences)
    assert "[1]" in answer.text


def test_a_hang_becomes_one_line_and_the_quoted_answer() -> None:
    answer, _ = ask_with(fake_models.hanging_model)
    assert answer.fallback == "model_stopped" and answer.sentences
    assert answer.notice and answer.notice.startswith("the local model stopped (no reply for 1.5 s")
    assert answer.notice.endswith("; showing the quoted answer")


@pytest.fixture()
def crashing_model(monkeypatch):
    def open_generator(*_a, **_k):
        return process(fake_models.segfault_model)

    monkeypatch.setattr(minutebook.models.llm, "open_generator", open_generator)


def test_ask_llm_with_a_crashing_model_exits_0_with_the_quoted_answer(corpus_index: Path, crashing_model,
                                                                        capsys) -> None:
    argv = ["ask", "what was said about caseloads?", "--llm", "--index", str(corpus_index)]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mode"] == "extractive" and data["fallback"] == "model_stopped" and data["notice"] == STOPPED
    assert data["sentences"] and all(s["supported"] for s in data["sentences"])
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"minutebook: {STOPPED}." in out
    assert "Members raised" in out.split(STOPPED)[0]  # the tokens it wrote before it died
    assert "Sources" in out.split(STOPPED)[1]
