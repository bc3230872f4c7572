"""`minutebook serve`: the CLI's JSON over real HTTP, errors as statuses, requests side by side."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.servers import Served, start_server


@pytest.fixture(scope="module")
def served(corpus_index: Path, tmp_path_factory: pytest.TempPathFactory):
    server = start_server(corpus_index, tmp_path_factory.mktemp("serve") / "stderr.log", "--readers", "4")
    yield server
    server.stop()


@pytest.fixture()
def cli_json(corpus_index: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """What `minutebook ... --json` writes to stdout, byte for byte."""
    from minutebook.cli import main

    monkeypatch.setenv("MINUTEBOOK_INDEX", str(corpus_index))

    def run(*args: str) -> bytes:
        capsys.readouterr()
        assert main([*args, "--json"]) == 0
        return capsys.readouterr().out.encode("utf-8")

    return run


def test_search_answers_exactly_what_the_cli_writes(served: Served, cli_json) -> None:
    reply = served.get("/search", query="what was said about caseloads?", council="devon", top_k=5)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.body == cli_json("search", "what was said about caseloads?", "--council", "devon", "-k", "5")
    first = reply.json()["results"][0]
    assert first["council"] == "Devon" and first["date"] and first["page"] == 1
    assert "caseload" in first["text"].lower()


def test_a_json_body_asks_the_same_as_the_query_string(served: Served) -> None:
    by_get = served.get("/search", query="agency staff", type="report", since="2021", top_k=3)
    by_post = served.post("/search", {"query": "agency staff", "type": "report", "since": "2021", "top_k": 3})
    assert by_post.status == by_get.status == 200
    assert by_post.body == by_get.body
    assert {r["doc_type"] for r in by_get.json()["results"]} == {"report"}


def test_ask_decisions_timeline_and_status_match_the_cli(served: Served, cli_json) -> None:
    ask = served.get("/ask", question="what was said about caseloads?", llm="false")
    assert ask.status == 200 and ask.body == cli_json("ask", "what was said about caseloads?")
    answer = ask.json()
    assert answer["mode"] == "extractive" and answer["citations"]
    assert all(s["citations"] for s in answer["sentences"])
    assert served.get("/decisions", query="caseloads").body == cli_json("decisions", "caseloads")
    listed = served.get("/decisions", kind=["action", "resolution"], top_k=4)
    assert listed.body == cli_json("decisions", "--kind", "action", "--kind", "resolution", "-k", "4")
    assert served.get("/timeline", query="caseloads").body == cli_json("timeline", "caseloads")
    assert served.get("/status", documents="true").body == cli_json("status", "--documents")


def test_a_passage_is_fetched_by_the_id_a_search_gives(served: Served) -> None:
    hit = served.get("/search", query="agency staff", top_k=1).json()["results"][0]
    reply = served.get(f"/passages/{hit['chunk_id']}")
    assert reply.status == 200
    passage = reply.json()
    assert passage["path"] == hit["path"] and hit["committee"] in passage["citation"]
    assert passage["text"] in passage["context"]
    assert served.get("/passages/987654").status == 404


@pytest.mark.parametrize(("params", "says"), [
    ({}, "query is missing"),
    ({"query": "caseloads", "top_k": "0"}, "top_k must be between 1 and 100"),
    ({"query": "caseloads", "top_k": "1000"}, "top_k must be between 1 and 100"),
    ({"query": "caseloads", "since": "last week"}, "cannot read the date 'last week'"),
    ({"query": "caseloads", "councl": "Devon"}, "unknown parameter councl"),
    ({"query": "x" * 1001}, "at most 1000 are read"),
])
def test_a_bad_request_is_a_400_with_the_cli_message(served: Served, params: dict[str, str], says: str) -> None:
    reply = served.get("/search", **params)
    assert reply.status == 400
    error = reply.json()
    assert says in error["error"] and error["exit_code"] == 2


def test_bodies_are_limited_and_must_be_json_objects(served: Served) -> None:
    assert served.post("/search", b'{"query": "' + b"a" * 70_000 + b'"}').status == 413
    assert served.post("/search", b"[1, 2]").status == 400
    assert "not JSON" in served.post("/search", b"{query").json()["error"]
    missing = served.get("/no-such-endpoint")
    assert missing.status == 404 and "/search" in missing.json()["hint"]


def test_concurrent_readers_all_get_the_same_complete_answer(served: Served) -> None:
    queries = ["caseloads", "agency staff", "Ofsted inspection", "recruitment and retention"] * 4
    alone = {q: served.get("/search", query=q).body for q in set(queries)}
    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(lambda q: (q, served.get("/search", query=q)), queries))
    assert all(r.status == 200 for _, r in replies)
    assert all(r.body == alone[q] for q, r in replies)


def test_an_index_that_is_not_there_is_a_503_saying_how_to_build_one(tmp_path: Path) -> None:
    server = start_server(tmp_path / "empty", tmp_path / "stderr.log")
    try:
        reply = server.get("/search", query="caseloads")
        assert reply.status == 503
        error = reply.json()
        assert error["exit_code"] == 3 and "no index" in error["error"] and "minutebook index" in error["hint"]
        assert server.get("/health").json()["ok"] is True
    finally:
        log = server.stop()
    assert "Traceback" not in log


def test_a_request_over_its_time_is_a_504_and_the_server_keeps_serving(corpus_index: Path, tmp_path: Path) -> None:
    server = start_server(corpus_index, tmp_path / "stderr.log", "--timeout", "0.001")
    try:
        reply = server.get("/search", query="caseloads")
        assert reply.status == 504 and "longer than 0.001 s" in reply.json()["error"]
        assert server.get("/health").status == 200
    finally:
        server.stop()


@pytest.mark.slow
def test_a_slow_model_answer_does_not_hold_up_searches(served: Served) -> None:
    """While the local model writes an answer, searches and status still answer at once."""
    done = threading.Event()
    answer: list = []

    def ask() -> None:
        answer.append(served.get("/ask", question="what was said about caseloads?", llm="true"))
        done.set()

    threading.Thread(target=ask, daemon=True).start()
    for _ in range(5):
        assert served.get("/search", query="agency staff").status == 200
        assert served.get("/status").status == 200
    assert not done.is_set(), "the model answered before the searches: nothing was shown side by side"
    assert done.wait(300)
    written = answer[0].json()
    assert answer[0].status == 200 and written["mode"] in ("generated", "not_covered")
    assert json.dumps(written)  # a whole JSON answer, not a broken one
