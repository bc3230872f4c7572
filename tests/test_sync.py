"""The index stays in step with a folder of papers, and only pays for what changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from minutebook import sync
from minutebook.errors import IndexMismatch
from minutebook.index.sqlite.store import Store
from minutebook.index.sqlite.vectors import VectorFile, VectorIndex
from tests.fake_embedder import HashingEmbedder

from .conftest import CORPUS

MINUTES = """Children's Scrutiny Committee

Wednesday, 6th April, 2022

Minutes

1 Apologies

Apologies were received from Councillor Smith.

2 Caseloads

Members asked about social worker caseloads, which had risen to an average of 24 children.
Officers agreed to bring a report on agency staff to the next meeting.
"""

REPORT = """Report of the Director of Children's Services

1. Introduction

This report sets out the Ofsted monitoring visit findings on care leavers and their pathway plans.

2. Recommendation

That the Committee notes the report.
"""


class CountingEmbedder(HashingEmbedder):
    """Records how many texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.embedded.extend(texts)
        return super().embed(texts)


@pytest.fixture()
def papers(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "minutes.txt").write_text(MINUTES, encoding="utf-8")
    (folder / "report.txt").write_text(REPORT, encoding="utf-8")
    return folder


def _paths(index: Path) -> list[str]:
    store = Store.open(index, readonly=True)
    try:
        return [Path(d.path).name for d in store.documents()]
    finally:
        store.close()


