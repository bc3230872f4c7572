"""Searches and answers keep working during a sync, and see one committed index, never a mixture."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from minutebook import HybridSearcher, sync
from minutebook.index.sqlite.store import Store
from tests.fake_embedder import HashingEmbedder

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
reliability = importlib.import_module("reliability")


def test_readers_in_other_processes_never_fail_or_see_a_mixture_while_a_sync_commits(tmp_path: Path) -> None:
    report = reliability.query_load(tmp_path, readers=3, papers_count=50, slow_embed_ms=30)
    assert report.error_samples == [] and report.errors == 0
    assert report.mixed == 0
    assert report.searches > 20 and report.answers > 5 and report.probes > 10
    assert report.commits_during_load >= 20
    assert report.generations_seen >= 3  # the readers really did see commits land


def test_a_reader_pointed_at_a_vector_file_already_deleted_falls_back_to_the_database(tmp_path: Path) -> None:
    papers = tmp_path / "papers"
    reliability.make_papers(papers, range(10))
    index = tmp_path / "index"
    sync(index, [papers], HashingEmbedder())
    searcher = HybridSearcher(index, HashingEmbedder())
    try:
        expected = [h.chunk_id for h in searcher.search("caseloads committee", top_k=8).hits]
        # Two quick commits: the file the reader's snapshot names is gone by the time it opens it.
        reader = HybridSearcher(index, HashingEmbedder())
        store = Store.open(index, readonly=True)
        try:
            name = store.meta()["vectors_file"]
        finally:
            store.close()
        (index / name).unlink()
        try:
            got = [h.chunk_id for h in reader.search("caseloads committee", top_k=8).hits]
        finally:
            reader.close()
        assert got == expected
    finally:
        searcher.close()
