"""`import minutebook` offers a curated, pinned set of names, each loaded only when first used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import minutebook

REPO = Path(__file__).resolve().parent.parent

# The public API. Adding a name is a decision (and a line here); removing or renaming one breaks
# the scripts that use it.
PUBLIC = sorted([
    "__version__",
    # settings
    "Settings", "load_settings",
    # an open index, as the command line and the servers use it
    "Archive", "open_reader",
    # indexing and checking
    "sync", "index_status", "check_index", "read_document",
    # searching and answering
    "HybridSearcher", "Ranking", "open_searcher", "make_filters", "parse_query", "CitedAnswerer",
    # models
    "default_embedder", "index_embedder", "MiniLMEmbedder", "OnnxMiniLMEmbedder",
    # what flows between them
    "Page", "Metadata", "Document", "Chunk", "Hit", "Filters", "Progress", "FileFailure", "SyncReport",
    "Scope", "SearchResult", "Citation", "AnswerSentence", "Answer",
    # the seams a caller can fill
    "Embedder", "Generator", "Searcher", "Answerer",
    # the errors a caller can meet
    "MinutebookError", "UsageError", "ExtraMissing", "IngestError", "IndexMissing", "IndexMismatch",
    "IndexCorrupt", "IndexWriteFailed", "IndexLocked", "ModelMissing", "ModelChecksumMismatch", "ModelStopped",
    "QueryError",
])
HEAVY = ("torch", "sentence_transformers", "transformers", "faiss", "onnxruntime", "llama_cpp", "textual",
         "pypdfium2", "docx", "numpy")


def test_the_public_names_are_pinned() -> None:
    assert sorted(minutebook.__all__) == PUBLIC


@pytest.mark.parametrize("name", PUBLIC)
def test_each_public_name_resolves_to_the_library_object(name: str) -> None:
    value = getattr(minutebook, name)
    assert value is not None
    if name != "__version__":
        assert getattr(value, "__module__", "").startswith("minutebook."), (name, value)
        assert getattr(value, "__name__", name) == name  # the object itself, not an alias


def test_dir_lists_the_public_names_and_star_import_gives_them() -> None:
    assert set(PUBLIC) <= set(dir(minutebook))
    namespace: dict[str, object] = {}
    exec("from minutebook import *", namespace)
    assert set(PUBLIC) <= set(namespace)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'HashingEmbedder'"):
        _ = minutebook.HashingEmbedder  # test doubles live in tests/, not in the library


def test_importing_minutebook_loads_no_model_engine_or_reader() -> None:
    probe = ("import sys, minutebook\n"
             "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    loaded = set(out.stdout.split())
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    assert {m for m in loaded if m.startswith("minutebook")} == {"minutebook"}


def test_a_name_loads_only_its_own_module() -> None:
    probe = ("import sys, minutebook\n"
             "minutebook.Filters\n"
             "print(' '.join(sorted(m for m in sys.modules if m.startswith('minutebook'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    assert "minutebook.types" in out.stdout.split()
    assert not set(out.stdout.split()) & {"minutebook.search.hybrid", "minutebook.pipeline.syncer"}


def test_the_library_ships_no_test_double() -> None:
    shipped = [p for p in (REPO / "src").rglob("*.py") if "class HashingEmbedder" in p.read_text(encoding="utf-8")]
    assert shipped == []  # it lives in tests/fake_embedder.py