def test_first_sync_indexes_every_paper_and_second_does_nothing(papers: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    emb = CountingEmbedder()
    first = sync(index, [papers], emb)
    assert sorted(Path(p).name for p in first.added) == ["minutes.txt", "report.txt"]
    assert emb.embedded, "passages were embedded"
    emb.embedded.clear()
    second = sync(index, [papers], emb)
    assert (second.added, second.updated, second.removed) == ((), (), ())
    assert len(second.unchanged) == 2
    assert emb.embedded == []


def test_changed_file_is_reembedded_alone(papers: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    emb = CountingEmbedder()
    sync(index, [papers], emb)
    emb.embedded.clear()
    with open(papers / "report.txt", "a", encoding="utf-8") as fh:
        fh.write("\n3. Finance\n\nThe placement budget is overspent by 4.2 million pounds.\n")
    report = sync(index, [papers], emb)
    assert [Path(p).name for p in report.updated] == ["report.txt"]
    assert report.unchanged and Path(report.unchanged[0]).name == "minutes.txt"
    # Only the new passage is embedded; unchanged passages of the changed file are reused.
    assert len(emb.embedded) == 1 and "overspent" in emb.embedded[0]
    assert report.chunks_reused >= 1


def test_deleted_file_leaves_the_index(papers: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    sync(index, [papers], HashingEmbedder())
    (papers / "report.txt").unlink()
    report = sync(index, [papers], HashingEmbedder())
    assert [Path(p).name for p in report.removed] == ["report.txt"]
    assert _paths(index) == ["minutes.txt"]
    store = Store.open(index, readonly=True)
    hits = store.conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'leavers'").fetchone()[0]
    store.close()
    assert hits == 0, "the keyword index forgot the deleted paper"


def test_renamed_file_is_not_reembedded(papers: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    emb = CountingEmbedder()
    sync(index, [papers], emb)
    emb.embedded.clear()
    os.rename(papers / "minutes.txt", papers / "2022-04-06 minutes.txt")
    report = sync(index, [papers], emb)
    assert [(Path(a).name, Path(b).name) for a, b in report.moved] == [("minutes.txt", "2022-04-06 minutes.txt")]
    assert report.removed == () and report.added == ()
    assert emb.embedded == []
    assert sorted(_paths(index)) == ["2022-04-06 minutes.txt", "report.txt"]


def test_index_built_with_another_model_is_refused(papers: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    sync(index, [papers], HashingEmbedder(dimension=64))
    other = HashingEmbedder(dimension=64)
    other.model_id = "some/other-model"
    with pytest.raises(IndexMismatch) as err:
        sync(index, [papers], other)
    assert "minutebook index --rebuild" in str(err.value)


def test_an_index_cut_by_another_chunker_is_cut_again_by_the_next_sync(papers: Path, tmp_path: Path) -> None:
    from minutebook.chunking.chunker import CHUNKER_VERSION

    index = tmp_path / "index"
    sync(index, [papers], HashingEmbedder())
    store = Store.open(index)
    before = store.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    with store.transaction() as conn:
        conn.execute("UPDATE meta SET value = 'old' WHERE key = 'chunker_version'")
        conn.execute("DELETE FROM chunks_fts WHERE rowid = (SELECT max(id) FROM chunks)")  # as if cut otherwise
        conn.execute("DELETE FROM chunks WHERE id = (SELECT max(id) FROM chunks)")
    store.close()
    counting = CountingEmbedder()
    report = sync(index, [papers], counting)
    assert sorted(report.updated) == sorted(str(p) for p in papers.iterdir()), "every paper is cut again"
    assert counting.embedded == [], "passages whose text is unchanged keep their embeddings"
    store = Store.open(index, readonly=True)
    assert store.meta()["chunker_version"] == CHUNKER_VERSION
    assert store.conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == before
    store.close()
    assert sync(index, [papers], counting).updated == (), "once cut again, papers are left alone"


def test_vector_file_matches_the_database_after_each_sync(papers: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    emb = HashingEmbedder()
    sync(index, [papers], emb)
    (papers / "minutes.txt").unlink()
    sync(index, [papers], emb)
    store = Store.open(index, readonly=True)
    record = VectorFile.from_meta(store.meta())
    assert record is not None
    vectors = VectorIndex.load(index, record, emb.dimension)
    assert vectors.count == store.chunk_count() == record.count
    files = sorted(p.name for p in index.glob("vectors-*"))
    store.close()
    assert record.name in files and len(files) <= 2, files


def test_stored_offsets_index_the_original_file(corpus_index: Path) -> None:
    """A script can find each passage in the original .txt by its start/end characters."""
    store = Store.open(corpus_index, readonly=True)
    try:
        docs = store.documents()
        assert len(docs) == 5
        for doc in docs:
            source = Path(doc.path).read_bytes().decode("utf-8-sig")
            for sc in store.chunks_of(doc.id):
                assert source[sc.chunk.start_char : sc.chunk.end_char] == sc.chunk.text
    finally:
        store.close()


def test_sync_of_sample_corpus_reports_committees_and_pages(corpus_index: Path) -> None:
    from minutebook import index_status

    status = index_status(corpus_index)
    assert status.documents == 5
    assert status.chunks > 50
    assert status.failures == ()
    assert "Children's Scrutiny Committee" in status.committees


def test_a_missing_root_is_an_error_not_a_mass_removal(papers: Path, tmp_path: Path) -> None:
    from minutebook.errors import UsageError

    index = tmp_path / "index"
    sync(index, [papers], HashingEmbedder())
    moved = tmp_path / "elsewhere"
    shutil.move(papers, moved)
    with pytest.raises(UsageError, match="no such file or folder"):
        sync(index, [papers], HashingEmbedder())
    assert len(_paths(index)) == 2


def test_corpus_folder_exists() -> None:
    assert len(list(CORPUS.glob("*.txt"))) == 5


def test_a_passage_repeated_in_the_next_batch_is_embedded_once(papers: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # One paper per batch: the copy is staged while the original is still being embedded.
    monkeypatch.setattr("minutebook.pipeline.syncer.EMBED_BATCH", 1)
    shutil.copy(papers / "minutes.txt", papers / "minutes-copy.txt")
    emb = CountingEmbedder()
    report = sync(tmp_path / "index", [papers], emb)
    assert len(emb.embedded) == len(set(emb.embedded)) == report.chunks_embedded
    store = Store.open(tmp_path / "index", readonly=True)
    try:
        chunks, copies = store.conn.execute(
            "SELECT count(*), sum(d.path LIKE '%minutes.txt') FROM chunks c JOIN documents d ON d.id = c.doc_id"
        ).fetchone()
        record = VectorFile.from_meta(store.meta())
    finally:
        store.close()
    assert report.chunks_reused == copies  # every passage of the second copy
    assert record is not None and record.count == chunks


class FailingEmbedder(HashingEmbedder):
    """Embeds ``good`` calls, then fails as a model that ran out of memory would."""

    def __init__(self, good: int) -> None:
        super().__init__()
        self.good = good

    def embed(self, texts):  # type: ignore[no-untyped-def]
        if self.good == 0:
            raise MemoryError("the model ran out of memory")
        self.good -= 1
        return super().embed(texts)


def test_a_model_failure_mid_sync_keeps_what_was_committed(papers: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("minutebook.pipeline.syncer.EMBED_BATCH", 1)
    monkeypatch.setattr("minutebook.pipeline.syncer.COMMIT_EVERY_FILES", 1)
    index = tmp_path / "index"
    with pytest.raises(MemoryError):
        sync(index, [papers], FailingEmbedder(good=1))
    assert len(_paths(index)) == 1  # the first paper landed in its own commit
    report = sync(index, [papers], HashingEmbedder())
    assert len(report.added) == 1 and len(report.unchanged) == 1
    assert sorted(_paths(index)) == ["minutes.txt", "report.txt"]
