"""`minutebook ask` on the sample corpus, as a person or a script sees it."""

import json
from pathlib import Path

import pytest

import minutebook.models.llm
from minutebook.cli import main

CASELOADS = "what was said about caseloads?"
POTHOLES = "what is the budget for pothole repairs on the A38?"


def ask_json(capsys, *argv: str) -> dict:
    code = main(["ask", *argv, "--json"])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_caseloads_answer_cites_more_than_one_meeting(corpus_index: Path, capsys) -> None:
    data = ask_json(capsys, CASELOADS, "--index", str(corpus_index))
    assert data["mode"] == "extractive" and not data["weak"]
    meetings = {(c["committee"], c["date"]) for c in data["citations"]}
    assert len(meetings) > 1
    assert all(s["supported"] for s in data["sentences"])
    assert all("caseload" in s["text"].lower() for s in data["sentences"])


def test_human_output_groups_by_meeting_and_lists_sources(corpus_index: Path, capsys) -> None:
    assert main(["ask", CASELOADS, "--index", str(corpus_index)]) == 0
    out = capsys.readouterr().out
    answer, sources = out.split("\nSources\n")
    assert "[1]" in answer and "Children's Scrutiny Committee, 29 Jul 2021" in answer
    assert sources.startswith("[1] ") and "p. " in sources and '"' in sources


@pytest.mark.parametrize("llm", [False, True])
def test_a_question_the_papers_do_not_cover_says_so(corpus_index: Path, capsys, monkeypatch, llm: bool) -> None:
    def no_model(*_a, **_k):
        raise AssertionError("the language model was loaded for an uncovered question")

    monkeypatch.setattr(minutebook.models.llm, "open_generator", no_model)
    argv = [POTHOLES, "--index", str(corpus_index)] + (["--llm"] if llm else [])
    data = ask_json(capsys, *argv)
    assert data["mode"] == "not_covered" and data["weak"] is True and data["sentences"] == []
    assert main(["ask", *argv]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The indexed papers do not cover this question.")
    assert "Closest passages" in out


def test_bad_dates_are_a_usage_error(corpus_index: Path, capsys) -> None:
    assert main(["ask", CASELOADS, "--index", str(corpus_index), "--since", "last tuesday"]) == 2
    assert "cannot read the date" in capsys.readouterr().err
