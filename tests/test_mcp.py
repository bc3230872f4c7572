"""`minutebook mcp`: a real MCP client session over stdio gets cited results from read-only tools."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.servers import REPO, clean_env

TOOLS = {"search", "ask", "decisions", "timeline", "fetch_passage", "status"}


def _cli_json(index: Path, *args: str) -> Any:
    import subprocess

    out = subprocess.run([sys.executable, "-m", "minutebook", *args, "--index", str(index), "--json"],
                         capture_output=True, text=True, check=True, cwd=REPO, env=clean_env(index.parent / "mb-home"))
    return json.loads(out.stdout)


def _session_calls(index: Path | str, calls: list[tuple[str, dict[str, Any]]],
                   home: Path | None = None) -> tuple[list[Any], list[Any]]:
    """Start `minutebook mcp`, list its tools, make ``calls`` in one session; (tools, results)."""
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "minutebook", "mcp", "--index", str(index)],
                                   env=clean_env((home or Path(index).parent) / "mb-home"), cwd=str(REPO))

    async def talk(quiet: Any) -> tuple[list[Any], list[Any]]:
        async with stdio_client(params, errlog=quiet) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = (await session.list_tools()).tools
            results = [await session.call_tool(name, args, read_timeout_seconds=300) for name, args in calls]
            return tools, results

    with open(os.devnull, "w") as quiet:
        return anyio.run(talk, quiet)


@pytest.fixture(scope="module")
def session_results(corpus_index: Path):
    calls = [
        ("search", {"query": "what was said about caseloads?", "council": "devon", "top_k": 5}),
        ("ask", {"question": "what was said about caseloads?"}),
        ("decisions", {"query": "caseloads"}),
        ("timeline", {"query": "caseloads"}),
        ("status", {}),
        ("search", {"query": "caseloads", "since": "last week"}),
        ("fetch_passage", {"chunk_id": 987654}),
    ]
    return _session_calls(corpus_index, calls)


def test_the_tools_are_listed_and_all_only_read(session_results) -> None:
    tools, _ = session_results
    assert {t.name for t in tools} == TOOLS
    assert all(t.annotations.read_only_hint and not t.annotations.destructive_hint for t in tools)
    search = next(t for t in tools if t.name == "search")
    assert {"query", "council", "committee", "since", "until", "top_k"} <= set(search.input_schema["properties"])


def test_search_gives_the_cli_json_with_citations(session_results, corpus_index: Path) -> None:
    _, results = session_results
    found = results[0]
    assert not found.is_error
    assert found.structured_content == _cli_json(corpus_index, "search", "what was said about caseloads?",
                                                 "--council", "devon", "-k", "5")
    first = found.structured_content["results"][0]
    assert first["council"] == "Devon" and first["committee"] and first["date"]
    assert json.loads(found.content[0].text) == found.structured_content


def test_ask_decisions_and_timeline_answer_with_citations(session_results) -> None:
    _, (_, ask, decisions, timeline, status, *_rest) = session_results
    answer = ask.structured_content
    assert answer["mode"] == "extractive" and answer["citations"]
    assert all(c["path"] and c["quote"] for c in answer["citations"])
    assert decisions.structured_content["decisions"]
    assert all(d["citation"] for d in decisions.structured_content["decisions"])
    assert [e["date"] for e in timeline.structured_content["entries"]] == sorted(
        e["date"] for e in timeline.structured_content["entries"])
    assert status.structured_content["documents"] == 5


def test_a_bad_argument_is_a_tool_error_the_assistant_can_read(session_results) -> None:
    _, results = session_results
    bad_date, missing = results[-2], results[-1]
    assert bad_date.is_error and "cannot read the date 'last week'" in bad_date.content[0].text
    assert missing.is_error and "no passage 987654" in missing.content[0].text


def test_a_passage_from_a_search_is_fetched_in_its_context(corpus_index: Path) -> None:
    _, (found,) = _session_calls(corpus_index, [("search", {"query": "agency staff", "top_k": 1})])
    hit = found.structured_content["results"][0]
    _, (passage,) = _session_calls(corpus_index, [("fetch_passage", {"chunk_id": hit["chunk_id"]})])
    got = passage.structured_content
    assert got["path"] == hit["path"] and got["text"] in got["context"] and got["citation"]
