"""Shared fixtures: the real bundled MiniLM, and an index of the sample corpus built once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's config, index or model cache."""
    home = tmp_path_factory.getbasetemp() / "mb-home"
    monkeypatch.setenv("MINUTEBOOK_HOME", str(home))
    for name in list(os.environ):
        if name.startswith("MINUTEBOOK_") and name != "MINUTEBOOK_HOME":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def minilm():
    """The real embedding model, loaded once per test run."""
    from minutebook import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    embedder.load()
    return embedder


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory, minilm) -> Path:
    """An index of corpus/ built with the real MiniLM, real FAISS and a real SQLite file.

    Tests must not change it: copy it (``corpus_index_copy``) to write.
    """
    from minutebook import sync

    folder = tmp_path_factory.mktemp("corpus-index")
    report = sync(folder, [CORPUS], minilm)
    assert not report.failed, report.failed
    return folder


@pytest.fixture()
def corpus_index_copy(corpus_index: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "index"
    shutil.copytree(corpus_index, dest)
    return dest


@pytest.fixture()
def searcher(corpus_index: Path, minilm):
    from minutebook import HybridSearcher

    s = HybridSearcher(corpus_index, minilm)
    yield s
    s.close()
