"""The command line as a script author meets it: batch files, filters, top_k and the ask JSON schema."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

import minutebook.models.registry
from minutebook.cli import main

REPO = Path(__file__).resolve().parent.parent
CHILDRENS = "Children's Scrutiny Committee"
PANEL = "Children and Families Overview and Scrutiny Panel"


@pytest.fixture()
def real_model(monkeypatch: pytest.MonkeyPatch, minilm) -> None:
    """The commands use the real MiniLM the sample index was built with, loaded once per run."""
    monkeypatch.setattr(minutebook.models.registry, "index_embedder", lambda settings: minilm)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize("case", ["missing", "folder", "undecodable"])
def test_a_bad_queries_file_is_one_line_and_exit_2(corpus_index: Path, tmp_path: Path, real_model: None,
                                                     capsys: pytest.CaptureFixture[str], case: str) -> None:
    path = tmp_path / "queries.jsonl"
    if case == "folder":
        path.mkdir()
    elif case == "undecodable":
        path.write_bytes(b'{"query": "caseloads"}\n{"query": "caf\xe9 budget"}\n')
    code, out, err = run(capsys, "search", "--queries", str(path), "--index", str(corpus_index))
    assert code == 2 and out == ""  # nothing searched: the file is refused first
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert str(path) in err
    expected = {"missing": "no such file", "folder": "is a folder", "undecodable": "line 2: not UTF-8"}[case]
    assert expected in err


def test_an_unknown_key_in_a_batch_line_is_an_error_not_an_unfiltered_search(
    corpus_index: Path, tmp_path: Path, real_model: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "queries.jsonl"
    path.write_text('{"id": "a", "query": "caseloads", "comittee": "Children"}\n'
                    '{"id": "b", "query": "caseloads"}\n', encoding="utf-8")
    code, out, _ = run(capsys, "search", "--queries", str(path), "--index", str(corpus_index))
    first, second = lines(out)
    assert code == 2
    assert first["id"] == "a" and "results" not in first
    assert "unknown key 'comittee'" in first["error"] and "did you mean 'committee'" in first["error"]
    assert second["id"] == "b" and second["results"]


def test_command_line_filters_are_defaults_for_every_batch_line(
    corpus_index: Path, tmp_path: Path, real_model: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "queries.jsonl"
    path.write_text('{"id": 1, "query": "caseloads"}\n'
                    f'{{"id": 2, "query": "caseloads", "committee": "{CHILDRENS}"}}\n'
                    '{"id": 3, "query": "caseloads", "committee": null, "top_k": 8}\n', encoding="utf-8")
    code, out, _ = run(capsys, "search", "--queries", str(path), "--committee", PANEL, "--top-k", "3",
                       "--index", str(corpus_index))
    assert code == 0
    by_default, overridden, cleared = lines(out)
    # Unfiltered, the best caseload passages are Devon's; the default keeps line 1 to Worcestershire's panel.
    assert by_default["results"] and all(PANEL in r["committee"] for r in by_default["results"])
    assert len(by_default["results"]) <= 3
    assert overridden["results"] and {r["committee"] for r in overridden["results"]} == {CHILDRENS}
    assert 3 < len(cleared["results"]) <= 8
    assert len({r["committee"] for r in cleared["results"]}) > 1


def test_queries_from_stdin_are_checked_line_by_line(
    corpus_index: Path, real_model: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b'{"query": "caseloads", "top_k": 1}\n{"query": "\xff"}\n'))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, err = run(capsys, "search", "--queries", "-", "--index", str(corpus_index))
    assert code == 2 and len(lines(out)) == 1 and len(lines(out)[0]["results"]) == 1
    assert "standard input, line 2: not UTF-8" in err and len(err.strip().splitlines()) == 1


def test_top_k_zero_is_refused_the_same_way_everywhere(
    corpus_index: Path, tmp_path: Path, real_model: None, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = ["--index", str(corpus_index)]
    for command in (["search", "caseloads"], ["ask", "caseloads?"], ["timeline", "caseloads"], ["decisions"]):
        with pytest.raises(SystemExit) as stopped:
            main([*command, "--top-k", "0", *index])
        assert stopped.value.code == 2
        assert "--top-k must be at least 1, not 0" in capsys.readouterr().err
    path = tmp_path / "queries.jsonl"
    path.write_text('{"id": 1, "query": "caseloads", "top_k": 0}\n', encoding="utf-8")
    code, out, _ = run(capsys, "search", "--queries", str(path), *index)
    assert code == 2 and "top_k must be at least 1, not 0" in lines(out)[0]["error"]
    monkeypatch.setenv("MINUTEBOOK_TOP_K", "0")
    code, _, err = run(capsys, "search", "caseloads", *index)
    assert code == 2 and "top_k must be at least 1, not 0" in err
    monkeypatch.delenv("MINUTEBOOK_TOP_K")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "minutebook.toml").write_text("top_k = 0\n", encoding="utf-8")
    code, _, err = run(capsys, "search", "caseloads", *index)
    assert code == 2 and "top_k must be at least 1, not 0" in err


def _documented_fields(section: str) -> set[str]:
    """The field names in the table of a README section (``| `a`, `b` | meaning |`` rows)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    text = readme.split(f"### {section}\n", 1)[1].split("\n### ", 1)[0]
    names: set[str] = set()
    for row in text.splitlines():
        if row.startswith("| `"):
            first, meaning = row.split("|")[1:3]
            names.update(re.findall(r"`(\w+)`", first))
            if first.strip() in ("`sentences`", "`citations`"):
                names.update(re.findall(r"`(\w+)` \(", meaning))  # the keys inside each item
                names.update(n for n in re.findall(r"`(\w+)`", meaning.split("then", 1)[-1]))
    return names


def test_ask_json_matches_its_documented_schema(corpus_index: Path, real_model: None,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "what was said about caseloads?", "--json", "--index", str(corpus_index))
    data = json.loads(out)
    assert code == 0 and data["mode"] == "extractive" and data["citations"] and data["sentences"]
    keys = set(data) | {k for s in data["sentences"] for k in s} | {k for c in data["citations"] for k in c}
    documented = _documented_fields("Ask JSON")
    assert keys <= documented, keys - documented
    assert {"question", "mode", "answer", "sentences", "citations", "weak", "model", "n", "quote",
            "supported", "reason"} <= documented
    for c in data["citations"]:
        assert isinstance(c["n"], int) and c["path"].startswith("/") and isinstance(c["quote"], str)
    cited = {n for s in data["sentences"] for n in s["citations"]}
    assert cited <= {c["n"] for c in data["citations"]}
    assert all(f"[{n}]" in data["answer"] for n in cited)


def test_the_app_without_a_terminal_refuses_with_a_message(tmp_path: Path) -> None:
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO / "tui")]),
           "MINUTEBOOK_INDEX": str(tmp_path / "index"), "TERM": "xterm-256color"}
    proc = subprocess.run([sys.executable, "-m", "minutebook", "tui"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""  # no escape codes written into the pipe
    assert "the app needs a terminal" in proc.stderr and "minutebook search" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
