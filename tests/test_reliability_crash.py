"""An interrupted sync costs nothing already indexed; damage to derived files is found and repaired."""

from __future__ import annotations

import errno
import importlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from minutebook import sync
from minutebook.cli import main
from minutebook.errors import IndexLocked, MinutebookError
from minutebook.index.check import check_index, repair_index
from minutebook.index.sqlite.lock import writer_lock
from minutebook.index.sqlite.store import Store
from minutebook.search.hybrid import HybridSearcher, Ranking
from tests.fake_embedder import HashingEmbedder

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
reliability = importlib.import_module("reliability")


def test_twenty_kills_at_random_moments_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    report = reliability.kill_loop(tmp_path, kills=20, papers_count=40, seed=11)
    assert report.kills == 20
    assert report.problems == []
    assert report.documents_lost == 0 and report.documents_duplicated == 0 and report.unhealthy_after_kill == 0
    assert report.lingering_workers == 0  # a killed sync's reader processes go with it
    assert report.converged  # the re-run gives exactly the index a clean run gives
    assert report.final_documents > 40


@pytest.fixture()
def indexed(tmp_path: Path) -> tuple[Path, Path]:
    papers = tmp_path / "papers"
    reliability.make_papers(papers, range(12))
    index = tmp_path / "index"
    report = sync(index, [papers], HashingEmbedder())
    assert len(report.added) == 12
    return index, papers


def _found(index: Path, k: int) -> bool:
    searcher = HybridSearcher(index, HashingEmbedder(), Ranking(mode="keyword"))
    try:
        return any(f"paper-{k:05d}" in h.path for h in searcher.search(reliability.marker(k), top_k=3).hits)
    finally:
        searcher.close()


def test_a_full_disk_fails_the_sync_plainly_and_keeps_the_last_index(
    indexed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    index, papers = indexed
    before = reliability.index_state(index)
    reliability.make_papers(papers, range(12, 20))

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("minutebook.index.sqlite.vectors.os.fsync", full)
    with pytest.raises(MinutebookError) as caught:
        sync(index, [papers], HashingEmbedder())
    assert "disk holding the index" in caught.value.message and "is full" in caught.value.message
    assert "Traceback" not in str(caught.value) and "Errno" not in str(caught.value)
    assert not list(index.glob("*.tmp"))  # no torn file left to fill the disk further
    assert reliability.index_state(index) == before
    assert check_index(index).healthy
    assert _found(index, 3)
    monkeypatch.undo()
    again = sync(index, [papers], HashingEmbedder())
    assert len(again.added) == 8 and _found(index, 15)


def test_a_full_disk_in_sqlite_is_reported_the_same_way(indexed: tuple[Path, Path], monkeypatch) -> None:
    index, papers = indexed
    reliability.make_papers(papers, range(12, 14))
    real = Store.add_document

    def full(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "add_document", full)
    with pytest.raises(MinutebookError, match="is full"):
        sync(index, [papers], HashingEmbedder())
    monkeypatch.setattr(Store, "add_document", real)
    assert check_index(index).healthy and _found(index, 0)


def _vector_file(index: Path) -> Path:
    store = Store.open(index, readonly=True)
    try:
        return index / store.meta()["vectors_file"]
    finally:
        store.close()


@pytest.mark.parametrize("damage", ["truncate", "bitflip", "delete"])
def test_a_damaged_vector_file_is_detected_never_used_and_repaired(indexed: tuple[Path, Path], damage: str) -> None:
    index, _ = indexed
    path = _vector_file(index)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "bitflip":
        data[len(data) // 2] ^= 0x10
        path.write_bytes(bytes(data))
    else:
        path.unlink()
    report = check_index(index)
    assert [p.part for p in report.problems] == ["vectors"]
    # Searches keep working from the database meanwhile, with the same answers.
    assert _found(index, 5)
    searcher = HybridSearcher(index, HashingEmbedder())
    try:
        hits = searcher.search("caseloads committee", top_k=5).hits
        assert hits
    finally:
        searcher.close()
    repaired = repair_index(index)
    assert repaired.healthy and repaired.repaired == ("vectors",)
    assert check_index(index).healthy
    assert not path.exists() or _vector_file(index) != path


def test_check_finds_a_keyword_index_out_of_step_and_repair_rebuilds_it(indexed: tuple[Path, Path]) -> None:
    index, _ = indexed
    with sqlite3.connect(index / "minutebook.sqlite") as conn:
        conn.execute("DELETE FROM chunks_fts WHERE rowid IN (SELECT min(id) FROM chunks)")
    report = check_index(index)
    assert [p.part for p in report.problems] == ["keywords"]
    assert "missing from the keyword index" in report.problems[0].message
    before = reliability.index_state(index)
    assert repair_index(index).healthy
    after = reliability.index_state(index)
    assert len(after["fts"]) == len(after["chunks"]) == len(before["chunks"])  # type: ignore[arg-type]
    assert after["embeddings"] == before["embeddings"]  # nothing re-embedded


def test_minutebook_check_exit_codes(indexed: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    index, _ = indexed
    assert main(["check", "--index", str(index)]) == 0
    path = _vector_file(index)
    path.write_bytes(path.read_bytes()[:100])
    assert main(["check", "--index", str(index)]) == 3
    out = capsys.readouterr().out
    assert "vectors   PROBLEM" in out and "does not match its recorded checksum" in out
    assert "minutebook check --repair" in out
    assert main(["check", "--repair", "--index", str(index)]) == 0
    assert "repaired  vectors" in capsys.readouterr().out
    assert main(["check", "--index", str(index)]) == 0
    (index / "minutebook.sqlite").write_bytes(b"this is not a database" * 100)
    for name in ("minutebook.sqlite-wal", "minutebook.sqlite-shm"):
        (index / name).unlink(missing_ok=True)
    assert main(["check", "--repair", "--index", str(index)]) == 3


def test_a_second_sync_is_told_who_holds_the_index(indexed: tuple[Path, Path], capsys) -> None:
    index, papers = indexed
    with writer_lock(index):
        # Another process (the lock is per open file, so a child process sees it held).
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "minutebook"), "index", str(papers), "--index", str(index), "-q"],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )
        assert proc.returncode == IndexLocked.exit_code == 75
        assert f"is being updated by process {os.getpid()} since " in proc.stderr
        assert "Searches keep working meanwhile" in proc.stderr
        assert _found(index, 2)  # readers are not locked out
